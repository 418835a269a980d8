import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { codeOf, TEST_USER_ID, TestApp } from '../../../test/helpers';
import { inTransaction } from '../../platform/db/tx';
import { consumeBatchOnce, consumeOnce, ConsumerRegistry } from '../../platform/events/consumer';
import { LocalBroker } from '../../platform/events/local-broker';
import { emit, type EventMessage, type Topic, Topics } from '../../platform/events/outbox';
import { OutboxRelay } from '../../platform/events/relay';
import type { AnalyticsService } from './service';

let t: TestApp;
let analytics: AnalyticsService;

before(async () => {
  t = await TestApp.start();
  analytics = t.services.analytics;
});
after(() => t.close());
beforeEach(async () => {
  await t.db.deleteFrom('analytics_daily').execute();
  await t.db.deleteFrom('processed_events').execute();
  await t.db.deleteFrom('outbox_events').execute();
});

function event(topic: Topic, payload: Record<string, unknown>, occurredAt: string): EventMessage {
  const eventId = randomUUID();
  return { eventId, topic, key: 'K', occurredAt, payload: { ...payload, eventId, occurredAt } };
}

const consume = (e: EventMessage) => consumeOnce(t.db, analytics.consumer(), e);

async function day(date: string) {
  return (await analytics.daily(date, date))[0];
}

describe('counting', () => {
  test('each rule on the UTC day of occurredAt, revenue exact', async () => {
    const d1 = '2024-03-02T23:59:59.999Z';
    const d2 = '2024-03-03T00:00:00.000Z';
    await consume(event(Topics.ORDER_CREATED, { orderNumber: 'O1', totalAmount: 59000 }, d1));
    await consume(event(Topics.ORDER_CREATED, { orderNumber: 'O2', totalAmount: 1000 }, d1));
    await consume(event(Topics.PAYMENT_COMPLETED, { paymentNumber: 'P1', amount: 59000 }, d1));
    await consume(event(Topics.PAYMENT_COMPLETED, { paymentNumber: 'P2', amount: '1234.56' }, d1));
    for (let i = 0; i < 10; i++) await consume(event(Topics.PAYMENT_COMPLETED, { paymentNumber: `P-${i}`, amount: 0.1 }, d1));
    await consume(event(Topics.ORDER_CANCELLED, { orderNumber: 'O1', cancelReason: '환불 요청', refunded: true }, d1));
    await consume(event(Topics.ORDER_CANCELLED, { orderNumber: 'O2', cancelReason: '결제 전 취소' }, d1));
    await consume(event(Topics.PAYMENT_FAILED, { paymentNumber: 'P3', failureReason: '한도 초과' }, d1));
    await consume(event(Topics.COUPON_ISSUED, { userId: TEST_USER_ID, couponCode: 'C1' }, d1));
    await consume(event(Topics.COUPON_ISSUED, { userId: TEST_USER_ID, couponCode: 'C2' }, d2));
    await consume(event(Topics.TIMEDEAL_STARTED, { timeDealId: 1, name: '타임딜' }, d2));
    await consume(event(Topics.ORDER_CONFIRMED, { orderNumber: 'O1' }, d2)); // counts nothing
    await consume(event(Topics.PAYMENT_COMPLETED, { paymentNumber: 'P4', amount: 'not money' }, d2)); // counts nothing

    assert.deepEqual(await day('2024-03-02'), {
      date: '2024-03-02', orders: 2, revenue: 60235.56, refunds: 1, failedPayments: 1, couponsIssued: 1, dealsStarted: 0,
    });
    assert.deepEqual(await day('2024-03-03'), {
      date: '2024-03-03', orders: 0, revenue: 0, refunds: 0, failedPayments: 0, couponsIssued: 1, dealsStarted: 1,
    });
    const [row] = await t.db.selectFrom('analytics_daily').select('revenue').where('date', '=', '2024-03-02').execute();
    assert.equal(row.revenue, '60235.56', 'ten 0.1s add up to exactly 1');
  });

  test('a delivered batch is folded into one write per day with the same totals; duplicates in it count once', async () => {
    const d1 = '2024-04-01T08:00:00.000Z';
    const d2 = '2024-04-02T08:00:00.000Z';
    const old = event(Topics.ORDER_CREATED, { orderNumber: 'O0' }, d1);
    await consume(old);
    const batch = [
      old,
      event(Topics.ORDER_CREATED, { orderNumber: 'O1' }, d1),
      event(Topics.PAYMENT_COMPLETED, { paymentNumber: 'P1', amount: '0.10' }, d1),
      event(Topics.PAYMENT_COMPLETED, { paymentNumber: 'P2', amount: 0.2 }, d1),
      event(Topics.ORDER_CANCELLED, { orderNumber: 'O1', refunded: true }, d2),
      event(Topics.COUPON_ISSUED, { couponCode: 'C' }, d2),
      event(Topics.INVENTORY_RESERVED, { orderNumber: 'O1' }, d2),
    ];
    batch.push(batch[1]); // the same event twice in one delivery
    assert.equal(await consumeBatchOnce(t.db, analytics.consumer(), batch), 6, 'new ones (inventory.reserved counts nothing but is new)');
    assert.deepEqual(await analytics.daily('2024-04-01', '2024-04-02'), [
      { date: '2024-04-01', orders: 2, revenue: 0.3, refunds: 0, failedPayments: 0, couponsIssued: 0, dealsStarted: 0 },
      { date: '2024-04-02', orders: 0, revenue: 0, refunds: 1, failedPayments: 0, couponsIssued: 1, dealsStarted: 0 },
    ]);
    assert.equal(await consumeBatchOnce(t.db, analytics.consumer(), batch), 0, 'all already counted');
  });

  test('the same event delivered twice, or concurrently, counts once', async () => {
    const e = event(Topics.PAYMENT_COMPLETED, { paymentNumber: 'P1', amount: 100 }, '2024-05-01T10:00:00.000Z');
    assert.equal(await consume(e), 'processed');
    assert.equal(await consume(e), 'duplicate');
    const o = event(Topics.ORDER_CREATED, { orderNumber: 'O1' }, '2024-05-01T10:00:00.000Z');
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => consume(o)));
    assert.equal(outcomes.filter((x) => x === 'processed').length, 1);
    const d = await day('2024-05-01');
    assert.equal(d.revenue, 100);
    assert.equal(d.orders, 1);
  });

  test('outbox → relay → consumer counts today’s events, once even when re-published', async () => {
    const broker = new LocalBroker();
    new ConsumerRegistry(t.db, broker, t.infra.log).register(analytics.consumer());
    await inTransaction(t.db, async (trx) => {
      await emit(trx, Topics.ORDER_CREATED, 'ORD-1', { orderNumber: 'ORD-1', userId: TEST_USER_ID, totalAmount: 30000 });
      await emit(trx, Topics.PAYMENT_COMPLETED, 'PAY-1', { paymentNumber: 'PAY-1', orderNumber: 'ORD-1', amount: 30000 });
      await emit(trx, Topics.INVENTORY_RESERVED, 'ORD-1', { orderNumber: 'ORD-1', items: [] });
    });
    const relay = new OutboxRelay(t.db, broker, t.infra.log);
    assert.equal(await relay.flush(), 3);
    await t.db.updateTable('outbox_events').set({ sent_at: null }).execute();
    assert.equal(await relay.flush(), 3);
    const today = new Date().toISOString().slice(0, 10);
    const d = await day(today);
    assert.equal(d.orders, 1);
    assert.equal(d.revenue, 30000);
  });
});

