import type { Admin } from 'kafkajs';
import { Topics } from './outbox';

export interface TopicSettings {
  /** Partitions of a topic this creates (`KAFKA_TOPIC_PARTITIONS`, default 3, what the original used). */
  partitions: number;
  /** Replicas of each partition (`KAFKA_TOPIC_REPLICATION`); default: as many brokers as there are, at most 3. */
  replicationFactor?: number;
}

/** What `ensureTopics` found or did, one entry per topic of the service. */
export interface TopicReport {
  topic: string;
  /** `created` now, `exists` already (with its partition count), or `failed` (with why). */
  outcome: 'created' | 'exists' | 'failed';
  partitions?: number;
  error?: string;
}

/** Every topic the service publishes to: the shop's nine plus the catalog's change feed. */
export const ALL_TOPICS: readonly string[] = Object.values(Topics);

/**
 * Creates whichever of the service's ten topics the cluster lacks, with
 * `partitions` partitions each, and reports every topic. Topics that exist are
 * left alone (their partition count is reported, never changed: adding
 * partitions would move keys and break per-key order). Safe to run on every
 * start and from several instances at once: a topic another instance created in
 * the meantime counts as existing.
 */
export async function ensureTopics(admin: Admin, settings: TopicSettings): Promise<TopicReport[]> {
  const existing = await describe(admin);
  const missing = ALL_TOPICS.filter((t) => !existing.has(t));
  const failures = new Map<string, string>();
  if (missing.length > 0) {
    const { brokers } = await admin.describeCluster();
    const replicationFactor = settings.replicationFactor ?? Math.min(3, brokers.length);
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: settings.partitions, replicationFactor })),
      });
    } catch (err) {
      // One error for the whole request (or per topic in `errors`): recheck below which did get made.
      const e = err as { message?: string; errors?: { topic?: string; message?: string }[] };
      for (const t of missing) failures.set(t, e.message ?? String(err));
      for (const te of e.errors ?? []) if (te.topic) failures.set(te.topic, te.message ?? String(err));
    }
  }
  const after = missing.length > 0 ? await describe(admin) : existing;
  return ALL_TOPICS.map((topic): TopicReport => {
    const partitions = after.get(topic);
    if (partitions === undefined) return { topic, outcome: 'failed', error: failures.get(topic) ?? 'not created' };
    return { topic, outcome: existing.has(topic) ? 'exists' : 'created', partitions };
  });
}

/** The service's topics the cluster has, with their partition counts. */
async function describe(admin: Admin): Promise<Map<string, number>> {
  // listTopics first: fetchTopicMetadata on a missing topic could auto-create it with the broker's defaults.
  const names = new Set(await admin.listTopics());
  const present = ALL_TOPICS.filter((t) => names.has(t));
  const found = new Map<string, number>();
  if (present.length === 0) return found;
  const { topics } = await admin.fetchTopicMetadata({ topics: [...present] });
  for (const t of topics) found.set(t.name, t.partitions.length);
  return found;
}
