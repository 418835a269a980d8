import type { FastifyBaseLogger } from 'fastify';
import type { Registry } from 'prom-client';
import { loadConfig, type Config } from '../../config';
import type { Db } from '../db/index';
import type { Scheduler } from '../scheduler';
import type { DependencyMonitor } from '../dependencies';
import type { Broker, BrokerStatus } from './broker';
import { ConsumerRegistry, type EventConsumer } from './consumer';
import { KafkaBroker, type KafkaBrokerOptions } from './kafka-broker';
import { LocalBroker } from './local-broker';
import { registerEventMetrics } from './metrics';
import { OutboxRelay } from './relay';
import { purgeJob } from './retention';

export type { Broker, EventHandler } from './broker';
export { BatchPublishError } from './broker';
export type { EventConsumer } from './consumer';
export { consumeBatchOnce, consumeOnce, ConsumerRegistry } from './consumer';
export { KafkaBroker } from './kafka-broker';
export { ALL_TOPICS, ensureTopics, type TopicReport } from './kafka-topics';
export { LocalBroker } from './local-broker';
export { OutboxRelay } from './relay';
export { PURGE_JOB, purgeExpired, purgeJob } from './retention';
export { emit, Topics, type EventMessage, type Topic } from './outbox';

/** The settings of `Config` (src/config.ts: their types, meaning and defaults) that the event machinery reads. */
const EVENT_SETTINGS = [
  'eventBus',
  'kafkaBrokers',
  'kafkaClientId',
  'kafkaGroupPrefix',
  'kafkaFetchMaxWaitMs',
  'kafkaSessionTimeoutMs',
  'kafkaCreateTopics',
  'kafkaTopicPartitions',
  'kafkaTopicReplication',
  'outboxPollMs',
  'outboxBatchSize',
  'outboxBackoffBaseMs',
  'outboxBackoffMaxMs',
  'eventRetentionSeconds',
  'eventPurgeIntervalMs',
] as const;

export type EventingSettings = Pick<Config, (typeof EVENT_SETTINGS)[number]>;

export interface EventingDeps {
  /** The app's `Config`; `eventBus` and `kafkaBrokers` suffice (tests), the rest then keep `Config`'s defaults. */
  config: Pick<EventingSettings, 'eventBus' | 'kafkaBrokers'> & Partial<EventingSettings>;
  db: Db;
  log: FastifyBaseLogger;
  /** The purge job is added here (as `events.purge`); leave out to not schedule it. */
  scheduler?: Scheduler;
  /** Told of relay passes that failed because the database is down (logged once there, not per pass). */
  dependencies?: DependencyMonitor;
  /** Overrides the broker chosen by `eventBus` (tests: a broker that fails on demand). */
  broker?: Broker;
  /** Extra kafkajs tuning for `EVENT_BUS=kafka` (tests: a short fetch wait against the mock cluster). */
  kafka?: Partial<Omit<KafkaBrokerOptions, 'brokers' | 'log'>>;
}

/** The event machinery of one process. */
export interface Eventing {
  readonly broker: Broker;
  readonly relay: OutboxRelay;
  /** Services register their consumers here while they are wired (before `start`). */
  readonly consumers: ConsumerRegistry;
  /** Shorthand for `consumers.register`. */
  register(consumer: EventConsumer): void;
  /** Adds the outbox-lag gauges, event counters and (Kafka) consumer lag to an app's `/metrics` registry. */
  registerMetrics(registry: Registry): void;
  /**
   * For `/health/ready`: `UP`, or `DEGRADED` while the broker is unreachable
   * or this instance's last publish failed: the shop still works, events wait
   * in the outbox.
   */
  health(): { status: 'UP' | 'DEGRADED'; broker: BrokerStatus };
  /**
   * Starts the relay loop and the consumers (Kafka: joins the groups). Never
   * fails because the broker is down: the outbox keeps the events meanwhile.
   * For `main`; tests drive `relay.flush()` themselves.
   */
  start(): Promise<void>;
  /**
   * Graceful stop: ends the relay loop, publishes what is still due (for at most
   * `flushTimeoutMs`, default 5 s; the rest goes out after the restart), then
   * stops the consumers and disconnects. Call before the database pool closes.
   * Without a `start()` before (tests), nothing is flushed.
   */
  close(flushTimeoutMs?: number): Promise<void>;
}

