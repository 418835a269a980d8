import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestApp, until } from '../../../test/helpers';
import { KafkaMockCluster } from '../../../test/kafka/mock-cluster';
import { NotificationService } from '../../modules/notification/service';
import { runInContext } from '../context';
import { inTransaction } from '../db/tx';
import { createEventing, type Eventing } from './index';
import { emit, type EventMessage, type Topic, Topics } from './outbox';

/**
 * The relay against a real Kafka wire protocol: librdkafka's mock cluster
 * (test/kafka). No skip when librdkafka is missing: building the mock throws,
 * and these tests fail with how to install it.
 */
let t: TestApp;
let cluster: KafkaMockCluster;
let eventing: Eventing;
const received: EventMessage[] = [];
const audit: EventMessage[] = [];

const TOPICS: Topic[] = [Topics.ORDER_CREATED, Topics.PAYMENT_COMPLETED, Topics.ORDER_CANCELLED, Topics.COUPON_ISSUED];

before(async () => {
  cluster = await KafkaMockCluster.start({ brokers: 3 });
  t = await TestApp.start();
  eventing = createEventing({
    config: { eventBus: 'kafka', kafkaBrokers: cluster.brokers, kafkaGroupPrefix: `test-${randomBytes(4).toString('hex')}.` },
    db: t.db,
    log: t.infra.log,
    kafka: { maxWaitTimeMs: 200 },
  });
  // Two consumer groups on the same topics: each gets every event.
  eventing.broker.subscribe('recorder', TOPICS, async (events) => {
    received.push(...events);
  });
  eventing.broker.subscribe('audit', [Topics.ORDER_CREATED], async (events) => {
    audit.push(...events);
  });
  // And a real consumer through the idempotent runner.
  eventing.register(new NotificationService(t.db).consumer());
  await eventing.start();
  await eventing.relay.stop(); // the consumers keep running; these tests drive the relay by hand
});

after(async () => {
  await eventing?.close();
  await t?.close();
  await cluster?.stop();
});

