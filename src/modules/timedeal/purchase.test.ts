import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { OrderSaga } from '../order/saga';
import { dealKeys } from './redis';
import { SOLD_OUT_MEMO_MS, TimeDealService } from './service';
import { codeOf, iso, makeProduct, startDealApp, type DealTestApp } from './test-support';

let h: DealTestApp;
before(async () => {
  h = await startDealApp({ DB_POOL_SIZE: '30' });
});
after(() => h.t.close());

const HOUR = 3_600_000;
const ADDRESS = { receiverName: '김철수', receiverPhone: '010-1234-5678', zipCode: '06236', address1: '서울 강남구 테헤란로 152' };

interface Deal {
  dealId: number;
  dealProductId: number;
  productId: number;
}

/** An ACTIVE deal of one product. */
async function runningDeal(opts: { stock?: number; quantity: number; maxPerUser: number; price?: number; dealPrice?: number }): Promise<Deal> {
  const productId = await makeProduct(h.t, `딜 상품 ${randomUUID().slice(0, 8)}`, opts.price ?? 50_000, opts.stock ?? opts.quantity);
  const res = await h.t.call('POST', '/admin/time-deals', {
    token: h.t.adminToken,
    body: {
      name: '진행 중 딜',
      startsAt: iso(-1000),
      endsAt: iso(HOUR),
      products: [{ productId, dealPrice: opts.dealPrice ?? 30_000, dealQuantity: opts.quantity, maxPerUser: opts.maxPerUser }],
    },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  await h.deals.updateStatuses();
  return { dealId: res.body.data.id, dealProductId: res.body.data.products[0].id, productId };
}

function buy(deal: Deal, quantity: number, token = h.t.userToken, extra: Record<string, unknown> = {}) {
  return h.t.call('POST', '/time-deals/purchase', { token, body: { timeDealProductId: deal.dealProductId, quantity, ...extra } });
}

/** The deal product's free units, each user's count and the units of admissions in flight, as Redis holds them. */
async function redisOf(deal: Deal) {
  const keys = await h.deals.keys.snapshot(deal.dealId, deal.productId);
  return {
    free: keys.free,
    bought: Object.fromEntries(keys.bought),
    inFlight: [...keys.admissions.values()].flat().reduce((n, a) => n + a.units.length, 0),
  };
}

async function levels(productId: number) {
  const inv = await h.t.db.selectFrom('inventory').selectAll().where('product_id', '=', productId).executeTakeFirstOrThrow();
  return { available: inv.available_quantity, reserved: inv.reserved_quantity, total: inv.total_quantity };
}

async function soldRows(deal: Deal) {
  const { q } = await h.t.db
    .selectFrom('time_deal_purchases')
    .select(sql<string | null>`SUM(quantity)`.as('q'))
    .where('time_deal_product_id', '=', deal.dealProductId)
    .where('status', '=', 'PURCHASED')
    .executeTakeFirstOrThrow();
  return Number(q ?? 0);
}

/** Units the deal product's rows give to purchases (MySQL's own count of what is sold). */
async function heldUnits(deal: Deal) {
  const { n } = await h.t.db
    .selectFrom('time_deal_units')
    .select(sql<number>`COUNT(*)`.as('n'))
    .where('time_deal_product_id', '=', deal.dealProductId)
    .where('purchase_id', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(n);
}

async function buyersOf(deal: Deal) {
  const rows = await h.t.db.selectFrom('time_deal_purchases').select('user_id').where('time_deal_product_id', '=', deal.dealProductId).where('status', '=', 'PURCHASED').execute();
  return rows.map((r) => r.user_id);
}

const user = async () => {
  const id = randomUUID();
  return { id, token: await h.t.token(id) };
};

describe('purchase', () => {
  test('201 with the purchase and its PENDING order at the deal price; my purchases; the last unit is a success', async () => {
    const deal = await runningDeal({ quantity: 3, maxPerUser: 3, price: 50_000, dealPrice: 29_900 });
    const res = await buy(deal, 2, h.t.userToken, { shippingAddress: ADDRESS });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const p = res.body.data;
    assert.deepEqual(Object.keys(p), ['id', 'timeDealProductId', 'productName', 'quantity', 'purchasePrice', 'totalPrice', 'purchasedAt', 'orderNumber', 'status', 'paymentDueAt']);
    assert.equal(p.timeDealProductId, deal.dealProductId);
    assert.equal(p.quantity, 2);
    assert.equal(p.purchasePrice, 29_900);
    assert.equal(p.totalPrice, 59_800);
    assert.match(p.orderNumber, /^ORD-\d{8}-[0-9A-F]{8}$/);
    assert.equal(p.status, 'PURCHASED');

    const order = await h.t.call('GET', `/orders/${p.orderNumber}`);
    assert.equal(order.status, 200);
    assert.equal(order.body.data.status, 'PENDING');
    assert.equal(order.body.data.finalAmount, 59_800);
    assert.deepEqual(
      order.body.data.items.map((i: any) => [i.productId, i.price, i.quantity]),
      [[deal.productId, 29_900, 2]],
    );
    assert.equal(order.body.data.shippingAddress.receiverName, '김철수');
    // The purchase answers its order's payment deadline: the order's creation plus the unpaid-order timeout.
    assert.equal(p.paymentDueAt, order.body.data.paymentDueAt);
    assert.equal(Date.parse(p.paymentDueAt) - Date.parse(order.body.data.createdAt), h.t.config.orderPaymentTimeoutSeconds * 1000);

    // The last unit: remaining 0 afterwards, and still a 201.
    const last = await buy(deal, 1, h.t.otherToken);
    assert.equal(last.status, 201);
    assert.deepEqual((await redisOf(deal)).free, []);
    assert.equal(codeOf(await buy(deal, 1, (await user()).token)), 'S704');

    const mine = await h.t.call('GET', '/time-deals/my/purchases');
    assert.equal(mine.status, 200);
    const entry = mine.body.data.find((x: { id: number }) => x.id === p.id);
    assert.deepEqual(entry, { ...p, purchasedAt: entry.purchasedAt });
    assert.equal(Date.parse(entry.purchasedAt), Date.parse(p.purchasedAt));
    assert.ok(!mine.body.data.some((x: { orderNumber: string }) => x.orderNumber === last.body.data.orderNumber));
  });

  test('S706, S702, S703, S705, S704 and validation messages', async () => {
    assert.equal(codeOf(await buy({ dealId: 0, productId: 0, dealProductId: 999_999 }, 1)), 'S706');

    const productId = await makeProduct(h.t, '예정 딜 상품', 10_000, 5);
    const scheduled = await h.t.call('POST', '/admin/time-deals', {
      token: h.t.adminToken,
      body: { name: '예정', startsAt: iso(HOUR), endsAt: iso(2 * HOUR), products: [{ productId, dealPrice: 5_000, dealQuantity: 5, maxPerUser: 1 }] },
    });
    const notYet = await buy({ dealId: scheduled.body.data.id, productId, dealProductId: scheduled.body.data.products[0].id }, 1);
    assert.equal(notYet.status, 400);
    assert.equal(codeOf(notYet), 'S702');
    assert.equal(notYet.body.error.message, 'Time deal is not active');

    // ACTIVE, but the clock passed endsAt before the scheduler ended it.
    const deal = await runningDeal({ quantity: 5, maxPerUser: 2 });
    h.clock.offsetMs = 2 * HOUR;
    try {
      await assert.rejects(h.deals.purchase('someone', { timeDealProductId: deal.dealProductId, quantity: 1 }), (err: any) => err.def?.code === 'S703');
    } finally {
      h.clock.offsetMs = 0;
    }

    const limit = await buy(deal, 3);
    assert.equal(limit.status, 409);
    assert.equal(codeOf(limit), 'S705');
    assert.equal(limit.body.error.message, 'Purchase limit exceeded for this time deal');
    assert.equal((await buy(deal, 2)).status, 201);
    assert.equal(codeOf(await buy(deal, 1)), 'S705');
    const b = await user();
    assert.equal((await buy(deal, 2, b.token)).status, 201);
    const soldOut = await buy(deal, 2, (await user()).token);
    assert.equal(soldOut.status, 409);
    assert.equal(codeOf(soldOut), 'S704');
    assert.equal(soldOut.body.error.message, 'Time deal product is sold out');
    assert.equal((await buy(deal, 1, (await user()).token)).status, 201);

    const details = async (body: unknown) => {
      const res = await h.t.call('POST', '/time-deals/purchase', { body });
      assert.equal(codeOf(res), 'C002');
      return Object.fromEntries(res.body.error.details.map((d: { field: string; message: string }) => [d.field, d.message]));
    };
    assert.deepEqual(await details({}), { timeDealProductId: 'Product ID is required', quantity: 'Quantity is required' });
    assert.deepEqual(await details({ timeDealProductId: null, quantity: null }), { timeDealProductId: 'Product ID is required', quantity: 'Quantity is required' });
    assert.deepEqual(await details({ timeDealProductId: 1, quantity: 0 }), { quantity: 'Quantity must be at least 1' });
    assert.deepEqual(await details({ timeDealProductId: 1, quantity: 1, shippingAddress: { receiverName: '' } }), {
      'shippingAddress.receiverName': 'Receiver name is required',
      'shippingAddress.receiverPhone': 'Receiver phone is required',
      'shippingAddress.zipCode': 'Zip code is required',
      'shippingAddress.address1': 'Address is required',
    });
    assert.equal(codeOf(await h.t.call('POST', '/time-deals/purchase', { body: { timeDealProductId: 1, quantity: 1, price: 1 } })), 'C002');
  });

  test('a paid deal order deducts its reserved units like any order', async () => {
    const deal = await runningDeal({ stock: 10, quantity: 4, maxPerUser: 2 });
    assert.deepEqual(await levels(deal.productId), { available: 6, reserved: 4, total: 10 });
    const res = await buy(deal, 2);
    const pay = await h.t.call('POST', '/payments', { body: { orderNumber: res.body.data.orderNumber, paymentMethod: 'CARD' } });
    assert.equal(pay.status, 200, JSON.stringify(pay.body));
    assert.equal(pay.body.data.amount, 60_000);
    assert.equal(pay.body.data.status, 'COMPLETED');
    assert.deepEqual(await levels(deal.productId), { available: 6, reserved: 2, total: 8 });
    const order = await h.t.call('GET', `/orders/${res.body.data.orderNumber}`);
    assert.equal(order.body.data.status, 'PAID');
    const moves = await h.t.db.selectFrom('stock_movements').select(['movement_type', 'quantity']).where('product_id', '=', deal.productId).orderBy('id').execute();
    assert.deepEqual(moves.map((m) => `${m.movement_type}:${m.quantity}`), ['INITIAL:10', 'DEAL_ALLOCATION:4', 'DEDUCT:2']);
    // Sold stays sold.
    assert.equal((await h.deals.get(deal.dealId)).products[0].soldQuantity, 2);
    assert.equal(await soldRows(deal), 2);
  });

  test('an unpaid deal order that expires gives its units back to the running deal (Redis and MySQL); the buyer can buy again', async () => {
    const deal = await runningDeal({ stock: 5, quantity: 2, maxPerUser: 2 });
    const buyer = await user();
    const res = await buy(deal, 2, buyer.token);
    assert.equal(res.status, 201);
    assert.equal(codeOf(await buy(deal, 1, (await user()).token)), 'S704');
    assert.deepEqual(await redisOf(deal), { free: [], bought: { [buyer.id]: 2 }, inFlight: 0 });

    // Past the payment timeout: the job cancels it and the saga hands the units to us.
    await h.t.services.saga.expireUnpaid(new Date(Date.now() + 2 * HOUR));
    const order = await h.t.call('GET', `/orders/${res.body.data.orderNumber}`, { token: buyer.token });
    assert.equal(order.body.data.status, 'CANCELLED');
    const purchase = await h.t.db.selectFrom('time_deal_purchases').selectAll().where('id', '=', res.body.data.id).executeTakeFirstOrThrow();
    assert.equal(purchase.status, 'RETURNED');
    assert.ok(purchase.returned_at);
    assert.deepEqual(await redisOf(deal), { free: [1, 2], bought: {}, inFlight: 0 });
    assert.equal(await soldRows(deal), 0);
    assert.equal((await h.deals.get(deal.dealId)).products[0].remainingQuantity, 2);
    // The units stayed with the deal: still reserved, no RELEASE movement.
    assert.deepEqual(await levels(deal.productId), { available: 3, reserved: 2, total: 5 });
    const types = await h.t.db.selectFrom('stock_movements').select('movement_type').where('product_id', '=', deal.productId).execute();
    assert.deepEqual(types.map((t) => t.movement_type), ['INITIAL', 'DEAL_ALLOCATION']);

    // The same buyer can buy again; my purchases shows both, the first RETURNED.
    const again = await buy(deal, 2, buyer.token);
    assert.equal(again.status, 201);
    const mine = (await h.t.call('GET', '/time-deals/my/purchases', { token: buyer.token })).body.data;
    assert.deepEqual(mine.map((p: any) => p.status).sort(), ['PURCHASED', 'RETURNED']);
    // Only the live order still has a payment deadline.
    const byStatus = Object.fromEntries(mine.map((p: any) => [p.status, p.paymentDueAt]));
    assert.equal(byStatus.RETURNED, null);
    assert.equal(byStatus.PURCHASED, again.body.data.paymentDueAt);
    assert.ok(Date.parse(byStatus.PURCHASED) > Date.now());
  });

  test('a user cancel after the deal ENDED releases the units to available instead', async () => {
    const deal = await runningDeal({ stock: 6, quantity: 3, maxPerUser: 3 });
    const res = await buy(deal, 2);
    h.clock.offsetMs = 2 * HOUR;
    try {
      await h.deals.updateStatuses();
    } finally {
      h.clock.offsetMs = 0;
    }
    assert.deepEqual(await levels(deal.productId), { available: 4, reserved: 2, total: 6 });
    const cancel = await h.t.call('POST', `/orders/${res.body.data.orderNumber}/cancel`, { body: { reason: '변심' } });
    assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
    assert.equal(cancel.body.data.status, 'CANCELLED');
    assert.deepEqual(await levels(deal.productId), { available: 6, reserved: 0, total: 6 });
    const purchase = await h.t.db.selectFrom('time_deal_purchases').select('status').where('id', '=', res.body.data.id).executeTakeFirstOrThrow();
    assert.equal(purchase.status, 'PURCHASED');
    assert.equal(await h.t.redis.exists(...Object.values(dealKeys(deal.dealId, deal.productId))), 0);
  });
});

describe('sold out', () => {
  test('a sold-out answer is trusted for a moment: later buyers are refused without Redis; a unit given back here is sold at once', async () => {
    const deal = await runningDeal({ stock: 3, quantity: 1, maxPerUser: 1 });
    const first = await user();
    assert.equal((await buy(deal, 1, first.token)).status, 201);

    const keys = h.deals.keys;
    const purchase = keys.purchase.bind(keys);
    let scripts = 0;
    keys.purchase = (...args: Parameters<typeof purchase>) => {
      scripts++;
      return purchase(...args);
    };
    try {
      assert.equal(codeOf(await buy(deal, 1, (await user()).token)), 'S704');
      assert.equal(scripts, 1);
      const refusals = await Promise.all(Array.from({ length: 20 }, async () => codeOf(await buy(deal, 1, (await user()).token))));
      assert.deepEqual(new Set(refusals), new Set(['S704']));
      assert.equal(scripts, 1, 'refused from memory');

      // The order expires: the unit comes back through this instance, and the next buyer gets it.
      const [order] = await h.t.db.selectFrom('time_deal_purchases').select('order_id').where('time_deal_product_id', '=', deal.dealProductId).execute();
      assert.ok(order.order_id);
      await h.t.services.saga.expireUnpaid(new Date(Date.now() + 2 * HOUR));
      assert.equal((await buy(deal, 1, (await user()).token)).status, 201);

      // A unit freed behind this instance's back (another instance, a rebuild elsewhere) is offered after the moment.
      assert.equal(codeOf(await buy(deal, 1, (await user()).token)), 'S704');
      const before = scripts;
      await sleep(SOLD_OUT_MEMO_MS + 50);
      assert.equal(codeOf(await buy(deal, 1, (await user()).token)), 'S704');
      assert.equal(scripts, before + 1, 'asks Redis again once the moment has passed');
    } finally {
      keys.purchase = purchase;
    }
    assert.equal(await soldRows(deal), 1);
  });
});

describe('Redis and MySQL stay one', () => {
  test('a MySQL failure after the Lua step leaves Redis as it was, and nothing in MySQL', async () => {
    const deal = await runningDeal({ quantity: 5, maxPerUser: 2 });
    const buyer = await user();
    assert.equal((await buy(deal, 1, buyer.token)).status, 201);
    const before = await redisOf(deal);
    const orders = async () => Number((await h.t.db.selectFrom('orders').select(sql<number>`COUNT(*)`.as('n')).executeTakeFirstOrThrow()).n);
    const ordersBefore = await orders();

    // The saga writes the order, then the transaction fails (a lost connection, a constraint…).
    const saga = h.t.services.saga;
    const failing = {
      createDealOrder: async (...args: Parameters<OrderSaga['createDealOrder']>) => {
        await saga.createDealOrder(...args);
        throw new Error('injected: MySQL went away');
      },
    };
    const broken = new TimeDealService(h.t.db, h.t.redis, h.t.services.products, h.t.services.inventory, failing);
    await assert.rejects(broken.purchase(buyer.id, { timeDealProductId: deal.dealProductId, quantity: 1 }), /injected/);
    await assert.rejects(broken.purchase(randomUUID(), { timeDealProductId: deal.dealProductId, quantity: 2 }), /injected/);

    assert.deepEqual(await redisOf(deal), before);
    assert.equal(await orders(), ordersBefore);
    assert.equal(await soldRows(deal), 1);
    // The buyer's count was given back too: one more unit is within the limit.
    assert.equal((await buy(deal, 1, buyer.token)).status, 201);
  });

  test('keys wiped mid-sale (and reconciled mid-sale, and rebuilt by a restart): exactly the deal quantity sold', async (ctx) => {
    const DEAL = 120;
    const deal = await runningDeal({ stock: 200, quantity: DEAL, maxPerUser: 1 });
    const keys = Object.values(dealKeys(deal.dealId, deal.productId));
    const stats0 = { ...h.deals.stats };

    // Once per wave, right after its 10th script run (other purchases are between their script and
    // their transaction then), the keys are deleted — or, every third wave, the periodic reconcile runs.
    const original = h.deals.keys.purchase.bind(h.deals.keys);
    let runs = 0;
    let disturbances = 0;
    h.deals.keys.purchase = async (...args) => {
      const outcome = await original(...args);
      if (++runs === 10) {
        disturbances++;
        if (disturbances % 3 === 0) await h.deals.rebuildRedis();
        else await h.t.redis.del(...keys);
      }
      return outcome;
    };
    const answers: { status: number; code?: string }[] = [];
    try {
      // Eight waves of 50 concurrent buyers.
      for (let wave = 0; wave < 8; wave++) {
        const buyers = await Promise.all(Array.from({ length: 50 }, user));
        // Past the moment a sold-out answer is trusted without Redis, so every wave meets the script.
        await sleep(SOLD_OUT_MEMO_MS + 50);
        runs = 0;
        answers.push(
          ...(await Promise.all(
            buyers.map((b) =>
              h.deals.purchase(b.id, { timeDealProductId: deal.dealProductId, quantity: 1 }).then(
                () => ({ status: 201 }),
                (err) => ({ status: err.status ?? 500, code: err.def?.code ?? String(err) }),
              ),
            ),
          )),
        );
      }
    } finally {
      h.deals.keys.purchase = original;
    }
    assert.equal(disturbances, 8);
    await h.deals.idle();

    const tally: Record<string, number> = {};
    for (const a of answers) tally[a.code ?? String(a.status)] = (tally[a.code ?? String(a.status)] ?? 0) + 1;
    assert.deepEqual(tally, { '201': DEAL, S704: 400 - DEAL });
    // The wipes hit purchases in flight: scripts found no keys.
    assert.ok(h.deals.stats.notLoaded > stats0.notLoaded, JSON.stringify(h.deals.stats));
    ctx.diagnostic(
      `purchases that met missing keys / units MySQL refused and replaced: ${h.deals.stats.notLoaded - stats0.notLoaded} / ${h.deals.stats.refused - stats0.refused}`,
    );
    assert.equal(await soldRows(deal), DEAL);
    assert.equal(await heldUnits(deal), DEAL);
    const after = await h.deals.keys.snapshot(deal.dealId, deal.productId);
    // The last wave's wipe may have been the last word: missing keys are "not loaded", never "in stock".
    if (after.epoch !== null) assert.deepEqual(after.free, []);
    assert.equal(codeOf(await buy(deal, 1, (await user()).token)), 'S704');

    // A restart after the keys are gone: a fresh instance rebuilds them from the rows; nothing lost, nothing oversold.
    await h.t.redis.del(...keys);
    const restarted = h.another();
    const rebuilt = await restarted.rebuildRedis();
    assert.ok(rebuilt.rewritten >= 1);
    assert.deepEqual(await redisOf(deal), { free: [], bought: Object.fromEntries((await buyersOf(deal)).map((u) => [u, 1])), inFlight: 0 });
    assert.equal(codeOf(await buy(deal, 1, (await user()).token)), 'S704');
    assert.deepEqual(await levels(deal.productId), { available: 80, reserved: DEAL, total: 200 });
  });

  test('the reconcile leaves keys that fit MySQL alone, and rebuilds keys that offer more or fewer units', async () => {
    const deal = await runningDeal({ quantity: 3, maxPerUser: 1 });
    assert.equal((await buy(deal, 1)).status, 201);
    const keys = dealKeys(deal.dealId, deal.productId);
    const epoch = await h.t.redis.get(keys.epoch);
    await h.deals.rebuildRedis();
    assert.equal(await h.t.redis.get(keys.epoch), epoch);
    const free = (await redisOf(deal)).free;
    assert.equal(free.length, 2);

    // A unit MySQL holds shows as free: rebuilt.
    const held = (await h.t.db.selectFrom('time_deal_units').select('unit_no').where('time_deal_product_id', '=', deal.dealProductId).where('purchase_id', 'is not', null).executeTakeFirstOrThrow()).unit_no;
    await h.t.redis.sadd(keys.free, held);
    await h.deals.rebuildRedis();
    assert.deepEqual((await redisOf(deal)).free, free);
    assert.notEqual(await h.t.redis.get(keys.epoch), epoch);

    // A free unit is missing (and nothing is in flight): rebuilt.
    await h.t.redis.srem(keys.free, free[0]);
    await h.deals.rebuildRedis();
    assert.deepEqual((await redisOf(deal)).free, free);
  });

  test('the waiting-room gate runs before the Lua step', async () => {
    const deal = await runningDeal({ quantity: 3, maxPerUser: 1 });
    const seen: [string, number][] = [];
    const gated = h.another({
      gate: async (userId, timeDealId) => {
        seen.push([userId, timeDealId]);
        throw Object.assign(new Error('not admitted'), { gated: true });
      },
    });
    await assert.rejects(gated.purchase('u-1', { timeDealProductId: deal.dealProductId, quantity: 1 }), /not admitted/);
    assert.deepEqual(seen, [['u-1', deal.dealId]]);
    assert.equal((await redisOf(deal)).free.length, 3);
  });
});
