import type { FastifyBaseLogger } from 'fastify';
import { type Selectable, sql } from 'kysely';
import type { Db } from '../db/index';
import type { Tx } from '../db/tx';
import type { OutboxEventsTable } from '../db/types';
import { BatchPublishError, type Broker } from './broker';
import { type EventMessage, onEventsCommitted, type Topic } from './outbox';

export interface RelayOptions {
  /** Rows claimed per pass (`OUTBOX_BATCH_SIZE`, default 200). */
  batchSize?: number;
  /** How often the loop looks for due rows without a nudge (`OUTBOX_POLL_MS`, default 1000). */
  pollIntervalMs?: number;
  /** First retry delay after a failed publish; doubles per attempt (`OUTBOX_BACKOFF_BASE_MS`, default 500). */
  backoffBaseMs?: number;
  /** Cap of that delay (`OUTBOX_BACKOFF_MAX_MS`, default 60000). */
  backoffMaxMs?: number;
  /** A publish not acknowledged within this counts as failed (default 30000). */
  publishTimeoutMs?: number;
  /** Told of a failed pass; true when the error says a dependency is down (then it is not logged as an error). */
  onDependencyError?: (err: unknown) => boolean;
}

/** What one pass did, for tests and logs. */
export interface PassResult {
  claimed: number;
  published: number;
  failed: number;
  /** Rows held back because an earlier event of their key is still unsent. */
  waiting: number;
}

/** The outbox's lag, as exported on `/metrics`. */
export interface OutboxLag {
  pending: number;
  /** Unsent rows that already failed at least once. */
  retrying: number;
  /** Age of the oldest unsent event, 0 when there is none. */
  oldestAgeSeconds: number;
}

type Row = Pick<Selectable<OutboxEventsTable>, 'id' | 'event_id' | 'topic' | 'event_key' | 'payload' | 'headers' | 'occurred_at' | 'attempts'>;

const EMPTY: PassResult = { claimed: 0, published: 0, failed: 0, waiting: 0 };

