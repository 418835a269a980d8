import { withLock, type LockOptions } from '../../platform/lock';
import { defineLuaCommand, type Redis } from '../../platform/redis/index';
import type { QueueSettings } from './repository';

/**
 * The Redis names of one queue. Every key carries the same hash tag, the
 * queue's whole name (`{TIMEDEAL:42}`: types and ids hold no braces or colons),
 * so each script's keys share a cluster slot and different queues spread over
 * the slots.
 *
 * - `waiting`  zset token → arrival score (the entry's row id: FIFO in insert order)
 * - `entered`  zset token → expiry (ms since the epoch): admitted entries still holding capacity
 * - `users`    hash userId → the user's newest token (the purchase gate's lookup)
 * - `meta`     hash of the active queue's settings; absent = no active queue (the gate's test)
 * - `ver`      counter bumped whenever a position in the line changes (stream tickers re-read the line only then)
 * - `slot`     the admission job's last wall-clock slot (floor(now / interval)): one batch per interval across instances
 * - `channel`  pub/sub channel of the queue's stream events (admissions, leaves, replaced streams, closing)
 * - `lock`     distributed-lock name for admission and repair of this queue
 */
export interface QueueKeys {
  waiting: string;
  entered: string;
  users: string;
  meta: string;
  ver: string;
  slot: string;
  channel: string;
  lock: string;
}

export function queueKeys(eventType: string, eventId: number): QueueKeys {
  const base = `queue:{${eventType}:${eventId}}`;
  return {
    waiting: `${base}:waiting`,
    entered: `${base}:entered`,
    users: `${base}:users`,
    meta: `${base}:meta`,
    ver: `${base}:ver`,
    slot: `${base}:slot`,
    channel: `${base}:events`,
    lock: `${base}:admit`,
  };
}

/** enter.lua: the new token's 0-based rank in the line and the line's length. */
export interface EnterOutcome {
  rank: number;
  size: number;
}

/** A token admit.lua moved out of the line, with the arrival score it had there. */
export interface MovedToken {
  token: string;
  score: string;
}

/** admit.lua: admissions whose time ran out, and the tokens moved from the line (head first). */
export interface AdmitOutcome {
  expired: string[];
  moved: MovedToken[];
}

/** remove.lua: where the token was found. */
export interface RemoveOutcome {
  wasWaiting: boolean;
  wasEntered: boolean;
}

/** gate.lua's verdict for one user. */
export type GateVerdict =
  /** No active queue for the event: the purchase may go on. */
  | 'no-queue'
  /** Admitted and not expired: the purchase may go on. */
  | 'admitted'
  /** Still in the line. */
  | 'waiting'
  /** No live entry: never entered, left, expired or consumed. */
  | 'no-entry';

/** The stream settings kept in `meta` (null when missing or not positive). */
export interface StreamSettings {
  entryBatchSize: number;
  entryIntervalSeconds: number;
}

/** tick.lua: what one instance's ticker needs for all its local subscribers. */
export type TickOutcome = {
  /** Length of the line. */
  size: number;
  settings: StreamSettings | null;
} & (
  | { changed: false }
  /** `ver` moved since the caller's last read: the line up to the given score, head first, and the new `ver` ('' when missing). */
  | { changed: true; ver: string; members: string[] }
);

/** A token's place in the line (null rank: not in it) and the line's length. */
export interface LinePosition {
  rank: number | null;
  size: number;
}

/** What a new stream reads in one round trip (open.lua). */
export interface StreamOpening {
  rank: number | null;
  size: number;
  settings: StreamSettings | null;
  /** The moment of the open on Redis' clock (µs), as its notice says. */
  opened: number;
}

/** The admission job's view of one queue: `meta`'s id and last reconcile, and the last admission slot. */
export interface AdmissionState {
  id: string | null;
  reconciledAt: string | null;
  slot: string | null;
}

/** What Redis holds of a queue's line, admitted set and user index. */
export interface QueueSnapshot {
  waiting: string[];
  entered: string[];
  users: Record<string, string>;
}

