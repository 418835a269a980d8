import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { dependencyDown, isDeadlock } from '../../platform/dependencies';
import type { Db } from '../../platform/db/index';
import { isDuplicateKey } from '../../platform/db/index';
import { inTransaction } from '../../platform/db/tx';
import { fail } from '../../platform/http/errors';
import { toPage, type Page, type PageRequest } from '../../platform/http/pagination';
import type { SseHub } from '../../platform/http/sse';
import { LockBusy } from '../../platform/lock';
import type { Redis } from '../../platform/redis/index';
import type { PubSub } from '../../platform/redis/pubsub';
import type { Job } from '../../platform/scheduler';
import { QueueRedis, queueKeys, type QueueKeys } from './redis';
import {
  activeQueueRow,
  LIVE_USER_KEY,
  QUEUE_EVENT_KEY,
  QueueRepository,
  settingsOf,
  type EntryRow,
  type QueueRow,
  type QueueSettings,
} from './repository';
import {
  DEFAULT_ENTRY_TTL_SECONDS,
  settledStatus,
  waitingStatus,
  type QueueActivateRequest,
  type QueueAdminResponse,
  type QueueStatusResponse,
} from './schemas';
import { QueueStreams, type StreamEvent } from './stream';

export interface QueueDeps {
  db: Db;
  /** The app's client (its keyPrefix applies to every key, Lua KEYS included). */
  redis: Redis;
  pubsub: PubSub;
  sse: SseHub;
  log: FastifyBaseLogger;
}

export interface QueueOptions {
  /** SSE ticker period per queue, and the least time between two position pushes (1 s). */
  tickMs?: number;
  /** A stream gets a `queue-status` at least this often (15 s). */
  heartbeatMs?: number;
  /** A stream ends after this long with a last `queue-status` (300 s; EventSource reconnects). */
  maxStreamMs?: number;
  /** How long a subscriber may be missing from the line before its entry is looked up in MySQL (2 s). */
  missingGraceMs?: number;
  /** Admission job period; each queue is admitted once per `entryIntervalSeconds` slot (500 ms). */
  jobTickMs?: number;
  /** Each active queue's Redis keys are reconciled from MySQL this often by the job (300 s); keys found missing, at once. */
  reconcileMs?: number;
  /** Told of each admission batch (the live sale view counts them). */
  stats?: AdmissionStats;
}

/** What the waiting room reports of its admissions; the live sale view implements it. Calls must not block. */
export interface AdmissionStats {
  queueAdmitted(eventType: string, eventId: number, count: number): void;
}

/** An active waiting room: its settings and, from Redis, its line and its admitted entries. */
export interface QueueLine {
  id: number;
  eventType: string;
  eventId: number;
  settings: QueueSettings;
}

/** What one admission batch did. */
export interface AdmissionResult {
  /** Tokens now ENTERED (in MySQL and Redis), head of the line first. */
  admitted: string[];
  /** Admitted tokens whose time ran out in this batch (now EXPIRED). */
  expired: string[];
  /** `Date.now()` right after the Lua move (benchmarks measure delivery delay from here). */
  movedAt: number;
}

const NOTHING: AdmissionResult = { admitted: [], expired: [], movedAt: 0 };

/** What `repair()` / a reconcile changed in Redis, for logs and tests. */
export interface RepairResult {
  queueId: number;
  waitingAdded: number;
  waitingRemoved: number;
  enteredAdded: number;
  enteredRemoved: number;
  /** Admitted in Redis but still WAITING in MySQL (a crash between the two): back in the line. */
  revertedToWaiting: number;
}

const ADMISSION_JOB = 'queue:admission';
/** How long admission/repair of one queue may hold its lock if the holder dies. */
const QUEUE_LOCK_LEASE_MS = 30_000;
/** Tries of an activation's transaction when it loses a race (unique key or deadlock). */
const ACTIVATE_ATTEMPTS = 8;

function isRetryable(err: unknown): boolean {
  return isDuplicateKey(err, QUEUE_EVENT_KEY) || isDeadlock(err);
}

