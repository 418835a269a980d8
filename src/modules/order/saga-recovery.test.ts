import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { TestApp } from '../../../test/helpers';
import type { CrashPoint } from './saga';

let t: TestApp;
before(async () => {
  t = await TestApp.start();
});
after(() => t.close());

const ADDRESS = { receiverName: '김철수', receiverPhone: '010-0000-0000', zipCode: '04524', address1: '서울 중구 세종대로 110' };

/**
 * For each point a process can die at between two commits, the request is cut
 * off right there; recovery (what start-up runs) must then bring the order to
 * a consistent end: paid with stock sold and a delivery, cancelled with stock
 * back, or still waiting for its payment. (Dying inside a transaction leaves
 * the state of the commit before it: one of these.)
 */
const cases: { point: CrashPoint; expect: 'PENDING' | 'PAID' | 'CANCELLED' }[] = [
  { point: 'RESERVE_INVENTORY', expect: 'PENDING' },
  { point: 'PAYMENT_STARTED', expect: 'CANCELLED' },
  { point: 'PAYMENT_CAPTURED', expect: 'PAID' },
  { point: 'PAYMENT_SETTLED', expect: 'PAID' },
];

for (const { point, expect } of cases) {
  test(`a crash after ${point} ends ${expect} after recovery`, async () => {
    const productId = (await t.services.products.create({ name: `복구 테스트 ${point}`, price: 12000, stock: 10 }, 'test')).id;
    const userId = randomUUID();
    const token = await t.token(userId);
    await t.call('POST', '/cart/items', { token, body: { productId, quantity: 3 } });

    let crashed = false;
    t.services.saga.setCrashHook((at) => {
      if (at === point && !crashed) {
        crashed = true;
        throw new Error(`simulated crash after ${at}`);
      }
    });
    try {
      const created = await t.call('POST', '/orders', { token, body: { shippingAddress: ADDRESS } });
      const orderNumber =
        created.body?.data?.orderNumber ??
        (await t.db.selectFrom('orders').select('order_number').where('user_id', '=', userId).executeTakeFirstOrThrow()).order_number;
      if (!crashed) {
        const paid = await t.call('POST', '/payments', { token, body: { orderNumber, paymentMethod: 'CARD' } });
        assert.ok(crashed, `expected a crash, got ${paid.status}`);
        assert.equal(paid.status, 500);
        assert.equal(paid.body.error.code, 'C001');
      } else {
        assert.equal(created.status, 500);
      }
      t.services.saga.setCrashHook(undefined);

      await t.services.saga.recover(0);

      const order = await t.db.selectFrom('orders').selectAll().where('order_number', '=', orderNumber).executeTakeFirstOrThrow();
      assert.equal(order.status, expect);
      const inv = await t.db.selectFrom('inventory').selectAll().where('product_id', '=', productId).executeTakeFirstOrThrow();
      const saga = await t.db.selectFrom('saga_states').selectAll().where('order_id', '=', order.id).executeTakeFirstOrThrow();
      const delivery = await t.db.selectFrom('deliveries').selectAll().where('order_id', '=', order.id).executeTakeFirst();
      const payments = await t.db.selectFrom('payments').selectAll().where('order_id', '=', order.id).execute();
      assert.equal(inv.available_quantity + inv.reserved_quantity, inv.total_quantity);
      if (expect === 'PENDING') {
        assert.deepEqual([inv.available_quantity, inv.reserved_quantity, inv.total_quantity], [7, 3, 10]);
        assert.deepEqual([saga.status, saga.current_step], ['STARTED', 'PROCESS_PAYMENT']);
        // and the buyer can still pay
        const paid = await t.call('POST', '/payments', { token, body: { orderNumber, paymentMethod: 'CARD' } });
        assert.equal(paid.status, 200, JSON.stringify(paid.body));
      } else if (expect === 'PAID') {
        assert.deepEqual([inv.available_quantity, inv.reserved_quantity, inv.total_quantity], [7, 0, 7]);
        assert.equal(saga.status, 'COMPLETED');
        assert.equal(delivery?.status, 'PREPARING');
        assert.deepEqual(payments.map((p) => p.status), ['COMPLETED']);
      } else {
        assert.deepEqual([inv.available_quantity, inv.reserved_quantity, inv.total_quantity], [10, 0, 10]);
        assert.equal(saga.status, 'FAILED');
        assert.equal(delivery, undefined);
        assert.deepEqual(payments.map((p) => p.status), ['FAILED']);
      }
      // exactly one event per state change, whatever the crash
      const topics = (await t.db.selectFrom('outbox_events').select('topic').where('event_key', '=', orderNumber).orderBy('id').execute()).map((e) => e.topic);
      const want: Record<string, string[]> = {
        PENDING: ['shopping.order.created', 'shopping.inventory.reserved', 'shopping.order.confirmed'],
        PAID: ['shopping.order.created', 'shopping.inventory.reserved', 'shopping.order.confirmed'],
        CANCELLED: ['shopping.order.created', 'shopping.inventory.reserved', 'shopping.order.cancelled'],
      };
      assert.deepEqual(topics, want[expect]);
    } finally {
      t.services.saga.setCrashHook(undefined);
    }
  });
}

