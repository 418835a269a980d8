import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { codeOf, TestApp } from '../../../test/helpers';

let t: TestApp;
before(async () => {
  t = await TestApp.start({ RATE_LIMIT_ENABLED: 'false' });
});
after(() => t.close());

const ADDRESS = { receiverName: '김운영', receiverPhone: '010-2222-3333', zipCode: '04524', address1: '서울 중구 세종대로 110', address2: null };

let seq = 0;
async function product(stock: number) {
  return (await t.services.products.create({ name: `운영 상세 상품 ${++seq}`, price: 42000, stock }, 'test')).id;
}

async function buyer() {
  const userId = randomUUID();
  return { userId, token: await t.token(userId) };
}

async function order(token: string, productId: number, quantity = 1): Promise<string> {
  assert.equal((await t.call('POST', '/cart/items', { token, body: { productId, quantity } })).status, 200);
  const res = await t.call('POST', '/orders', { token, body: { shippingAddress: ADDRESS } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.data.orderNumber;
}

const pay = (token: string, orderNumber: string, outcome: 'approve' | 'decline') =>
  t.call('POST', '/payments', { token, body: { orderNumber, paymentMethod: 'CARD' }, headers: { 'x-test-payment-outcome': outcome } });

const detail = (orderNumber: string, token = t.adminToken) => t.call('GET', `/admin/orders/${orderNumber}/detail`, { token });

test("an order's detail: saga, payments and delivery as they stand, through payment, a declined payment and shipping", async () => {
  const p = await product(10);
  const a = await buyer();

  const pending = await order(a.token, p);
  let res = await detail(pending);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.data.order.orderNumber, pending);
  assert.equal(res.body.data.order.status, 'PENDING');
  assert.deepEqual(
    { ...res.body.data.saga, sagaId: undefined, startedAt: undefined, updatedAt: undefined },
    {
      sagaId: undefined,
      status: 'STARTED',
      currentStep: 'PROCESS_PAYMENT',
      completedSteps: ['RESERVE_INVENTORY'],
      lastErrorMessage: null,
      compensationAttempts: 0,
      startedAt: undefined,
      updatedAt: undefined,
      completedAt: null,
    },
  );
  assert.match(res.body.data.saga.sagaId, /^SAGA-/);
  assert.deepEqual(res.body.data.payments, []);
  assert.equal(res.body.data.delivery, null);

  assert.equal((await pay(a.token, pending, 'approve')).status, 200);
  res = await detail(pending);
  assert.equal(res.body.data.order.status, 'PAID');
  assert.equal(res.body.data.saga.status, 'COMPLETED');
  assert.deepEqual(res.body.data.saga.completedSteps, ['RESERVE_INVENTORY', 'PROCESS_PAYMENT', 'DEDUCT_INVENTORY', 'CREATE_DELIVERY', 'CONFIRM_ORDER']);
  assert.match(res.body.data.saga.completedAt, /Z$/);
  assert.deepEqual(res.body.data.payments.map((x: any) => [x.status, x.orderNumber]), [['COMPLETED', pending]]);
  assert.equal(res.body.data.delivery.status, 'PREPARING');

  // The console moves the parcel with the delivery's own route, then sees it here.
  const tracking = res.body.data.delivery.trackingNumber;
  const shipped = await t.call('PUT', `/deliveries/${tracking}/status`, { token: t.adminToken, body: { status: 'SHIPPED', location: '서울 허브' } });
  assert.equal(shipped.status, 200, JSON.stringify(shipped.body));
  res = await detail(pending);
  assert.equal(res.body.data.order.status, 'SHIPPING');
  assert.equal(res.body.data.delivery.status, 'SHIPPED');

  // A declined payment: the saga undone, the failed attempt listed.
  const declined = await order(a.token, p);
  assert.equal((await pay(a.token, declined, 'decline')).status, 400);
  res = await detail(declined);
  assert.equal(res.body.data.order.status, 'CANCELLED');
  assert.equal(res.body.data.saga.status, 'FAILED');
  assert.match(res.body.data.saga.lastErrorMessage, /Payment failed/);
  assert.deepEqual(res.body.data.payments.map((x: any) => x.status), ['FAILED']);
  assert.equal(res.body.data.delivery, null);
});

test('admin orders: by user, by user and status; the existing keyword and status filters unchanged', async () => {
  const p = await product(10);
  const [a, b] = [await buyer(), await buyer()];
  const a1 = await order(a.token, p);
  const a2 = await order(a.token, p);
  const b1 = await order(b.token, p);
  assert.equal((await pay(a.token, a2, 'approve')).status, 200);

  const list = (query: string) => t.call('GET', `/admin/orders?${query}`, { token: t.adminToken });
  let res = await list(`userId=${a.userId}`);
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.data.items.map((o: any) => o.orderNumber), [a2, a1]);
  assert.equal(res.body.data.totalElements, 2);
  res = await list(`userId=${a.userId}&status=PENDING`);
  assert.deepEqual(res.body.data.items.map((o: any) => o.orderNumber), [a1]);
  res = await list(`userId=${b.userId}&keyword=${a1}`);
  assert.deepEqual(res.body.data.items, [], "another user's order number finds nothing for this user");
  res = await list(`keyword=${b1}`);
  assert.deepEqual(res.body.data.items.map((o: any) => o.orderNumber), [b1]);
  res = await list(`userId=${randomUUID()}`);
  assert.equal(res.body.data.totalElements, 0);
  assert.equal(codeOf(await list(`userId=${'x'.repeat(101)}`)), 'C002');
});

test('detail: S201 for an unknown order, C002 for a malformed number, admins only', async () => {
  const missing = await detail('ORD-NOPE-0000');
  assert.equal(missing.status, 404);
  assert.equal(codeOf(missing), 'S201');
  assert.equal(codeOf(await detail('not%20a%20number')), 'C002');
  const p = await product(1);
  const a = await buyer();
  const mine = await order(a.token, p);
  const asOwner = await detail(mine, a.token);
  assert.equal(asOwner.status, 403);
  assert.equal(codeOf(asOwner), 'C004');
  assert.equal((await detail(mine, null as unknown as string)).status, 401);
});
