import { defineLuaCommand, type Redis } from '../../platform/redis/index';

/**
 * The Redis names of one queue (contract §0.3). Every key carries the same
 * hash tags (`{type}` first), so each script's keys share a cluster slot.
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
  const base = `queue:{${eventType}}:{${eventId}}`;
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

type Arg = string | number;

/** The queue's Lua scripts as ioredis commands (see each .lua header for KEYS, ARGV and returns). */
export interface QueueScripts {
  /** enter.lua → [rank (0-based), size]. */
  queueEnter(waiting: string, users: string, ver: string, score: Arg, token: string, userId: string): Promise<[number, number]>;
  /** admit.lua → [expired tokens, moved token/score pairs]. */
  queueAdmit(waiting: string, entered: string, ver: string, now: Arg, ttlMs: Arg, maxCapacity: Arg, batchSize: Arg): Promise<[string[], string[]]>;
  /** unadmit.lua → tokens put back. */
  queueUnadmit(waiting: string, entered: string, ver: string, ...pairs: Arg[]): Promise<number>;
  /** remove.lua → [wasWaiting, wasEntered]. */
  queueRemove(waiting: string, entered: string, users: string, ver: string, token: string, userId: string): Promise<[number, number]>;
  /** tick.lua → [ver, size, entryBatchSize, entryIntervalSeconds, changed, members]. */
  queueTick(waiting: string, ver: string, meta: string, lastVer: string, maxScore: Arg): Promise<[string, number, string, string, number, string[]]>;
  /** gate.lua → 0 no queue, 1 admitted, 2 waiting, 3 no live entry. */
  queueGate(meta: string, users: string, waiting: string, entered: string, userId: string, now: Arg): Promise<number>;
}

/** Registers the scripts on a client (idempotent: a second registration replaces the first). */
export function defineQueueScripts(redis: Redis): Redis & QueueScripts {
  for (const [name, file] of [
    ['queueEnter', 'enter.lua'],
    ['queueAdmit', 'admit.lua'],
    ['queueUnadmit', 'unadmit.lua'],
    ['queueRemove', 'remove.lua'],
    ['queueGate', 'gate.lua'],
    ['queueTick', 'tick.lua'],
  ] as const) {
    defineLuaCommand(redis, name, new URL(`./${file}`, import.meta.url));
  }
  return redis as Redis & QueueScripts;
}