test('a step after the capture failing: the capture is recorded, refunded and the stock released (500 S208)', async () => {
  const productId = (await t.services.products.create({ name: '단계 실패 테스트', price: 5000, stock: 5 }, 'test')).id;
  const token = await t.token(randomUUID());
  await t.call('POST', '/cart/items', { token, body: { productId, quantity: 2 } });
  const orderNumber = (await t.call('POST', '/orders', { token, body: { shippingAddress: ADDRESS } })).body.data.orderNumber;
  // Between the gateway's approval and its recording, the order leaves PENDING: step 5 can't confirm it.
  t.services.saga.setCrashHook(async (at) => {
    if (at === 'PAYMENT_CAPTURED') await t.db.updateTable('orders').set({ status: 'CONFIRMED' }).where('order_number', '=', orderNumber).execute();
  });
  try {
    const paid = await t.call('POST', '/payments', { token, body: { orderNumber, paymentMethod: 'CARD' } });
    assert.equal(paid.status, 500);
    assert.equal(paid.body.error.code, 'S208');
  } finally {
    t.services.saga.setCrashHook(undefined);
  }
  const order = await t.db.selectFrom('orders').selectAll().where('order_number', '=', orderNumber).executeTakeFirstOrThrow();
  assert.equal(order.status, 'REFUNDED');
  const saga = await t.db.selectFrom('saga_states').selectAll().where('order_id', '=', order.id).executeTakeFirstOrThrow();
  assert.deepEqual([saga.status, saga.completed_steps], ['FAILED', 'RESERVE_INVENTORY,PROCESS_PAYMENT']);
  const payments = await t.db.selectFrom('payments').selectAll().where('order_id', '=', order.id).execute();
  assert.deepEqual(payments.map((p) => [p.status, p.pg_transaction_id?.slice(0, 6)]), [['REFUNDED', 'RF-PG-']]);
  const inv = await t.db.selectFrom('inventory').selectAll().where('product_id', '=', productId).executeTakeFirstOrThrow();
  assert.deepEqual([inv.available_quantity, inv.reserved_quantity, inv.total_quantity], [5, 0, 5]);
  assert.equal(await t.db.selectFrom('deliveries').select('id').where('order_id', '=', order.id).executeTakeFirst(), undefined);
  // The work that rolled back left no event; the capture and the undo did.
  const topics = (await t.db.selectFrom('outbox_events').select('topic').where('event_key', 'in', [orderNumber, payments[0].payment_number]).orderBy('id').execute()).map((e) => e.topic);
  assert.deepEqual(topics, ['shopping.order.created', 'shopping.inventory.reserved', 'shopping.payment.completed', 'shopping.order.cancelled']);
});

test('the database lost while a captured payment is recorded: 503 C014, no refund, and recovery completes the order', async () => {
  const productId = (await t.services.products.create({ name: '연결 끊김 테스트', price: 5000, stock: 5 }, 'test')).id;
  const token = await t.token(randomUUID());
  await t.call('POST', '/cart/items', { token, body: { productId, quantity: 2 } });
  const orderNumber = (await t.call('POST', '/orders', { token, body: { shippingAddress: ADDRESS } })).body.data.orderNumber;
  // The connection dies under the transaction that records the capture (mysql2's own error for it).
  const payments = t.services.payments;
  const complete = payments.complete;
  payments.complete = async () => {
    throw Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true });
  };
  try {
    const paid = await t.call('POST', '/payments', { token, body: { orderNumber, paymentMethod: 'CARD' } });
    assert.equal(paid.status, 503);
    assert.equal(paid.body.error.code, 'C014');
  } finally {
    payments.complete = complete;
  }
  const order = await t.db.selectFrom('orders').selectAll().where('order_number', '=', orderNumber).executeTakeFirstOrThrow();
  assert.equal(order.status, 'PENDING', 'no refund for an outage');
  const waiting = await t.db.selectFrom('payments').select('status').where('order_id', '=', order.id).execute();
  assert.deepEqual(waiting.map((p) => p.status), ['PROCESSING']);

  await t.services.saga.recover(0);
  const after = await t.db.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow();
  assert.equal(after.status, 'PAID');
  const settled = await t.db.selectFrom('payments').select('status').where('order_id', '=', order.id).execute();
  assert.deepEqual(settled.map((p) => p.status), ['COMPLETED']);
  const inv = await t.db.selectFrom('inventory').selectAll().where('product_id', '=', productId).executeTakeFirstOrThrow();
  assert.deepEqual([inv.available_quantity, inv.reserved_quantity, inv.total_quantity], [3, 0, 3]);
});

test('a compensation that keeps failing ends COMPENSATION_FAILED after 3 attempts', async () => {
  const productId = (await t.services.products.create({ name: '보상 실패 테스트', price: 1000, stock: 2 }, 'test')).id;
  const token = await t.token(randomUUID());
  await t.call('POST', '/cart/items', { token, body: { productId, quantity: 1 } });
  const orderNumber = (await t.call('POST', '/orders', { token, body: { shippingAddress: ADDRESS } })).body.data.orderNumber;
  const order = await t.db.selectFrom('orders').selectAll().where('order_number', '=', orderNumber).executeTakeFirstOrThrow();
  // Break the undo: the stock it would release is gone.
  await t.db.updateTable('inventory').set({ reserved_quantity: 0, total_quantity: 1, available_quantity: 1 }).where('product_id', '=', productId).execute();
  await t.db.updateTable('saga_states').set({ status: 'COMPENSATING', last_error_message: 'test' }).where('order_id', '=', order.id).execute();
  for (let i = 0; i < 3; i++) await t.services.saga.compensate(order.id);
  const saga = await t.db.selectFrom('saga_states').selectAll().where('order_id', '=', order.id).executeTakeFirstOrThrow();
  assert.equal(saga.status, 'COMPENSATION_FAILED');
  assert.equal(saga.compensation_attempts, 3);
  assert.ok(t.services.saga.compensationFailures >= 1);
  assert.equal((await t.db.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow()).status, 'PENDING');
});
