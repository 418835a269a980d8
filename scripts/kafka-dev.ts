/**
 * `npm run kafka:dev` starts a Kafka broker for development on this machine:
 * librdkafka's mock cluster (needs librdkafka-dev and a C compiler, as the Kafka
 * tests do), with the service's ten topics, 3 partitions each. It prints
 * `KAFKA_BROKERS=<host:port,…>` and serves until SIGTERM or Ctrl-C.
 *
 * It keeps everything in memory: nothing is written to disk, and stopping it
 * loses every event and committed offset (the outbox still has what was sent).
 *
 * KAFKA_DEV_BROKERS: brokers in the cluster (default 1; 3 to try replication).
 */
import { KafkaMockCluster } from '../test/kafka/mock-cluster';

async function main(): Promise<void> {
  const brokers = Number(process.env.KAFKA_DEV_BROKERS ?? '1');
  if (!Number.isInteger(brokers) || brokers < 1 || brokers > 9) {
    console.error(`kafka:dev: KAFKA_DEV_BROKERS must be 1…9, got "${process.env.KAFKA_DEV_BROKERS}"`);
    process.exit(2);
  }
  const cluster = await KafkaMockCluster.start({ brokers });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`kafka:dev: ${signal}, stopping (its events are gone)`);
    void cluster.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  console.log(`KAFKA_BROKERS=${cluster.brokers.join(',')}`);
  console.error(
    `kafka:dev: ${brokers} in-memory broker(s) with the service's 10 topics (3 partitions each); nothing is kept on disk.\n` +
      `kafka:dev: run the service with EVENT_BUS=kafka KAFKA_BROKERS=${cluster.brokers.join(',')} npm start; Ctrl-C here stops the broker.`,
  );
  await cluster.exited();
  if (!stopping) {
    console.error('kafka:dev: the broker exited on its own');
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(`kafka:dev: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
