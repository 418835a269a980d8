import { context as otelContext, type Link, propagation, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyBaseLogger } from 'fastify';
import { type Consumer, type IHeaders, Kafka, type LogEntry, logLevel, Partitioners, type Producer } from 'kafkajs';
import { type Broker, type EventHandler, eventFromWire } from './broker';
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
   * How long a consumer's fetch waits for new messages (kafkajs default 5000).
   * A real broker answers as soon as a message arrives; librdkafka's mock waits
   * it out, so tests set it low.
   */
  maxWaitTimeMs?: number;
}

interface Subscription {
  group: string;
  topics: readonly Topic[];
  handler: EventHandler;
}

/**
 * Kafka through kafkajs. One message per event: topic = the event's
 * topic, key = the aggregate's number (so one order's events share a
 * partition and stay in order), value = the JSON payload, which already holds
 * `eventId` and `occurredAt`, headers = the event's headers (its trace
 * context). The producer waits for all in-sync replicas
 * (acks -1) and keeps one request in flight per broker, so a retry cannot
 * reorder a partition. It is deliberately not idempotent: the outbox relay
 * already retries until acknowledged and consumers de-duplicate by `eventId`,
 * and brokers that don't support the idempotent producer (librdkafka's mock
 * cluster used in tests) still work. Its own retries are short so that an outage
 * surfaces quickly and the relay's backoff takes over.
 */
export class KafkaBroker implements Broker {
  readonly kind = 'kafka';
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private producerReady: Promise<void> | undefined;
  private readonly subscriptions: Subscription[] = [];
  private readonly consumers: Consumer[] = [];
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
      logCreator: () => (entry) => logKafka(opts.log, entry),
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

  subscribe(group: string, topics: readonly Topic[], handler: EventHandler): void {
    if (this.started) throw new Error('subscribe before start(): kafkajs consumers are created at start');
    if (this.subscriptions.some((s) => s.group === group)) throw new Error(`consumer group ${group} is already subscribed`);
    this.subscriptions.push({ group, topics, handler });
  }

  async publish(messages: readonly EventMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.connectProducer();
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
      await otelContext.with(trace.setSpan(ROOT_CONTEXT, span), () =>
        this.producer.sendBatch({
          acks: -1,
          timeout: this.opts.requestTimeoutMs ?? 10_000,
          topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })),
        }),
      );
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  }

  /**
   * Connects the producer and starts every registered consumer group. Kafka
   * being unreachable doesn't fail the start (the shop keeps taking orders; the
   * outbox holds the events): the producer connects on the relay's next publish,
   * and a group that couldn't start is retried in the background until `close()`.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.connectProducer().catch((err: unknown) =>
      this.opts.log.warn({ err }, 'Kafka producer not connected yet; the outbox relay retries'),
    );
    // Groups join in parallel: each join waits out the group's initial rebalance delay.
    await Promise.all(this.subscriptions.map((sub) => this.startConsumer(sub, 1)));
  }

  /** One attempt to run a group; on failure (or a crash kafkajs won't restart) another after a backoff. */
  private async startConsumer(sub: Subscription, attempt: number): Promise<void> {
    if (!this.started) return;
    const consumer = this.kafka.consumer({
      groupId: `${this.opts.groupPrefix ?? 'shopping-service.'}${sub.group}`,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: this.opts.maxWaitTimeMs ?? 5000,
    });
    this.consumers.push(consumer);
    let retried = false;
    const retry = (err: unknown) => {
      if (retried) return;
      retried = true;
      const i = this.consumers.indexOf(consumer);
      if (i >= 0) this.consumers.splice(i, 1);
      void consumer.disconnect().catch(() => undefined);
      if (!this.started) return;
      const delay = Math.min(30_000, 1000 * 2 ** Math.min(attempt - 1, 5));
      this.opts.log.warn({ err, group: sub.group, retryInMs: delay }, 'Kafka consumer group not running; retrying');
      setTimeout(() => void this.startConsumer(sub, attempt + 1), delay).unref();
    };
    consumer.on(consumer.events.CRASH, (e) => {
      if (!e.payload.restart) retry(e.payload.error);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...sub.topics], fromBeginning: this.opts.fromBeginning ?? true });
      await consumer.run({
        // A throw leaves the offset uncommitted: kafkajs retries, then restarts the consumer from it.
        eachMessage: async ({ topic, partition, message }) => {
          if (!message.value) return;
          let event: EventMessage;
          try {
            event = eventFromWire(topic, message.key?.toString() ?? '', message.value.toString(), textHeaders(message.headers));
          } catch (err) {
            // Not one of ours (we always write eventId/occurredAt): skip rather than block the partition.
            this.opts.log.error({ err, topic, partition, offset: message.offset }, 'undecodable event skipped');
            return;
          }
          await sub.handler([event]);
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
  }

  private connectProducer(): Promise<void> {
    this.producerReady ??= this.producer.connect().catch((err: unknown) => {
      this.producerReady = undefined; // try again on the next publish
      throw err;
    });
    return this.producerReady;
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

/** kafkajs' log lines into the service's pino logger. */
function logKafka(log: FastifyBaseLogger, entry: LogEntry): void {
  const { message, ...extra } = entry.log;
  const fields = { kafka: { namespace: entry.namespace, ...extra } };
  if (entry.level === logLevel.ERROR) log.error(fields, message);
  else if (entry.level === logLevel.WARN) log.warn(fields, message);
  else if (entry.level === logLevel.INFO) log.info(fields, message);
  else log.debug(fields, message);
}
