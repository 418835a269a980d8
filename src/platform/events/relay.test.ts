import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RawBuilder, sql } from 'kysely';
import { Registry } from 'prom-client';
import { TestApp } from '../../../test/helpers';
import { afterCommit, inTransaction } from '../db/tx';
import { Scheduler } from '../scheduler';
import type { Broker, BrokerStatus, EventHandler } from './broker';
import { ConsumerRegistry, type EventConsumer } from './consumer';
import { createEventing, PURGE_JOB } from './index';
import { LocalBroker } from './local-broker';
import { emit, type EventMessage, type Topic, Topics } from './outbox';
import { OutboxRelay } from './relay';
import { purgeJob } from './retention';

let t: TestApp;
before(async () => {
  t = await TestApp.start();
});
after(() => t.close());
beforeEach(async () => {
  await t.db.deleteFrom('outbox_events').execute();
  await t.db.deleteFrom('processed_events').execute();
});

/**
 * A broker that records what it was asked to publish (in call order, across
 * every relay sharing it), can be taken down, can "lose the ack" after the
 * messages got through, and can be slowed down.
 */
class TestBroker implements Broker {
  readonly kind = 'test';
  readonly inner = new LocalBroker();
  published: EventMessage[] = [];
  down = false;
  loseAck = false;
  delayMs = 0;
  gate: Promise<void> | undefined;

  status(): BrokerStatus {
    return this.down ? 'down' : 'up';
  }
  onStatusChange(): void {}
  subscribe(group: string, topics: readonly Topic[], handler: EventHandler): void {
    this.inner.subscribe(group, topics, handler);
  }
  async start(): Promise<void> {}
  async close(): Promise<void> {}
  async publish(messages: readonly EventMessage[]): Promise<void> {
    if (this.down) throw new Error('broker unavailable');
    this.published.push(...messages);
    if (this.delayMs) await sleep(this.delayMs);
    if (this.gate) await this.gate;
    await this.inner.publish(messages);
    if (this.loseAck) throw new Error('connection reset before the ack');
  }
}

/** A consumer that remembers what it applied: what committed, through the runner's de-duplication. */
function recordingConsumer(name: string, topics: Topic[]) {
  const applied: string[] = [];
  const consumer: EventConsumer = {
    name,
    topics,
    handle: async (trx, event) => {
      afterCommit(trx, () => applied.push(event.eventId));
    },
  };
  return { consumer, applied };
}

/** Emits `keys.length` events in one transaction, one per key, in that order; returns their ids. */
async function emitFor(keys: string[], topic: Topic = Topics.ORDER_CREATED): Promise<string[]> {
  return inTransaction(t.db, async (trx) => {
    const ids: string[] = [];
    for (const key of keys) ids.push(await emit(trx, topic, key, { orderNumber: key, userId: 'u-1', totalAmount: 1000 }));
    return ids;
  });
}

async function dbNow(): Promise<Date> {
  const { rows } = await sql<{ now: Date }>`SELECT NOW(3) AS now`.execute(t.db);
  return rows[0].now;
}

async function outboxRows() {
  return t.db.selectFrom('outbox_events').selectAll().orderBy('id').execute();
}

const relayFor = (broker: Broker, opts: ConstructorParameters<typeof OutboxRelay>[3] = {}) =>
  new OutboxRelay(t.db, broker, t.infra.log, { backoffBaseMs: 300, backoffMaxMs: 1200, ...opts });

