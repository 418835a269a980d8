import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { codeOf, RACE_ENV, TestApp } from './helpers';

let t: TestApp;
before(async () => {
  t = await TestApp.start({ ...RACE_ENV, DB_POOL_SIZE: '30' });
});
after(() => t.close());

const ADDRESS = { receiverName: '이영희', receiverPhone: '010-5555-0000', zipCode: '48058', address1: '부산 해운대구 센텀중앙로 79' };

test('100 buyers race for 30 units: exactly 30 paid, the rest S402, stock and movements add up', async () => {
  const productId = (await t.services.products.create({ name: '한정판 스니커즈', price: 189000, stock: 30 }, 'test')).id;
  const buyers = await Promise.all(
    Array.from({ length: 100 }, async () => {
      const userId = randomUUID();
      return { userId, token: await t.token(userId) };
    }),
  );
  // Everyone gets the item into a cart first (the cart only checks stock, it reserves nothing).
  for (const b of buyers) {
    const res = await t.call('POST', '/cart/items', { token: b.token, body: { productId, quantity: 1 } });
    assert.equal(res.status, 200);
  }

  // Then all press "buy" at once: order and pay.
  const outcomes = await Promise.all(
    buyers.map(async (b) => {
      const created = await t.call('POST', '/orders', { token: b.token, body: { shippingAddress: ADDRESS } });
      if (created.status !== 201) return codeOf(created) ?? String(created.status);
      const paid = await t.call('POST', '/payments', {
        token: b.token,
        body: { orderNumber: created.body.data.orderNumber, paymentMethod: 'CARD' },
      });
      return paid.status === 200 ? 'PAID' : (codeOf(paid) ?? String(paid.status));
    }),
  );
  const tally = outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o]: (acc[o] ?? 0) + 1 }), {});
  assert.deepEqual(tally, { PAID: 30, S402: 70 });

  const inv = await t.db.selectFrom('inventory').selectAll().where('product_id', '=', productId).executeTakeFirstOrThrow();
  assert.deepEqual([inv.available_quantity, inv.reserved_quantity, inv.total_quantity], [0, 0, 0]);
  const statuses = await t.db
    .selectFrom('orders')
    .innerJoin('order_items', 'order_items.order_id', 'orders.id')
    .select(['orders.status', sql<number>`COUNT(*)`.as('n')])
    .where('order_items.product_id', '=', productId)
    .groupBy('orders.status')
    .execute();
  assert.deepEqual(Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)])), { PAID: 30, CANCELLED: 70 });
  const moves = await t.db
    .selectFrom('stock_movements')
    .select(['movement_type', sql<number>`SUM(quantity)`.as('q'), sql<number>`COUNT(*)`.as('n')])
    .where('product_id', '=', productId)
    .groupBy('movement_type')
    .execute();
  assert.deepEqual(
    Object.fromEntries(moves.map((m) => [m.movement_type, [Number(m.q), Number(m.n)]])),
    { INITIAL: [30, 1], RESERVE: [30, 30], DEDUCT: [30, 30] },
  );
  const deliveries = await t.db.selectFrom('deliveries').select(sql<number>`COUNT(*)`.as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(deliveries.n), 30);
  const events = await t.db.selectFrom('outbox_events').select(['topic', sql<number>`COUNT(*)`.as('n')]).groupBy('topic').execute();
  assert.deepEqual(Object.fromEntries(events.map((e) => [e.topic, Number(e.n)])), {
    'shopping.order.created': 30,
    'shopping.inventory.reserved': 30,
    'shopping.payment.completed': 30,
    'shopping.order.confirmed': 30,
    // the search index hears of every stock change: the initial stock, 30 reservations, 30 sales
    'shopping.product.changed': 62,
  });
});
