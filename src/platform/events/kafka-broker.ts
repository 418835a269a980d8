import { context as otelContext, type Link, propagation, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyBaseLogger } from 'fastify';
import { type Admin, type Consumer, type IHeaders, Kafka, type LogEntry, logLevel, Partitioners, type Producer } from 'kafkajs';
import { BatchPublishError, type Broker, type BrokerStatus, type EventHandler, eventFromWire } from './broker';
import { ensureTopics, type TopicReport, type TopicSettings } from './kafka-topics';
import type { EventMessage, Topic } from './outbox';

export interface KafkaBrokerOptions {
  /** `host:port` bootstrap servers (`KAFKA_BROKERS`). */
  brokers: string[];
  log: FastifyBaseLogger;
  clientId?: string;
  /** Prepended to every consumer group: `shopping-service.notification`. */
  groupPrefix?: string;
  /**
   * Where a brand-new consumer group starts. `true` (default): at the oldest
   * retained message, so events published before a consumer first joined are
   * not skipped; consumers de-duplicate whatever they had already seen.
   */
  fromBeginning?: boolean;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /**
   * How long a consumer's fetch waits for new messages (`KAFKA_FETCH_MAX_WAIT_MS`,
   * default 100). A real broker answers as soon as a message arrives;
   * librdkafka's mock cluster waits it out, so it bounds the latency there.
   */
  maxWaitTimeMs?: number;
  /**
   * A consumer silent this long leaves its group (`KAFKA_SESSION_TIMEOUT_MS`,
   * default 6000, the least a broker accepts by default). A member that went
   * away (a killed instance, or every member across a broker outage) holds up
   * the group's next rebalance until then, hence short. Heartbeats go every
   * tenth of it.
   */
  sessionTimeoutMs?: number;
  /** Creates missing topics at `start()` (`KAFKA_CREATE_TOPICS`); leave out to not touch topics. */
  createTopics?: TopicSettings;
}

interface Subscription {
  group: string;
  topics: readonly Topic[];
  handler: EventHandler;
}

/** Committed offset vs. end of log of one partition, for `kafka_consumer_lag_messages`. */
export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  lag: number;
}

/** kafkajs error names that mean "the broker can't be reached", not "the broker refused this". */
const UNREACHABLE = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSTimeout',
]);

