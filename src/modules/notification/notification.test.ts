import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { codeOf, OTHER_USER_ID, TEST_USER_ID, TestApp } from '../../../test/helpers';
import { inTransaction } from '../../platform/db/tx';
import { consumeOnce, ConsumerRegistry } from '../../platform/events/consumer';
import { LocalBroker } from '../../platform/events/local-broker';
import { emit, type EventMessage, type Topic, Topics } from '../../platform/events/outbox';
import { OutboxRelay } from '../../platform/events/relay';
import type { NotificationService } from './service';

let t: TestApp;
let notifications: NotificationService;

before(async () => {
  t = await TestApp.start();
  notifications = t.services.notifications;
});
after(() => t.close());
beforeEach(async () => {
  await t.db.deleteFrom('notifications').execute();
  await t.db.deleteFrom('processed_events').execute();
  await t.db.deleteFrom('outbox_events').execute();
});

function event(topic: Topic, key: string, payload: Record<string, unknown>, occurredAt = new Date().toISOString()): EventMessage {
  const eventId = randomUUID();
  return { eventId, topic, key, occurredAt, payload: { ...payload, eventId, occurredAt } };
}

const PAYLOADS: Record<string, [Topic, string, Record<string, unknown>]> = {
  created: [
    Topics.ORDER_CREATED,
    'ORD-1',
    {
      orderNumber: 'ORD-1', userId: TEST_USER_ID, totalAmount: 59000, itemCount: 2,
      items: [{ productId: 1, productName: '무선 이어폰', quantity: 1, price: 49000 }, { productId: 2, productName: '케이스', quantity: 1, price: 10000 }],
    },
  ],
  confirmed: [Topics.ORDER_CONFIRMED, 'ORD-1', { orderNumber: 'ORD-1', userId: TEST_USER_ID, finalAmount: 59000, paidAt: '2024-03-01T01:00:00.000Z' }],
  cancelled: [Topics.ORDER_CANCELLED, 'ORD-1', { orderNumber: 'ORD-1', userId: TEST_USER_ID, totalAmount: '59000.00', cancelReason: '단순 변심', refunded: true }],
  paid: [Topics.PAYMENT_COMPLETED, 'PAY-1', { paymentNumber: 'PAY-1', orderNumber: 'ORD-1', userId: TEST_USER_ID, amount: 1234567.5, paymentMethod: 'CARD' }],
  failed: [Topics.PAYMENT_FAILED, 'PAY-2', { paymentNumber: 'PAY-2', orderNumber: 'ORD-2', userId: TEST_USER_ID, amount: 1000, failureReason: '잔액 부족' }],
  shipped: [
    Topics.DELIVERY_SHIPPED,
    'TRK-1',
    { trackingNumber: 'TRK-1', orderNumber: 'ORD-1', userId: TEST_USER_ID, carrier: 'CJ대한통운', estimatedDeliveryDate: '2024-03-04' },
  ],
  coupon: [
    Topics.COUPON_ISSUED,
    'WELCOME10',
    { userId: TEST_USER_ID, couponCode: 'WELCOME10', couponName: '신규 가입 10% 할인', discountType: 'PERCENTAGE', discountValue: 10, expiresAt: '2024-03-31T15:00:00.000Z' },
  ],
};

describe('messages', () => {
  test('each user-facing event gets a Korean title and a message with its details', () => {
    const compose = (name: string) => notifications.compose(event(...PAYLOADS[name]))!;
    assert.deepEqual(
      Object.keys(PAYLOADS).map((name) => [compose(name).type, compose(name).title]),
      [
        ['ORDER_CREATED', '주문이 접수되었습니다'],
        ['ORDER_CONFIRMED', '주문이 확정되었습니다'],
        ['ORDER_CANCELLED', '주문이 취소되었습니다'],
        ['PAYMENT_COMPLETED', '결제가 완료되었습니다'],
        ['PAYMENT_FAILED', '결제에 실패했습니다'],
        ['DELIVERY_SHIPPED', '상품이 발송되었습니다'],
        ['COUPON_ISSUED', '쿠폰이 발급되었습니다'],
      ],
    );
    assert.equal(compose('created').message, '주문번호 ORD-1 (무선 이어폰 외 1건) 주문이 접수되었습니다. 결제 금액: 59,000원. 결제를 완료하시면 주문이 확정됩니다.');
    assert.equal(compose('cancelled').message, '주문번호 ORD-1 주문이 취소되었습니다. 취소 사유: 단순 변심. 결제하신 59,000원은 결제 수단으로 환불됩니다.');
    assert.equal(compose('paid').message, '주문번호 ORD-1의 결제 1,234,567.50원이 완료되었습니다 (카드).');
    assert.match(compose('failed').message, /사유: 잔액 부족\./);
    assert.equal(compose('shipped').message, '주문번호 ORD-1의 상품이 발송되었습니다. 택배사: CJ대한통운, 운송장 번호: TRK-1. 도착 예정일: 2024년 3월 4일.');
    // 2024-03-31T15:00Z is April 1st in Korea.
    assert.equal(compose('coupon').message, '신규 가입 10% 할인 쿠폰이 발급되었습니다 (10% 할인). 2024년 4월 1일까지 사용하실 수 있습니다.');
    assert.equal(compose('created').userId, TEST_USER_ID);
  });

  test('a cancellation before payment mentions no refund; events without a user or not user-facing notify nobody', () => {
    const [topic, key, payload] = PAYLOADS.cancelled;
    const unpaid = notifications.compose(event(topic, key, { ...payload, refunded: false }))!;
    assert.doesNotMatch(unpaid.message, /환불/);
    assert.equal(notifications.compose(event(Topics.ORDER_CREATED, 'ORD-9', { orderNumber: 'ORD-9' })), null);
    assert.equal(notifications.compose(event(Topics.TIMEDEAL_STARTED, '1', { timeDealId: 1, userId: TEST_USER_ID })), null);
    assert.ok(!notifications.consumer().topics.includes(Topics.INVENTORY_RESERVED));
    assert.ok(!notifications.consumer().topics.includes(Topics.TIMEDEAL_STARTED));
  });
});