describe('outbox', () => {
  test('an event written in a transaction that rolls back is never published', async () => {
    const broker = new TestBroker();
    await assert.rejects(
      inTransaction(t.db, async (trx) => {
        await emit(trx, Topics.ORDER_CREATED, 'ORD-ROLLBACK', { orderNumber: 'ORD-ROLLBACK' });
        throw new Error('business rule failed');
      }),
      /business rule failed/,
    );
    const [kept] = await emitFor(['ORD-KEPT']);
    const relay = relayFor(broker);
    assert.equal(await relay.flush(), 1);
    assert.deepEqual(broker.published.map((m) => m.eventId), [kept]);
    assert.deepEqual((await outboxRows()).map((r) => r.event_key), ['ORD-KEPT']);
  });

  test('the relay publishes every committed event once, in id order per key, and marks it sent only after the ack', async () => {
    const broker = new TestBroker();
    let release!: () => void;
    broker.gate = new Promise((resolve) => (release = resolve));
    const keys = Array.from({ length: 30 }, (_, i) => `ORD-${i % 4}`);
    const ids = await emitFor(keys);
    const relay = relayFor(broker, { batchSize: 8 });

    const flushing = relay.flush();
    while (broker.published.length === 0) await sleep(5);
    // Published but not acknowledged yet: nothing is marked sent.
    assert.equal((await outboxRows()).filter((r) => r.sent_at !== null).length, 0);
    release();
    assert.equal(await flushing, 30);

    const rows = await outboxRows();
    assert.ok(rows.every((r) => r.sent_at !== null && r.attempts === 0 && r.last_error === null));
    assert.deepEqual(broker.published.map((m) => m.eventId), ids, 'each event once, in id order');
    for (const m of broker.published) {
      assert.equal(typeof m.payload.eventId, 'string');
      assert.equal(m.payload.eventId, m.eventId);
      assert.equal(m.payload.occurredAt, m.occurredAt);
      assert.match(m.occurredAt, /Z$/);
    }
    assert.equal(await relay.flush(), 0, 'nothing twice');
    assert.equal(broker.published.length, 30);
  });

  test('a publish in progress (rows claimed and locked) never holds up transactions that write new events', async () => {
    const broker = new TestBroker();
    let release!: () => void;
    broker.gate = new Promise((resolve) => (release = resolve));
    await emitFor(['ORD-L1', 'ORD-L2']);
    // A batch larger than the backlog: the claim's scan reaches the end of the table, where new rows go.
    const relay = relayFor(broker, { batchSize: 50 });
    const flushing = relay.flush();
    while (broker.published.length === 0) await sleep(5);
    const started = Date.now();
    const writing = emitFor(['ORD-L3', 'ORD-L1']);
    const outcome = await Promise.race([writing.then(() => 'written'), sleep(3000).then(() => 'blocked')]);
    release();
    assert.equal(outcome, 'written', 'no gap lock of the claim blocks the insert');
    assert.ok(Date.now() - started < 1000);
    assert.equal(await flushing, 2);
    await writing;
    assert.equal(await relay.flush(), 2);
  });

  test('a broker outage: attempts and backoff are recorded, nothing is lost or reordered, consumers see none twice', async () => {
    const broker = new TestBroker();
    const registry = new ConsumerRegistry(t.db, broker, t.infra.log);
    const { consumer, applied } = recordingConsumer('outage-test', [Topics.ORDER_CREATED, Topics.ORDER_CANCELLED]);
    registry.register(consumer);
    const base = 600;
    const relay = relayFor(broker, { backoffBaseMs: base, backoffMaxMs: 10 * base });
    /** The next attempt lies `backoff` after the failure, which happened between `from` and `to` (database clock). */
    const assertBackoff = (next: Date, from: Date, to: Date, backoff: number) =>
      assert.ok(
        next.getTime() >= from.getTime() + backoff && next.getTime() <= to.getTime() + backoff,
        `next attempt ${next.toISOString()} is ${backoff} ms after a failure between ${from.toISOString()} and ${to.toISOString()}`,
      );

    broker.down = true;
    const first = await emitFor(['ORD-A', 'ORD-B', 'ORD-A']);
    let from = await dbNow();
    assert.equal(await relay.flush(), 0);
    let to = await dbNow();
    let rows = await outboxRows();
    assert.deepEqual(rows.map((r) => r.attempts), [1, 1, 1]);
    assert.ok(rows.every((r) => r.last_error === 'broker unavailable' && r.sent_at === null));
    for (const r of rows) assertBackoff(r.next_attempt_at, from, to, base);
    assert.equal((await relay.runPass()).claimed, 0, 'backing off: not retried at once');

    // A new event of key A waits behind A's backing-off ones (postponed, not attempted); key C is tried.
    const [laterA] = await emitFor(['ORD-A']);
    const [c] = await emitFor(['ORD-C'], Topics.ORDER_CANCELLED);
    assert.deepEqual(await relay.runPass(), { claimed: 2, published: 0, failed: 1, waiting: 1 });
    rows = await outboxRows();
    const waiting = rows.find((r) => r.event_id === laterA)!;
    assert.equal(waiting.attempts, 0, 'held back, not attempted');
    assert.deepEqual(waiting.next_attempt_at, rows[0].next_attempt_at, 'postponed to the blocking row’s next attempt');

    await sleep(base + 20);
    from = await dbNow();
    assert.equal(await relay.flush(), 0);
    to = await dbNow();
    rows = await outboxRows();
    assert.ok(rows.filter((r) => first.includes(r.event_id)).every((r) => r.attempts === 2), 'second failure counted');
    assertBackoff(rows.find((r) => r.event_id === first[0])!.next_attempt_at, from, to, 2 * base);

    broker.down = false;
    broker.published = [];
    await sleep(2 * base + 20);
    assert.equal(await relay.flush(), 5);
    rows = await outboxRows();
    assert.ok(rows.every((r) => r.sent_at !== null), 'nothing lost');
    assert.deepEqual(new Set(applied), new Set([...first, laterA, c]));
    assert.equal(applied.length, 5, 'each consumed once');
    const orderOfA = broker.published.filter((m) => m.key === 'ORD-A').map((m) => m.eventId);
    assert.deepEqual(orderOfA, [first[0], first[2], laterA], 'key A still in order');
  });

  test('a crash between publish and mark-sent publishes again; consumers apply it once', async () => {
    const broker = new TestBroker();
    const registry = new ConsumerRegistry(t.db, broker, t.infra.log);
    const { consumer, applied } = recordingConsumer('crash-test', [Topics.ORDER_CREATED]);
    registry.register(consumer);
    const relay = relayFor(broker, { backoffBaseMs: 50 });

    // 1. The broker got the messages, the ack was lost: recorded as a failure, retried.
    const ids = await emitFor(['ORD-X', 'ORD-Y']);
    broker.loseAck = true;
    assert.equal(await relay.flush(), 0);
    assert.deepEqual(applied, ids, 'delivered once already');
    broker.loseAck = false;
    await sleep(80);
    assert.equal(await relay.flush(), 2);
    assert.deepEqual(applied, ids, 'the redelivery is recognised');
    assert.equal(registry.stats.get('crash-test')!.duplicate, 2);

    // 2. The process died after the ack, before its mark-sent committed: the rows are unsent again.
    await t.db.updateTable('outbox_events').set({ sent_at: null }).execute();
    assert.equal(await relay.flush(), 2);
    assert.equal(broker.published.length, 6, 'published three times in all');
    assert.deepEqual(applied, ids, 'still applied once');
    const processed = await t.db.selectFrom('processed_events').selectAll().where('consumer', '=', 'crash-test').execute();
    assert.equal(processed.length, 2);
  });

  test('a consumer that fails makes the event fail and come again; the others are not held up', async () => {
    const broker = new LocalBroker();
    let failing = true;
    const registry = new ConsumerRegistry(t.db, broker, t.infra.log);
    const good = recordingConsumer('good', [Topics.ORDER_CREATED]);
    registry.register(good.consumer);
    const flaky: string[] = [];
    registry.register({
      name: 'flaky',
      topics: [Topics.ORDER_CREATED],
      handle: async (trx, event) => {
        if (failing && event.key === 'ORD-BAD') throw new Error('consumer bug');
        // Writes of a failed handling roll back with its processed_events row.
        await trx.insertInto('processed_events').values({ consumer: 'flaky-side', event_id: event.eventId }).execute();
        afterCommit(trx, () => flaky.push(event.eventId));
      },
    });
    const relay = relayFor(broker, { backoffBaseMs: 50 });
    const [ok1, bad, ok2, bad2] = await emitFor(['ORD-OK', 'ORD-BAD', 'ORD-OK2', 'ORD-BAD']);
    assert.equal(await relay.flush(), 2);
    assert.deepEqual(flaky, [ok1, ok2]);
    const rows = await outboxRows();
    assert.deepEqual(
      rows.map((r) => [r.event_id, r.sent_at !== null, r.attempts]),
      [[ok1, true, 0], [bad, false, 1], [ok2, true, 0], [bad2, false, 1]],
    );
    assert.match(rows[1].last_error!, /consumer bug/);
    failing = false;
    await sleep(80);
    assert.equal(await relay.flush(), 2);
    assert.deepEqual(flaky, [ok1, ok2, bad, bad2]);
    assert.deepEqual(good.applied, [ok1, bad, ok2, bad2], 'the good consumer saw each once, despite the redelivery');
    const sides = await t.db.selectFrom('processed_events').select('event_id').where('consumer', '=', 'flaky-side').execute();
    assert.equal(sides.length, 4, 'no leftovers of the failed attempts');
  });

  test('two relays in parallel never publish an event twice, and keep each key in order', async () => {
    const broker = new TestBroker();
    broker.delayMs = 15;
    const keys = Array.from({ length: 400 }, (_, i) => `ORD-P${i % 37}`);
    const ids: string[] = [];
    for (let i = 0; i < keys.length; i += 100) ids.push(...(await emitFor(keys.slice(i, i + 100))));
    const a = relayFor(broker, { batchSize: 25 });
    const b = relayFor(broker, { batchSize: 25 });
    // Each drains until nothing is due, as a loop would.
    const drain = async (relay: OutboxRelay) => {
      let n = 0;
      for (let i = 0; i < 200; i++) {
        n += await relay.flush();
        const left = await t.db.selectFrom('outbox_events').select('id').where('sent_at', 'is', null).limit(1).execute();
        if (left.length === 0) break;
        await sleep(5);
      }
      return n;
    };
    const [na, nb] = await Promise.all([drain(a), drain(b)]);
    assert.equal(na + nb, 400);
    assert.ok(na > 0 && nb > 0, `both relays took a share (${na}/${nb})`);
    assert.equal(broker.published.length, 400, 'no event published twice');
    assert.equal(new Set(broker.published.map((m) => m.eventId)).size, 400);
    const position = new Map(ids.map((id, i) => [id, i]));
    const lastByKey = new Map<string, number>();
    for (const m of broker.published) {
      const pos = position.get(m.eventId)!;
      assert.ok((lastByKey.get(m.key) ?? -1) < pos, `key ${m.key} out of order`);
      lastByKey.set(m.key, pos);
    }
  });

  test('the loop relays a fresh commit at once (nudged by the commit, not the poll) and stops cleanly', async () => {
    const broker = new TestBroker();
    const relay = relayFor(broker, { pollIntervalMs: 60_000 });
    relay.start();
    try {
      await sleep(50); // the first pass found nothing; the loop now waits a minute unless nudged
      const [id] = await emitFor(['ORD-NUDGE']);
      const deadline = Date.now() + 2000;
      while (broker.published.length === 0 && Date.now() < deadline) await sleep(5);
      assert.deepEqual(broker.published.map((m) => m.eventId), [id]);
    } finally {
      await relay.stop();
    }
    const [late] = await emitFor(['ORD-AFTER-STOP']);
    await sleep(50);
    assert.equal(broker.published.length, 1, 'a stopped loop publishes nothing');
    assert.equal(await relay.flush(), 1, 'flush still works after stop');
    assert.equal(broker.published[1].eventId, late);
  });
});