/** The changes a reconcile makes, applied together (MULTI). */
export interface RepairChanges {
  /** score, token, score, token, … added to the line unless present (ZADD NX). */
  waitingAdds: (string | number)[];
  /** expiry, token, … added to the admitted set unless present. */
  enteredAdds: (string | number)[];
  waitingRemoves: string[];
  enteredRemoves: string[];
  /** userId, token, … for the user index. */
  userSets: string[];
  /** The queue's row: its id and settings become `meta`. */
  queue: { id: number } & QueueSettings;
}

/** Values sent per command when a reconcile's changes are large. */
const SLICE = 1000;

type Arg = string | number;

type ScriptedRedis = Redis & {
  queueEnter(waiting: string, users: string, ver: string, score: Arg, token: string, userId: string): Promise<[number, number]>;
  queueAdmit(waiting: string, entered: string, ver: string, now: Arg, ttlMs: Arg, maxCapacity: Arg, batchSize: Arg): Promise<[string[], string[]]>;
  queueUnadmit(waiting: string, entered: string, ver: string, ...pairs: Arg[]): Promise<number>;
  queueRemove(waiting: string, entered: string, users: string, ver: string, token: string, userId: string): Promise<[number, number]>;
  queueTick(waiting: string, ver: string, meta: string, lastVer: string, maxScore: Arg): Promise<[string, number, string, string, number, string[]]>;
  queueOpen(waiting: string, meta: string, token: string, channel: string, instanceId: string): Promise<[number, number, string, string, string]>;
  queueGate(meta: string, users: string, waiting: string, entered: string, userId: string, now: Arg): Promise<number>;
};

function settingsFrom(batch: unknown, interval: unknown): StreamSettings | null {
  const entryBatchSize = Number(batch);
  const entryIntervalSeconds = Number(interval);
  return entryBatchSize > 0 && entryIntervalSeconds > 0 ? { entryBatchSize, entryIntervalSeconds } : null;
}

/**
 * The waiting room's Redis side: one Lua script per atomic operation
 * (`enter.lua`, `admit.lua`, `unadmit.lua`, `remove.lua`, `tick.lua`,
 * `open.lua`, `gate.lua`; their headers say KEYS, ARGV and every return value) and every
 * other command the queue sends. The client's key prefix applies to every key,
 * Lua KEYS included.
 */
export class QueueRedis {
  private readonly redis: ScriptedRedis;
  /** Channels carry the key prefix (as PubSub names them); PUBLISH in a script must add it itself. */
  private readonly channelPrefix: string;

  constructor(redis: Redis) {
    defineLuaCommand(redis, 'queueEnter', new URL('./enter.lua', import.meta.url));
    defineLuaCommand(redis, 'queueAdmit', new URL('./admit.lua', import.meta.url));
    defineLuaCommand(redis, 'queueUnadmit', new URL('./unadmit.lua', import.meta.url));
    defineLuaCommand(redis, 'queueRemove', new URL('./remove.lua', import.meta.url));
    defineLuaCommand(redis, 'queueGate', new URL('./gate.lua', import.meta.url));
    defineLuaCommand(redis, 'queueTick', new URL('./tick.lua', import.meta.url));
    defineLuaCommand(redis, 'queueOpen', new URL('./open.lua', import.meta.url));
    this.redis = redis as ScriptedRedis;
    this.channelPrefix = redis.options.keyPrefix ?? '';
  }

  /** Runs `fn` holding the queue's admission lock (admission, repair and deactivation take it). */
  lock<T>(keys: QueueKeys, options: LockOptions, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return withLock(this.redis, keys.lock, options, fn);
  }

  // ---- scripts ---------------------------------------------------------------------

  /** enter.lua: the token joins the line at `score` and becomes the user's token. */
  async enter(keys: QueueKeys, score: number, token: string, userId: string): Promise<EnterOutcome> {
    const [rank, size] = await this.redis.queueEnter(keys.waiting, keys.users, keys.ver, score, token, userId);
    return { rank, size };
  }

  /** admit.lua: drops expired admissions, then moves up to min(free, batchSize) from the head of the line. */
  async admit(keys: QueueKeys, now: number, ttlMs: number, maxCapacity: number, batchSize: number): Promise<AdmitOutcome> {
    const [expired, pairs] = await this.redis.queueAdmit(keys.waiting, keys.entered, keys.ver, now, ttlMs, maxCapacity, batchSize);
    const moved: MovedToken[] = [];
    for (let i = 0; i < pairs.length; i += 2) moved.push({ token: pairs[i], score: pairs[i + 1] });
    return { expired, moved };
  }

