import { randomBytes } from 'node:crypto';
import { withLock } from '../../platform/lock';
import { defineLuaCommand, type Redis } from '../../platform/redis/index';

/**
 * A deal product's keys (contract §0.3). The hash tag is the deal id, so one
 * script's keys — and all keys of one deal — live in one Redis Cluster slot.
 */
export function dealKeys(dealId: number, productId: number): [stock: string, bought: string, epoch: string] {
  const base = `timedeal:{${dealId}}:{${productId}}`;
  return [`${base}:stock`, `${base}:bought`, `${base}:epoch`];
}

export type PurchaseOutcome =
  | { kind: 'ok'; remaining: number; epoch: string }
  | { kind: 'sold-out' }
  | { kind: 'limit' }
  | { kind: 'not-loaded' };

/** What unpurchase.lua did: gave the units back, or nothing because the keys are gone or were rebuilt since. */
export type UnpurchaseOutcome = { kind: 'applied'; stock: number } | { kind: 'stale' };

/** What Redis holds for one deal product; `stock` and `epoch` are null when the keys are not loaded. */
export interface DealKeysState {
  stock: number | null;
  epoch: string | null;
  bought: Map<string, number>;
}

interface ScriptedRedis extends Redis {
  timedealPurchase(stock: string, bought: string, epoch: string, userId: string, quantity: number, maxPerUser: number): Promise<[number, string | null]>;
  timedealUnpurchase(stock: string, bought: string, epoch: string, userId: string, quantity: number, seenEpoch: string): Promise<number>;
  timedealLoad(stock: string, bought: string, epoch: string, ...args: (string | number)[]): Promise<number>;
}

/** A value no earlier load of any key wrote. */
export const newEpoch = () => `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;

/**
 * The time deal's Redis side: one Lua script per atomic operation
 * (`purchase.lua`, `unpurchase.lua`, `load.lua`; their headers say KEYS, ARGV
 * and every return value).
 */
export class TimeDealRedis {
  private readonly redis: ScriptedRedis;

  constructor(redis: Redis) {
    defineLuaCommand(redis, 'timedealPurchase', new URL('./purchase.lua', import.meta.url));
    defineLuaCommand(redis, 'timedealUnpurchase', new URL('./unpurchase.lua', import.meta.url));
    defineLuaCommand(redis, 'timedealLoad', new URL('./load.lua', import.meta.url));
    this.redis = redis as ScriptedRedis;
  }

  /** purchase.lua: max per user, stock, DECRBY, HINCRBY — all or nothing. */
  async purchase(dealId: number, productId: number, userId: string, quantity: number, maxPerUser: number): Promise<PurchaseOutcome> {
    const [result, epoch] = await this.redis.timedealPurchase(...dealKeys(dealId, productId), userId, quantity, maxPerUser);
    if (result > 0) return { kind: 'ok', remaining: result - 1, epoch: String(epoch) };
    if (result === 0) return { kind: 'sold-out' };
    if (result === -1) return { kind: 'limit' };
    return { kind: 'not-loaded' };
  }

  /** unpurchase.lua: gives the units back if the keys are still the ones `epoch` names. */
  async unpurchase(dealId: number, productId: number, userId: string, quantity: number, epoch: string): Promise<UnpurchaseOutcome> {
    const stock = await this.redis.timedealUnpurchase(...dealKeys(dealId, productId), userId, quantity, epoch);
    return stock >= 0 ? { kind: 'applied', stock } : { kind: 'stale' };
  }

  /** load.lua: replaces the keys with MySQL's numbers under a new epoch; returns that epoch. */
  async load(dealId: number, productId: number, stock: number, bought: { userId: string; units: number }[]): Promise<string> {
    const epoch = newEpoch();
    const args: (string | number)[] = [stock, epoch];
    for (const b of bought) args.push(b.userId, b.units);
    await this.redis.timedealLoad(...dealKeys(dealId, productId), ...args);
    return epoch;
  }

  /** The epoch the keys carry now (null when not loaded). */
  epoch(dealId: number, productId: number): Promise<string | null> {
    return this.redis.get(dealKeys(dealId, productId)[2]);
  }

  /** What Redis holds for a deal product (null stock when not loaded). */
  async read(dealId: number, productId: number): Promise<DealKeysState> {
    const [stockKey, boughtKey, epochKey] = dealKeys(dealId, productId);
    const [stock, epoch, bought] = await Promise.all([this.redis.get(stockKey), this.redis.get(epochKey), this.redis.hgetall(boughtKey)]);
    return {
      stock: stock === null ? null : Number(stock),
      epoch,
      bought: new Map(Object.entries(bought).map(([user, units]) => [user, Number(units)])),
    };
  }

  /** Removes a deal's keys (it ended or was cancelled). One DEL: the keys share a slot. */
  async remove(dealId: number, productIds: number[]): Promise<void> {
    if (productIds.length === 0) return;
    await this.redis.del(...productIds.flatMap((p) => dealKeys(dealId, p)));
  }

  /**
   * Runs `fn` holding the deal's rebuild lock (`lock:timedeal:rebuild:<dealId>`),
   * so one instance at a time rebuilds a deal's keys; LockBusy after `waitMs`.
   */
  withRebuildLock<T>(dealId: number, waitMs: number, fn: () => Promise<T>): Promise<T> {
    return withLock(this.redis, `timedeal:rebuild:${dealId}`, { waitMs, leaseMs: 15_000 }, fn);
  }
}
