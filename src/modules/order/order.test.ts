import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { codeOf, TestApp } from '../../../test/helpers';

let t: TestApp;
before(async () => {
  t = await TestApp.start({ ORDER_PAYMENT_TIMEOUT_S: '60' });
});
after(() => t.close());

const ADDRESS = { receiverName: '홍길동', receiverPhone: '010-1234-5678', zipCode: '06236', address1: '서울 강남구 테헤란로 152', address2: '12층' };

let seq = 0;
async function product(stock: number, price = 35000) {
  return (await t.services.products.create({ name: `주문 테스트 상품 ${++seq}`, price, stock }, 'test')).id;
}

async function buyer() {
  const userId = randomUUID();
  return { userId, token: await t.token(userId) };
}

async function order(token: string, lines: [number, number][], body: Record<string, unknown> = {}) {
  for (const [productId, quantity] of lines) {
    const res = await t.call('POST', '/cart/items', { token, body: { productId, quantity } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
  return t.call('POST', '/orders', { token, body: { shippingAddress: ADDRESS, ...body } });
}

async function pay(token: string, orderNumber: string, outcome?: 'approve' | 'decline', headers: Record<string, string> = {}) {
  return t.call('POST', '/payments', {
    token,
    body: { orderNumber, paymentMethod: 'CARD' },
    headers: { ...(outcome ? { 'x-test-payment-outcome': outcome } : {}), ...headers },
  });
}

async function stock(productId: number) {
  const row = await t.db.selectFrom('inventory').selectAll().where('product_id', '=', productId).executeTakeFirstOrThrow();
  return { available: row.available_quantity, reserved: row.reserved_quantity, total: row.total_quantity };
}

async function saga(orderNumber: string) {
  return t.db.selectFrom('saga_states').selectAll().where('order_number', '=', orderNumber).executeTakeFirstOrThrow();
}

async function events(key: string) {
  const rows = await t.db.selectFrom('outbox_events').select(['topic', 'payload']).where('event_key', '=', key).orderBy('id').execute();
  return rows.map((r) => ({ topic: r.topic, payload: JSON.parse(r.payload) }));
}

async function orderRow(orderNumber: string) {
  return t.db.selectFrom('orders').selectAll().where('order_number', '=', orderNumber).executeTakeFirstOrThrow();
}

describe('create and pay', () => {
  test('the happy path: PENDING with stock reserved, then PAID with stock sold and a delivery', async () => {
    const p1 = await product(10, 19900.5);
    const p2 = await product(5, 35000);
    const u = await buyer();
    const created = await order(u.token, [[p1, 3], [p2, 1]]);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const o = created.body.data;
    assert.match(o.orderNumber, /^ORD-\d{8}-[0-9A-F]{8}$/);
    assert.equal(o.status, 'PENDING');
    assert.equal(o.statusDescription, '대기 중');
    assert.equal(o.totalAmount, 94701.5);
    assert.equal(o.finalAmount, 94701.5);
    assert.equal(o.discountAmount, 0);
    assert.equal(o.itemCount, 2);
    assert.equal(o.totalQuantity, 4);
    assert.equal(o.shippingAddress.fullAddress, '[06236] 서울 강남구 테헤란로 152 12층');
    assert.deepEqual(await stock(p1), { available: 7, reserved: 3, total: 10 });
    const s1 = await saga(o.orderNumber);
    assert.deepEqual([s1.status, s1.current_step, s1.completed_steps], ['STARTED', 'PROCESS_PAYMENT', 'RESERVE_INVENTORY']);
    assert.match(s1.saga_id, /^SAGA-[0-9A-F]{8}$/);
    const cart = await t.db.selectFrom('carts').selectAll().where('user_id', '=', u.userId).executeTakeFirstOrThrow();
    assert.equal(cart.status, 'CHECKED_OUT');
    assert.deepEqual((await events(o.orderNumber)).map((e) => e.topic), ['shopping.order.created', 'shopping.inventory.reserved']);

    const paid = await pay(u.token, o.orderNumber);
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    const payment = paid.body.data;
    assert.match(payment.paymentNumber, /^PAY-[0-9A-F]{8}$/);
    assert.equal(payment.status, 'COMPLETED');
    assert.equal(payment.amount, 94701.5);
    assert.match(payment.pgTransactionId, /^PG-[0-9A-F]{12}$/);

    const after = (await t.call('GET', `/orders/${o.orderNumber}`, { token: u.token })).body.data;
    assert.equal(after.status, 'PAID');
    assert.deepEqual(await stock(p1), { available: 7, reserved: 0, total: 7 });
    assert.deepEqual(await stock(p2), { available: 4, reserved: 0, total: 4 });
    const s2 = await saga(o.orderNumber);
    assert.deepEqual([s2.status, s2.completed_steps], ['COMPLETED', 'RESERVE_INVENTORY,PROCESS_PAYMENT,DEDUCT_INVENTORY,CREATE_DELIVERY,CONFIRM_ORDER']);
    const delivery = await t.call('GET', `/deliveries/order/${o.orderNumber}`, { token: u.token });
    assert.equal(delivery.body.data.status, 'PREPARING');
    assert.deepEqual((await events(o.orderNumber)).map((e) => e.topic), [
      'shopping.order.created',
      'shopping.inventory.reserved',
      'shopping.order.confirmed',
    ]);
    assert.deepEqual((await events(payment.paymentNumber)).map((e) => e.topic), ['shopping.payment.completed']);
    const moves = await t.db.selectFrom('stock_movements').select(['movement_type', 'quantity']).where('product_id', '=', p1).orderBy('id').execute();
    assert.deepEqual(moves.map((m) => [m.movement_type, m.quantity]), [['INITIAL', 10], ['RESERVE', 3], ['DEDUCT', 3]]);

    const again = await pay(u.token, o.orderNumber);
    assert.equal(codeOf(again), 'S204');
  });

  test('insufficient stock: S402, nothing reserved, order CANCELLED, saga FAILED, cart ACTIVE again', async () => {
    const p = await product(2);
    const u = await buyer();
    await t.call('POST', '/cart/items', { token: u.token, body: { productId: p, quantity: 2 } });
    await t.services.inventory.adjust(undefined, p, 1);
    const res = await t.call('POST', '/orders', { token: u.token, body: { shippingAddress: ADDRESS } });
    assert.equal(res.status, 400);
    assert.equal(codeOf(res), 'S402');
    assert.deepEqual(await stock(p), { available: 1, reserved: 0, total: 1 });
    const o = await t.db.selectFrom('orders').selectAll().where('user_id', '=', u.userId).executeTakeFirstOrThrow();
    assert.equal(o.status, 'CANCELLED');
    assert.equal((await saga(o.order_number)).status, 'FAILED');
    assert.deepEqual(await events(o.order_number), []);
    const cart = (await t.call('GET', '/cart', { token: u.token })).body.data;
    assert.equal(cart.status, 'ACTIVE');
    assert.equal(cart.items.length, 1);
    // the buyer fixes the cart and orders again from the same cart
    await t.call('PUT', `/cart/items/${cart.items[0].id}`, { token: u.token, body: { quantity: 1 } });
    const retry = await t.call('POST', '/orders', { token: u.token, body: { shippingAddress: ADDRESS } });
    assert.equal(retry.status, 201, JSON.stringify(retry.body));
  });

  test('a declined payment keeps a FAILED row, releases stock and cancels the order (400 S304)', async () => {
    const p = await product(4);
    const u = await buyer();
    const o = (await order(u.token, [[p, 2]])).body.data;
    const res = await pay(u.token, o.orderNumber, 'decline');
    assert.equal(res.status, 400);
    assert.equal(codeOf(res), 'S304');
    const payment = await t.db.selectFrom('payments').selectAll().where('order_number', '=', o.orderNumber).executeTakeFirstOrThrow();
    assert.equal(payment.status, 'FAILED');
    assert.ok(payment.failure_reason);
    assert.deepEqual(await stock(p), { available: 4, reserved: 0, total: 4 });
    assert.equal((await orderRow(o.orderNumber)).status, 'CANCELLED');
    assert.equal((await saga(o.orderNumber)).status, 'FAILED');
    assert.deepEqual((await events(o.orderNumber)).map((e) => e.topic), [
      'shopping.order.created',
      'shopping.inventory.reserved',
      'shopping.order.cancelled',
    ]);
    assert.deepEqual((await events(payment.payment_number)).map((e) => e.topic), ['shopping.payment.failed']);
    assert.equal(codeOf(await pay(u.token, o.orderNumber)), 'S209');
  });

  test('ownership, unknown orders, validation', async () => {
    const p = await product(3);
    const u = await buyer();
    const o = (await order(u.token, [[p, 1]])).body.data;
    assert.equal(codeOf(await t.call('GET', `/orders/${o.orderNumber}`, { token: t.otherToken })), 'S212');
    assert.equal(codeOf(await t.call('GET', '/orders/ORD-20260101-00000000', { token: u.token })), 'S201');
    assert.equal(codeOf(await pay(t.otherToken, o.orderNumber)), 'S212');
    assert.equal((await t.call('GET', `/orders/${o.orderNumber}`, { token: t.adminToken })).status, 200);
    const bad = await t.call('POST', '/orders', { token: u.token, body: { shippingAddress: { ...ADDRESS, receiverName: ' ' } } });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.error.details.map((d: { field: string; message: string }) => [d.field, d.message]), [
      ['shippingAddress.receiverName', 'Receiver name is required'],
    ]);
    const missing = await t.call('POST', '/orders', { token: u.token, body: {} });
    assert.equal(missing.body.error.details[0].message, 'Shipping address is required');
    const v = await buyer();
    await t.call('POST', '/cart/items', { token: v.token, body: { productId: p, quantity: 1 } });
    const coupon = await t.call('POST', '/orders', { token: v.token, body: { shippingAddress: ADDRESS, userCouponId: 12345 } });
    assert.equal(codeOf(coupon), 'S608');
    // nothing of the failed attempt stays: the cart can still be ordered
    assert.equal((await t.call('POST', '/orders', { token: v.token, body: { shippingAddress: ADDRESS } })).status, 201);
    const nullCoupon = await t.call('POST', '/orders', { token: u.token, body: { shippingAddress: ADDRESS, userCouponId: null, cartId: null } });
    assert.equal(codeOf(nullCoupon), 'S101'); // the only cart already has its order
    const list = await t.call('GET', '/orders', { token: u.token });
    assert.equal(list.body.data.totalElements, 1);
    assert.equal(list.body.data.items[0].orderNumber, o.orderNumber);
  });
});

describe('conflicts', () => {
  test('a payment racing one still in flight is 409 S314, and the first then answers for itself (declined: S304)', async () => {
    const p = await product(2);
    const u = await buyer();
    const o = (await order(u.token, [[p, 1]])).body.data;
    // Hold the first payment between its PROCESSING row and the gateway's answer.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    t.services.saga.setCrashHook(async (point) => {
      if (point !== 'PAYMENT_STARTED') return;
      held();
      await gate;
    });
    try {
      const first = pay(u.token, o.orderNumber, 'decline');
      await holding;
      const processing = await t.db.selectFrom('payments').select('status').where('order_number', '=', o.orderNumber).execute();
      assert.deepEqual(processing.map((r) => r.status), ['PROCESSING']);
      const second = await pay(u.token, o.orderNumber, 'approve');
      assert.equal(second.status, 409, JSON.stringify(second.body));
      assert.equal(codeOf(second), 'S314');
      assert.equal(second.body.error.message, 'A payment for this order is already in progress');
      release();
      const firstRes = await first;
      assert.equal(codeOf(firstRes), 'S304');
    } finally {
      release();
      t.services.saga.setCrashHook(undefined);
    }
    const rows = await t.db.selectFrom('payments').select('status').where('order_number', '=', o.orderNumber).execute();
    assert.deepEqual(rows.map((r) => r.status), ['FAILED'], 'the racing request left no row');
    assert.equal((await orderRow(o.orderNumber)).status, 'CANCELLED');
  });

  test('POST /orders naming a cart that already has its order is 400 S103; without cartId the default-cart rule stands', async () => {
    const p = await product(5);
    const u = await buyer();
    const first = await order(u.token, [[p, 1]]);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const cartId = (await orderRow(first.body.data.orderNumber)).cart_id;
    assert.ok(cartId);
    const again = await t.call('POST', '/orders', { token: u.token, body: { shippingAddress: ADDRESS, cartId } });
    assert.equal(again.status, 400, JSON.stringify(again.body));
    assert.equal(codeOf(again), 'S103');
    assert.equal(again.body.error.message, 'Cart has already been checked out');
    // Without a cartId there is no orderable cart left: S101, as before.
    assert.equal(codeOf(await t.call('POST', '/orders', { token: u.token, body: { shippingAddress: ADDRESS } })), 'S101');
    // Someone else's ordered cart, or one that does not exist, stays S101 (no hint that it exists).
    assert.equal(codeOf(await t.call('POST', '/orders', { token: t.otherToken, body: { shippingAddress: ADDRESS, cartId } })), 'S101');
    assert.equal(codeOf(await t.call('POST', '/orders', { token: u.token, body: { shippingAddress: ADDRESS, cartId: 999_999_999 } })), 'S101');
    // An open cart named by id still orders normally.
    await t.call('POST', '/cart/items', { token: u.token, body: { productId: p, quantity: 1 } });
    const cart = await t.call('GET', '/cart', { token: u.token });
    const next = await t.call('POST', '/orders', { token: u.token, body: { shippingAddress: ADDRESS, cartId: cart.body.data.id } });
    assert.equal(next.status, 201, JSON.stringify(next.body));
    assert.equal(await t.db.selectFrom('orders').select('id').where('cart_id', '=', cartId).execute().then((r) => r.length), 1);
  });
});