/**
 * The waiting room: a fair FIFO line per (eventType, eventId) on Redis
 * sorted sets, with MySQL as the truth.
 *
 * Which side is the truth: MySQL, for every state. An entry's row is written
 * first (enter, leave, consume, deactivate) and Redis follows; the one step
 * decided in Redis is admission (admit.lua moves the head of the line
 * atomically, so capacity holds with any number of instances), and MySQL
 * follows it at once (WAITING → ENTERED); if that write fails, unadmit.lua
 * puts the tokens back. `repair()` (start-up) and the job's periodic reconcile
 * make Redis match MySQL: WAITING rows → the line (score = row id, so joined
 * order), ENTERED rows → entered with their `expires_at`; a token admitted in
 * Redis whose row is still WAITING (a crash between the two) goes back to the
 * head of the line and is admitted again by the next batch; tokens MySQL no
 * longer has live are dropped.
 */
export class QueueService {
  readonly streams: QueueStreams;
  private readonly repo: QueueRepository;
  private readonly redis: QueueRedis;
  private readonly jobTickMs: number;
  private readonly reconcileMs: number;
  private readonly stats?: AdmissionStats;

  constructor(
    private readonly deps: QueueDeps,
    options: QueueOptions = {},
  ) {
    this.repo = new QueueRepository(deps.db);
    this.redis = new QueueRedis(deps.redis);
    this.jobTickMs = options.jobTickMs ?? 500;
    this.reconcileMs = options.reconcileMs ?? 300_000;
    this.stats = options.stats;
    this.streams = new QueueStreams(
      { redis: this.redis, pubsub: deps.pubsub, sse: deps.sse, log: deps.log, repo: this.repo },
      options,
    );
  }

  // ---- admin -----------------------------------------------------------------------

  /**
   * Creates the event's queue, or re-activates it **with the new settings**
   * (the original kept the old ones; here the admin's latest word wins — a
   * new ttl applies to admissions from now on, entries already admitted keep
   * their expiry). Never 409. Redis is then reconciled from MySQL.
   */
  async activate(eventType: string, eventId: number, request: QueueActivateRequest): Promise<void> {
    const settings: QueueSettings = {
      maxCapacity: request.maxCapacity,
      entryBatchSize: request.entryBatchSize,
      entryIntervalSeconds: request.entryIntervalSeconds,
      entryTtlSeconds: request.entryTtlSeconds ?? DEFAULT_ENTRY_TTL_SECONDS,
    };
    let queue: QueueRow | undefined;
    for (let attempt = 1; !queue; attempt++) {
      try {
        queue = await inTransaction(this.deps.db, async (trx) => {
          const repo = this.repo.with(trx);
          const now = new Date();
          const row = await repo.findQueueForUpdate(eventType, eventId);
          if (row && row.event_type !== eventType) {
            // Only while waiting_queues.event_type has a case-insensitive collation (see the module's notes).
            throw fail('INVALID_INPUT_VALUE', [
              { field: 'eventType', message: 'A queue for this event id exists with an event type differing only in case', rejectedValue: eventType },
            ]);
          }
          if (row) await repo.reactivateQueue(row.id, settings, now);
          const id = row ? row.id : await repo.insertQueue(eventType, eventId, settings, now);
          return activeQueueRow(id, eventType, eventId, settings);
        });
      } catch (err) {
        // Two first activations at once: one insert loses the unique key, or activations of
        // neighbouring queues deadlock on the gap locks of their lookups; the retry (after a
        // short random pause, so they don't collide again) updates or inserts alone.
        if (attempt < ACTIVATE_ATTEMPTS && isRetryable(err)) {
          await sleep(5 + Math.random() * 20 * attempt);
          continue;
        }
        throw err;
      }
    }
    await this.resync(queue, 5000).catch(busyAsConflict);
  }

