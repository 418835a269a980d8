import type { EventMessage, Topic } from './outbox';

/**
 * Handles delivered events of one consumer group, given in publish order (so
 * one key's events in order). Resolving means all were handled. Rejecting means
 * none was, so all come again, unless it rejects with a `BatchPublishError`
 * naming those that were; a handler that fails an event of a key must not
 * acknowledge a later event of that key.
 */
export type EventHandler = (events: readonly EventMessage[]) => Promise<void>;

/**
 * What the outbox relay publishes to and consumers subscribe at. Two
 * implementations: `LocalBroker` (in-process, the default for one machine) and
 * `KafkaBroker` (Kafka, for several machines). Delivery is
 * at-least-once either way; consumers de-duplicate by `eventId`.
 */
export interface Broker {
  /** `local` or `kafka`, for logs and metrics. */
  readonly kind: string;
  /**
   * Publishes the batch in order and resolves only once the broker acknowledged
   * every message (Kafka: acks from all in-sync replicas). A rejection means any
   * of them may be unpublished; a `BatchPublishError` says which ones did get through.
   */
  publish(messages: readonly EventMessage[]): Promise<void>;
  /**
   * Registers a consumer group for these topics. Registration is synchronous so
   * services can subscribe while they are wired; consumption begins at `start()`
   * (the local broker delivers from the first publish on).
   */
  subscribe(group: string, topics: readonly Topic[], handler: EventHandler): void;
  /** Connects and starts the registered consumer groups. */
  start(): Promise<void>;
  /** Stops consuming and disconnects; handlers in progress finish first. */
  close(): Promise<void>;
}

/**
 * A publish (or a handling) that got some messages through: the relay marks
 * those sent and retries only the rest.
 */
export class BatchPublishError extends Error {
  constructor(
    /** `eventId`s the broker acknowledged. */
    readonly acknowledged: ReadonlySet<string>,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'BatchPublishError';
  }
}

/**
 * An event from its wire form: the JSON payload carries `eventId` and
 * `occurredAt` (see `emit`), the topic, key and headers come from the transport.
 */
export function eventFromWire(topic: string, key: string, value: string, headers?: Record<string, string>): EventMessage {
  const payload = JSON.parse(value) as Record<string, unknown>;
  const eventId = payload.eventId;
  const occurredAt = payload.occurredAt;
  if (typeof eventId !== 'string' || typeof occurredAt !== 'string') {
    throw new Error(`event on ${topic} without eventId/occurredAt`);
  }
  return { eventId, topic: topic as Topic, key, occurredAt, payload, ...(headers && Object.keys(headers).length > 0 ? { headers } : {}) };
}
