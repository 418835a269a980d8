import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../db/index';
import type { Job } from '../scheduler';

export interface RetentionOptions {
  /**
   * How long sent outbox rows and processed-event ids are kept (`EVENT_RETENTION_S`,
   * default 7 days). Keep it at least as long as the broker may redeliver an event
   * (the Kafka topics' retention when a consumer group can be reset), or a very
   * late duplicate would no longer be recognised.
   */
  retentionSeconds?: number;
  /** How often the purge runs (`EVENT_PURGE_INTERVAL_MS`, default 1 hour). */
  intervalMs?: number;
  /** Rows deleted per statement, so no purge holds locks or grows the undo log for long (default 5000). */
  chunkSize?: number;
}

export interface PurgeResult {
  outboxEvents: number;
  processedEvents: number;
  idempotencyKeys: number;
}

export const PURGE_JOB = 'events.purge';

/**
 * Deletes what only exists to make retries safe once no retry can come any
 * more: sent outbox rows and processed-event ids past the retention, and
 * idempotency keys past their own `expires_at`. Unsent outbox rows are never
 * deleted, however old. Deletes in chunks (`DELETE … LIMIT n`) by the indexed
 * columns, between which the job checks its lock is still held.
 */
export async function purgeExpired(db: Db, opts: RetentionOptions = {}, signal?: AbortSignal): Promise<PurgeResult> {
  const retention = opts.retentionSeconds ?? 7 * 24 * 3600;
  const chunk = opts.chunkSize ?? 5000;
  const cutoff = sql<Date>`NOW(3) - INTERVAL ${retention} SECOND`;
  const inChunks = async (del: () => Promise<{ numDeletedRows: bigint }>) => {
    let total = 0;
    for (;;) {
      if (signal?.aborted) break;
      const n = Number((await del()).numDeletedRows);
      total += n;
      if (n < chunk) break;
    }
    return total;
  };
  const outboxEvents = await inChunks(() =>
    db.deleteFrom('outbox_events').where('sent_at', 'is not', null).where('sent_at', '<', cutoff).limit(chunk).executeTakeFirst(),
  );
  const processedEvents = await inChunks(() =>
    db.deleteFrom('processed_events').where('processed_at', '<', cutoff).limit(chunk).executeTakeFirst(),
  );
  const idempotencyKeys = await inChunks(() =>
    db.deleteFrom('idempotency_keys').where('expires_at', '<', sql<Date>`NOW(3)`).limit(chunk).executeTakeFirst(),
  );
  return { outboxEvents, processedEvents, idempotencyKeys };
}

/** The purge as a scheduler job: one instance at a time, under the job's lock. */
export function purgeJob(db: Db, opts: RetentionOptions = {}, log?: FastifyBaseLogger): Job {
  return {
    name: PURGE_JOB,
    intervalMs: opts.intervalMs ?? 3600_000,
    // The lock is refreshed while the purge runs; a crashed holder blocks the next run for a minute, not an hour.
    leaseMs: 60_000,
    run: async (signal) => {
      const purged = await purgeExpired(db, opts, signal);
      if (purged.outboxEvents + purged.processedEvents + purged.idempotencyKeys > 0) log?.info({ purged }, 'expired event rows purged');
    },
  };
}