  /**
   * Closes the queue (S801 if it never existed; closing a closed queue again is
   * fine). Entries end in one transaction: WAITING → LEFT (they never got in;
   * §0.2 allows WAITING→LEFT, not WAITING→EXPIRED) and ENTERED → EXPIRED (their
   * admission ends early, like a time limit). Then both Redis zsets (and the
   * queue's other keys) are deleted and every instance's streams of the queue
   * get `queue-left` and close.
   */
  async deactivate(eventType: string, eventId: number): Promise<void> {
    const queue = await this.repo.findQueue(eventType, eventId);
    if (!queue) throw fail('QUEUE_NOT_FOUND');
    await inTransaction(this.deps.db, async (trx) => {
      const repo = this.repo.with(trx);
      const now = new Date();
      // The queue row first: it waits for enters holding it shared, and later enters see it inactive.
      await repo.deactivateQueue(queue.id, now);
      await repo.lockLiveEntries(queue.id);
      await repo.leaveAllWaiting(queue.id, now);
      await repo.expireAllEntered(queue.id, now);
    });
    const keys = queueKeys(eventType, eventId);
    await this.redis.lock(keys, { waitMs: 5000, leaseMs: QUEUE_LOCK_LEASE_MS }, () => this.redis.removeQueue(keys)).catch(busyAsConflict);
    await this.publish(keys, { closed: true });
  }

  /** One admission batch now (S801 if the queue never existed; nothing if it is inactive). */
  async process(eventType: string, eventId: number): Promise<AdmissionResult> {
    const queue = await this.repo.findQueue(eventType, eventId);
    if (!queue) throw fail('QUEUE_NOT_FOUND');
    if (!queue.is_active) return NOTHING;
    return this.admit(queue, 3000).catch(busyAsConflict);
  }

  /** The admin list of waiting rooms, each with its line and admitted entries (Redis, one pipeline per room, sent together). */
  async list(active: boolean | undefined, page: PageRequest): Promise<Page<QueueAdminResponse>> {
    const { rows, total } = await this.repo.page(active, page.size, page.offset);
    return toPage(await this.present(rows), total, page);
  }

  /** One waiting room (S801 if it never existed). */
  async get(eventType: string, eventId: number): Promise<QueueAdminResponse> {
    const queue = await this.repo.findQueue(eventType, eventId);
    if (!queue) throw fail('QUEUE_NOT_FOUND');
    const [response] = await this.present([queue]);
    return response;
  }

  /** Every active waiting room (MySQL). */
  async activeLines(): Promise<QueueLine[]> {
    return (await this.repo.activeQueues()).map((q) => ({ id: q.id, eventType: q.event_type, eventId: Number(q.event_id), settings: settingsOf(q) }));
  }

  /** Each room's line and admitted entries, from Redis (one pipeline per room, sent together). */
  lineLengths(lines: { eventType: string; eventId: number }[]): Promise<{ waiting: number; admitted: number }[]> {
    return this.redis.sizes(lines.map((l) => queueKeys(l.eventType, l.eventId)));
  }

  private async present(rows: QueueRow[]): Promise<QueueAdminResponse[]> {
    const active = rows.filter((q) => q.is_active);
    const sizes = await this.lineLengths(active.map((q) => ({ eventType: q.event_type, eventId: Number(q.event_id) })));
    const byId = new Map(active.map((q, i) => [q.id, sizes[i]]));
    return rows.map((q) => ({
      id: q.id,
      eventType: q.event_type,
      eventId: Number(q.event_id),
      active: Boolean(q.is_active),
      ...settingsOf(q),
      waiting: byId.get(q.id)?.waiting ?? 0,
      admitted: byId.get(q.id)?.admitted ?? 0,
      createdAt: q.created_at,
      activatedAt: q.activated_at,
      deactivatedAt: q.deactivated_at,
    }));
  }

  // ---- users -----------------------------------------------------------------------

