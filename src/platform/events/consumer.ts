import { context as otelContext, type Link, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import type { FastifyBaseLogger } from 'fastify';
import { runAsWork } from '../context';
import { type Db, isDuplicateKey } from '../db/index';
import { inTransaction, type Tx } from '../db/tx';
import { BatchPublishError, type Broker } from './broker';
import type { EventMessage, Topic } from './outbox';

/**
 * A domain's reaction to events (NotificationService, AnalyticsService…).
 * Brokers deliver at least once; the runner makes each event count once.
 */
export interface EventConsumer {
  /** Consumer group and `processed_events.consumer` (at most 50 characters); never rename a live one. */
  readonly name: string;
  readonly topics: readonly Topic[];
  /**
   * Applies one event inside `trx`, the transaction that also records the event
   * as processed: both commit or neither does. Throw to have it delivered again.
   */
  handle(trx: Tx, event: EventMessage): Promise<void>;
  /**
   * Optional: applies several new events (in order) in one transaction, e.g.
   * folding counters into one write per row. Without it, `handle` runs per event.
   */
  handleBatch?(trx: Tx, events: readonly EventMessage[]): Promise<void>;
}

export type ConsumeOutcome = 'processed' | 'duplicate';

/**
 * Records `event` as processed by `consumer` unless it already is: the insert
 * into `processed_events (consumer, event_id)` is the idempotency check. Inside
 * the consumer's transaction, so a failure forgets it again; two concurrent
 * deliveries serialise on the primary key (the second waits, then sees it).
 */
async function markProcessed(trx: Tx, consumer: EventConsumer, event: EventMessage): Promise<boolean> {
  try {
    await trx.insertInto('processed_events').values({ consumer: consumer.name, event_id: event.eventId }).execute();
    return true;
  } catch (err) {
    // Not INSERT IGNORE: that would also swallow a truncated id and merge two events.
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/**
 * Runs `consumer` on `event` at most once per event id: the processed-event
 * row and the consumer's writes share one transaction, so a redelivery (relay
 * retry, Kafka rebalance) finds the row and does nothing, and a failure leaves
 * neither.
 */
export async function consumeOnce(db: Db, consumer: EventConsumer, event: EventMessage): Promise<ConsumeOutcome> {
  return inTransaction(db, async (trx) => {
    if (!(await markProcessed(trx, consumer, event))) return 'duplicate';
    await consumer.handle(trx, event);
    return 'processed';
  });
}

/**
 * `consumeOnce` for a batch in one transaction: one commit and two statements
 * of bookkeeping for many events (which ones are new, then one multi-row
 * insert), which is what keeps consumers up with a flash sale. Returns how
 * many were new. A concurrent delivery of one of them makes the insert fail
 * on the key and the whole batch roll back; the caller then goes event by event.
 */
export async function consumeBatchOnce(db: Db, consumer: EventConsumer, events: readonly EventMessage[]): Promise<number> {
  return inTransaction(db, async (trx) => {
    const ids = [...new Set(events.map((e) => e.eventId))];
    const done = new Set(
      (
        await trx
          .selectFrom('processed_events')
          .select('event_id')
          .where('consumer', '=', consumer.name)
          .where('event_id', 'in', ids)
          .execute()
      ).map((r) => r.event_id),
    );
    const fresh: EventMessage[] = [];
    for (const event of events) {
      if (done.has(event.eventId)) continue;
      done.add(event.eventId);
      fresh.push(event);
    }
    if (fresh.length === 0) return 0;
    await trx
      .insertInto('processed_events')
      .values(fresh.map((e) => ({ consumer: consumer.name, event_id: e.eventId })))
      .execute();
    if (consumer.handleBatch) await consumer.handleBatch(trx, fresh);
    else for (const event of fresh) await consumer.handle(trx, event);
    return fresh.length;
  });
}

/** Per consumer: events handled, duplicates skipped, failures (for `/metrics`). */
export type ConsumerStats = Record<ConsumeOutcome | 'failed', number>;

/**
 * Where services register their consumers during wiring; each one becomes a
 * broker subscription. A delivery is applied in one transaction; if that fails,
 * event by event, so one bad event fails alone: later events of its key wait
 * (they are not acknowledged), the rest go through. Keeps counts for metrics.
 */
export class ConsumerRegistry {
  readonly stats = new Map<string, ConsumerStats>();

  constructor(
    private readonly db: Db,
    private readonly broker: Broker,
    private readonly log: FastifyBaseLogger,
  ) {}

  register(consumer: EventConsumer): void {
    if (consumer.name.length > 50) throw new Error(`consumer name ${consumer.name} is longer than 50 characters`);
    const stats: ConsumerStats = { processed: 0, duplicate: 0, failed: 0 };
    this.stats.set(consumer.name, stats);
    this.broker.subscribe(consumer.name, consumer.topics, (events) => this.asWork(consumer, events, () => this.deliver(consumer, stats, events)));
  }

  /**
   * Runs a delivery as work of its own: log lines carry the consumer and the
   * event (with its trace id), and, when tracing is on, a `process` span
   * continues the trace the event was emitted in (a batch's span links to each).
   */
  private asWork(consumer: EventConsumer, events: readonly EventMessage[], fn: () => Promise<void>): Promise<void> {
    const single = events.length === 1 ? events[0]! : undefined;
    const links: Link[] = [];
    if (!single) {
      for (const e of events) {
        const linked = e.headers && trace.getSpanContext(propagation.extract(ROOT_CONTEXT, e.headers));
        if (linked) links.push({ context: linked });
      }
    }
    return runAsWork(
      this.log,
      single ? { consumer: consumer.name, eventId: single.eventId } : { consumer: consumer.name, events: events.length },
      {
        name: `process ${single ? single.topic : 'batch'}`,
        kind: SpanKind.CONSUMER,
        // Kafka's instrumentation already opened a span for the message; otherwise the event's headers are the parent.
        parent: trace.getActiveSpan() ? otelContext.active() : single?.headers && propagation.extract(ROOT_CONTEXT, single.headers),
        links,
        attributes: { 'messaging.consumer.group.name': consumer.name, 'messaging.batch.message_count': events.length },
        traceparent: single?.headers?.traceparent,
      },
      fn,
    );
  }

  private async deliver(consumer: EventConsumer, stats: ConsumerStats, events: readonly EventMessage[]): Promise<void> {
    if (events.length > 1) {
      try {
        const processed = await consumeBatchOnce(this.db, consumer, events);
        stats.processed += processed;
        stats.duplicate += events.length - processed;
        return;
      } catch (err) {
        this.log.debug({ err }, 'batch failed; applying its events one by one');
      }
    }
    const acknowledged = new Set<string>();
    const failedKeys = new Set<string>();
    let firstError: unknown;
    for (const event of events) {
      if (failedKeys.has(event.key)) continue;
      try {
        stats[await consumeOnce(this.db, consumer, event)]++;
        acknowledged.add(event.eventId);
      } catch (err) {
        stats.failed++;
        failedKeys.add(event.key);
        firstError ??= err;
        this.log.warn({ err, topic: event.topic, eventId: event.eventId }, 'event consumer failed; will be redelivered');
      }
    }
    if (failedKeys.size > 0) throw new BatchPublishError(acknowledged, firstError);
  }
}
