import { randomBytes } from 'node:crypto';
import { withLock } from '../../platform/lock';
import { defineLuaCommand, type Redis } from '../../platform/redis/index';

/**
 * The hash-tagged keys of one coupon: every key of one coupon shares the tag, so
 * each script's keys live in one Redis Cluster slot.
 */
export function couponKeys(couponId: number | string) {
  const base = `coupon:{${couponId}}`;
  return {
    /** Hash: total, next (the lowest unit never handed out), epoch (new on each load). */
    units: `${base}:units`,
    /** Set of unit numbers below next that were given back. */
    free: `${base}:free`,
    /** Set of user ids counted: holders and pending admissions. */
    issued: `${base}:issued`,
    /** Hash user id → "<unit>:<admitted at, ms>": admissions with no MySQL row seen yet. */
    pending: `${base}:pending`,
    /** The distributed lock a rebuild of this coupon's keys runs under. */
    rebuildLock: `${base}:rebuild`,
  };
}

/** load.lua's answer: the new epoch, pending admissions kept, and units neither held nor pending. */
export interface LoadOutcome {
  epoch: string;
  pendingKept: number;
  available: number;
}

/** A unit issue.lua handed to a user; `entry` is its pending value (settle.lua needs it). */
export interface Admission {
  /** `resumed`: the user was already pending (an earlier request in flight or dead) — the same unit. */
  kind: 'admitted' | 'resumed';
  unit: number;
  /** Units left after this one. */
  remaining: number;
  /** The load the keys came from. */
  epoch: string;
  entry: string;
}

/** issue.lua's answer. */
export type IssueOutcome = Admission | { kind: 'exhausted' } | { kind: 'already-issued' } | { kind: 'not-loaded' };

/** How a pending admission ends (settle.lua). */
export interface Settlement {
  /** The user holds the coupon in MySQL: stays counted. */
  holder: boolean;
  /** The entry's unit is free in MySQL: back into the free set. */
  unitFree: boolean;
}

/** A pending admission as Redis holds it. */
export interface PendingAdmission {
  userId: string;
  unit: number;
  /** Redis time, ms. */
  admittedAt: number;
  entry: string;
}

/** Everything Redis holds for one coupon (tests, the benchmark's check). */
export interface CouponRedisState {
  total: number;
  next: number;
  epoch: string;
  free: number[];
  issued: string[];
  pending: PendingAdmission[];
  /** Units issue.lua can still hand out. */
  available: number;
}

type ScriptedRedis = Redis & {
  couponIssue(units: string, free: string, issued: string, pending: string, userId: string): Promise<[number, number?, number?, string?, string?]>;
  couponSettle(units: string, free: string, issued: string, pending: string, userId: string, entry: string, holder: number, unitFree: number): Promise<number>;
  couponLoad(units: string, free: string, issued: string, pending: string, ...args: (string | number)[]): Promise<[number, number, number]>;
};

const scriptKeys = (couponId: number | string): [string, string, string, string] => {
  const k = couponKeys(couponId);
  return [k.units, k.free, k.issued, k.pending];
};

function parseEntry(userId: string, entry: string): PendingAdmission | undefined {
  const m = /^(\d+):(\d+)$/.exec(entry);
  return m ? { userId, unit: Number(m[1]), admittedAt: Number(m[2]), entry } : undefined;
}

/**
 * The coupon's Redis side: its keys, one Lua script per atomic operation
 * (`issue.lua`, `settle.lua`, `load.lua`; their headers say KEYS, ARGV and
 * every return value) and the reads reconciliation needs.
 *
 * Units are numbered 1…total. Redis hands them out (a counter for the never
 * issued ones plus a set of given-back ones, so a coupon of millions costs no
 * million-member set) and remembers who is counted; MySQL's unique keys on
 * the issued rows decide.
 */
export class CouponRedis {
  private readonly redis: ScriptedRedis;

  constructor(redis: Redis) {
    defineLuaCommand(redis, 'couponIssue', new URL('./issue.lua', import.meta.url));
    defineLuaCommand(redis, 'couponSettle', new URL('./settle.lua', import.meta.url));
    defineLuaCommand(redis, 'couponLoad', new URL('./load.lua', import.meta.url));
    this.redis = redis as ScriptedRedis;
  }

  /** issue.lua: loaded? counted? — then a unit, recorded as pending, all or nothing. */
  async issue(couponId: number | string, userId: string): Promise<IssueOutcome> {
    const [code, unit, remaining, epoch, entry] = await this.redis.couponIssue(...scriptKeys(couponId), userId);
    if (code === 1 || code === 2) {
      return { kind: code === 1 ? 'admitted' : 'resumed', unit: unit!, remaining: remaining!, epoch: String(epoch), entry: String(entry) };
    }
    if (code === 0) return { kind: 'exhausted' };
    if (code === -1) return { kind: 'already-issued' };
    return { kind: 'not-loaded' };
  }