  /**
   * Joins the line (S801 without an active queue). Someone already WAITING or
   * ENTERED gets that entry's status back (200, the same token): one live entry
   * per user and queue is a unique key, so two enters at once also end with one.
   */
  async enter(userId: string, eventType: string, eventId: number): Promise<QueueStatusResponse> {
    const queue = await this.activeQueue(eventType, eventId);
    if (!queue) throw fail('QUEUE_NOT_FOUND');
    const token = randomUUID();
    let entryId: number | undefined;
    try {
      // One statement: inserted only while the queue row is active (read with a shared lock, so a
      // deactivation either waits for this entry and ends it, or came first and nothing is inserted).
      entryId = await this.repo.insertEntryIfActive(queue.id, userId, token, new Date());
    } catch (err) {
      if (!isDuplicateKey(err, LIVE_USER_KEY)) throw err;
      // Already WAITING or ENTERED (the live_user unique key): that entry's status, 200.
      const live = await this.repo.findLiveEntry(queue.id, userId);
      if (live) return this.describe(queue, live);
      throw err;
    }
    if (entryId === undefined) throw fail('QUEUE_NOT_FOUND');

    const keys = queueKeys(eventType, eventId);
    let rank: number;
    let size: number;
    try {
      ({ rank, size } = await this.redis.enter(keys, entryId, token, userId));
    } catch (err) {
      // Compensate: an entry Redis never saw would wait unseen; the user may simply enter again.
      await this.repo.markLeft(entryId, new Date()).catch(() => undefined);
      throw err;
    }
    return waitingStatus(token, rank + 1, size, settingsOf(queue));
  }

  /** The caller's entry in an active queue: the live one, else the newest (S801, S803). */
  async status(userId: string, eventType: string, eventId: number): Promise<QueueStatusResponse> {
    const queue = await this.activeQueue(eventType, eventId);
    if (!queue) throw fail('QUEUE_NOT_FOUND');
    const entry = await this.repo.findLatestEntry(queue.id, userId);
    if (!entry) throw fail('QUEUE_ENTRY_NOT_FOUND');
    return this.describe(queue, entry);
  }

  /** An entry by its token: S803 unknown, S807 someone else's. */
  async tokenStatus(userId: string, token: string): Promise<QueueStatusResponse> {
    const { entry, queue } = await this.ownedEntry(userId, token);
    return this.describe(queue, entry);
  }

  /** Leaves the caller's live entry (S801 no such queue — active or not; S803 no live entry). */
  async leave(userId: string, eventType: string, eventId: number): Promise<void> {
    const queue = await this.repo.findQueue(eventType, eventId);
    if (!queue) throw fail('QUEUE_NOT_FOUND');
    const entry = await this.repo.findLiveEntry(queue.id, userId);
    if (!entry) throw fail('QUEUE_ENTRY_NOT_FOUND');
    await this.end(queue, entry);
  }

  /** Leaves by token (S803 unknown, S807 someone else's); an entry already over stays as it is (200). */
  async leaveByToken(userId: string, token: string): Promise<void> {
    const { entry, queue } = await this.ownedEntry(userId, token);
    if (entry.status === 'WAITING' || entry.status === 'ENTERED') await this.end(queue, entry);
  }

  // ---- for other modules (the time-deal purchase) ----------------------------------

  /**
   * The purchase gate, one Redis round trip (gate.lua): when a queue is active
   * for the event, the caller needs an admitted, unexpired entry — S805 while
   * still waiting, S806 without a live entry. No active queue: passes.
   * Redis is the fast copy; after a Redis loss the gate passes everyone until
   * `repair()` or the job's reconcile (≤ one job tick) restores the queue's keys.
   */
  async assertAdmitted(userId: string, eventType: string, eventId: number): Promise<void> {
    const verdict = await this.redis.gate(queueKeys(eventType, eventId), userId, Date.now());
    if (verdict === 'waiting') throw fail('QUEUE_NOT_ALLOWED');
    if (verdict === 'no-entry') throw fail('QUEUE_ENTRY_REQUIRED');
  }

  /**
   * "An entry is consumed (capacity freed) when its holder buys": called after
   * a successful purchase. The caller's ENTERED entry becomes EXPIRED (the
   * contract's statuses have no CONSUMED; EXPIRED = "no longer admitted") and
   * leaves the admitted set, so the next batch can admit someone else.
   * False when there was nothing to consume (no active queue, or not admitted).
   */
  async consume(userId: string, eventType: string, eventId: number): Promise<boolean> {
    const keys = queueKeys(eventType, eventId);
    const queueId = await this.redis.activeQueueId(keys);
    if (queueId === null) return false; // no active queue (Redis first: no MySQL round trip on the common path)
    const entry = await this.repo.findLiveEntry(queueId, userId);
    if (!entry || entry.status !== 'ENTERED') return false;
    const done = (await this.repo.markExpired(entry.queue_id, [entry.entry_token], new Date())) === 1;
    await this.redis.remove(keys, entry.entry_token, userId);
    return done;
  }

