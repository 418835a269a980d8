import type { FastifyBaseLogger } from 'fastify';
import { type Consumer, Kafka, type LogEntry, logLevel, Partitioners, type Producer } from 'kafkajs';
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
}

interface Subscription {
  group: string;
  topics: readonly Topic[];
  handler: EventHandler;
}

/**
 * The seed's Kafka through kafkajs. One message per event: topic = the event's
 * topic, key = the aggregate's number (so one order's events share a
 * partition and stay in order), value = the JSON payload, which already holds
 * `eventId` and `occurredAt`. The producer waits for all in-sync replicas
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
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => logKafka(opts.log, entry),
    });
    this.producer = this.kafka.producer({
      idempotent: false,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // murmur2 like the Java client, so a key lands on the same partition as the seed's producer put it.
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
    const byTopic = new Map<string, { key: string; value: string }[]>();
    for (const m of messages) {
      let list = byTopic.get(m.topic);
      if (!list) byTopic.set(m.topic, (list = []));
      list.push({ key: m.key, value: JSON.stringify(m.payload) });
    }
    await this.producer.sendBatch({
      acks: -1,
      timeout: this.opts.requestTimeoutMs ?? 10_000,
      topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })),
    });
  }

  /** Connects the producer and starts every registered consumer group. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.connectProducer();
    for (const sub of this.subscriptions) {
      const consumer = this.kafka.consumer({
        groupId: `${this.opts.groupPrefix ?? 'shopping-service.'}${sub.group}`,
        allowAutoTopicCreation: false,
      });
      this.consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topics: [...sub.topics], fromBeginning: this.opts.fromBeginning ?? true });
      await consumer.run({
        // A throw leaves the offset uncommitted: kafkajs retries, then restarts the consumer from it.
        eachMessage: async ({ topic, partition, message }) => {
          if (!message.value) return;
          let event: EventMessage;
          try {
            event = eventFromWire(topic, message.key?.toString() ?? '', message.value.toString());
          } catch (err) {
            // Not one of ours (we always write eventId/occurredAt): skip rather than block the partition.
            this.opts.log.error({ err, topic, partition, offset: message.offset }, 'undecodable event skipped');
            return;
          }
          await sub.handler(event);
        },
      });
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

/** kafkajs' log lines into the service's pino logger. */
function logKafka(log: FastifyBaseLogger, entry: LogEntry): void {
  const { message, ...extra } = entry.log;
  const fields = { kafka: { namespace: entry.namespace, ...extra } };
  if (entry.level === logLevel.ERROR) log.error(fields, message);
  else if (entry.level === logLevel.WARN) log.warn(fields, message);
  else if (entry.level === logLevel.INFO) log.info(fields, message);
  else log.debug(fields, message);
}