/**
 * Publishes the outbox (an event leaves only after its transaction committed): claims due unsent rows in id order with
 * `FOR UPDATE SKIP LOCKED`, so any number of instances share the work without
 * publishing a row twice at once; publishes them; marks them sent only after
 * the broker acknowledged, in the same transaction that holds the claim. A
 * crash before that commit leaves the rows unsent and they go out again:
 * at-least-once, which idempotent consumers absorb.
 *
 * A failed publish records `attempts`, `last_error` and an exponential backoff
 * in `next_attempt_at` (capped) and the relay carries on. Events of one key
 * (one order, one payment) leave in id order: a row whose key has an earlier
 * unsent row not in this batch (backing off, or being published by another
 * instance) waits; behind a backing-off row it is postponed to that row's next
 * attempt, so it doesn't clog the head of every batch.
 *
 * The claim runs in READ COMMITTED: row locks only, no gap locks, so business
 * transactions inserting new events never wait for a publish in progress. All
 * times are the database's clock (`NOW(3)`), shared by every instance.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly publishTimeoutMs: number;
  private readonly onDependencyError?: (err: unknown) => boolean;
  /** Passes of this instance run one at a time (the loop, `flush()`, shutdown). */
  private chain: Promise<unknown> = Promise.resolve();
  private loop: Promise<void> | undefined;
  private stopping = false;
  private nudged = false;
  private wake: (() => void) | undefined;
  /** The last pass failed: nudges don't cut the wait short (don't hammer a broker that is down). */
  private afterFailure = false;
  private unsubscribe: (() => void) | undefined;
  /** Since start: events acknowledged and marked sent / publishes that failed (rows). */
  readonly totals = { published: 0, failed: 0 };

  constructor(
    private readonly db: Db,
    private readonly broker: Broker,
    private readonly log: FastifyBaseLogger,
    opts: RelayOptions = {},
  ) {
    this.batchSize = opts.batchSize ?? 200;
    this.pollIntervalMs = opts.pollIntervalMs ?? 1000;
    this.backoffBaseMs = opts.backoffBaseMs ?? 500;
    this.backoffMaxMs = opts.backoffMaxMs ?? 60_000;
    this.publishTimeoutMs = opts.publishTimeoutMs ?? 30_000;
    this.onDependencyError = opts.onDependencyError;
  }

  /** The delay before retry number `attempts` (1 = the first retry). */
  backoffMs(attempts: number): number {
    return Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
  }

  /**
   * Publishes everything due now, batch after batch, and returns how many events
   * went out. Stops at the first failed publish (the broker is likely down: the
   * rows now back off) and when a pass makes no progress.
   */
  async flush(): Promise<number> {
    let published = 0;
    for (;;) {
      const pass = await this.runPass();
      published += pass.published;
      if (pass.failed > 0 || pass.claimed < this.batchSize) break;
      if (pass.published === 0 && pass.waiting === pass.claimed) break;
    }
    return published;
  }

  /** One claim–publish–mark pass (serialised with the other passes of this instance). */
  runPass(): Promise<PassResult> {
    const run = this.chain.then(() => this.pass());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Starts the background loop: a pass on every nudge (commit) and every poll interval. */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.unsubscribe = onEventsCommitted(() => this.notify());
    this.loop = this.run();
  }

  /** Wakes the loop now: something was just committed to the outbox. */
  notify(): void {
    this.nudged = true;
    if (!this.afterFailure) this.wake?.();
  }

  /** Stops the loop after its current pass; `flush()` still works afterwards. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  /** Unsent rows and the age of the oldest, for `/metrics`. */
  async lag(): Promise<OutboxLag> {
    const row = await this.db
      .selectFrom('outbox_events')
      .select([
        sql<number>`COUNT(*)`.as('pending'),
        sql<number | null>`SUM(attempts > 0)`.as('retrying'),
        sql<number | null>`TIMESTAMPDIFF(MICROSECOND, MIN(occurred_at), NOW(3))`.as('age'),
      ])
      .where('sent_at', 'is', null)
      .executeTakeFirstOrThrow();
    return {
      pending: Number(row.pending),
      retrying: Number(row.retrying ?? 0),
      oldestAgeSeconds: Math.max(0, Number(row.age ?? 0) / 1e6),
    };
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      this.nudged = false;
      const failuresBefore = this.totals.failed;
      let failed = false;
      try {
        await this.flush();
        failed = this.totals.failed > failuresBefore;
      } catch (err) {
        failed = true; // the database, most likely: the claim's transaction rolled back, nothing changed
        // A database that is down is logged once, where the outage is noticed, not on every pass.
        if (this.onDependencyError?.(err)) this.log.debug({ err }, 'outbox relay pass failed: a dependency is down');
        else this.log.error({ err }, 'outbox relay pass failed');
      }
      if (this.stopping) break;
      // Commits that arrived during the pass go out right away, unless the broker
      // (or the database) just failed: then wait a poll interval whatever is committed.
      this.afterFailure = failed;
      if (this.nudged && !this.afterFailure) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollIntervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private async pass(): Promise<PassResult> {
    let error: unknown;
    const result = await this.db
      .transaction()
      .setIsolationLevel('read committed')
      .execute(async (trx): Promise<PassResult> => {
        const rows: Row[] = await trx
          .selectFrom('outbox_events')
          .select(['id', 'event_id', 'topic', 'event_key', 'payload', 'headers', 'occurred_at', 'attempts'])
          .where('sent_at', 'is', null)
          .where('next_attempt_at', '<=', sql<Date>`NOW(3)`)
          .orderBy('id')
          .limit(this.batchSize)
          .forUpdate()
          .skipLocked()
          .execute();
        if (rows.length === 0) return EMPTY;

        const { ready, waiting } = await this.holdBackOutOfOrder(trx, rows);
        // A row that isn't an event fails on its own; later rows of its key wait behind it.
        const toPublish: { row: Row; message: EventMessage }[] = [];
        const undecodable: Row[] = [];
        const badKeys = new Set<string>();
        for (const row of ready) {
          if (badKeys.has(row.event_key)) continue;
          try {
            toPublish.push({ row, message: toMessage(row) });
          } catch {
            undecodable.push(row);
            badKeys.add(row.event_key);
          }
        }

        const acknowledged = new Set<string>();
        if (toPublish.length > 0) {
          try {
            await this.publishWithTimeout(toPublish.map((p) => p.message));
            for (const p of toPublish) acknowledged.add(p.row.event_id);
          } catch (err) {
            error = err;
            if (err instanceof BatchPublishError) for (const id of err.acknowledged) acknowledged.add(id);
          }
        }
        const sent = toPublish.filter((p) => acknowledged.has(p.row.event_id)).map((p) => p.row);
        const failed = toPublish.filter((p) => !acknowledged.has(p.row.event_id)).map((p) => p.row);
        if (sent.length > 0) {
          await trx
            .updateTable('outbox_events')
            .set({ sent_at: sql<Date>`NOW(3)` })
            .where('id', 'in', sent.map((r) => r.id))
            .execute();
        }
        await this.recordFailures(trx, failed, error);
        await this.recordFailures(trx, undecodable, new Error('payload is not this event (bad JSON or another eventId)'));
        return {
          claimed: rows.length,
          published: sent.length,
          failed: failed.length + undecodable.length,
          waiting: waiting + (ready.length - toPublish.length - undecodable.length),
        };
      });
    this.totals.published += result.published;
    this.totals.failed += result.failed;
    if (result.failed > 0) {
      this.log.warn({ err: error, failed: result.failed, published: result.published }, 'outbox publish failed; backing off');
    }
    return result;
  }

  /**
   * Splits the claim into rows that may go now and rows whose key has an
   * earlier unsent row outside the claim. Those behind a backing-off row get its
   * `next_attempt_at`; those behind a row another instance is publishing stay
   * due and are retried next pass.
   */
  private async holdBackOutOfOrder(trx: Tx, rows: Row[]): Promise<{ ready: Row[]; waiting: number }> {
    const keys = [...new Set(rows.map((r) => r.event_key))];
    const ids = rows.map((r) => r.id);
    const earlier = await trx
      .selectFrom('outbox_events')
      .select(['id', 'event_key', 'next_attempt_at', sql<number>`next_attempt_at > NOW(3)`.as('backing_off')])
      .where('sent_at', 'is', null)
      .where('id', '<', ids[ids.length - 1])
      .where('id', 'not in', ids)
      .where('event_key', 'in', keys)
      .orderBy('id')
      .execute();
    if (earlier.length === 0) return { ready: rows, waiting: 0 };
    const firstByKey = new Map<string, (typeof earlier)[number]>();
    for (const e of earlier) if (!firstByKey.has(e.event_key)) firstByKey.set(e.event_key, e);

    const ready: Row[] = [];
    const postpone = new Map<number, { until: Date; ids: number[] }>();
    let waiting = 0;
    for (const row of rows) {
      const blocker = firstByKey.get(row.event_key);
      if (!blocker || blocker.id > row.id) {
        ready.push(row);
        continue;
      }
      waiting++;
      if (Number(blocker.backing_off) === 1) {
        const group = postpone.get(blocker.id) ?? { until: blocker.next_attempt_at, ids: [] };
        group.ids.push(row.id);
        postpone.set(blocker.id, group);
      }
    }
    for (const { until, ids: waitingIds } of postpone.values()) {
      await trx.updateTable('outbox_events').set({ next_attempt_at: until }).where('id', 'in', waitingIds).execute();
    }
    return { ready, waiting };
  }

  /** attempts + 1, the error, and the next attempt after the backoff for that count. */
  private async recordFailures(trx: Tx, rows: Row[], error: unknown): Promise<void> {
    if (rows.length === 0) return;
    const message = (error instanceof Error ? error.message : String(error ?? 'not acknowledged')).slice(0, 500) || 'publish failed';
    const byAttempts = new Map<number, number[]>();
    for (const r of rows) byAttempts.set(r.attempts + 1, [...(byAttempts.get(r.attempts + 1) ?? []), r.id]);
    for (const [attempts, ids] of byAttempts) {
      const delayMicros = this.backoffMs(attempts) * 1000;
      await trx
        .updateTable('outbox_events')
        .set({
          attempts,
          last_error: message,
          next_attempt_at: sql<Date>`NOW(3) + INTERVAL ${delayMicros} MICROSECOND`,
        })
        .where('id', 'in', ids)
        .execute();
    }
  }

  private async publishWithTimeout(messages: EventMessage[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`broker did not acknowledge within ${this.publishTimeoutMs} ms`)), this.publishTimeoutMs);
    });
    try {
      await Promise.race([this.broker.publish(messages), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The broker's view of an outbox row; the stored payload already carries eventId and occurredAt. */
function toMessage(row: Row): EventMessage {
  const payload = JSON.parse(row.payload) as Record<string, unknown>;
  if (payload === null || typeof payload !== 'object' || payload.eventId !== row.event_id) {
    throw new Error('payload does not carry this event id');
  }
  return {
    eventId: row.event_id,
    topic: row.topic as Topic,
    key: row.event_key,
    occurredAt: typeof payload.occurredAt === 'string' ? payload.occurredAt : row.occurred_at.toISOString(),
    payload,
    ...(row.headers ? { headers: storedHeaders(row.headers) } : {}),
  };
}

/** The string entries of a stored headers object; headers that don't parse are dropped, never the event. */
function storedHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return headers;
  }
  if (value && typeof value === 'object') {
    for (const [name, v] of Object.entries(value)) if (typeof v === 'string') headers[name] = v;
  }
  return headers;
}