  // ---- SSE -------------------------------------------------------------------------

  /**
   * Opens the queue stream of an entry token (S803 unknown token or another
   * queue's; S807 when `viewerId`, the sender of a JWT, is not the owner) —
   * errors are thrown before the stream opens.
   */
  async subscribe(
    request: FastifyRequest,
    reply: FastifyReply,
    eventType: string,
    eventId: number,
    token: string,
    viewerId: string | undefined,
  ): Promise<void> {
    const found = await this.repo.findByToken(token);
    if (!found || found.queue.event_type !== eventType || Number(found.queue.event_id) !== eventId) {
      throw fail('QUEUE_ENTRY_NOT_FOUND');
    }
    if (viewerId !== undefined && viewerId !== found.entry.user_id) throw fail('QUEUE_TOKEN_USER_MISMATCH');
    await this.streams.open(request, reply, queueKeys(eventType, eventId), found.entry, settingsOf(found.queue));
  }

  // ---- admission -------------------------------------------------------------------

  /**
   * The job to register once per process (`scheduler.add(queue.admissionJob())`):
   * every `jobTickMs`, on whichever instance holds the job's lock, each active
   * queue is admitted once per `entryIntervalSeconds` slot of the wall clock
   * (so per-queue intervals hold whichever instance runs the tick), and its
   * Redis keys are reconciled from MySQL when missing or every `reconcileMs`.
   */
  admissionJob(): Job {
    return { name: ADMISSION_JOB, intervalMs: this.jobTickMs, run: () => this.runDueAdmissions() };
  }

  /** One pass of the job (tests call it directly). */
  async runDueAdmissions(): Promise<void> {
    const queues = await this.repo.activeQueues();
    if (queues.length === 0) return;
    const allKeys = queues.map((q) => queueKeys(q.event_type, q.event_id));
    const states = await this.redis.admissionStates(allKeys);
    const now = Date.now();
    for (let i = 0; i < queues.length; i++) {
      const q = queues[i];
      const keys = allKeys[i];
      const { id, reconciledAt, slot } = states[i];
      try {
        if (id !== String(q.id) || now - Number(reconciledAt ?? 0) >= this.reconcileMs) await this.resync(q, 0);
        const intervalMs = q.entry_interval_seconds * 1000;
        const due = String(Math.floor(now / intervalMs));
        if (slot === due) continue;
        await this.redis.setSlot(keys, due, 2 * intervalMs);
        await this.admit(q, 0);
      } catch (e) {
        if (e instanceof LockBusy) continue; // a manual /process or a repair holds this queue
        // An outage is logged once, by the dependency monitor; not once per queue and tick here.
        if (dependencyDown(e)) this.deps.log.debug({ err: e, queueId: q.id }, 'queue admission skipped: a dependency is down');
        else this.deps.log.error({ err: e, queueId: q.id }, 'queue admission failed');
      }
    }
  }

