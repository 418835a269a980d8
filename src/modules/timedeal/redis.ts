import { randomBytes } from 'node:crypto';
import { withLock } from '../../platform/lock';
import { defineLuaCommand, type Redis } from '../../platform/redis/index';

/**
 * A deal product's keys. The hash tag is the deal id, so one script's keys —
 * and all keys of one deal — live in one Redis Cluster slot.
 */
export function dealKeys(dealId: number, productId: number): { free: string; bought: string; adm: string; epoch: string } {
  const base = `timedeal:{${dealId}}:{${productId}}`;
  return { free: `${base}:free`, bought: `${base}:bought`, adm: `${base}:adm`, epoch: `${base}:epoch` };
}

/** Units taken for one request and not yet claimed in MySQL. */
export interface Admission {
  id: string;
  /** When the script ran, in ms of the Redis clock. */
  at: number;
  units: number[];
}

export type PurchaseOutcome =
  | { kind: 'ok'; admission: Admission; takenOver: number }
  | { kind: 'sold-out' }
  | { kind: 'limit' }
  | { kind: 'not-loaded' };

/** Whether unpurchase.lua found the admission (and uncounted its units) or it was already released. */
export type UnpurchaseOutcome = { kind: 'applied'; units: number } | { kind: 'already-released' };

/** Whether giveback.lua put a returned purchase's units back, or the keys were loaded again since (which counted it). */
export type GiveBackOutcome = { kind: 'applied' } | { kind: 'reloaded' };

export interface LoadOutcome {
  epoch: string;
  /** Admissions released for being older than the grace period. */
  released: number;
  /** Admissions kept in flight. */
  kept: number;
}

/** What the reconcile reads to decide on a rebuild. */
export type KeysState =
  | { kind: 'not-loaded' }
  | { kind: 'loaded'; free: number; inFlight: number; expired: number };

/** Everything Redis holds for a deal product (tests and diagnostics). */
export interface KeysSnapshot {
  epoch: string | null;
  free: number[];
  bought: Map<string, number>;
  admissions: Map<string, Admission[]>;
}

type ScriptedRedis = Redis & {
  timedealPurchase(free: string, bought: string, adm: string, epoch: string, userId: string, quantity: number, maxPerUser: number, id: string): Promise<number[]>;
  timedealSettle(free: string, adm: string, userId: string, id: string, ...extra: number[]): Promise<number>;
  timedealUnpurchase(free: string, bought: string, adm: string, userId: string, id: string, giveUnits: number): Promise<number>;
  timedealGiveBack(free: string, bought: string, epoch: string, userId: string, seenEpoch: string, ...units: number[]): Promise<number>;
  timedealLoad(free: string, bought: string, adm: string, epoch: string, ...args: (string | number)[]): Promise<[number, number]>;
  timedealState(free: string, adm: string, epoch: string, graceMs: number): Promise<[number, number, number, number]>;
};

