import { BatchPublishError, type Broker, type EventHandler } from './broker';
import type { EventMessage, Topic } from './outbox';

interface Subscription {
  group: string;
  topics: ReadonlySet<string>;
  handler: EventHandler;
}

/**
 * The default broker (`EVENT_BUS=local`): `publish` hands each event to this
 * process's subscribers and resolves when they all handled it, so the relay's
 * "acknowledged" means "consumed". A handler that throws makes the event fail:
 * the relay retries it later (consumers are idempotent, so the groups that did
 * handle it skip it then). Once an event of a key failed, the later events of
 * that key in the batch are held back too, so each key stays in order.
 * Needs no server; with several instances each delivers what its own relay
 * claimed, which is still every event exactly once per consumer.
 */
export class LocalBroker implements Broker {
  readonly kind = 'local';
  private readonly subscriptions: Subscription[] = [];
  private closed = false;

  subscribe(group: string, topics: readonly Topic[], handler: EventHandler): void {
    if (this.subscriptions.some((s) => s.group === group)) throw new Error(`consumer group ${group} is already subscribed`);
    this.subscriptions.push({ group, topics: new Set(topics), handler });
  }

  async start(): Promise<void> {
    this.closed = false;
  }

  async publish(messages: readonly EventMessage[]): Promise<void> {
    if (this.closed) throw new Error('local broker is closed');
    const acknowledged = new Set<string>();
    const failedKeys = new Set<string>();
    let firstError: unknown;
    for (const message of messages) {
      if (failedKeys.has(message.key)) continue;
      try {
        for (const sub of this.subscriptions) {
          if (sub.topics.has(message.topic)) await sub.handler(message);
        }
        acknowledged.add(message.eventId);
      } catch (err) {
        failedKeys.add(message.key);
        firstError ??= err;
      }
    }
    if (failedKeys.size > 0) throw new BatchPublishError(acknowledged, firstError);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