  /**
   * One batch under the queue's lock: admit.lua drops expired admissions and
   * moves up to min(free, entryBatchSize) from the line; MySQL follows
   * (WAITING → ENTERED with entered_at/expires_at, ENTERED → EXPIRED); the
   * admitted tokens are published so every instance pushes `queue-entered`.
   */
  private admit(queue: QueueRow, waitMs: number): Promise<AdmissionResult> {
    const keys = queueKeys(queue.event_type, queue.event_id);
    return this.redis.lock(keys, { waitMs, leaseMs: QUEUE_LOCK_LEASE_MS }, async () => {
      const now = Date.now();
      const ttlMs = queue.entry_ttl_seconds * 1000;
      const { expired, moved } = await this.redis.admit(keys, now, ttlMs, queue.max_capacity, queue.entry_batch_size);
      const movedAt = Date.now();
      if (expired.length > 0) {
        // If this fails the rows stay ENTERED past expires_at; the next reconcile puts them back and they expire again.
        await this.repo.markExpired(queue.id, expired, new Date(now)).catch((err) =>
          this.deps.log.error({ err, queueId: queue.id }, 'queue expiry write failed'),
        );
      }
      const tokens = moved.map((m) => m.token);
      if (tokens.length === 0) return { admitted: [], expired, movedAt };

      let updated: number;
      try {
        updated = await this.repo.markEntered(queue.id, tokens, new Date(now), new Date(now + ttlMs));
      } catch (err) {
        await this.redis.unadmit(keys, moved).catch(() => undefined);
        throw err;
      }
      let admitted = tokens;
      if (updated < tokens.length) {
        // Some rows were not WAITING: left meanwhile (their remove.lua also cleans entered) or stray tokens.
        // A row already ENTERED (an earlier write that committed but reported failure) stays admitted.
        const rows = await this.repo.statusesOf(tokens);
        admitted = tokens.filter((t) => rows.get(t)?.status === 'ENTERED');
        const strays = tokens.filter((t) => rows.get(t)?.status !== 'ENTERED');
        if (strays.length > 0) await this.redis.dropAdmitted(keys, strays);
      }
      if (admitted.length > 0) {
        this.stats?.queueAdmitted(queue.event_type, Number(queue.event_id), admitted.length);
        await this.publish(keys, { entered: admitted });
      }
      return { admitted, expired, movedAt };
    });
  }

  // ---- repair ----------------------------------------------------------------------

  /** Start-up: makes Redis match MySQL for every active queue (see the class comment for who wins). */
  async repair(): Promise<RepairResult[]> {
    const out: RepairResult[] = [];
    for (const q of await this.repo.activeQueues()) {
      try {
        out.push(await this.resync(q, 10_000));
      } catch (err) {
        this.deps.log.error({ err, queueId: q.id }, 'queue repair failed');
      }
    }
    return out;
  }

  /**
   * Reconciles one queue's Redis keys with MySQL under the queue's lock (no
   * admission runs meanwhile). Redis is read first, MySQL second: a token in
   * the line was added after its row committed, so the snapshot has it; a token
   * Redis holds that the snapshot has not as live is no longer live. Changes
   * are merged (ZADD NX / ZREM), never a wholesale rewrite, so enters racing
   * the repair are not lost.
   */
  private resync(queue: QueueRow, waitMs: number): Promise<RepairResult> {
    const keys = queueKeys(queue.event_type, queue.event_id);
    return this.redis.lock(keys, { waitMs, leaseMs: QUEUE_LOCK_LEASE_MS }, async () => {
      const result: RepairResult = {
        queueId: queue.id,
        waitingAdded: 0,
        waitingRemoved: 0,
        enteredAdded: 0,
        enteredRemoved: 0,
        revertedToWaiting: 0,
      };
      // The row again, under the lock: a deactivation since the caller read it must not be undone
      // (it deletes the keys under this same lock), and a re-activation's new settings win.
      const fresh = await this.repo.findQueueById(queue.id);
      if (!fresh?.is_active) return result;
      queue = fresh;
      const snapshot = await this.redis.snapshot(keys);
      const inWaiting = new Set(snapshot.waiting);
      const inEntered = new Set(snapshot.entered);
      const users = snapshot.users;
      const rows = await this.repo.liveEntries(queue.id);
      const waitingAdds: (string | number)[] = [];
      const enteredAdds: (string | number)[] = [];
      const waitingRemoves: string[] = [];
      const enteredRemoves: string[] = [];
      const userSets: string[] = [];
      const live = new Map<string, EntryRow>();
      for (const row of rows) {
        live.set(row.entry_token, row);
        if (users[row.user_id] !== row.entry_token) userSets.push(row.user_id, row.entry_token);
        if (row.status === 'WAITING') {
          if (!inWaiting.has(row.entry_token)) {
            waitingAdds.push(row.id, row.entry_token);
            result.waitingAdded++;
          }
          if (inEntered.has(row.entry_token)) {
            enteredRemoves.push(row.entry_token);
            result.revertedToWaiting++;
          }
        } else {
          if (!inEntered.has(row.entry_token)) {
            enteredAdds.push((row.expires_at ?? new Date()).getTime(), row.entry_token);
            result.enteredAdded++;
          }
          if (inWaiting.has(row.entry_token)) waitingRemoves.push(row.entry_token);
        }
      }
      for (const token of inWaiting) if (!live.has(token)) waitingRemoves.push(token);
      for (const token of inEntered) if (!live.has(token)) enteredRemoves.push(token);
      result.waitingRemoved = waitingRemoves.length;
      result.enteredRemoved = enteredRemoves.length - result.revertedToWaiting;

      await this.redis.applyRepair(keys, {
        waitingAdds,
        enteredAdds,
        waitingRemoves,
        enteredRemoves,
        userSets,
        queue: { id: queue.id, ...settingsOf(queue) },
      });
      return result;
    });
  }

