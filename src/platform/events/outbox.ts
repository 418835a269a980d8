import { randomUUID } from 'node:crypto';
import { afterCommit, type Tx } from '../db/tx';

/** The seed's nine topics plus the catalog's change feed (search). */
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
}

/**
 * Records an event in the same transaction as the change it describes; the
 * relay publishes it after commit. Work that rolls back leaves no event.
 */
export async function emit(trx: Tx, topic: Topic, key: string, payload: Record<string, unknown>): Promise<string> {
  const eventId = randomUUID();
  const occurredAt = new Date();
  await trx
    .insertInto('outbox_events')
    .values({
      event_id: eventId,
      topic,
      event_key: key,
      payload: JSON.stringify({ ...payload, eventId, occurredAt: occurredAt.toISOString() }),
      occurred_at: occurredAt,
    })
    .execute();
  nudgeAfterCommit(trx);
  return eventId;
}

// ---- commit notices ------------------------------------------------------------

const commitListeners = new Set<() => void>();
const nudged = new WeakSet<Tx>();

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

/**
 * Once per transaction: after its commit, tell the relays. A transaction not
 * opened by `inTransaction` can't carry the hook; its events wait for the next
 * poll, which is only slower, never lost.
 */
function nudgeAfterCommit(trx: Tx): void {
  if (nudged.has(trx)) return;
  nudged.add(trx);
  try {
    afterCommit(trx, () => {
      for (const listener of commitListeners) listener();
    });
  } catch {
    // not opened by inTransaction: see above
  }
}
