import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { Scheduler } from '../../platform/scheduler';
import { dealKeys } from './redis';
import { discountRate, STATUS_JOB } from './service';
import { codeOf, iso, makeProduct, startDealApp, type DealTestApp } from './test-support';

let h: DealTestApp;
before(async () => {
  h = await startDealApp();
});
after(() => h.t.close());

const HOUR = 3_600_000;

async function createDeal(body: Record<string, unknown>) {
  return h.t.call('POST', '/admin/time-deals', { token: h.t.adminToken, body });
}

async function levels(productId: number) {
  const inv = await h.t.db.selectFrom('inventory').selectAll().where('product_id', '=', productId).executeTakeFirstOrThrow();
  return { available: inv.available_quantity, reserved: inv.reserved_quantity, total: inv.total_quantity };
}

async function movements(productId: number) {
  const rows = await h.t.db
    .selectFrom('stock_movements')
    .select(['movement_type', 'quantity', 'reference_type', 'reference_id'])
    .where('product_id', '=', productId)
    .orderBy('id')
    .execute();
  return rows.map((r) => `${r.movement_type}:${r.quantity}${r.reference_type === 'TIME_DEAL' ? `@${r.reference_id}` : ''}`);
}

describe('discountRate', () => {
  test('is the fraction rounded to 2 decimals first, then × 100', () => {
    assert.equal(discountRate(1_000_000, 599_200), 40); // 0.4008 → 0.40
    assert.equal(discountRate(1_000_000, 595_000), 41); // 0.405 → 0.41 (half up)
    assert.equal(discountRate(3_000_000, 2_000_000), 33); // 0.3333 → 0.33
    assert.equal(discountRate(1_000_000, 1_000_000), 0);
    assert.equal(discountRate(1_000_000, 1), 100); // 0.999999 → 1.00
  });
});