/**
 * Builds the broker chosen by `EVENT_BUS`, the outbox relay, the consumer
 * registry and the retention job. Nothing connects or runs until `start()`;
 * tests drive it by hand with `relay.flush()` and `scheduler.runOnce(...)`.
 */
export function createEventing(deps: EventingDeps): Eventing {
  const settings = settingsFrom(deps.config);
  const broker =
    deps.broker ??
    (settings.eventBus === 'kafka'
      ? new KafkaBroker({
          brokers: settings.kafkaBrokers,
          clientId: settings.kafkaClientId,
          groupPrefix: settings.kafkaGroupPrefix,
          maxWaitTimeMs: settings.kafkaFetchMaxWaitMs,
          sessionTimeoutMs: settings.kafkaSessionTimeoutMs,
          createTopics: settings.kafkaCreateTopics
            ? { partitions: settings.kafkaTopicPartitions, replicationFactor: settings.kafkaTopicReplication || undefined }
            : undefined,
          ...deps.kafka,
          log: deps.log,
        })
      : new LocalBroker());
  const relay = new OutboxRelay(deps.db, broker, deps.log, {
    batchSize: settings.outboxBatchSize,
    pollIntervalMs: settings.outboxPollMs,
    backoffBaseMs: settings.outboxBackoffBaseMs,
    backoffMaxMs: settings.outboxBackoffMaxMs,
    onDependencyError: deps.dependencies ? (err) => deps.dependencies!.report(err) : undefined,
  });
  const consumers = new ConsumerRegistry(deps.db, broker, deps.log);
  let wasDown = false;
  broker.onStatusChange((status) => {
    if (status === 'down') wasDown = true;
    else if (status === 'up' && wasDown) {
      wasDown = false;
      relay.retryNow().catch((err: unknown) => deps.log.debug({ err }, 'outbox retry after the broker came back failed'));
    }
  });
  deps.scheduler?.add(
    purgeJob(deps.db, { retentionSeconds: settings.eventRetentionSeconds, intervalMs: settings.eventPurgeIntervalMs }, deps.log),
  );

  let started = false;
  let closed = false;
  return {
    broker,
    relay,
    consumers,
    register: (consumer) => consumers.register(consumer),
    registerMetrics: (registry) => registerEventMetrics(registry, relay, consumers, broker),
    health() {
      const status = broker.status();
      return { status: status === 'up' && !relay.failing ? 'UP' : 'DEGRADED', broker: status };
    },
    async start() {
      if (started) return;
      started = true;
      relay.start();
      await broker.start();
    },
    async close(flushTimeoutMs = 5000) {
      if (closed) return;
      closed = true;
      // A process that never started relaying (tests, scripts) leaves its events to the running ones.
      if (started) {
        await relay.stop();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          relay.flush().catch((err: unknown) => deps.log.warn({ err }, 'final outbox flush failed; events go out after restart')),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, flushTimeoutMs))),
        ]);
        clearTimeout(timer);
      }
      await broker.close();
    },
  };
}

/** The event settings out of a bigger config; a field left `undefined` keeps `Config`'s default. */
function settingsFrom(config: EventingDeps['config']): EventingSettings {
  const defaults = loadConfig({});
  const settings: Record<string, unknown> = {};
  for (const key of EVENT_SETTINGS) settings[key] = config[key] !== undefined ? config[key] : defaults[key];
  return settings as EventingSettings;
}