describe('eventing', () => {
  test('lag metrics: pending count and age of the oldest unsent event', async () => {
    const scheduler = new Scheduler(t.redis, t.infra.log);
    const eventing = createEventing({ config: { eventBus: 'local', kafkaBrokers: [] }, db: t.db, log: t.infra.log, scheduler });
    const registry = new Registry();
    eventing.registerMetrics(registry);
    await emitFor(['ORD-M1', 'ORD-M2', 'ORD-M3']);
    await t.db.updateTable('outbox_events').set({ occurred_at: sql<Date>`NOW(3) - INTERVAL 42 SECOND` }).where('event_key', '=', 'ORD-M1').execute();
    const before = await metricValues(registry);
    assert.equal(before.outbox_pending_events, 3);
    assert.ok(before.outbox_oldest_pending_age_seconds >= 42 && before.outbox_oldest_pending_age_seconds < 50);
    assert.equal(await eventing.relay.flush(), 3);
    const afterFlush = await metricValues(registry);
    assert.equal(afterFlush.outbox_pending_events, 0);
    assert.equal(afterFlush.outbox_oldest_pending_age_seconds, 0);
    assert.equal(afterFlush.outbox_published_total, 3);
    await eventing.close();
  });

  test('close() publishes what is still due before disconnecting', async () => {
    const eventing = createEventing({ config: { eventBus: 'local', kafkaBrokers: [] }, db: t.db, log: t.infra.log });
    const got = recordingConsumer('close-test', [Topics.ORDER_CREATED]);
    eventing.register(got.consumer);
    await eventing.start();
    const ids = await emitFor(['ORD-C1', 'ORD-C2']);
    await eventing.close();
    assert.deepEqual(got.applied.sort(), [...ids].sort());
    assert.ok((await outboxRows()).every((r) => r.sent_at !== null));
  });
});