describe('GET /admin/analytics/daily', () => {
  test('every day of the range, quiet days as zeros; admins only', async () => {
    await consume(event(Topics.ORDER_CREATED, { orderNumber: 'O1' }, '2024-06-02T12:00:00.000Z'));
    await consume(event(Topics.PAYMENT_COMPLETED, { paymentNumber: 'P1', amount: 45000 }, '2024-06-02T12:00:01.000Z'));
    const res = await t.call('GET', '/admin/analytics/daily', { token: t.adminToken, query: { from: '2024-06-01', to: '2024-06-03' } });
    assert.equal(res.status, 200);
    const zero = { orders: 0, revenue: 0, refunds: 0, failedPayments: 0, couponsIssued: 0, dealsStarted: 0 };
    assert.deepEqual(res.body.data, [
      { date: '2024-06-01', ...zero },
      { date: '2024-06-02', ...zero, orders: 1, revenue: 45000 },
      { date: '2024-06-03', ...zero },
    ]);

    const defaults = await t.call('GET', '/admin/analytics/daily', { token: t.adminToken });
    assert.equal(defaults.body.data.length, 30);
    assert.equal(defaults.body.data[29].date, new Date().toISOString().slice(0, 10));

    const user = await t.call('GET', '/admin/analytics/daily');
    assert.equal(user.status, 403);
    assert.equal(codeOf(user), 'C004');
    for (const query of <Record<string, string>[]>[
      { from: '2024-06-03', to: '2024-06-01' },
      { from: '2024-02-30', to: '2024-03-01' },
      { from: '2024/06/01' },
      { from: '2023-01-01', to: '2024-06-01' },
    ]) {
      const bad = await t.call('GET', '/admin/analytics/daily', { token: t.adminToken, query });
      assert.equal(bad.status, 400, JSON.stringify(query));
      assert.equal(codeOf(bad), 'C002');
    }
  });
});
