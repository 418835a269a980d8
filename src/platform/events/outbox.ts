import { randomUUID } from 'node:crypto';
import type { Insertable } from 'kysely';
import { outgoingTraceHeaders } from '../context';
import { afterCommit, beforeCommit, hasCommitHooks, type Tx } from '../db/tx';
import type { OutboxEventsTable } from '../db/types';

/** The shop's nine domain topics plus the catalog's change feed (search). */
export const Topics = {
  ORDER_CREATED: 'shopping.order.created',
  ORDER_CONFIRMED: 'shopping.order.confirmed',
  ORDER_CANCELLED: 'shopping.order.cancelled',
  PAYMENT_COMPLETED: 'shopping.payment.completed',
  PAYMENT_FAILED: 'shopping.payment.failed',
  INVENTORY_RESERVED: 'shopping.inventory.reserved',
  DELIVERY_SHIPPED: 'shopping.delivery.shipped',
  COUPON_ISSUED: 'shopping.coupon.issued',
  TIMEDEAL_STARTED: 'shopping.timedeal.started',
  PRODUCT_CHANGED: 'shopping.product.changed',
} as const;
export type Topic = (typeof Topics)[keyof typeof Topics];

/** What a broker carries: the payload plus `eventId` and `occurredAt`. */
export interface EventMessage {
  eventId: string;
  topic: Topic;
  /** The aggregate's number (order number, payment number…): the Kafka message key. */
  key: string;
  occurredAt: string;
  payload: Record<string, unknown>;
  /**
   * Transport headers, beside the payload: the W3C trace context (`traceparent`,
   * `tracestate`) of the work that emitted the event. Kafka carries them as
   * message headers.
   */
  headers?: Record<string, string>;
}

type OutboxRow = Insertable<OutboxEventsTable>;

/** Events of one open transaction, written together just before its commit. */
const pending = new WeakMap<Tx, OutboxRow[]>();

/**
 * Records an event in the same transaction as the change it describes; the
 * relay publishes it after commit. Work that rolls back leaves no event.
 * In a transaction opened by `inTransaction` the transaction's events go in as
 * one multi-row insert just before the commit (one round trip however many
 * events a step writes, in the order they were emitted).
 */
export async function emit(trx: Tx, topic: Topic, key: string, payload: Record<string, unknown>): Promise<string> {
  const eventId = randomUUID();
  const occurredAt = new Date();
  // The trace of the request (or event) at work, so the consumers' work joins it.
  const headers = outgoingTraceHeaders();
  const row: OutboxRow = {
    event_id: eventId,
    topic,
    event_key: key,
    payload: JSON.stringify({ ...payload, eventId, occurredAt: occurredAt.toISOString() }),
    headers: headers ? JSON.stringify(headers) : null,
    occurred_at: occurredAt,
  };
  if (!hasCommitHooks(trx)) {
    await trx.insertInto('outbox_events').values(row).execute();
    return eventId;
  }
  const rows = pending.get(trx);
  if (rows) {
    rows.push(row);
    return eventId;
  }
  pending.set(trx, [row]);
  beforeCommit(trx, async () => {
    await trx.insertInto('outbox_events').values(pending.get(trx)!).execute();
  });
  // After the commit, tell the relays (an event written outside `inTransaction` waits for their next poll).
  afterCommit(trx, () => {
    for (const listener of commitListeners) listener();
  });
  return eventId;
}

// ---- commit notices ------------------------------------------------------------

const commitListeners = new Set<() => void>();

/**
 * Calls `listener` after every commit in this process that emitted events, so a
 * relay publishes a fresh event within milliseconds instead of at its next poll.
 * Process-wide on purpose: an extra wake-up costs a relay one indexed query.
 * Returns the unsubscribe function.
 */
export function onEventsCommitted(listener: () => void): () => void {
  commitListeners.add(listener);
  return () => commitListeners.delete(listener);
}