describe('retention', () => {
  test('the purge job deletes old sent events, old processed ids and expired idempotency keys, nothing else', async () => {
    await emitFor(['ORD-OLD-SENT', 'ORD-NEW-SENT', 'ORD-OLD-UNSENT']);
    const old = sql<Date>`NOW(3) - INTERVAL 8 DAY`;
    await t.db.updateTable('outbox_events').set({ sent_at: old, occurred_at: old }).where('event_key', '=', 'ORD-OLD-SENT').execute();
    await t.db.updateTable('outbox_events').set({ sent_at: sql<Date>`NOW(3)` }).where('event_key', '=', 'ORD-NEW-SENT').execute();
    await t.db.updateTable('outbox_events').set({ occurred_at: sql<Date>`NOW(3) - INTERVAL 30 DAY` }).where('event_key', '=', 'ORD-OLD-UNSENT').execute();
    await t.db.insertInto('processed_events').values([{ consumer: 'c', event_id: 'old' }, { consumer: 'c', event_id: 'new' }]).execute();
    await t.db.updateTable('processed_events').set({ processed_at: old } as never).where('event_id', '=', 'old').execute();
    await t.db.deleteFrom('idempotency_keys').execute();
    const key = (k: string, expires: RawBuilder<Date>) => ({
      scope: 'orders', user_id: 'u-1', idem_key: k, request_hash: 'h'.repeat(64), expires_at: expires,
    });
    await t.db.insertInto('idempotency_keys').values([
      key('expired', sql<Date>`NOW(3) - INTERVAL 1 SECOND`) as never,
      key('live', sql<Date>`NOW(3) + INTERVAL 1 DAY`) as never,
    ]).execute();

    const scheduler = new Scheduler(t.redis, t.infra.log);
    scheduler.add(purgeJob(t.db, { retentionSeconds: 7 * 24 * 3600, chunkSize: 1 }));
    assert.equal(await scheduler.runOnce(scheduler.get(PURGE_JOB)!), true);

    assert.deepEqual((await outboxRows()).map((r) => r.event_key), ['ORD-NEW-SENT', 'ORD-OLD-UNSENT']);
    assert.deepEqual((await t.db.selectFrom('processed_events').select('event_id').execute()).map((r) => r.event_id), ['new']);
    assert.deepEqual((await t.db.selectFrom('idempotency_keys').select('idem_key').execute()).map((r) => r.idem_key), ['live']);
  });

  test('createEventing schedules the purge as events.purge', () => {
    const scheduler = new Scheduler(t.redis, t.infra.log);
    createEventing({ config: { eventBus: 'local', kafkaBrokers: [], eventPurgeIntervalMs: 1234 }, db: t.db, log: t.infra.log, scheduler });
    assert.equal(scheduler.get(PURGE_JOB)?.intervalMs, 1234);
  });
});

/** name → value of the unlabelled series in a registry. */
async function metricValues(registry: Registry): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of await registry.getMetricsAsJSON()) {
    const v = m.values.find((x) => Object.keys(x.labels).length === 0);
    if (v) out[m.name] = v.value;
  }
  return out;
}