describe('admin', () => {
  test('create: 201 SCHEDULED with every response field; get, list (createdAt ASC, size 10)', async () => {
    const productId = await makeProduct(h.t, '타임딜 노트북', 1_000_000, 50);
    const res = await createDeal({
      name: '  블랙프라이데이  ',
      description: '한정 수량',
      startsAt: iso(HOUR).replace('Z', ''), // a local date-time (no zone) is read as UTC
      endsAt: iso(2 * HOUR),
      products: [{ productId, dealPrice: 599_200, dealQuantity: 10, maxPerUser: 2 }],
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const deal = res.body.data;
    assert.deepEqual(Object.keys(deal), ['id', 'name', 'description', 'status', 'startsAt', 'endsAt', 'products', 'createdAt']);
    assert.equal(deal.name, '블랙프라이데이');
    assert.equal(deal.status, 'SCHEDULED');
    assert.match(deal.startsAt, /Z$/);
    assert.deepEqual(deal.products, [
      {
        id: deal.products[0].id,
        productId,
        productName: '타임딜 노트북',
        originalPrice: 1_000_000,
        dealPrice: 599_200,
        discountRate: 40,
        dealQuantity: 10,
        soldQuantity: 0,
        remainingQuantity: 10,
        maxPerUser: 2,
        available: true,
      },
    ]);
    // Creating holds nothing yet: the stock moves at the start.
    assert.deepEqual(await levels(productId), { available: 50, reserved: 0, total: 50 });

    const got = await h.t.call('GET', `/admin/time-deals/${deal.id}`, { token: h.t.adminToken });
    assert.equal(got.status, 200);
    assert.deepEqual(got.body.data, deal);
    const pub = await h.t.call('GET', `/time-deals/${deal.id}`, { token: null });
    assert.equal(pub.status, 200);
    assert.deepEqual(pub.body.data, deal);

    const list = await h.t.call('GET', '/admin/time-deals', { token: h.t.adminToken });
    assert.equal(list.status, 200);
    assert.equal(list.body.data.size, 10);
    assert.equal(list.body.data.page, 1);
    assert.ok(list.body.data.items.some((d: { id: number }) => d.id === deal.id));
    const created = list.body.data.items.map((d: { createdAt: string }) => d.createdAt);
    assert.deepEqual(created, [...created].sort());
  });

  test('create validation: contract messages, S708, S001, stock and duplicates as C002', async () => {
    const empty = await createDeal({});
    assert.equal(empty.status, 400);
    assert.equal(codeOf(empty), 'C002');
    const byField = (res: { body: any }) =>
      Object.fromEntries((res.body.error.details ?? []).map((d: { field: string; message: string }) => [d.field, d.message]));
    assert.deepEqual(byField(empty), {
      name: 'Time deal name is required',
      startsAt: 'Start time is required',
      endsAt: 'End time is required',
      products: 'At least one product is required',
    });

    const bad = await createDeal({
      name: 'x'.repeat(101),
      startsAt: iso(HOUR),
      endsAt: iso(2 * HOUR),
      products: [{ productId: null, dealPrice: 0, dealQuantity: 0, maxPerUser: 0 }],
    });
    assert.deepEqual(byField(bad), {
      name: 'Name must be less than 100 characters',
      'products[0].productId': 'Product ID is required',
      'products[0].dealPrice': 'Deal price must be greater than 0',
      'products[0].dealQuantity': 'Deal quantity must be at least 1',
      'products[0].maxPerUser': 'Max per user must be at least 1',
    });
    const missing = await createDeal({ name: 'n', startsAt: iso(HOUR), endsAt: iso(2 * HOUR), products: [{}] });
    assert.deepEqual(byField(missing), {
      'products[0].productId': 'Product ID is required',
      'products[0].dealPrice': 'Deal price is required',
      'products[0].dealQuantity': 'Deal quantity is required',
      'products[0].maxPerUser': 'Max per user is required',
    });
    const noProducts = await createDeal({ name: 'n', startsAt: iso(HOUR), endsAt: iso(2 * HOUR), products: [] });
    assert.deepEqual(byField(noProducts), { products: 'At least one product is required' });

    const productId = await makeProduct(h.t, '검증용 상품', 10_000, 5);
    const line = { productId, dealPrice: 5_000, dealQuantity: 5, maxPerUser: 1 };
    const past = await createDeal({ name: 'n', startsAt: iso(-2 * HOUR), endsAt: iso(-HOUR), products: [line] });
    assert.equal(codeOf(past), 'C002');
    assert.deepEqual(byField(past), { endsAt: 'End time must be in the future' });

    const inverted = await createDeal({ name: 'n', startsAt: iso(2 * HOUR), endsAt: iso(HOUR), products: [line] });
    assert.equal(inverted.status, 400);
    assert.equal(codeOf(inverted), 'S708');
    assert.equal(inverted.body.error.message, 'Invalid time deal period');
    const same = iso(HOUR);
    assert.equal(codeOf(await createDeal({ name: 'n', startsAt: same, endsAt: same, products: [line] })), 'S708');

    const unknown = await createDeal({ name: 'n', startsAt: iso(HOUR), endsAt: iso(2 * HOUR), products: [{ ...line, productId: 999_999 }] });
    assert.equal(unknown.status, 404);
    assert.equal(codeOf(unknown), 'S001');

    const tooMany = await createDeal({ name: 'n', startsAt: iso(HOUR), endsAt: iso(2 * HOUR), products: [{ ...line, dealQuantity: 6 }] });
    assert.equal(codeOf(tooMany), 'C002');
    assert.deepEqual(byField(tooMany), { 'products[0].dealQuantity': 'Deal quantity exceeds the available stock (5)' });

    const dup = await createDeal({ name: 'n', startsAt: iso(HOUR), endsAt: iso(2 * HOUR), products: [line, line] });
    assert.deepEqual(byField(dup), { 'products[1].productId': 'Product is already in this time deal' });

    const dear = await createDeal({ name: 'n', startsAt: iso(HOUR), endsAt: iso(2 * HOUR), products: [{ ...line, dealPrice: 10_001 }] });
    assert.deepEqual(byField(dear), { 'products[0].dealPrice': 'Deal price must not exceed the product price' });

    const badDate = await createDeal({ name: 'n', startsAt: 'tomorrow', endsAt: iso(2 * HOUR), products: [line] });
    assert.equal(codeOf(badDate), 'C002');
    assert.equal(byField(badDate).startsAt, 'Start time must be a date-time such as 2026-01-20T00:00:00');

    // Impossible dates are refused, not rolled over to the next day or month.
    for (const startsAt of ['2099-02-30T00:00:00', '2099-01-20T24:00:00', '2099-01-20T23:60:00']) {
      const impossible = await createDeal({ name: 'n', startsAt, endsAt: '2099-12-31T00:00:00', products: [line] });
      assert.equal(impossible.status, 400, startsAt);
      assert.equal(codeOf(impossible), 'C002', startsAt);
      assert.equal(byField(impossible).startsAt, 'Start time is not a valid date-time', startsAt);
    }

    const extra = await createDeal({ name: 'n', startsAt: iso(HOUR), endsAt: iso(2 * HOUR), products: [line], sold: 3 });
    assert.equal(codeOf(extra), 'C002');
  });

  test('access: admin routes need an admin, reads are public, buying needs a user', async () => {
    const body = { name: 'n', startsAt: iso(HOUR), endsAt: iso(2 * HOUR), products: [] };
    assert.equal(codeOf(await h.t.call('POST', '/admin/time-deals', { body })), 'C004');
    assert.equal(codeOf(await h.t.call('POST', '/admin/time-deals', { token: null, body })), 'C005');
    assert.equal(codeOf(await h.t.call('GET', '/admin/time-deals')), 'C004');
    assert.equal(codeOf(await h.t.call('GET', '/admin/time-deals/1')), 'C004');
    assert.equal(codeOf(await h.t.call('DELETE', '/admin/time-deals/1')), 'C004');
    assert.equal((await h.t.call('GET', '/time-deals', { token: null })).status, 200);
    assert.equal(codeOf(await h.t.call('GET', '/time-deals/999999', { token: null })), 'S701');
    assert.equal(codeOf(await h.t.call('GET', '/admin/time-deals/999999', { token: h.t.adminToken })), 'S701');
    assert.equal(codeOf(await h.t.call('POST', '/time-deals/purchase', { token: null, body: { timeDealProductId: 1, quantity: 1 } })), 'C005');
    assert.equal(codeOf(await h.t.call('GET', '/time-deals/my/purchases', { token: null })), 'C005');
    assert.equal(codeOf(await h.t.call('GET', '/time-deals/abc', { token: null })), 'C002');
  });
});

describe('lifecycle', () => {
  test('start: SCHEDULED → ACTIVE allocates (DEAL_ALLOCATION), loads Redis, one event; end releases (DEAL_RELEASE) and removes keys', async () => {
    const a = await makeProduct(h.t, '라이프사이클 A', 20_000, 40);
    const b = await makeProduct(h.t, '라이프사이클 B', 30_000, 15);
    const res = await createDeal({
      name: '라이프사이클',
      startsAt: iso(-1000), // already due: the next tick starts it
      endsAt: iso(HOUR),
      products: [
        { productId: a, dealPrice: 10_000, dealQuantity: 25, maxPerUser: 3 },
        { productId: b, dealPrice: 15_000, dealQuantity: 15, maxPerUser: 1 },
      ],
    });
    assert.equal(res.status, 201);
    const dealId = res.body.data.id;

    const first = await h.deals.updateStatuses();
    assert.ok(first.started >= 1);
    assert.equal((await h.t.call('GET', `/time-deals/${dealId}`, { token: null })).body.data.status, 'ACTIVE');
    assert.deepEqual(await levels(a), { available: 15, reserved: 25, total: 40 });
    assert.deepEqual(await levels(b), { available: 0, reserved: 15, total: 15 });
    assert.deepEqual(await movements(a), ['INITIAL:40', `DEAL_ALLOCATION:25@${dealId}`]);
    assert.equal(await h.t.redis.scard(dealKeys(dealId, a).free), 25);
    assert.equal(await h.t.redis.scard(dealKeys(dealId, b).free), 15);
    assert.ok(await h.t.redis.get(dealKeys(dealId, a).epoch));
    // MySQL holds the units too: 25 and 15 numbered rows, all free.
    const units = await h.t.db
      .selectFrom('time_deal_units as u')
      .innerJoin('time_deal_products as p', 'p.id', 'u.time_deal_product_id')
      .select(['p.product_id', sql<number>`COUNT(*)`.as('n'), sql<number>`MIN(u.unit_no)`.as('lo'), sql<number>`MAX(u.unit_no)`.as('hi'), sql<number>`COUNT(u.purchase_id)`.as('held')])
      .where('p.time_deal_id', '=', dealId)
      .groupBy('p.product_id')
      .orderBy('p.product_id')
      .execute();
    assert.deepEqual(
      units.map((u) => [u.product_id, Number(u.n), Number(u.lo), Number(u.hi), Number(u.held)]),
      [[a, 25, 1, 25, 0], [b, 15, 1, 15, 0]].sort((x, y) => x[0] - y[0]),
    );

    const events = await h.t.db.selectFrom('outbox_events').selectAll().where('topic', '=', 'shopping.timedeal.started').where('event_key', '=', String(dealId)).execute();
    assert.equal(events.length, 1);
    const payload = JSON.parse(events[0].payload as unknown as string);
    assert.deepEqual(
      { timeDealId: payload.timeDealId, name: payload.name, startsAt: payload.startsAt, endsAt: payload.endsAt },
      { timeDealId: dealId, name: '라이프사이클', startsAt: res.body.data.startsAt, endsAt: res.body.data.endsAt },
    );

    // In the public list while it runs.
    const running = await h.t.call('GET', '/time-deals', { token: null });
    assert.ok(running.body.data.some((d: { id: number }) => d.id === dealId));

    // A second tick has nothing to do.
    await h.deals.updateStatuses();
    assert.deepEqual(await movements(a), ['INITIAL:40', `DEAL_ALLOCATION:25@${dealId}`]);

    // Someone buys 2 of A (a PENDING order holds them).
    const bought = await h.t.call('POST', '/time-deals/purchase', { body: { timeDealProductId: res.body.data.products[0].id, quantity: 2 } });
    assert.equal(bought.status, 201, JSON.stringify(bought.body));

    // After endsAt: ENDED, 23 unsold units back to available, the 2 sold stay reserved for their order.
    h.clock.offsetMs = 2 * HOUR;
    try {
      const tick = await h.deals.updateStatuses();
      assert.ok(tick.ended >= 1);
    } finally {
      h.clock.offsetMs = 0;
    }
    const ended = (await h.t.call('GET', `/time-deals/${dealId}`, { token: null })).body.data;
    assert.equal(ended.status, 'ENDED');
    assert.equal(ended.products[0].soldQuantity, 2);
    assert.deepEqual(await levels(a), { available: 38, reserved: 2, total: 40 });
    assert.deepEqual(await levels(b), { available: 15, reserved: 0, total: 15 });
    assert.deepEqual(await movements(a), ['INITIAL:40', `DEAL_ALLOCATION:25@${dealId}`, `DEAL_RELEASE:23@${dealId}`]);
    for (const p of [a, b]) for (const key of Object.values(dealKeys(dealId, p))) assert.equal(await h.t.redis.exists(key), 0);
    assert.ok(!(await h.t.call('GET', '/time-deals', { token: null })).body.data.some((d: { id: number }) => d.id === dealId));

    // Buying from an ended deal: S702.
    const late = await h.t.call('POST', '/time-deals/purchase', { body: { timeDealProductId: res.body.data.products[0].id, quantity: 1 } });
    assert.equal(codeOf(late), 'S702');
  });

  test('a deal that cannot get its stock stays SCHEDULED and starts once stock is there; one whose window passed ends unstarted', async () => {
    const p = await makeProduct(h.t, '재고 부족 상품', 10_000, 10);
    const res = await createDeal({ name: '부족', startsAt: iso(-1000), endsAt: iso(HOUR), products: [{ productId: p, dealPrice: 9_000, dealQuantity: 10, maxPerUser: 1 }] });
    assert.equal(res.status, 201);
    await h.t.services.inventory.adjust(undefined, p, 4, { actor: 'test' }); // sold elsewhere in between
    await h.deals.updateStatuses();
    assert.equal((await h.deals.get(res.body.data.id)).status, 'SCHEDULED');
    assert.deepEqual(await levels(p), { available: 4, reserved: 0, total: 4 });
    await h.t.services.inventory.inbound(undefined, p, 6, { actor: 'test' });
    await h.deals.updateStatuses();
    assert.equal((await h.deals.get(res.body.data.id)).status, 'ACTIVE');
    assert.deepEqual(await levels(p), { available: 0, reserved: 10, total: 10 });

    const q = await makeProduct(h.t, '못 연 딜 상품', 10_000, 1);
    const never = await createDeal({ name: '못 연 딜', startsAt: iso(-1000), endsAt: iso(HOUR), products: [{ productId: q, dealPrice: 9_000, dealQuantity: 1, maxPerUser: 1 }] });
    await h.t.services.inventory.adjust(undefined, q, 0, { actor: 'test' });
    h.clock.offsetMs = 2 * HOUR;
    try {
      await h.deals.updateStatuses();
    } finally {
      h.clock.offsetMs = 0;
    }
    assert.equal((await h.deals.get(never.body.data.id)).status, 'ENDED');
    assert.deepEqual(await movements(q), ['INITIAL:1', 'ADJUSTMENT:-1']);
  });

  test('cancel: SCHEDULED → CANCELLED; ACTIVE → CANCELLED releases unsold units and removes keys; twice → S702; unknown → S701', async () => {
    const p = await makeProduct(h.t, '취소 상품', 10_000, 10);
    const scheduled = await createDeal({ name: '취소 예정', startsAt: iso(HOUR), endsAt: iso(2 * HOUR), products: [{ productId: p, dealPrice: 9_000, dealQuantity: 3, maxPerUser: 1 }] });
    const del = await h.t.call('DELETE', `/admin/time-deals/${scheduled.body.data.id}`, { token: h.t.adminToken });
    assert.equal(del.status, 200);
    assert.deepEqual(del.body, { success: true });
    assert.equal((await h.deals.get(scheduled.body.data.id)).status, 'CANCELLED');
    assert.deepEqual(await levels(p), { available: 10, reserved: 0, total: 10 });

    const active = await createDeal({ name: '취소 진행', startsAt: iso(-1000), endsAt: iso(HOUR), products: [{ productId: p, dealPrice: 9_000, dealQuantity: 6, maxPerUser: 2 }] });
    const dealId = active.body.data.id;
    await h.deals.updateStatuses();
    assert.deepEqual(await levels(p), { available: 4, reserved: 6, total: 10 });
    const buy = await h.t.call('POST', '/time-deals/purchase', { body: { timeDealProductId: active.body.data.products[0].id, quantity: 2 } });
    assert.equal(buy.status, 201);
    assert.equal((await h.t.call('DELETE', `/admin/time-deals/${dealId}`, { token: h.t.adminToken })).status, 200);
    assert.equal((await h.deals.get(dealId)).status, 'CANCELLED');
    assert.deepEqual(await levels(p), { available: 8, reserved: 2, total: 10 });
    assert.equal(await h.t.redis.exists(...Object.values(dealKeys(dealId, p))), 0);

    // The order made from it stays payable: payment deducts its 2 reserved units.
    const pay = await h.t.call('POST', '/payments', { body: { orderNumber: buy.body.data.orderNumber, paymentMethod: 'CARD' } });
    assert.equal(pay.status, 200, JSON.stringify(pay.body));
    assert.deepEqual(await levels(p), { available: 8, reserved: 0, total: 8 });

    assert.equal(codeOf(await h.t.call('DELETE', `/admin/time-deals/${dealId}`, { token: h.t.adminToken })), 'S702');
    assert.equal(codeOf(await h.t.call('DELETE', '/admin/time-deals/999999', { token: h.t.adminToken })), 'S701');
  });

  test('two instances: their schedulers tick at once and the deal starts once (lock, then conditional updates)', async () => {
    const p = await makeProduct(h.t, '동시 시작 상품', 10_000, 100);
    const res = await createDeal({ name: '동시 시작', startsAt: iso(-1000), endsAt: iso(HOUR), products: [{ productId: p, dealPrice: 9_000, dealQuantity: 60, maxPerUser: 1 }] });
    const dealId = res.body.data.id;

    const one = h.another();
    const two = h.another();
    const schedulers = [new Scheduler(h.t.redis, h.t.infra.log), new Scheduler(h.t.redis, h.t.infra.log)];
    one.registerJobs(schedulers[0]);
    two.registerJobs(schedulers[1]);
    const ran = await Promise.all(schedulers.map((s) => s.runOnce(s.get(STATUS_JOB)!)));
    assert.ok(ran.includes(true));

    // Without the lock too (a tick that outlived its lease): the conditional status change lets one through.
    await Promise.all([one.updateStatuses(), two.updateStatuses(), h.deals.updateStatuses()]);

    assert.equal((await h.deals.get(dealId)).status, 'ACTIVE');
    assert.deepEqual(await movements(p), ['INITIAL:100', `DEAL_ALLOCATION:60@${dealId}`]);
    assert.deepEqual(await levels(p), { available: 40, reserved: 60, total: 100 });
    const { n } = await h.t.db
      .selectFrom('outbox_events')
      .select(sql<number>`COUNT(*)`.as('n'))
      .where('topic', '=', 'shopping.timedeal.started')
      .where('event_key', '=', String(dealId))
      .executeTakeFirstOrThrow();
    assert.equal(Number(n), 1);
    assert.equal(await h.t.redis.scard(dealKeys(dealId, p).free), 60);
    // One set of 60 units in MySQL, though three instances tried to start the deal.
    const units = await h.t.db
      .selectFrom('time_deal_units as u')
      .innerJoin('time_deal_products as dp', 'dp.id', 'u.time_deal_product_id')
      .select(sql<number>`COUNT(*)`.as('n'))
      .where('dp.time_deal_id', '=', dealId)
      .executeTakeFirstOrThrow();
    assert.equal(Number(units.n), 60);
    assert.equal(STATUS_JOB, 'timedeal:status');
  });
});