  /** unadmit.lua: admit.lua's tokens still admitted go back to the line at their old scores; how many did. */
  unadmit(keys: QueueKeys, moved: MovedToken[]): Promise<number> {
    return this.redis.queueUnadmit(keys.waiting, keys.entered, keys.ver, ...moved.flatMap((m) => [m.token, m.score]));
  }

  /** remove.lua: the token leaves the line and the admitted set (and the user index while it names it). */
  async remove(keys: QueueKeys, token: string, userId: string): Promise<RemoveOutcome> {
    const [w, e] = await this.redis.queueRemove(keys.waiting, keys.entered, keys.users, keys.ver, token, userId);
    return { wasWaiting: Number(w) === 1, wasEntered: Number(e) === 1 };
  }

  /** tick.lua: line length and settings; the line up to `maxScore` only when `ver` is no longer `lastVer`. */
  async tick(keys: QueueKeys, lastVer: string, maxScore: number): Promise<TickOutcome> {
    const [ver, size, batch, interval, changed, members] = await this.redis.queueTick(keys.waiting, keys.ver, keys.meta, lastVer, maxScore);
    const common = { size: Number(size), settings: settingsFrom(batch, interval) };
    return Number(changed) === 1 ? { ...common, changed: true, ver, members } : { ...common, changed: false };
  }

  /** gate.lua: may this user buy now (`now` in ms since the epoch)? */
  async gate(keys: QueueKeys, userId: string, now: number): Promise<GateVerdict> {
    const verdict = Number(await this.redis.queueGate(keys.meta, keys.users, keys.waiting, keys.entered, userId, now));
    if (verdict === 1) return 'admitted';
    if (verdict === 2) return 'waiting';
    if (verdict === 3) return 'no-entry';
    return 'no-queue';
  }

  // ---- reads -----------------------------------------------------------------------

  /** The active queue's id from `meta` (null: no active queue, or its keys are gone). */
  async activeQueueId(keys: QueueKeys): Promise<number | null> {
    const id = await this.redis.hget(keys.meta, 'id');
    return id ? Number(id) : null;
  }

  /** The active queue's id and settings from `meta` (null when `meta` does not hold them). */
  async activeQueue(keys: QueueKeys): Promise<{ id: number; settings: QueueSettings } | null> {
    const meta = await this.redis.hgetall(keys.meta);
    if (!meta.id || !meta.entryBatchSize) return null;
    return {
      id: Number(meta.id),
      settings: {
        maxCapacity: Number(meta.maxCapacity),
        entryBatchSize: Number(meta.entryBatchSize),
        entryIntervalSeconds: Number(meta.entryIntervalSeconds),
        entryTtlSeconds: Number(meta.entryTtlSeconds),
      },
    };
  }

  /** A token's rank in the line and the line's length, in one round trip. */
  async position(keys: QueueKeys, token: string): Promise<LinePosition> {
    const res = await this.redis.pipeline().zrank(keys.waiting, token).zcard(keys.waiting).exec();
    const rank = res?.[0]?.[1] as number | null | undefined;
    return { rank: rank ?? null, size: Number(res?.[1]?.[1] ?? 0) };
  }

  /**
   * open.lua: a new stream's one round trip — the token's rank, the line's
   * length, the stream settings — and the notice that closes the token's older
   * streams elsewhere, stamped with the moment of this open.
   */
  async openStream(keys: QueueKeys, token: string, instanceId: string): Promise<StreamOpening> {
    const [rank, size, batch, interval, opened] = await this.redis.queueOpen(keys.waiting, keys.meta, token, this.channelPrefix + keys.channel, instanceId);
    return { rank: Number(rank) >= 0 ? Number(rank) : null, size: Number(size), settings: settingsFrom(batch, interval), opened: Number(opened) };
  }