describe('KafkaBroker on the mock cluster', () => {
  test('relay → Kafka → consumer groups: every event once, with its key, topic and payload (eventId, occurredAt)', async () => {
    const emitted: { id: string; topic: Topic; key: string; payload: Record<string, unknown> }[] = [];
    // Written while serving a traced request: the trace context travels as Kafka message headers.
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await runInContext({ log: t.infra.log, traceparent }, () => inTransaction(t.db, async (trx) => {
      for (let i = 0; i < 12; i++) {
        const orderNumber = `ORD-K${i % 5}`;
        const payload = { orderNumber, userId: `user-${i % 3}`, totalAmount: 1000 * (i + 1), items: [{ productId: i, productName: `상품 ${i}`, quantity: 1, price: 1000 }] };
        emitted.push({ id: await emit(trx, Topics.ORDER_CREATED, orderNumber, payload), topic: Topics.ORDER_CREATED, key: orderNumber, payload });
      }
      const pay = { paymentNumber: 'PAY-K1', orderNumber: 'ORD-K1', userId: 'user-1', amount: 59000, paymentMethod: 'CARD' };
      emitted.push({ id: await emit(trx, Topics.PAYMENT_COMPLETED, 'PAY-K1', pay), topic: Topics.PAYMENT_COMPLETED, key: 'PAY-K1', payload: pay });
      const cancel = { orderNumber: 'ORD-K2', userId: 'user-2', totalAmount: 3000, cancelReason: '단순 변심' };
      emitted.push({ id: await emit(trx, Topics.ORDER_CANCELLED, 'ORD-K2', cancel), topic: Topics.ORDER_CANCELLED, key: 'ORD-K2', payload: cancel });
      const coupon = { userId: 'user-0', couponCode: 'WELCOME', couponName: '웰컴 쿠폰', discountType: 'FIXED', discountValue: 5000 };
      emitted.push({ id: await emit(trx, Topics.COUPON_ISSUED, 'WELCOME', coupon), topic: Topics.COUPON_ISSUED, key: 'WELCOME', payload: coupon });
    }));

    assert.equal(await eventing.relay.flush(), emitted.length);
    const unsent = await t.db.selectFrom('outbox_events').select('id').where('sent_at', 'is', null).execute();
    assert.equal(unsent.length, 0, 'marked sent after the acks');

    await until(() => received.length >= emitted.length && audit.length >= 12, 30_000, 'the consumer groups');
    await sleep(300); // nothing more should come
    assert.equal(received.length, emitted.length, 'each event once');
    assert.equal(audit.length, 12);
    const byId = new Map(received.map((m) => [m.eventId, m]));
    for (const e of emitted) {
      const m = byId.get(e.id);
      assert.ok(m, `event ${e.id} arrived`);
      assert.equal(m.topic, e.topic);
      assert.equal(m.key, e.key);
      assert.equal(m.payload.eventId, e.id);
      assert.match(String(m.payload.occurredAt), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.equal(m.occurredAt, m.payload.occurredAt);
      assert.deepEqual(m.headers, { traceparent });
      assert.deepEqual({ ...m.payload, eventId: undefined, occurredAt: undefined }, { ...e.payload, eventId: undefined, occurredAt: undefined });
    }
    // One key = one partition: its events arrive in the order they were written.
    const order = new Map(emitted.map((e, i) => [e.id, i]));
    for (const key of ['ORD-K0', 'ORD-K1', 'ORD-K2']) {
      const seen = received.filter((m) => m.key === key && m.topic === Topics.ORDER_CREATED).map((m) => order.get(m.eventId)!);
      assert.deepEqual(seen, [...seen].sort((a, b) => a - b), `${key} in order`);
    }

    // The notification consumer group wrote one row per user-facing event.
    await until(
      async () => (await t.db.selectFrom('notifications').select('id').execute()).length >= emitted.length,
      30_000,
      'notifications',
    );
    const rows = await t.db.selectFrom('notifications').select(['event_id', 'type', 'user_id']).execute();
    assert.equal(rows.length, emitted.length);
    assert.deepEqual(new Set(rows.map((r) => r.event_id)), new Set(emitted.map((e) => e.id)));
  });

  test('re-publishing (a crash before mark-sent) reaches the groups again; the idempotent consumer ignores it', async () => {
    const before = received.length;
    const sent = await t.db.selectFrom('outbox_events').select('event_id').where('topic', '=', Topics.ORDER_CREATED).limit(3).execute();
    await t.db.updateTable('outbox_events').set({ sent_at: null }).where('event_id', 'in', sent.map((r) => r.event_id)).execute();
    assert.equal(await eventing.relay.flush(), 3);
    await until(() => received.length >= before + 3, 30_000, 'the re-published events');
    await until(async () => (eventing.consumers.stats.get('notification')?.duplicate ?? 0) >= 3, 30_000, 'the duplicates');
    const rows = await t.db.selectFrom('notifications').select('id').where('event_id', 'in', sent.map((r) => r.event_id)).execute();
    assert.equal(rows.length, 3, 'still one notification each');
  });

  test('Kafka unreachable: start() still succeeds, publishes fail into backoff, nothing is marked sent', async () => {
    const down = createEventing({
      config: { eventBus: 'kafka', kafkaBrokers: ['127.0.0.1:1'], outboxBackoffBaseMs: 60_000 },
      db: t.db,
      log: t.infra.log,
      kafka: { connectionTimeoutMs: 500, requestTimeoutMs: 1000 },
    });
    down.broker.subscribe('nobody', [Topics.ORDER_CREATED], async () => undefined);
    try {
      await down.start();
      await down.relay.stop(); // driven by hand below
      const id = await inTransaction(t.db, (trx) => emit(trx, Topics.ORDER_CREATED, 'ORD-DOWN', { orderNumber: 'ORD-DOWN' }));
      assert.equal(await down.relay.flush(), 0);
      const row = await t.db.selectFrom('outbox_events').selectAll().where('event_id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.sent_at, null);
      assert.equal(row.attempts, 1);
      assert.ok(row.last_error && row.last_error.length > 0);
      await t.db.deleteFrom('outbox_events').where('event_id', '=', id).execute();
    } finally {
      await down.close(100);
    }
  });
});