describe('cancellation', () => {
  test('PENDING → CANCELLED with stock released (PUT and POST)', async () => {
    const p = await product(5);
    for (const method of ['PUT', 'POST'] as const) {
      const u = await buyer();
      const o = (await order(u.token, [[p, 2]])).body.data;
      const res = await t.call(method, `/orders/${o.orderNumber}/cancel`, { token: u.token, body: { reason: '단순 변심' } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.data.status, 'CANCELLED');
      assert.equal(res.body.data.cancelReason, '단순 변심');
      assert.ok(res.body.data.cancelledAt);
      assert.equal(codeOf(await t.call(method, `/orders/${o.orderNumber}/cancel`, { token: u.token, body: { reason: 'again' } })), 'S203');
      const cancelled = (await events(o.orderNumber)).at(-1)!;
      assert.equal(cancelled.topic, 'shopping.order.cancelled');
      assert.equal(cancelled.payload.cancelReason, '단순 변심');
      assert.ok(cancelled.payload.eventId);
    }
    assert.deepEqual(await stock(p), { available: 5, reserved: 0, total: 5 });
  });

  test('PAID → REFUNDED: refund, stock returned, delivery cancelled; SHIPPING → S203', async () => {
    const p = await product(6);
    const u = await buyer();
    const o = (await order(u.token, [[p, 2]])).body.data;
    const payment = (await pay(u.token, o.orderNumber)).body.data;
    const res = await t.call('PUT', `/orders/${o.orderNumber}/cancel`, { token: u.token, body: { reason: '배송 전 취소' } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.data.status, 'REFUNDED');
    assert.deepEqual(await stock(p), { available: 6, reserved: 0, total: 6 });
    const pay2 = (await t.call('GET', `/payments/${payment.paymentNumber}`, { token: u.token })).body.data;
    assert.equal(pay2.status, 'REFUNDED');
    assert.match(pay2.pgTransactionId, /^RF-PG-[0-9A-F]{12}$/);
    assert.equal((await t.call('GET', `/deliveries/order/${o.orderNumber}`, { token: u.token })).body.data.status, 'CANCELLED');
    const moves = await t.db.selectFrom('stock_movements').select('movement_type').where('product_id', '=', p).orderBy('id').execute();
    assert.deepEqual(moves.map((m) => m.movement_type), ['INITIAL', 'RESERVE', 'DEDUCT', 'RETURN']);
    const cancelled = (await events(o.orderNumber)).at(-1)!;
    assert.equal(cancelled.payload.refunded, true);

    const o2 = (await order(u.token, [[p, 1]])).body.data;
    await pay(u.token, o2.orderNumber);
    const tracking = (await t.call('GET', `/deliveries/order/${o2.orderNumber}`, { token: u.token })).body.data.trackingNumber;
    const shipped = await t.call('PUT', `/deliveries/${tracking}/status`, { token: t.adminToken, body: { status: 'SHIPPED', location: '물류센터' } });
    assert.equal(shipped.status, 200, JSON.stringify(shipped.body));
    assert.equal((await orderRow(o2.orderNumber)).status, 'SHIPPING');
    assert.equal(codeOf(await t.call('POST', `/orders/${o2.orderNumber}/cancel`, { token: u.token, body: { reason: 'late' } })), 'S203');
  });

  test('refund through the payment, owner or admin only', async () => {
    const p = await product(3);
    const u = await buyer();
    const o = (await order(u.token, [[p, 1]])).body.data;
    const payment = (await pay(u.token, o.orderNumber)).body.data;
    assert.equal(codeOf(await t.call('POST', `/payments/${payment.paymentNumber}/refund`, { token: t.otherToken })), 'S313');
    const res = await t.call('POST', `/payments/${payment.paymentNumber}/refund`, { token: t.adminToken });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.data.status, 'REFUNDED');
    assert.equal((await orderRow(o.orderNumber)).status, 'REFUNDED');
    assert.equal(codeOf(await t.call('POST', `/payments/${payment.paymentNumber}/refund`, { token: u.token })), 'S203');
    assert.equal(codeOf(await t.call('POST', `/payments/${payment.paymentNumber}/cancel`, { token: u.token })), 'S312');
  });
});

describe('delivery drives the order', () => {
  test('SHIPPED → SHIPPING, DELIVERED → DELIVERED, RETURNED → refunded with stock returned', async () => {
    const p = await product(4);
    const u = await buyer();
    const o = (await order(u.token, [[p, 2]])).body.data;
    await pay(u.token, o.orderNumber);
    const tracking = (await t.call('GET', `/deliveries/order/${o.orderNumber}`, { token: u.token })).body.data.trackingNumber;
    for (const status of ['SHIPPED', 'IN_TRANSIT', 'DELIVERED']) {
      const res = await t.call('PUT', `/deliveries/${tracking}/status`, { token: t.adminToken, body: { status } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    assert.equal((await orderRow(o.orderNumber)).status, 'DELIVERED');
    assert.deepEqual(await stock(p), { available: 2, reserved: 0, total: 2 });
    const returned = await t.call('PUT', `/deliveries/${tracking}/status`, { token: t.adminToken, body: { status: 'RETURNED', description: '단순 반품' } });
    assert.equal(returned.status, 200);
    for (let i = 0; i < 50 && (await orderRow(o.orderNumber)).status !== 'REFUNDED'; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal((await orderRow(o.orderNumber)).status, 'REFUNDED');
    assert.deepEqual(await stock(p), { available: 4, reserved: 0, total: 4 });
    const payment = await t.db.selectFrom('payments').selectAll().where('order_number', '=', o.orderNumber).executeTakeFirstOrThrow();
    assert.equal(payment.status, 'REFUNDED');
    assert.equal((await t.call('GET', `/deliveries/${tracking}`, { token: u.token })).body.data.status, 'RETURNED');
  });
});

describe('idempotency keys', () => {
  test('the same key twice pays once; another body with that key is 422', async () => {
    const p = await product(5);
    const u = await buyer();
    const o = (await order(u.token, [[p, 1]])).body.data;
    const key = randomUUID();
    const [a, b] = [await pay(u.token, o.orderNumber, undefined, { 'idempotency-key': key }), await pay(u.token, o.orderNumber, undefined, { 'idempotency-key': key })];
    assert.equal(a.status, 200);
    assert.deepEqual(b.body, a.body);
    const rows = await t.db.selectFrom('payments').selectAll().where('order_number', '=', o.orderNumber).execute();
    assert.equal(rows.length, 1);
    const other = await t.call('POST', '/payments', {
      token: u.token,
      body: { orderNumber: o.orderNumber, paymentMethod: 'KAKAO_PAY' },
      headers: { 'idempotency-key': key },
    });
    assert.equal(other.status, 422);
    assert.equal(codeOf(other), 'C011');
  });

  test('POST /orders with one key creates one order', async () => {
    const p = await product(5);
    const u = await buyer();
    await t.call('POST', '/cart/items', { token: u.token, body: { productId: p, quantity: 1 } });
    const key = randomUUID();
    const body = { shippingAddress: ADDRESS };
    const first = await t.call('POST', '/orders', { token: u.token, body, headers: { 'idempotency-key': key } });
    const second = await t.call('POST', '/orders', { token: u.token, body, headers: { 'idempotency-key': key } });
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.equal(second.body.data.orderNumber, first.body.data.orderNumber);
    const count = await t.db.selectFrom('orders').select(sql<number>`COUNT(*)`.as('n')).where('user_id', '=', u.userId).executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 1);
  });
});

describe('jobs', () => {
  test('unpaid orders expire: stock released, order CANCELLED, saga FAILED; a PROCESSING payment is left alone', async () => {
    const p = await product(5);
    const u = await buyer();
    const o = (await order(u.token, [[p, 2]])).body.data;
    const busy = (await order((await buyer()).token, [[p, 1]])).body.data;
    // busy's payment is in flight
    const busyRow = await orderRow(busy.orderNumber);
    await t.db
      .insertInto('payments')
      .values({
        payment_number: 'PAY-INFLIGHT', order_id: busyRow.id, order_number: busy.orderNumber, user_id: busyRow.user_id,
        amount: busyRow.final_amount, status: 'PROCESSING', payment_method: 'CARD', gateway_key: randomUUID(),
      })
      .execute();
    assert.ok((await t.services.saga.expireUnpaid(new Date(Date.now() + 61_000))) >= 1);
    assert.equal((await orderRow(o.orderNumber)).status, 'CANCELLED');
    assert.equal((await orderRow(busy.orderNumber)).status, 'PENDING');
    assert.deepEqual(await stock(p), { available: 4, reserved: 1, total: 5 });
    assert.equal((await saga(o.orderNumber)).status, 'FAILED');
    assert.equal(codeOf(await t.call('PUT', `/orders/${busy.orderNumber}/cancel`, { token: t.adminToken, body: { reason: 'x' } })), 'S203');
  });
});

describe('admin orders', () => {
  test('list with filters, get, and only valid status changes', async () => {
    const p = await product(10);
    const u = await buyer();
    const o = (await order(u.token, [[p, 1]])).body.data;
    const list = await t.call('GET', `/admin/orders?keyword=${o.orderNumber.slice(-8)}`, { token: t.adminToken });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.data.items.map((x: { orderNumber: string }) => x.orderNumber), [o.orderNumber]);
    const byStatus = await t.call('GET', '/admin/orders?status=PENDING&size=100', { token: t.adminToken });
    assert.ok(byStatus.body.data.items.every((x: { status: string }) => x.status === 'PENDING'));
    assert.equal(codeOf(await t.call('GET', '/admin/orders?status=NOPE', { token: t.adminToken })), 'C002');
    assert.equal((await t.call('GET', `/admin/orders/${o.orderNumber}`, { token: t.adminToken })).status, 200);
    assert.equal(codeOf(await t.call('GET', '/admin/orders', { token: u.token })), 'C004');

    assert.equal(codeOf(await t.call('PUT', `/admin/orders/${o.orderNumber}/status`, { token: t.adminToken, body: { status: 'DELIVERED' } })), 'S209');
    await pay(u.token, o.orderNumber);
    const shipping = await t.call('PUT', `/admin/orders/${o.orderNumber}/status`, { token: t.adminToken, body: { status: 'SHIPPING' } });
    assert.equal(shipping.body.data.status, 'SHIPPING');
    const delivered = await t.call('PUT', `/admin/orders/${o.orderNumber}/status`, { token: t.adminToken, body: { status: 'DELIVERED' } });
    assert.equal(delivered.body.data.status, 'DELIVERED');
    const tracking = (await t.call('GET', `/deliveries/order/${o.orderNumber}`, { token: u.token })).body.data;
    assert.deepEqual(tracking.histories.map((h: { status: string }) => h.status), ['DELIVERED', 'IN_TRANSIT', 'SHIPPED']);
  });
});

describe('events reach their consumers', () => {
  test('an order and its payment notify the buyer once and count once in analytics, however often the relay runs', async () => {
    const p = await product(5, 50000);
    const u = await buyer();
    const o = (await order(u.token, [[p, 2]])).body.data;
    await pay(u.token, o.orderNumber);
    await t.infra.eventing.relay.flush();
    await t.infra.eventing.relay.flush();
    const notes = await t.call('GET', `/admin/notifications?userId=${u.userId}`, { token: t.adminToken });
    assert.equal(notes.status, 200);
    const types = notes.body.data.items.map((n: { type: string }) => n.type).sort();
    assert.equal(new Set(notes.body.data.items.map((n: { eventId: string }) => n.eventId)).size, types.length);
    assert.ok(types.length >= 3, JSON.stringify(types));
    const unsent = await t.db.selectFrom('outbox_events').select('id').where('sent_at', 'is', null).execute();
    assert.equal(unsent.length, 0);
    const daily = await t.call('GET', '/admin/analytics/daily', { token: t.adminToken });
    assert.equal(daily.status, 200);
    const today = daily.body.data.find((d: { date: string }) => d.date === new Date().toISOString().slice(0, 10));
    assert.ok(today.orders >= 1);
    assert.ok(today.revenue >= 100000);
  });
});

describe('payment deadline', () => {
  const due = (createdAt: string) => new Date(Date.parse(createdAt) + 60_000).toISOString();

  test('a PENDING order answers paymentDueAt = createdAt + ORDER_PAYMENT_TIMEOUT_S on create, detail and lists; the unpaid-order job cancels it then', async () => {
    const p = await product(5);
    const u = await buyer();
    const created = (await order(u.token, [[p, 1]])).body.data;
    assert.equal(created.paymentDueAt, due(created.createdAt));
    assert.match(created.paymentDueAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // The fields before it are unchanged, in their order; the deadline comes last.
    assert.deepEqual(Object.keys(created).slice(-4), ['cancelledAt', 'createdAt', 'updatedAt', 'paymentDueAt']);

    const detail = (await t.call('GET', `/orders/${created.orderNumber}`, { token: u.token })).body.data;
    assert.equal(detail.paymentDueAt, created.paymentDueAt);
    const mine = (await t.call('GET', '/orders', { token: u.token })).body.data.items;
    assert.deepEqual(mine.map((o: { paymentDueAt: string }) => o.paymentDueAt), [created.paymentDueAt]);
    const admin = (await t.call('GET', `/admin/orders/${created.orderNumber}`, { token: t.adminToken })).body.data;
    assert.equal(admin.paymentDueAt, created.paymentDueAt);

    // The deadline is the one the job keeps: just before it the order stays, past it the order goes.
    const dueMs = Date.parse(created.paymentDueAt);
    await t.services.saga.expireUnpaid(new Date(dueMs - 500));
    assert.equal((await orderRow(created.orderNumber)).status, 'PENDING');
    await t.services.saga.expireUnpaid(new Date(dueMs + 1));
    const expired = (await t.call('GET', `/orders/${created.orderNumber}`, { token: u.token })).body.data;
    assert.equal(expired.status, 'CANCELLED');
    assert.equal(expired.paymentDueAt, null);
  });

  test('null once paid, cancelled, or never payable (S402)', async () => {
    const p = await product(5);
    const u = await buyer();
    const paid = (await order(u.token, [[p, 1]])).body.data;
    assert.equal((await pay(u.token, paid.orderNumber)).status, 200);
    assert.equal((await t.call('GET', `/orders/${paid.orderNumber}`, { token: u.token })).body.data.paymentDueAt, null);

    const cancelled = (await order(u.token, [[p, 1]])).body.data;
    assert.ok(cancelled.paymentDueAt);
    const res = await t.call('PUT', `/orders/${cancelled.orderNumber}/cancel`, { token: u.token, body: { reason: '단순 변심' } });
    assert.equal(res.body.data.status, 'CANCELLED');
    assert.equal(res.body.data.paymentDueAt, null);

    // 4 left: an order for 4 fails once one more unit goes.
    await t.call('POST', '/cart/items', { token: u.token, body: { productId: p, quantity: 4 } });
    await t.services.inventory.adjust(undefined, p, 3);
    assert.equal(codeOf(await t.call('POST', '/orders', { token: u.token, body: { shippingAddress: ADDRESS } })), 'S402');
    const items = (await t.call('GET', '/orders', { token: u.token })).body.data.items;
    assert.equal(items.length, 3);
    assert.deepEqual(items.map((o: { status: string; paymentDueAt: string | null }) => [o.status, o.paymentDueAt]), [
      ['CANCELLED', null],
      ['CANCELLED', null],
      ['PAID', null],
    ]);
  });
});