  /** settle.lua: ends the user's pending admission if it is still `entry`; false when it was not. */
  async settle(couponId: number | string, userId: string, entry: string, how: Settlement): Promise<boolean> {
    const applied = await this.redis.couponSettle(...scriptKeys(couponId), userId, entry, how.holder ? 1 : 0, how.unitFree ? 1 : 0);
    return applied === 1;
  }

  /**
   * load.lua: rebuilds the keys from the issued rows, keeping pending admissions
   * MySQL doesn't contradict. Returns the new epoch.
   */
  async load(couponId: number | string, total: number, rows: { userId: string; unit: number }[] = []): Promise<LoadOutcome> {
    const epoch = `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
    const args: (string | number)[] = [total, epoch];
    for (const r of rows) args.push(r.userId, r.unit);
    const [, , pendingKept] = await this.redis.couponLoad(...scriptKeys(couponId), ...args);
    return { epoch, pendingKept, available: Math.max(0, total - rows.length - pendingKept) };
  }

  /** The epoch of the keys now (null when not loaded). */
  epoch(couponId: number | string): Promise<string | null> {
    return this.redis.hget(couponKeys(couponId).units, 'epoch');
  }

  /**
   * Units issue.lua can still hand out, per coupon (null where the keys are not loaded): one
   * pipeline per coupon, all sent at once — each stays in its coupon's Cluster slot. Plain reads:
   * a live view, not a decision.
   */
  async availableOf(couponIds: number[]): Promise<(number | null)[]> {
    return Promise.all(
      couponIds.map(async (id) => {
        const k = couponKeys(id);
        const replies = (await this.redis.pipeline().hmget(k.units, 'total', 'next').scard(k.free).exec()) ?? [];
        const failed = replies.find(([err]) => err);
        if (failed) throw failed[0];
        const [total, next] = (replies[0]?.[1] as (string | null)[] | undefined) ?? [null, null];
        if (total === null || next === null) return null;
        return Number(replies[1]?.[1]) + Math.max(0, Number(total) - Number(next) + 1);
      }),
    );
  }

  /** Whether the keys are loaded (issue.lua refuses without them). */
  async isLoaded(couponId: number | string): Promise<boolean> {
    return (await this.redis.exists(couponKeys(couponId).units)) === 1;
  }

  /** The pending admissions and Redis' clock (the admitted-at times are on it), read at one instant. */
  async pending(couponId: number | string): Promise<{ now: number; admissions: PendingAdmission[] }> {
    const res = await this.redis.multi().hgetall(couponKeys(couponId).pending).time().exec();
    if (!res || res.some(([err]) => err)) throw res?.find(([err]) => err)?.[0] ?? new Error('coupon pending read failed');
    const [entries, [sec, usec]] = res.map(([, v]) => v) as [Record<string, string>, [string, string]];
    const admissions = Object.entries(entries).flatMap(([user, entry]) => parseEntry(user, entry) ?? []);
    return { now: Number(sec) * 1000 + Math.floor(Number(usec) / 1000), admissions };
  }

  /** Everything the keys hold; null when not loaded. */
  async read(couponId: number | string): Promise<CouponRedisState | null> {
    const k = couponKeys(couponId);
    const res = await this.redis.multi().hgetall(k.units).smembers(k.free).smembers(k.issued).hgetall(k.pending).exec();
    if (!res || res.some(([err]) => err)) throw res?.find(([err]) => err)?.[0] ?? new Error('coupon keys read failed');
    const [units, free, issued, pending] = res.map(([, v]) => v) as [Record<string, string>, string[], string[], Record<string, string>];
    if (units.total === undefined) return null;
    const total = Number(units.total);
    const next = Number(units.next);
    return {
      total,
      next,
      epoch: units.epoch,
      free: free.map(Number).sort((a, b) => a - b),
      issued: issued.sort(),
      pending: Object.entries(pending).flatMap(([user, entry]) => parseEntry(user, entry) ?? []),
      available: free.length + Math.max(0, total - next + 1),
    };
  }

  /**
   * Runs `fn` holding the coupon's rebuild lock, so one instance at a time rebuilds
   * its keys; LockBusy after `waitMs`.
   */
  withRebuildLock<T>(couponId: number, waitMs: number, fn: () => Promise<T>): Promise<T> {
    return withLock(this.redis, couponKeys(couponId).rebuildLock, { waitMs, leaseMs: 5000 }, fn);
  }

  /** Removes every key of the coupon (it can't be issued any more). One DEL: the keys share a slot. */
  async remove(couponId: number | string): Promise<void> {
    await this.redis.del(...scriptKeys(couponId));
  }
}
