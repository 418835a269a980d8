import { BatchPublishError, type Broker, type BrokerStatus, type EventHandler } from './broker';
import type { EventMessage, Topic } from './outbox';

interface Subscription {
  group: string;
  topics: ReadonlySet<string>;
  handler: EventHandler;
}

/**
 * The default broker (`EVENT_BUS=local`): `publish` hands the batch to this
 * process's consumer groups, all at once and each group in order, and resolves
 * when every group handled every event, so the relay's "acknowledged" means
 * "consumed". An event some group failed is not acknowledged: the relay retries
 * it later, and the groups that did handle it skip it then (consumers are
 * idempotent). Needs no server; with several instances each delivers what its
 * own relay claimed, which is still every event once per consumer.
 */
export class LocalBroker implements Broker {
  readonly kind = 'local';
  private readonly subscriptions: Subscription[] = [];
  private closed = false;

  status(): BrokerStatus {
    return 'up';
  }

  onStatusChange(): void {
    // In process: never changes.
  }

  subscribe(group: string, topics: readonly Topic[], handler: EventHandler): void {
    if (this.subscriptions.some((s) => s.group === group)) throw new Error(`consumer group ${group} is already subscribed`);
    this.subscriptions.push({ group, topics: new Set(topics), handler });
  }

  async start(): Promise<void> {
    this.closed = false;
  }

  async publish(messages: readonly EventMessage[]): Promise<void> {
    if (this.closed) throw new Error('local broker is closed');
    // Per group: the ids it did not acknowledge (undefined = all acknowledged).
    const outcomes = await Promise.all(
      this.subscriptions.map(async (sub) => {
        const mine = messages.filter((m) => sub.topics.has(m.topic));
        if (mine.length === 0) return undefined;
        try {
          await sub.handler(mine);
          return undefined;
        } catch (err) {
          const acked = err instanceof BatchPublishError ? err.acknowledged : new Set<string>();
          return { err, missing: mine.filter((m) => !acked.has(m.eventId)).map((m) => m.eventId) };
        }
      }),
    );
    const missing = new Set<string>();
    let firstError: unknown;
    for (const o of outcomes) {
      if (!o) continue;
      firstError ??= o.err;
      for (const id of o.missing) missing.add(id);
    }
    if (missing.size > 0) {
      throw new BatchPublishError(new Set(messages.filter((m) => !missing.has(m.eventId)).map((m) => m.eventId)), firstError);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
