import type { FastifyBaseLogger } from 'fastify';
import { type Db, isDuplicateKey } from '../db/index';
import { inTransaction, type Tx } from '../db/tx';
import type { Broker } from './broker';
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
}

export type ConsumeOutcome = 'processed' | 'duplicate';

/**
 * Runs `consumer` on `event` at most once per event id: the insert into
 * `processed_events (consumer, event_id)` shares the transaction with the
 * consumer's writes, so a redelivery (relay retry, Kafka rebalance) finds the
 * row and does nothing, and a failure leaves neither. Two concurrent deliveries
 * of one event serialise on that primary key: the second waits, then sees it.
 */
export async function consumeOnce(db: Db, consumer: EventConsumer, event: EventMessage): Promise<ConsumeOutcome> {
  return inTransaction(db, async (trx) => {
    try {
      await trx.insertInto('processed_events').values({ consumer: consumer.name, event_id: event.eventId }).execute();
    } catch (err) {
      // Not INSERT IGNORE: that would also swallow a truncated id and merge two events.
      if (isDuplicateKey(err)) return 'duplicate';
      throw err;
    }
    await consumer.handle(trx, event);
    return 'processed';
  });
}

/** Per consumer: events handled, duplicates skipped, failures (for `/metrics`). */
export type ConsumerStats = Record<ConsumeOutcome | 'failed', number>;

/**
 * Where services register their consumers during wiring; each one becomes a
 * broker subscription whose handler is `consumeOnce`. Keeps counts for metrics.
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
    this.broker.subscribe(consumer.name, consumer.topics, async (event) => {
      try {
        stats[await consumeOnce(this.db, consumer, event)]++;
      } catch (err) {
        stats.failed++;
        this.log.warn({ err, consumer: consumer.name, topic: event.topic, eventId: event.eventId }, 'event consumer failed; will be redelivered');
        throw err;
      }
    });
  }
}