  /**
   * The admission job's view of each queue: one pipeline per queue (a Cluster
   * sends a pipeline to one slot's node), all sent at once.
   */
  async admissionStates(queues: QueueKeys[]): Promise<AdmissionState[]> {
    return Promise.all(
      queues.map(async (keys) => {
        const replies = (await this.redis.pipeline().hmget(keys.meta, 'id', 'reconciledAt').get(keys.slot).exec()) ?? [];
        const [id, reconciledAt] = (replies[0]?.[1] as (string | null)[] | undefined) ?? [null, null];
        const slot = (replies[1]?.[1] as string | null | undefined) ?? null;
        return { id, reconciledAt, slot };
      }),
    );
  }

  /** The length of each queue's line and of its admitted set: one pipeline per queue (its Cluster slot), all sent at once. */
  async sizes(queues: QueueKeys[]): Promise<{ waiting: number; admitted: number }[]> {
    return Promise.all(
      queues.map(async (keys) => {
        const replies = (await this.redis.pipeline().zcard(keys.waiting).zcard(keys.entered).exec()) ?? [];
        const failed = replies.find(([err]) => err);
        if (failed) throw failed[0];
        return { waiting: Number(replies[0]?.[1]), admitted: Number(replies[1]?.[1]) };
      }),
    );
  }

  /** The line, the admitted set and the user index, read together. */
  async snapshot(keys: QueueKeys): Promise<QueueSnapshot> {
    const read = await this.redis.pipeline().zrange(keys.waiting, 0, -1).zrange(keys.entered, 0, -1).hgetall(keys.users).exec();
    return {
      waiting: (read?.[0]?.[1] as string[] | undefined) ?? [],
      entered: (read?.[1]?.[1] as string[] | undefined) ?? [],
      users: (read?.[2]?.[1] as Record<string, string> | undefined) ?? {},
    };
  }

  // ---- writes ----------------------------------------------------------------------

  /** Records the admission job's slot; it lapses after `ttlMs`. */
  async setSlot(keys: QueueKeys, slot: string, ttlMs: number): Promise<void> {
    await this.redis.set(keys.slot, slot, 'PX', ttlMs);
  }

  /** Takes tokens out of the admitted set. */
  async dropAdmitted(keys: QueueKeys, tokens: string[]): Promise<void> {
    await this.redis.zrem(keys.entered, ...tokens);
  }

  /**
   * A reconcile's changes in one MULTI: merged into the line, the admitted set
   * and the user index; `meta` rewritten from the queue's row (with the time of
   * this reconcile); `ver` set to a fresh value, so every instance's ticker
   * re-reads the line on its next tick.
   */
  async applyRepair(keys: QueueKeys, c: RepairChanges): Promise<void> {
    const multi = this.redis.multi();
    for (let i = 0; i < c.waitingAdds.length; i += SLICE) multi.zadd(keys.waiting, 'NX', ...c.waitingAdds.slice(i, i + SLICE));
    for (let i = 0; i < c.enteredAdds.length; i += SLICE) multi.zadd(keys.entered, 'NX', ...c.enteredAdds.slice(i, i + SLICE));
    for (let i = 0; i < c.waitingRemoves.length; i += SLICE) multi.zrem(keys.waiting, ...c.waitingRemoves.slice(i, i + SLICE));
    for (let i = 0; i < c.enteredRemoves.length; i += SLICE) multi.zrem(keys.entered, ...c.enteredRemoves.slice(i, i + SLICE));
    for (let i = 0; i < c.userSets.length; i += SLICE) multi.hset(keys.users, ...c.userSets.slice(i, i + SLICE));
    multi.hset(keys.meta, {
      id: c.queue.id,
      maxCapacity: c.queue.maxCapacity,
      entryBatchSize: c.queue.entryBatchSize,
      entryIntervalSeconds: c.queue.entryIntervalSeconds,
      entryTtlSeconds: c.queue.entryTtlSeconds,
      reconciledAt: Date.now(),
    });
    multi.set(keys.ver, Date.now() * 1000);
    await multi.exec();
  }

  /** Deletes the queue's keys (it was deactivated). One DEL: the keys share a slot. */
  async removeQueue(keys: QueueKeys): Promise<void> {
    await this.redis.del(keys.waiting, keys.entered, keys.users, keys.meta, keys.ver, keys.slot);
  }
}