describe('consumer', () => {
  test('outbox → relay → consumer: one notification per user-facing event, none for the others', async () => {
    const broker = new LocalBroker();
    new ConsumerRegistry(t.db, broker, t.infra.log).register(notifications.consumer());
    const ids = await inTransaction(t.db, async (trx) => {
      const out: Record<string, string> = {};
      for (const [name, [topic, key, payload]] of Object.entries(PAYLOADS)) out[name] = await emit(trx, topic, key, payload);
      await emit(trx, Topics.INVENTORY_RESERVED, 'ORD-1', { orderNumber: 'ORD-1', items: [{ productId: 1, quantity: 1 }] });
      await emit(trx, Topics.TIMEDEAL_STARTED, '7', { timeDealId: 7, name: '타임딜', startsAt: '2024-03-01T00:00:00Z' });
      return out;
    });
    const relay = new OutboxRelay(t.db, broker, t.infra.log);
    assert.equal(await relay.flush(), 9);
    const rows = await t.db.selectFrom('notifications').selectAll().orderBy('id').execute();
    assert.deepEqual(
      rows.map((r) => [r.event_id, r.type, r.user_id]),
      Object.entries(ids).map(([name, id]) => [id, notifications.compose(event(...PAYLOADS[name]))!.type, TEST_USER_ID]),
    );
    // Published again (a relay crash before mark-sent): nothing new.
    await t.db.updateTable('outbox_events').set({ sent_at: null }).execute();
    assert.equal(await relay.flush(), 9);
    assert.equal((await t.db.selectFrom('notifications').select('id').execute()).length, 7);
    // Redelivered after the processed ids were purged: the batch insert meets the unique key, the runner
    // falls back to one event at a time, and each is recognised as already notified.
    await t.db.deleteFrom('processed_events').execute();
    await t.db.updateTable('outbox_events').set({ sent_at: null }).execute();
    assert.equal(await relay.flush(), 9);
    assert.equal((await t.db.selectFrom('notifications').select('id').execute()).length, 7);
  });

  test('the same event delivered twice, or five times at once, gives one row', async () => {
    const consumer = notifications.consumer();
    const e = event(...PAYLOADS.paid);
    assert.equal(await consumeOnce(t.db, consumer, e), 'processed');
    assert.equal(await consumeOnce(t.db, consumer, e), 'duplicate');
    const e2 = event(...PAYLOADS.shipped);
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => consumeOnce(t.db, consumer, e2)));
    assert.deepEqual(outcomes.sort(), ['duplicate', 'duplicate', 'duplicate', 'duplicate', 'processed']);
    // Even after its processed id was purged, a very late redelivery doesn't notify twice.
    await t.db.deleteFrom('processed_events').execute();
    assert.equal(await consumeOnce(t.db, consumer, e), 'processed');
    const rows = await t.db.selectFrom('notifications').select('event_id').execute();
    assert.deepEqual(rows.map((r) => r.event_id).sort(), [e.eventId, e2.eventId].sort());
  });
});

describe('GET /admin/notifications', () => {
  test('admins page through a user’s notifications, newest first; users get 403', async () => {
    const consumer = notifications.consumer();
    const mine = [];
    for (const name of ['created', 'paid', 'confirmed']) {
      const e = event(...PAYLOADS[name]);
      mine.push(e.eventId);
      await consumeOnce(t.db, consumer, e);
    }
    const [topic, key, payload] = PAYLOADS.coupon;
    await consumeOnce(t.db, consumer, event(topic, key, { ...payload, userId: OTHER_USER_ID }));

    const page1 = await t.call('GET', '/admin/notifications', { token: t.adminToken, query: { userId: TEST_USER_ID, page: 1, size: 2 } });
    assert.equal(page1.status, 200);
    assert.equal(page1.body.success, true);
    const { items, ...paging } = page1.body.data;
    assert.deepEqual(paging, { page: 1, size: 2, totalElements: 3, totalPages: 2 });
    assert.deepEqual(items.map((n: { eventId: string }) => n.eventId), [mine[2], mine[1]]);
    assert.deepEqual(Object.keys(items[0]).sort(), ['createdAt', 'eventId', 'id', 'message', 'title', 'type', 'userId']);
    assert.equal(items[0].title, '주문이 확정되었습니다');
    assert.equal(items[0].userId, TEST_USER_ID);
    assert.match(items[0].createdAt, /Z$/);

    const page2 = await t.call('GET', '/admin/notifications', { token: t.adminToken, query: { userId: TEST_USER_ID, page: 2, size: 2 } });
    assert.deepEqual(page2.body.data.items.map((n: { eventId: string }) => n.eventId), [mine[0]]);
    const everyone = await t.call('GET', '/admin/notifications', { token: t.adminToken });
    assert.equal(everyone.body.data.totalElements, 4);

    const user = await t.call('GET', '/admin/notifications', { query: { userId: TEST_USER_ID } });
    assert.equal(user.status, 403);
    assert.equal(codeOf(user), 'C004');
    const anonymous = await t.call('GET', '/admin/notifications', { token: null });
    assert.equal(anonymous.status, 401);
    const bad = await t.call('GET', '/admin/notifications', { token: t.adminToken, query: { size: 0 } });
    assert.equal(bad.status, 400);
    assert.equal(codeOf(bad), 'C002');
  });
});