/** A value no earlier load of any key wrote. */
export const newEpoch = () => `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;

const instance = randomBytes(4).toString('hex');
let admissions = 0;
/** An admission id unique across instances: this process's random prefix and a counter. */
export const newAdmissionId = () => `${instance}.${(++admissions).toString(36)}`;

/**
 * The time deal's Redis side: its keys, one Lua script per atomic operation
 * (`purchase.lua`, `settle.lua`, `unpurchase.lua`, `giveback.lua`, `load.lua`,
 * `state.lua`; their headers say KEYS, ARGV and every return value) and the
 * deal's rebuild lock. Nothing else in the module talks to Redis.
 */
export class TimeDealRedis {
  private readonly redis: ScriptedRedis;

  constructor(redis: Redis) {
    defineLuaCommand(redis, 'timedealPurchase', new URL('./purchase.lua', import.meta.url));
    defineLuaCommand(redis, 'timedealSettle', new URL('./settle.lua', import.meta.url));
    defineLuaCommand(redis, 'timedealUnpurchase', new URL('./unpurchase.lua', import.meta.url));
    defineLuaCommand(redis, 'timedealGiveBack', new URL('./giveback.lua', import.meta.url));
    defineLuaCommand(redis, 'timedealLoad', new URL('./load.lua', import.meta.url));
    defineLuaCommand(redis, 'timedealState', new URL('./state.lua', import.meta.url));
    this.redis = redis as ScriptedRedis;
  }

  /** purchase.lua: max per user, free units, SPOP, count, admission record — all or nothing. */
  async purchase(dealId: number, productId: number, userId: string, quantity: number, maxPerUser: number, id = newAdmissionId()): Promise<PurchaseOutcome> {
    const k = dealKeys(dealId, productId);
    const [result, at, takenOver, ...units] = await this.redis.timedealPurchase(k.free, k.bought, k.adm, k.epoch, userId, quantity, maxPerUser, id);
    if (result === 1) return { kind: 'ok', admission: { id, at, units }, takenOver };
    if (result === 0) return { kind: 'sold-out' };
    if (result === -1) return { kind: 'limit' };
    return { kind: 'not-loaded' };
  }

  /**
   * Free units per deal product (null where the keys are not loaded): one pipeline per deal, all
   * sent at once — each stays in its deal's Cluster slot. Plain reads: a live view, not a decision.
   */
  async freeOf(products: { dealId: number; productId: number }[]): Promise<(number | null)[]> {
    const byDeal = new Map<number, number[]>();
    products.forEach((p, i) => byDeal.set(p.dealId, [...(byDeal.get(p.dealId) ?? []), i]));
    const out = new Array<number | null>(products.length).fill(null);
    await Promise.all(
      [...byDeal.values()].map(async (indexes) => {
        const pipe = this.redis.pipeline();
        for (const i of indexes) {
          const k = dealKeys(products[i].dealId, products[i].productId);
          pipe.scard(k.free).exists(k.epoch);
        }
        const replies = (await pipe.exec()) ?? [];
        const failed = replies.find(([err]) => err);
        if (failed) throw failed[0];
        indexes.forEach((i, j) => {
          out[i] = Number(replies[2 * j + 1]?.[1]) === 1 ? Number(replies[2 * j]?.[1]) : null;
        });
      }),
    );
    return out;
  }

  /** settle.lua: the admission's purchase committed; `extra` are units MySQL gave it instead of refused ones. */
  async settle(dealId: number, productId: number, userId: string, admissionId: string, extra: number[] = []): Promise<void> {
    const k = dealKeys(dealId, productId);
    await this.redis.timedealSettle(k.free, k.adm, userId, admissionId, ...extra);
  }

  /** unpurchase.lua: the admission's purchase failed; its units go back unless MySQL refused them. */
  async unpurchase(dealId: number, productId: number, userId: string, admissionId: string, giveUnits: boolean): Promise<UnpurchaseOutcome> {
    const k = dealKeys(dealId, productId);
    const units = await this.redis.timedealUnpurchase(k.free, k.bought, k.adm, userId, admissionId, giveUnits ? 1 : 0);
    return units > 0 ? { kind: 'applied', units } : { kind: 'already-released' };
  }

  /** giveback.lua: a returned purchase's units, if the keys are still the load `epoch` names. */
  async giveBack(dealId: number, productId: number, userId: string, units: number[], epoch: string): Promise<GiveBackOutcome> {
    const k = dealKeys(dealId, productId);
    return (await this.redis.timedealGiveBack(k.free, k.bought, k.epoch, userId, epoch, ...units)) === 1 ? { kind: 'applied' } : { kind: 'reloaded' };
  }

  /** load.lua: replaces the keys with MySQL's units and counts under a new epoch, keeping admissions in flight. */
  async load(dealId: number, productId: number, free: number[], bought: { userId: string; units: number }[], graceMs: number): Promise<LoadOutcome> {
    const k = dealKeys(dealId, productId);
    const epoch = newEpoch();
    const args: (string | number)[] = [graceMs, epoch, free.length, ...free];
    for (const b of bought) args.push(b.userId, b.units);
    const [released, kept] = await this.redis.timedealLoad(k.free, k.bought, k.adm, k.epoch, ...args);
    return { epoch, released, kept };
  }

  /** state.lua: loaded or not, free units, units in flight, admissions past the grace period. */
  async state(dealId: number, productId: number, graceMs: number): Promise<KeysState> {
    const k = dealKeys(dealId, productId);
    const [loaded, free, inFlight, expired] = await this.redis.timedealState(k.free, k.adm, k.epoch, graceMs);
    return loaded === 1 ? { kind: 'loaded', free, inFlight, expired } : { kind: 'not-loaded' };
  }

  /** The epoch the keys carry now (null when not loaded). */
  epoch(dealId: number, productId: number): Promise<string | null> {
    return this.redis.get(dealKeys(dealId, productId).epoch);
  }

  /** Everything the keys hold (one pipeline; not atomic — for tests and diagnostics). */
  async snapshot(dealId: number, productId: number): Promise<KeysSnapshot> {
    const k = dealKeys(dealId, productId);
    const [epoch, free, bought, adm] = await Promise.all([this.redis.get(k.epoch), this.redis.smembers(k.free), this.redis.hgetall(k.bought), this.redis.hgetall(k.adm)]);
    return {
      epoch,
      free: free.map(Number).sort((a, b) => a - b),
      bought: new Map(Object.entries(bought).map(([user, units]) => [user, Number(units)])),
      admissions: new Map(Object.entries(adm).map(([user, list]) => [user, (JSON.parse(list) as { id: string; at: number; u: number[] }[]).map((a) => ({ id: a.id, at: a.at, units: a.u }))])),
    };
  }

  /** Removes a deal's keys (it ended or was cancelled). One DEL: the keys share a slot. */
  async remove(dealId: number, productIds: number[]): Promise<void> {
    if (productIds.length === 0) return;
    await this.redis.del(...productIds.flatMap((p) => Object.values(dealKeys(dealId, p))));
  }

  /**
   * Runs `fn` holding the deal's rebuild lock (`lock:timedeal:rebuild:<dealId>`),
   * so one instance at a time rebuilds a deal's keys; LockBusy after `waitMs`.
   */
  withRebuildLock<T>(dealId: number, waitMs: number, fn: () => Promise<T>): Promise<T> {
    return withLock(this.redis, `timedeal:rebuild:${dealId}`, { waitMs, leaseMs: 5_000 }, fn);
  }
}
