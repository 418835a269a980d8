import { defineLuaCommand, type Redis } from '../../platform/redis/index';

/**
 * The hash-tagged keys of one coupon: every key of one coupon shares the tag, so
 * each script's keys live in one Redis Cluster slot.
 */
export function couponKeys(couponId: number | string): { stock: string; issued: string; suspects: string; rebuildLock: string } {
  return {
    stock: `coupon:{${couponId}}:stock`,
    issued: `coupon:{${couponId}}:issued`,
    /** Reconciliation's memory: set members without a row at its last run (orphans when seen again). */
    suspects: `coupon:{${couponId}}:suspects`,
    /** The distributed lock a rebuild of this coupon's keys runs under. */
    rebuildLock: `coupon:{${couponId}}:rebuild`,
  };
}

/** issue.lua's answer. */
export type IssueOutcome =
  | { kind: 'issued'; remaining: number }
  | { kind: 'exhausted' }
  | { kind: 'already-issued'; remaining: number }
  | { kind: 'not-loaded' };

/** What Redis holds for one coupon, read in one MULTI. */
export interface CouponSnapshot {
  /** Units left; null when the stock key is missing. */
  stock: number | null;
  members: string[];
  suspects: string[];
}

interface ScriptedRedis extends Redis {
  couponIssue(stock: string, issued: string, userId: string): Promise<[number, number]>;
  couponUnissue(stock: string, issued: string, userId: string): Promise<number>;
  couponLoad(stock: string, issued: string, ...args: (string | number)[]): Promise<number>;
}

/**
 * The coupon's Redis side: its keys, one Lua script per atomic operation
 * (`issue.lua`, `unissue.lua`, `load.lua`; their headers say KEYS, ARGV and
 * every return value) and the plain reads and writes reconciliation needs.
 */
export class CouponRedis {
  private readonly redis: ScriptedRedis;

  constructor(redis: Redis) {
    defineLuaCommand(redis, 'couponIssue', new URL('./issue.lua', import.meta.url));
    defineLuaCommand(redis, 'couponUnissue', new URL('./unissue.lua', import.meta.url));
    defineLuaCommand(redis, 'couponLoad', new URL('./load.lua', import.meta.url));
    this.redis = redis as ScriptedRedis;
  }

  /** issue.lua: loaded? holder? unit left? — then DECR and SADD, all or nothing. */
  async issue(couponId: number | string, userId: string): Promise<IssueOutcome> {
    const keys = couponKeys(couponId);
    const [code, remaining] = await this.redis.couponIssue(keys.stock, keys.issued, userId);
    if (code === 1) return { kind: 'issued', remaining };
    if (code === 0) return { kind: 'exhausted' };
    if (code === -1) return { kind: 'already-issued', remaining };
    return { kind: 'not-loaded' };
  }

  /** unissue.lua: gives the user's unit back; false when the user was not in the set (keys rebuilt since). */
  async unissue(couponId: number | string, userId: string): Promise<boolean> {
    const keys = couponKeys(couponId);
    return (await this.redis.couponUnissue(keys.stock, keys.issued, userId)) === 1;
  }

  /** load.lua: replaces the keys with `left` units and these holders in one step. */
  async load(couponId: number | string, left: number, holders: string[] = []): Promise<void> {
    const keys = couponKeys(couponId);
    await this.redis.couponLoad(keys.stock, keys.issued, left, ...holders);
  }

  /** Whether the issued set counts the user. */
  async holds(couponId: number | string, userId: string): Promise<boolean> {
    return (await this.redis.sismember(couponKeys(couponId).issued, userId)) === 1;
  }

  /** Whether the stock key exists (issue.lua refuses without it). */
  async isLoaded(couponId: number | string): Promise<boolean> {
    return (await this.redis.exists(couponKeys(couponId).stock)) === 1;
  }

  /** Stock, issued set and suspects at one instant; null when the MULTI failed. */
  async snapshot(couponId: number | string): Promise<CouponSnapshot | null> {
    const keys = couponKeys(couponId);
    const res = await this.redis.multi().get(keys.stock).smembers(keys.issued).smembers(keys.suspects).exec();
    if (!res || res.some(([err]) => err)) return null;
    const [stock, members, suspects] = res.map(([, v]) => v) as [string | null, string[], string[]];
    return { stock: stock === null ? null : Number(stock), members, suspects };
  }

  /** Replaces the suspects with `users` (none: removed), kept for `ttlMs`. */
  async setSuspects(couponId: number | string, users: string[], ttlMs: number): Promise<void> {
    const keys = couponKeys(couponId);
    const tx = this.redis.multi().del(keys.suspects);
    if (users.length > 0) tx.sadd(keys.suspects, ...users).pexpire(keys.suspects, ttlMs);
    await tx.exec();
  }

  /** Removes every key of the coupon (it can't be issued, or a test wipes it). One DEL: the keys share a slot. */
  async remove(couponId: number | string): Promise<void> {
    const keys = couponKeys(couponId);
    await this.redis.del(keys.stock, keys.issued, keys.suspects);
  }
}