  /** Stops the stream tickers (streams themselves are closed by the SSE hub on shutdown). */
  async close(): Promise<void> {
    await this.streams.close();
  }

  // ---- helpers ---------------------------------------------------------------------

  /**
   * The active queue of an event: Redis' copy of its settings (one HGETALL),
   * else MySQL. Writes that depend on it being active re-check in MySQL.
   */
  private async activeQueue(eventType: string, eventId: number): Promise<QueueRow | undefined> {
    const cached = await this.redis.activeQueue(queueKeys(eventType, eventId));
    if (cached) return activeQueueRow(cached.id, eventType, eventId, cached.settings);
    const queue = await this.repo.findQueue(eventType, eventId);
    return queue?.is_active ? queue : undefined;
  }

  private async ownedEntry(userId: string, token: string): Promise<{ entry: EntryRow; queue: QueueRow }> {
    const found = await this.repo.findByToken(token);
    if (!found) throw fail('QUEUE_ENTRY_NOT_FOUND');
    if (found.entry.user_id !== userId) throw fail('QUEUE_TOKEN_USER_MISMATCH');
    return found;
  }

  /** WAITING|ENTERED → LEFT: MySQL first, then Redis, then the entry's streams everywhere. */
  private async end(queue: QueueRow, entry: EntryRow): Promise<void> {
    if (!(await this.repo.markLeft(entry.id, new Date()))) return; // ended meanwhile
    const keys = queueKeys(queue.event_type, queue.event_id);
    await this.redis.remove(keys, entry.entry_token, entry.user_id);
    await this.publish(keys, { left: [entry.entry_token] });
  }

  /** Contract §3.2 "Queue values" for one entry. */
  private async describe(queue: QueueRow, entry: EntryRow): Promise<QueueStatusResponse> {
    if (entry.status !== 'WAITING') return settledStatus(entry.entry_token, entry.status);
    const keys = queueKeys(queue.event_type, queue.event_id);
    const { rank, size } = await this.redis.position(keys, entry.entry_token);
    if (rank !== null) return waitingStatus(entry.entry_token, rank + 1, size, settingsOf(queue));
    // Not in Redis (being admitted right now, or Redis lost the line): MySQL's count of those who joined earlier.
    const position = (await this.repo.countWaitingBefore(queue.id, entry.id)) + 1;
    return waitingStatus(entry.entry_token, position, Math.max(size, position), settingsOf(queue));
  }

  private async publish(keys: QueueKeys, event: StreamEvent): Promise<void> {
    try {
      await this.deps.pubsub.publish(keys.channel, JSON.stringify(event));
    } catch (err) {
      // Streams find out on their own: a token gone from the line is looked up in MySQL after a grace period.
      this.deps.log.warn({ err }, 'queue event publish failed');
    }
  }
}

/** An operator's call that found the queue's lock busy for its whole wait: 409 S408, try again. */
function busyAsConflict(err: unknown): never {
  throw err instanceof LockBusy ? fail('CONCURRENT_STOCK_MODIFICATION') : err;
}
