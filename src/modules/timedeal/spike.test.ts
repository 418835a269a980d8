/**
 * The flash sale itself: 1,000 real parallel HTTP purchases (quantities 1–3,
 * max 2 per user) for a 300-unit deal. Exactly 300 sold, nobody above 2, the
 * last unit sold with a 201, and MySQL, Redis and the inventory agree.
 * (The same run with Redis put back to an old copy, or a process killed
 * mid-spike, is in faults.test.ts.)
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { API_PREFIX } from '../../platform/http/envelope';
import { RACE_ENV } from '../../../test/helpers';
import { dealKeys } from './redis';
import { iso, makeProduct, startDealApp, type DealTestApp } from './test-support';

let h: DealTestApp;
let base = '';
before(async () => {
  h = await startDealApp({ ...RACE_ENV, DB_POOL_SIZE: '40' });
  // 1,000 connections open at once: an accept queue that holds them all (Node's default is 511).
  await h.t.app.listen({ host: '127.0.0.1', port: 0, backlog: 4096 });
  base = `http://127.0.0.1:${(h.t.app.server.address() as AddressInfo).port}${API_PREFIX}`;
});
after(() => h.t.close());

/** A small deterministic PRNG, so a failure can be replayed. */
function prng(seed: number) {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

test('1,000 concurrent purchases of a 300-unit deal: exactly 300 sold, nobody above 2, the last unit sold with 201', async () => {
  const DEAL = 300;
  const productId = await makeProduct(h.t, '플래시 세일 이어폰', 199_000, 500);
  const created = await h.t.call('POST', '/admin/time-deals', {
    token: h.t.adminToken,
    body: { name: '1,000명 스파이크', startsAt: iso(-1000), endsAt: iso(3_600_000), products: [{ productId, dealPrice: 99_000, dealQuantity: DEAL, maxPerUser: 2 }] },
  });
  assert.equal(created.status, 201);
  const dealId = created.body.data.id;
  const dealProductId = created.body.data.products[0].id;
  await h.deals.updateStatuses();

  // 600 users; 400 of them press twice. Quantities 1–3 (3 is always over the limit).
  const rand = prng(42);
  const users = await Promise.all(Array.from({ length: 600 }, async () => {
    const userId = randomUUID();
    return { userId, token: await h.t.token(userId) };
  }));
  const requests = Array.from({ length: 1000 }, (_, i) => ({ user: users[i < 600 ? i : i - 600], quantity: 1 + Math.floor(rand() * 3) }));

  const answers = await Promise.all(
    requests.map(async ({ user, quantity }) => {
      const res = await fetch(`${base}/time-deals/purchase`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ timeDealProductId: dealProductId, quantity }),
      }).catch((err) => {
        throw new Error(`fetch failed: ${err.cause?.code ?? err.cause?.message ?? err.message}`);
      });
      const body = (await res.json()) as any;
      return { status: res.status, code: body.error?.code as string | undefined, data: body.data, user: user.userId, quantity };
    }),
  );

  const ok = answers.filter((a) => a.status === 201);
  const tally: Record<string, number> = {};
  for (const a of answers) tally[a.code ?? String(a.status)] = (tally[a.code ?? String(a.status)] ?? 0) + 1;
  assert.deepEqual(Object.keys(tally).sort(), ['201', 'S704', 'S705'].filter((k) => tally[k]).sort(), JSON.stringify(tally));
  assert.ok(answers.filter((a) => a.code === 'S704' || a.code === 'S705').every((a) => a.status === 409));

  // Exactly the deal quantity was sold, and only with 201s: the buyer of the last unit was told yes.
  const sold = ok.reduce((n, a) => n + a.quantity, 0);
  assert.equal(sold, DEAL, JSON.stringify(tally));
  assert.ok(answers.filter((a) => a.quantity === 3).every((a) => a.code === 'S705'));

  // Nobody above 2.
  const perUser = new Map<string, number>();
  for (const a of ok) perUser.set(a.user, (perUser.get(a.user) ?? 0) + a.quantity);
  assert.ok([...perUser.values()].every((n) => n <= 2));

  // MySQL: purchase rows sum to 300, each with its PENDING TIME_DEAL order at the deal price.
  const rows = await h.t.db
    .selectFrom('time_deal_purchases')
    .select(['user_id', sql<string>`SUM(quantity)`.as('q'), sql<number>`COUNT(*)`.as('n')])
    .where('time_deal_product_id', '=', dealProductId)
    .where('status', '=', 'PURCHASED')
    .groupBy('user_id')
    .execute();
  assert.equal(rows.reduce((n, r) => n + Number(r.q), 0), DEAL);
  assert.equal(rows.reduce((n, r) => n + Number(r.n), 0), ok.length);
  assert.ok(rows.every((r) => Number(r.q) <= 2));
  const orders = await h.t.db
    .selectFrom('orders')
    .innerJoin('order_items', 'order_items.order_id', 'orders.id')
    .select(['orders.status', 'orders.source', sql<string>`SUM(order_items.quantity)`.as('q'), sql<string>`SUM(orders.final_amount)`.as('amount'), sql<number>`COUNT(*)`.as('n')])
    .where('order_items.product_id', '=', productId)
    .groupBy(['orders.status', 'orders.source'])
    .execute();
  assert.equal(orders.length, 1);
  assert.deepEqual(
    { status: orders[0].status, source: orders[0].source, q: Number(orders[0].q), n: Number(orders[0].n), amount: Number(orders[0].amount) },
    { status: 'PENDING', source: 'TIME_DEAL', q: DEAL, n: ok.length, amount: DEAL * 99_000 },
  );
  const numbers = new Set(ok.map((a) => a.data.orderNumber));
  assert.equal(numbers.size, ok.length);

  // MySQL's units: all 300 held, each by one purchase, as many per purchase as it bought.
  const units = await h.t.db
    .selectFrom('time_deal_units as u')
    .innerJoin('time_deal_purchases as p', 'p.id', 'u.purchase_id')
    .select(['p.id', 'p.quantity', sql<number>`COUNT(*)`.as('n')])
    .where('u.time_deal_product_id', '=', dealProductId)
    .groupBy(['p.id', 'p.quantity'])
    .execute();
  assert.equal(units.reduce((n, u) => n + Number(u.n), 0), DEAL);
  assert.ok(units.every((u) => Number(u.n) === u.quantity));

  // Redis: no free unit, nothing in flight; the bought hash says what the rows say.
  const keys = dealKeys(dealId, productId);
  assert.equal(await h.t.redis.scard(keys.free), 0);
  assert.equal(await h.t.redis.hlen(keys.adm), 0);
  const bought = await h.t.redis.hgetall(keys.bought);
  assert.deepEqual(
    Object.fromEntries(Object.entries(bought).map(([u, q]) => [u, Number(q)])),
    Object.fromEntries(rows.map((r) => [r.user_id, Number(r.q)])),
  );

  // Inventory: the deal still holds all 300 as reserved (its orders are unpaid); the rest untouched.
  const inv = await h.t.db.selectFrom('inventory').selectAll().where('product_id', '=', productId).executeTakeFirstOrThrow();
  assert.deepEqual([inv.available_quantity, inv.reserved_quantity, inv.total_quantity], [200, DEAL, 500]);

  // The response says the same.
  const deal = (await h.t.call('GET', `/time-deals/${dealId}`, { token: null })).body.data;
  assert.deepEqual(
    { sold: deal.products[0].soldQuantity, remaining: deal.products[0].remainingQuantity, available: deal.products[0].available },
    { sold: DEAL, remaining: 0, available: false },
  );
});
