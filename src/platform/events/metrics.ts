import { Counter, Gauge, type Registry } from 'prom-client';
import type { Broker } from './broker';
import type { ConsumerRegistry } from './consumer';
import { KafkaBroker } from './kafka-broker';
import type { OutboxLag, OutboxRelay } from './relay';

/**
 * The outbox's lag and the consumers' work on `/metrics`: an alert on
 * `outbox_oldest_pending_age_seconds` catches a broker outage or a stuck
 * consumer long before anyone misses a notification. The lag is read from the
 * database at scrape time (one query shared by the gauges of one scrape), so
 * every instance reports the same, cluster-wide numbers.
 */
export function registerEventMetrics(registry: Registry, relay: OutboxRelay, consumers: ConsumerRegistry, broker?: Broker): void {
  let scrape: Promise<OutboxLag> | undefined;
  const lag = () => {
    if (!scrape) {
      scrape = relay.lag().catch(() => ({ pending: Number.NaN, retrying: Number.NaN, oldestAgeSeconds: Number.NaN }));
      // One query per scrape: prom-client calls every gauge's collect in the same tick, so all of
      // this scrape's gauges hold this promise before it settles; the next scrape queries again.
      void scrape.finally(() => (scrape = undefined));
    }
    return scrape;
  };
  new Gauge({
    name: 'outbox_pending_events',
    help: 'Outbox events not yet acknowledged by the broker',
    registers: [registry],
    async collect() {
      this.set((await lag()).pending);
    },
  });
  new Gauge({
    name: 'outbox_retrying_events',
    help: 'Unsent outbox events that failed at least once',
    registers: [registry],
    async collect() {
      this.set((await lag()).retrying);
    },
  });
  new Gauge({
    name: 'outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest unsent outbox event (0 when none)',
    registers: [registry],
    async collect() {
      this.set((await lag()).oldestAgeSeconds);
    },
  });

  if (broker) {
    new Gauge({
      name: 'event_broker_up',
      help: '1 when this instance last reached the event broker (always 1 for the in-process broker)',
      registers: [registry],
      collect() {
        this.set(broker.status() === 'up' ? 1 : 0);
      },
    });
  }
  if (broker instanceof KafkaBroker) {
    new Gauge({
      name: 'kafka_consumer_lag_messages',
      help: 'Messages in a partition not yet committed by a consumer group (end of log minus committed offset)',
      labelNames: ['group', 'topic', 'partition'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        // A scrape must not hang on a broker that is down: no lag values then (event_broker_up says why).
        let timer: NodeJS.Timeout | undefined;
        const lags = await Promise.race([
          broker.consumerLag().catch(() => []),
          new Promise<[]>((resolve) => (timer = setTimeout(() => resolve([]), 2000))),
        ]);
        clearTimeout(timer);
        for (const l of lags) this.set({ group: l.group, topic: l.topic, partition: String(l.partition) }, l.lag);
      },
    });
  }

  const catchUp = catchUpper();
  // Counters mirrored from the relay's and the consumers' running totals (this instance).
  new Counter({
    name: 'outbox_published_total',
    help: 'Events this instance published and marked sent',
    registers: [registry],
    collect() {
      catchUp('published', this, relay.totals.published);
    },
  });
  new Counter({
    name: 'outbox_publish_failures_total',
    help: 'Outbox rows whose publish by this instance failed',
    registers: [registry],
    collect() {
      catchUp('failed', this, relay.totals.failed);
    },
  });
  new Counter({
    name: 'events_consumed_total',
    help: 'Events delivered to a consumer, by outcome (processed, duplicate, failed)',
    labelNames: ['consumer', 'outcome'] as const,
    registers: [registry],
    collect() {
      for (const [consumer, stats] of consumers.stats) {
        for (const outcome of ['processed', 'duplicate', 'failed'] as const) {
          catchUp('consumed', this, stats[outcome], { consumer, outcome });
        }
      }
    },
  });
}

/** Raises counters to running totals kept elsewhere (the relay's, the consumers'). */
function catchUpper() {
  const seen = new Map<string, number>();
  return <T extends string>(name: string, counter: Counter<T>, total: number, labels?: Record<T, string>): void => {
    const id = `${name}${labels ? JSON.stringify(labels) : ''}`;
    const delta = total - (seen.get(id) ?? 0);
    if (delta <= 0) return;
    seen.set(id, total);
    if (labels) counter.inc(labels, delta);
    else counter.inc(delta);
  };
}
