/**
 * `npm run kafka:topics` creates the service's ten topics on the Kafka cluster
 * at KAFKA_BROKERS, those it lacks, with KAFKA_TOPIC_PARTITIONS partitions
 * (default 3) and KAFKA_TOPIC_REPLICATION replicas (default: one per broker, at
 * most 3), then lists every topic with its partitions. Topics that exist are
 * left as they are. Exits 1 when a topic is still missing. The service does the
 * same at start-up with KAFKA_CREATE_TOPICS=true.
 */
import { pino } from 'pino';
import { loadConfig } from '../src/config';
import { KafkaBroker } from '../src/platform/events/kafka-broker';

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.kafkaBrokers.length === 0) {
    console.error('kafka:topics: set KAFKA_BROKERS (host:port, comma-separated); `npm run kafka:dev` prints one');
    process.exit(2);
  }
  const broker = new KafkaBroker({
    brokers: config.kafkaBrokers,
    clientId: config.kafkaClientId,
    log: pino({ level: process.env.LOG_LEVEL ?? 'silent' }), // this command prints its own report
    connectionTimeoutMs: 3000,
  });
  try {
    const report = await broker.ensureTopics({
      partitions: config.kafkaTopicPartitions,
      replicationFactor: config.kafkaTopicReplication || undefined,
    });
    for (const r of report) {
      const what = r.outcome === 'failed' ? `FAILED: ${r.error}` : `${r.outcome}, ${r.partitions} partition${r.partitions === 1 ? '' : 's'}`;
      console.log(`${r.topic.padEnd(30)} ${what}`);
    }
    const failed = report.filter((r) => r.outcome === 'failed').length;
    if (failed > 0) {
      console.error(`kafka:topics: ${failed} of ${report.length} topics missing`);
      process.exitCode = 1;
    }
  } finally {
    await broker.close();
  }
}

main().catch((err) => {
  console.error(`kafka:topics: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