function unreachable(err: unknown): boolean {
  for (let e = err as { name?: string; cause?: unknown; originalError?: unknown } | undefined; e; ) {
    if (e.name && UNREACHABLE.has(e.name)) return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
}

/**
 * Kafka through kafkajs (why kafkajs, and the risk: docs/architecture.md,
 * "Running with Kafka"). One message per event: topic = the event's topic, key =
 * the aggregate's number (so one order's events share a partition and stay in
 * order), value = the JSON payload, which already holds `eventId` and
 * `occurredAt`, headers = the event's headers (its trace context). The producer waits for all in-sync replicas (acks -1) and keeps
 * one request in flight per broker, so a retry cannot reorder a partition. It
 * is deliberately not idempotent: the outbox relay already retries until
 * acknowledged and consumers de-duplicate by `eventId`, and kafkajs' idempotent
 * producer does not work against librdkafka's mock cluster used in tests. Its
 * own retries are short so that an outage surfaces quickly and the relay's
 * backoff takes over.
 *
 * Consumers take a partition's fetched messages as one batch (one transaction
 * in the consumer runner) and commit after it, so a backlog drains in large
 * steps. The broker's reachability is tracked from every producer and consumer
 * outcome and logged once per change; kafkajs' own per-retry lines go to debug
 * meanwhile.
 */
export class KafkaBroker implements Broker {
  readonly kind = 'kafka';
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private producerReady: Promise<void> | undefined;
  private admin: Admin | undefined;
  private adminReady: Promise<void> | undefined;
  private readonly subscriptions: Subscription[] = [];
  private readonly consumers: Consumer[] = [];
  private readonly listeners: ((status: BrokerStatus) => void)[] = [];
  private state: BrokerStatus = 'unknown';
  private downSince = 0;
  private started = false;

  constructor(private readonly opts: KafkaBrokerOptions) {
    if (opts.brokers.length === 0) throw new Error('KAFKA_BROKERS must list at least one broker when EVENT_BUS=kafka');
    this.kafka = new Kafka({
      clientId: opts.clientId ?? 'shopping-service',
      brokers: opts.brokers,
      connectionTimeout: opts.connectionTimeoutMs ?? 3000,
      requestTimeout: opts.requestTimeoutMs ?? 10_000,
      // Connection attempts give up after ~1.5 s (kafkajs' default is ~10 s): the relay's backoff and the
      // consumers' restarts do the long-term retrying.
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => this.logKafka(entry),
    });
    this.producer = this.kafka.producer({
      idempotent: false,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // murmur2 like the Java client, so a key lands on the same partition as a Java producer puts it.
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    });
  }

  status(): BrokerStatus {
    return this.state;
  }

  onStatusChange(listener: (status: BrokerStatus) => void): void {
    this.listeners.push(listener);
  }

  subscribe(group: string, topics: readonly Topic[], handler: EventHandler): void {
    if (this.started) throw new Error('subscribe before start(): kafkajs consumers are created at start');
    if (this.subscriptions.some((s) => s.group === group)) throw new Error(`consumer group ${group} is already subscribed`);
    this.subscriptions.push({ group, topics, handler });
  }

  async publish(messages: readonly EventMessage[]): Promise<void> {
    if (messages.length === 0) return;
    // One batch request, topics in first-seen order, each topic's messages in id order.
    const byTopic = new Map<string, { key: string; value: string; headers?: Record<string, string> }[]>();
    for (const m of messages) {
      let list = byTopic.get(m.topic);
      if (!list) byTopic.set(m.topic, (list = []));
      // A copy: the Kafka instrumentation, when tracing is on, writes its send span's context into them.
      list.push({ key: m.key, value: JSON.stringify(m.payload), ...(m.headers ? { headers: { ...m.headers } } : {}) });
    }
    // With tracing on, the instrumentation's send spans replace each message's traceparent: they hang
    // under one span that links to the traces the events were written in, so those stay reachable.
    const links: Link[] = [];
    for (const m of messages) {
      const origin = m.headers && trace.getSpanContext(propagation.extract(ROOT_CONTEXT, m.headers));
      if (origin) links.push({ context: origin });
    }
    const span = trace.getTracer('shopping-service').startSpan('outbox publish', { links, attributes: { 'messaging.batch.message_count': messages.length } }, ROOT_CONTEXT);
    try {
      await this.connectProducer();
      await otelContext.with(trace.setSpan(ROOT_CONTEXT, span), () =>
        this.producer.sendBatch({
          acks: -1,
          timeout: this.opts.requestTimeoutMs ?? 10_000,
          topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })),
        }),
      );
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      if (unreachable(err)) this.setStatus('down', err);
      throw err;
    } finally {
      span.end();
    }
    this.setStatus('up');
  }

  /**
   * Creates missing topics when configured, connects the producer and starts
   * every registered consumer group. Kafka being unreachable doesn't fail the
   * start (the shop keeps taking orders; the outbox holds the events): the
   * producer connects on the relay's next publish, and a group that couldn't
   * start is retried in the background until `close()`.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.opts.createTopics) {
      await this.ensureTopics(this.opts.createTopics).catch((err: unknown) => {
        if (unreachable(err)) this.setStatus('down', err);
        else this.opts.log.error({ err }, 'Kafka topics could not be checked or created');
      });
    }
    await this.connectProducer().then(
      () => this.setStatus('up'),
      (err: unknown) => this.setStatus('down', err),
    );
    // Groups join in parallel: each join waits out the group's initial rebalance delay.
    await Promise.all(this.subscriptions.map((sub) => this.startConsumer(sub, 1)));
  }

  /** `ensureTopics` through this broker's admin connection, logging what it created or could not. */
  async ensureTopics(settings: TopicSettings): Promise<TopicReport[]> {
    const report = await ensureTopics(await this.connectAdmin(), settings);
    const created = report.filter((r) => r.outcome === 'created').map((r) => r.topic);
    const failed = report.filter((r) => r.outcome === 'failed');
    if (created.length > 0) this.opts.log.info({ topics: created, partitions: settings.partitions }, 'Kafka topics created');
    if (failed.length > 0) this.opts.log.error({ topics: failed }, 'Kafka topics missing and not created');
    return report;
  }

  /**
   * Every subscribed group's lag per partition: the end of the log minus the
   * group's committed offset (a group with no commit yet counts from the log's
   * start). Read from the broker when called (`/metrics` scrapes); rejects when
   * the broker can't be reached.
   */
  async consumerLag(): Promise<PartitionLag[]> {
    const admin = await this.connectAdmin();
    const topics = [...new Set(this.subscriptions.flatMap((s) => s.topics))];
    const ends = new Map<string, { high: number; low: number }>();
    await Promise.all(
      topics.map(async (topic) => {
        for (const p of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}:${p.partition}`, { high: Number(p.high), low: Number(p.low) });
      }),
    );
    const lags: PartitionLag[] = [];
    await Promise.all(
      this.subscriptions.map(async (sub) => {
        const groupId = this.groupId(sub.group);
        for (const t of await admin.fetchOffsets({ groupId, topics: [...sub.topics] })) {
          for (const p of t.partitions) {
            const end = ends.get(`${t.topic}:${p.partition}`);
            if (!end) continue;
            const committed = Number(p.offset);
            const from = committed >= 0 ? committed : end.low;
            lags.push({ group: sub.group, topic: t.topic, partition: p.partition, lag: Math.max(0, end.high - from) });
          }
        }
      }),
    );
    return lags;
  }

  private groupId(group: string): string {
    return `${this.opts.groupPrefix ?? 'shopping-service.'}${group}`;
  }

  /** One attempt to run a group; on failure (or a crash kafkajs won't restart) another after a backoff. */
  private async startConsumer(sub: Subscription, attempt: number): Promise<void> {
    if (!this.started) return;
    const sessionTimeout = this.opts.sessionTimeoutMs ?? 6000;
    const consumer = this.kafka.consumer({
      groupId: this.groupId(sub.group),
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: this.opts.maxWaitTimeMs ?? 100,
      sessionTimeout,
      // A rebalance waits this long for members to rejoin; a member that answers rejoins in a heartbeat.
      rebalanceTimeout: sessionTimeout * 2,
      heartbeatInterval: Math.max(100, Math.floor(sessionTimeout / 10)),
      // Restarts after a crash are ours (below), paced for the broker coming back within seconds.
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
    });
    this.consumers.push(consumer);
    let retried = false;
    let joined = false;
    const retry = (err: unknown) => {
      if (retried) return;
      retried = true;
      const i = this.consumers.indexOf(consumer);
      if (i >= 0) this.consumers.splice(i, 1);
      void consumer.disconnect().catch(() => undefined);
      if (!this.started) return;
      if (unreachable(err)) this.setStatus('down', err);
      // A group that ran before starts over at the first delay: the broker is likely back soon.
      const next = joined ? 1 : attempt + 1;
      const delay = Math.min(5000, 500 * 2 ** Math.min(next - 1, 4));
      const fields = { err, group: sub.group, retryInMs: delay };
      if (this.state === 'down') this.opts.log.debug(fields, 'Kafka consumer group not running; retrying');
      else this.opts.log.warn(fields, 'Kafka consumer group not running; retrying');
      setTimeout(() => void this.startConsumer(sub, next), delay).unref();
    };
    consumer.on(consumer.events.CRASH, (e) => {
      if (!e.payload.restart) retry(e.payload.error);
      else if (unreachable(e.payload.error)) this.setStatus('down', e.payload.error);
    });
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      joined = true;
      this.setStatus('up');
      this.opts.log.debug({ group: sub.group, memberId: e.payload.memberId, assignment: e.payload.memberAssignment, durationMs: e.payload.duration }, 'Kafka consumer group joined');
    });
    consumer.on(consumer.events.CRASH, (e) => this.opts.log.debug({ group: sub.group, err: e.payload.error, restart: e.payload.restart }, 'Kafka consumer crashed'));
    // Signs of a coordinator that answers (a fetch event alone is not: kafkajs emits it for fetches that failed too).
    consumer.on(consumer.events.HEARTBEAT, () => this.setStatus('up'));
    consumer.on(consumer.events.COMMIT_OFFSETS, () => this.setStatus('up'));
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...sub.topics], fromBeginning: this.opts.fromBeginning ?? true });
      await consumer.run({
        // Partitions are independent (one key, one partition): their batches commit in parallel transactions,
        // which is what drains a backlog when each batch is small.
        partitionsConsumedConcurrently: 3,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          if (!isRunning() || isStale() || batch.messages.length === 0) return;
          const events: { event: EventMessage; offset: string }[] = [];
          for (const message of batch.messages) {
            if (!message.value) continue;
            try {
              events.push({ event: eventFromWire(batch.topic, message.key?.toString() ?? '', message.value.toString(), textHeaders(message.headers)), offset: message.offset });
            } catch (err) {
              // Not one of ours (we always write eventId/occurredAt): skip rather than block the partition.
              this.opts.log.error({ err, topic: batch.topic, partition: batch.partition, offset: message.offset }, 'undecodable event skipped');
            }
          }
          try {
            if (events.length > 0) await sub.handler(events.map((e) => e.event));
          } catch (err) {
            // Commit what was handled up to the first event that wasn't; the rest comes again after the restart.
            if (err instanceof BatchPublishError) {
              for (const e of events) {
                if (!err.acknowledged.has(e.event.eventId)) break;
                resolveOffset(e.offset);
              }
            }
            throw err;
          }
          resolveOffset(batch.lastOffset());
          await heartbeat();
        },
      });
    } catch (err) {
      retry(err);
    }
  }

  async close(): Promise<void> {
    this.started = false;
    const consumers = this.consumers.splice(0);
    await Promise.allSettled(consumers.map((c) => c.disconnect()));
    if (this.producerReady) {
      this.producerReady = undefined;
      await this.producer.disconnect().catch(() => undefined);
    }
    if (this.adminReady) {
      this.adminReady = undefined;
      await this.admin?.disconnect().catch(() => undefined);
    }
  }

  private connectProducer(): Promise<void> {
    this.producerReady ??= this.producer.connect().catch((err: unknown) => {
      this.producerReady = undefined; // try again on the next publish
      throw err;
    });
    return this.producerReady;
  }

  private async connectAdmin(): Promise<Admin> {
    this.admin ??= this.kafka.admin({ retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1000 } });
    const admin = this.admin;
    this.adminReady ??= admin.connect().catch((err: unknown) => {
      this.adminReady = undefined;
      throw err;
    });
    await this.adminReady;
    return admin;
  }

  /** One log line per change of reachability, not one per retry. */
  private setStatus(next: 'up' | 'down', err?: unknown): void {
    if (next === this.state) return;
    const before = this.state;
    this.state = next;
    if (next === 'down') {
      this.downSince = Date.now();
      this.opts.log.warn({ err, brokers: this.opts.brokers }, 'Kafka unreachable; events wait in the outbox until it is back');
    } else if (before === 'down') {
      this.opts.log.warn({ brokers: this.opts.brokers, downForMs: Date.now() - this.downSince }, 'Kafka reachable again');
    }
    for (const listener of this.listeners) listener(next);
  }

  /** kafkajs' log lines into the service's logger; while the broker is down (logged once) they are debug. */
  private logKafka(entry: LogEntry): void {
    const { message, ...extra } = entry.log;
    const fields = { kafka: { namespace: entry.namespace, ...extra } };
    const log = this.opts.log;
    const quiet = this.state !== 'up' || /connect|timeout|ECONNREFUSED|ECONNRESET|crash|restart|not available|leader/i.test(`${message} ${String(extra.error ?? '')}`);
    if (entry.level === logLevel.ERROR && !quiet) log.error(fields, message);
    else if (entry.level === logLevel.WARN && !quiet) log.warn(fields, message);
    else if (entry.level === logLevel.INFO) log.info(fields, message);
    else log.debug(fields, message);
  }
}

/** A Kafka message's headers that are text (kafkajs hands over Buffers, or arrays for repeated ones). */
function textHeaders(headers: IHeaders | undefined): Record<string, string> | undefined {
  if (!headers) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}
