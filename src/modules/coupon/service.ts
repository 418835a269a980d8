import type { Db } from '../../platform/db/index';
import { isDuplicateKey } from '../../platform/db/index';
import { inTransaction, type Tx } from '../../platform/db/tx';
import { emit, Topics } from '../../platform/events/outbox';
import { fail, type FieldError } from '../../platform/http/errors';
import { toPage, type Page, type PageRequest } from '../../platform/http/pagination';
import { parseDateTime } from '../../platform/http/schema';
import { LockBusy, withLock } from '../../platform/lock';
import { toDecimal, toMinor, toWire, type Minor } from '../../platform/money';
import { defineLuaCommand, type Redis } from '../../platform/redis/index';
import type { Scheduler } from '../../platform/scheduler';
import {
  CouponRepository,
  LOADED_STATUSES,
  type CouponRow,
  type CouponWithIssued,
  type UserCouponView,
} from './repository';
import {
  DISCOUNT_TYPES,
  type CouponInput,
  type CouponIssuedPayload,
  type CouponResponse,
  type CouponStatus,
  type UserCouponResponse,
} from './schemas';

/** The hash-tagged keys of one coupon (contract §0.3; rule 5: one script's keys share a slot). */
export function couponKeys(couponId: number | string): { stock: string; issued: string; suspects: string } {
  return {
    stock: `coupon:{${couponId}}:stock`,
    issued: `coupon:{${couponId}}:issued`,
    /** Reconciliation's memory: set members without a row at its last run (orphans when seen again). */
    suspects: `coupon:{${couponId}}:suspects`,
  };
}

/** issue.lua's answer: `[code, remaining]`. */
export const IssueCode = { ISSUED: 1, EXHAUSTED: 0, ALREADY_ISSUED: -1, NOT_LOADED: -2 } as const;

/** The coupon scripts, registered on the Redis client by the service. */
export interface CouponScripts {
  couponIssue(stockKey: string, issuedKey: string, userId: string): Promise<[number, number]>;
  couponUnissue(stockKey: string, issuedKey: string, userId: string): Promise<number>;
  couponLoad(stockKey: string, issuedKey: string, args: (string | number)[]): Promise<number>;
}

/** Registers issue.lua, unissue.lua and load.lua on a client (idempotent); the bench's floor route uses it too. */
export function couponScripts(redis: Redis): CouponScripts {
  const r = redis as Redis & Partial<CouponScripts>;
  if (!r.couponIssue) {
    defineLuaCommand(redis, 'couponIssue', new URL('./issue.lua', import.meta.url));
    defineLuaCommand(redis, 'couponUnissue', new URL('./unissue.lua', import.meta.url));
    defineLuaCommand(redis, 'couponLoad', new URL('./load.lua', import.meta.url));
  }
  return r as Redis & CouponScripts;
}

/** The scheduler's job names (also their lock keys). */
export const EXPIRE_JOB = 'coupons:expire';
export const RECONCILE_JOB = 'coupons:reconcile';

export interface CouponServiceOptions {
  /** How often the expiry job runs (default 60 s). */
  expiryIntervalMs?: number;
  /** How often Redis is reconciled with MySQL (default 5 min). */
  reconcileIntervalMs?: number;
  /**
   * How long the issue path trusts a coupon row it read (default 1 s). Safe to
   * cache: its times never change, and the statuses that stop issuance either
   * remove the Redis keys (INACTIVE, EXPIRED: the script then refuses and the
   * row is read again) or are answered by the script itself (EXHAUSTED).
   */
  couponCacheMs?: number;
}

/** Test-only fault injection (never set in production). */
export interface CouponFailpoints {
  /** Runs after the script granted a unit, before the transaction starts. */
  afterScript?: (userId: string, couponId: number) => void | Promise<void>;
  /** Runs inside an issuance's MySQL transaction, after its INSERT; throwing rolls it back. */
  beforeCommit?: (userId: string, couponId: number) => void | Promise<void>;
}

const EXPIRY_BATCH = 500;
/** Script runs per issuance: the first, plus a retry after each lost-keys or superseded attempt. */
const MAX_ATTEMPTS = 8;

/** A rebuild replaced the keys while this issuance was between its script and its INSERT. */
class Superseded extends Error {}

/**
 * The discount an order of `orderTotal` (minor units) gets from a coupon, in
 * minor units: FIXED = its value; PERCENTAGE = total × value / 100 rounded down
 * to whole won; either capped by `maximumDiscountAmount` and never above the total.
 */
export function discountFor(
  coupon: Pick<CouponRow, 'discount_type' | 'discount_value' | 'maximum_discount_amount'>,
  orderTotal: Minor,
): Minor {
  if (orderTotal <= 0) return 0;
  let discount: Minor;
  if (coupon.discount_type === 'PERCENTAGE') {
    // value in hundredths of a percent: total × (value×100) / 10 000 minor units, floored to whole won (100 minor).
    const raw = (BigInt(orderTotal) * BigInt(toMinor(coupon.discount_value))) / 10_000n;
    discount = Number((raw / 100n) * 100n);
  } else {
    discount = toMinor(coupon.discount_value);
  }
  if (coupon.maximum_discount_amount !== null) discount = Math.min(discount, toMinor(coupon.maximum_discount_amount));
  return Math.max(0, Math.min(discount, orderTotal));
}

const nullableWire = (v: string | null) => (v === null ? null : toWire(toMinor(v)));

export function toCouponResponse(c: CouponWithIssued): CouponResponse {
  const issued = Math.min(c.issued_quantity, c.total_quantity);
  return {
    id: c.id,
    code: c.code,
    name: c.name,
    description: c.description,
    discountType: c.discount_type,
    discountValue: toWire(toMinor(c.discount_value)),
    minimumOrderAmount: nullableWire(c.minimum_order_amount),
    maximumDiscountAmount: nullableWire(c.maximum_discount_amount),
    totalQuantity: c.total_quantity,
    issuedQuantity: c.issued_quantity,
    remainingQuantity: c.total_quantity - issued,
    status: c.status,
    startsAt: c.starts_at,
    expiresAt: c.expires_at,
    createdAt: c.created_at,
  };
}

export function toUserCouponResponse(u: UserCouponView): UserCouponResponse {
  return {
    id: u.id,
    couponId: u.coupon_id,
    couponCode: u.coupon_code,
    couponName: u.coupon_name,
    discountType: u.discount_type,
    discountValue: toWire(toMinor(u.discount_value)),
    minimumOrderAmount: nullableWire(u.minimum_order_amount),
    maximumDiscountAmount: nullableWire(u.maximum_discount_amount),
    status: u.status,
    issuedAt: u.issued_at,
    expiresAt: u.expires_at,
    usedAt: u.used_at,
    usedOrderId: u.order_id,
  };
}

/**
 * First-come coupons (seed flow 7). Redis is the fast gate, MySQL the truth:
 *
 * - issue: one script (issue.lua) decides — holder? unit left? — and takes the
 *   unit; then one transaction inserts the user_coupons row (the issued count
 *   is COUNT of these rows: no counter every issuance would lock), marks the
 *   coupon EXHAUSTED only in the transaction that took the last unit, and
 *   records `shopping.coupon.issued` in the outbox. If it fails, unissue.lua
 *   gives the unit back before the error is returned.
 * - Missing keys never mean "stock": the script refuses, and the keys are
 *   rebuilt from the rows under the coupon's lock and its MySQL row lock, then
 *   the issuance is tried again.
 * - A rebuild can race an issuance that passed the script but has not yet
 *   inserted its row: its INSERT waits for the rebuild (the foreign-key check
 *   takes a shared lock on the coupon row the rebuild holds exclusively), then
 *   it checks it is still in the issued set; when not, it rolls back and tries
 *   again against the rebuilt keys. So the rows can never exceed the total.
 */
export class CouponService {
  private readonly repo: CouponRepository;
  private readonly scripts: CouponScripts;
  private readonly options: Required<CouponServiceOptions>;
  /** Coupon rows the issue path read recently (see `couponCacheMs`). */
  private readonly cache = new Map<number, { row: CouponRow; at: number }>();
  private readonly reading = new Map<number, Promise<CouponRow | undefined>>();
  /** One rebuild per coupon at a time in this process (the lock covers other processes). */
  private readonly rebuilding = new Map<number, Promise<CouponRow | undefined>>();
  /** Test-only fault injection. */
  readonly failpoints: CouponFailpoints = {};

  constructor(
    private readonly db: Db,
    private readonly redis: Redis,
    options: CouponServiceOptions = {},
  ) {
    this.repo = new CouponRepository(db);
    this.scripts = couponScripts(redis);
    this.options = {
      expiryIntervalMs: options.expiryIntervalMs ?? 60_000,
      reconcileIntervalMs: options.reconcileIntervalMs ?? 300_000,
      couponCacheMs: options.couponCacheMs ?? 1000,
    };
  }

  // ---- admin -------------------------------------------------------------------

  /** A new ACTIVE coupon; its Redis stock is set to the total. S607 on a duplicate code. */
  async create(input: CouponInput): Promise<CouponResponse> {
    const values = this.validate(input);
    const createdAt = new Date();
    let id: number;
    try {
      id = await this.repo.insert({ ...values, created_at: createdAt, updated_at: createdAt });
    } catch (err) {
      if (isDuplicateKey(err, 'uk_coupons_code')) throw fail('COUPON_CODE_ALREADY_EXISTS');
      throw err;
    }
    const keys = couponKeys(id);
    // Best effort: if this fails, the first issuance finds no stock key and loads it from MySQL.
    await this.scripts.couponLoad(keys.stock, keys.issued, [values.total_quantity]).catch(() => undefined);
    // Answered from what was written: a read now could only turn a created coupon into an error.
    return toCouponResponse({ ...values, id, created_at: createdAt, updated_at: createdAt, issued_quantity: 0 });
  }

  private validate(input: CouponInput) {
    const details: FieldError[] = [];
    const now = new Date();
    const startsAt = parseDateTime(input.startsAt);
    const expiresAt = parseDateTime(input.expiresAt);
    if (!startsAt) details.push({ field: 'startsAt', message: 'Start date must be a date-time such as 2026-01-20T00:00:00', rejectedValue: input.startsAt });
    if (!expiresAt) {
      details.push({ field: 'expiresAt', message: 'Expiry date must be a date-time such as 2026-01-20T00:00:00', rejectedValue: input.expiresAt });
    } else if (expiresAt.getTime() <= now.getTime()) {
      details.push({ field: 'expiresAt', message: 'Expiry date must be in the future', rejectedValue: input.expiresAt });
    } else if (startsAt && expiresAt.getTime() <= startsAt.getTime()) {
      details.push({ field: 'expiresAt', message: 'Expiry date must be after start date', rejectedValue: input.expiresAt });
    }
    const type = input.discountType;
    if (!(DISCOUNT_TYPES as readonly string[]).includes(type)) {
      details.push({ field: 'discountType', message: 'Discount type must be FIXED or PERCENTAGE', rejectedValue: type });
    }
    const value = Number.isFinite(input.discountValue) ? toMinor(input.discountValue) : 0;
    if (value <= 0) {
      details.push({ field: 'discountValue', message: 'Discount value must be greater than 0', rejectedValue: input.discountValue });
    } else if (type === 'PERCENTAGE' && value > 100_00) {
      details.push({ field: 'discountValue', message: 'Percentage discount must be at most 100', rejectedValue: input.discountValue });
    }
    const money = (v: number | null | undefined, field: string, label: string) => {
      if (v === null || v === undefined) return null;
      if (!Number.isFinite(v) || v < 0) {
        details.push({ field, message: `${label} must be non-negative`, rejectedValue: v });
        return null;
      }
      return toDecimal(toMinor(v));
    };
    const minimum = money(input.minimumOrderAmount, 'minimumOrderAmount', 'Minimum order amount');
    const maximum = money(input.maximumDiscountAmount, 'maximumDiscountAmount', 'Maximum discount amount');
    if (!Number.isInteger(input.totalQuantity) || input.totalQuantity < 1) {
      details.push({ field: 'totalQuantity', message: 'Total quantity must be at least 1', rejectedValue: input.totalQuantity });
    }
    if (!input.code?.trim()) details.push({ field: 'code', message: 'Coupon code is required' });
    if (!input.name?.trim()) details.push({ field: 'name', message: 'Coupon name is required' });
    if (details.length > 0) throw fail('INVALID_INPUT_VALUE', details);
    return {
      code: input.code,
      name: input.name,
      description: input.description ?? null,
      discount_type: type,
      discount_value: toDecimal(value),
      minimum_order_amount: minimum,
      maximum_discount_amount: maximum,
      total_quantity: input.totalQuantity,
      status: 'ACTIVE' as CouponStatus,
      starts_at: startsAt!,
      expires_at: expiresAt!,
    };
  }

  /** Admin list: PageResponse, createdAt ASC. */
  async list(page: PageRequest): Promise<Page<CouponResponse>> {
    const [rows, total] = await Promise.all([this.repo.page(page.size, page.offset), this.repo.count()]);
    return toPage(rows.map(toCouponResponse), total, page);
  }

  /** Any status; S601 when missing. */
  async get(id: number): Promise<CouponResponse> {
    const row = await this.repo.findWithIssued(id);
    if (!row) throw fail('COUPON_NOT_FOUND');
    return toCouponResponse(row);
  }

  /** Admin DELETE: INACTIVE and the Redis keys removed (issued coupons stay with their holders). */
  async deactivate(id: number): Promise<void> {
    await this.underCouponLock(id, () =>
      inTransaction(this.db, async (trx) => {
        const row = await this.repo.with(trx).lock(id);
        if (!row) throw fail('COUPON_NOT_FOUND');
        if (row.status !== 'INACTIVE') await this.repo.with(trx).setStatus(id, [row.status as CouponStatus], 'INACTIVE');
        // Under the row lock: no issuance is between its INSERT and COMMIT; those still
        // before their INSERT find themselves gone from the set and retry into S606.
        await this.deleteKeys(id);
      }),
    );
    this.cache.delete(id);
  }

  // ---- public --------------------------------------------------------------------

  /** Issuable now: ACTIVE, started, not expired, not all issued; expiresAt ASC. */
  async issuable(): Promise<CouponResponse[]> {
    return (await this.repo.issuable(new Date())).map(toCouponResponse);
  }

  // ---- issue ---------------------------------------------------------------------

  /**
   * POST /coupons/{id}/issue: S601, S606 (INACTIVE), S605 (not started), S603
   * (expired); then the script — S604 to a holder, S602 when none is left — and
   * the transaction. EXHAUSTED coupons go to the script too, so a holder hears
   * S604 and a unit given back by a failed issuance can still be taken.
   */
  async issue(userId: string, couponId: number): Promise<UserCouponResponse> {
    let coupon = await this.couponForIssue(couponId);
    this.checkIssuable(coupon, new Date());
    const keys = couponKeys(couponId);
    // Each lost-keys answer or superseded attempt is retried once; a few in all, then 503.
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const [code, remaining] = await this.scripts.couponIssue(keys.stock, keys.issued, userId);
      if (code === IssueCode.ALREADY_ISSUED) throw fail('COUPON_ALREADY_ISSUED');
      if (code === IssueCode.EXHAUSTED) throw fail('COUPON_EXHAUSTED');
      if (code === IssueCode.NOT_LOADED) {
        // Never guess a stock: load the keys from MySQL, then try again.
        const fresh = await this.reload(couponId);
        if (!fresh) throw fail('COUPON_NOT_FOUND');
        coupon = fresh;
        this.checkIssuable(coupon, new Date());
        continue;
      }
      try {
        return await this.record(coupon, userId, remaining);
      } catch (err) {
        if (err instanceof Superseded) continue; // the keys were rebuilt without us: try again
        throw err;
      }
    }
    throw fail('SERVICE_UNAVAILABLE');
  }

  private checkIssuable(c: CouponRow, now: Date): void {
    if (c.status === 'INACTIVE') throw fail('COUPON_INACTIVE');
    if (now.getTime() < c.starts_at.getTime()) throw fail('COUPON_NOT_STARTED');
    if (c.status === 'EXPIRED' || now.getTime() >= c.expires_at.getTime()) throw fail('COUPON_EXPIRED');
  }

  /** The coupon row for the issue path: read at most once per `couponCacheMs` per process. */
  private async couponForIssue(id: number): Promise<CouponRow> {
    const hit = this.cache.get(id);
    if (hit && Date.now() - hit.at < this.options.couponCacheMs) return hit.row;
    let pending = this.reading.get(id);
    if (!pending) {
      pending = this.repo.findById(id).finally(() => this.reading.delete(id));
      this.reading.set(id, pending);
    }
    const row = await pending;
    if (!row) throw fail('COUPON_NOT_FOUND');
    this.cache.set(id, { row, at: Date.now() });
    return row;
  }

  /** The MySQL step of an issuance the script granted; gives the unit back when it fails. */
  private async record(coupon: CouponRow, userId: string, remaining: number): Promise<UserCouponResponse> {
    const keys = couponKeys(coupon.id);
    const issuedAt = new Date();
    let committing = false;
    try {
      if (this.failpoints.afterScript) await this.failpoints.afterScript(userId, coupon.id);
      const id = await inTransaction(this.db, async (trx) => {
        const repo = this.repo.with(trx);
        // Only the issuance that took the last unit touches the coupon row, and first
        // (an exclusive lock taken before any shared one: no lock upgrade, no deadlock).
        if (remaining === 0) await repo.setStatus(coupon.id, ['ACTIVE'], 'EXHAUSTED');
        const id = await repo.insertUserCoupon({
          user_id: userId,
          coupon_id: coupon.id,
          status: 'AVAILABLE',
          issued_at: issuedAt,
          expires_at: coupon.expires_at,
        });
        const payload: CouponIssuedPayload = {
          userId,
          couponCode: coupon.code,
          couponName: coupon.name,
          discountType: coupon.discount_type,
          discountValue: Math.trunc(toMinor(coupon.discount_value) / 100),
          expiresAt: coupon.expires_at.toISOString(),
          couponId: coupon.id,
        };
        // The INSERT holds a shared lock on the coupon row until commit, so no rebuild can
        // run from here on; one that ran since the script must still show us. (Asked while
        // the event row is written: one round trip fewer while the connection is held.)
        const [member] = await Promise.all([this.redis.sismember(keys.issued, userId), emit(trx, Topics.COUPON_ISSUED, coupon.code, payload)]);
        if (member !== 1) throw new Superseded();
        await this.failpoints.beforeCommit?.(userId, coupon.id);
        committing = true;
        return id;
      });
      return toUserCouponResponse({
        id,
        user_id: userId,
        coupon_id: coupon.id,
        status: 'AVAILABLE',
        order_id: null,
        issued_at: issuedAt,
        used_at: null,
        expires_at: coupon.expires_at,
        coupon_code: coupon.code,
        coupon_name: coupon.name,
        discount_type: coupon.discount_type,
        discount_value: coupon.discount_value,
        minimum_order_amount: coupon.minimum_order_amount,
        maximum_discount_amount: coupon.maximum_discount_amount,
      });
    } catch (err) {
      if (err instanceof Superseded) throw err; // Redis no longer counts us: nothing to undo
      if (isDuplicateKey(err, 'uk_user_coupon')) {
        // The user already holds a row (possible only after keys were lost): the unit this
        // script took now stands for that row, so nothing is given back (never over-issue).
        throw fail('COUPON_ALREADY_ISSUED');
      }
      // If Redis can't be reached now, the unit stays taken until reconciliation finds the orphan.
      await this.compensate(coupon.id, userId, committing).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Undoes the script of a failed issuance before the error is returned. When the
   * failure came at COMMIT the outcome is unknown: MySQL is asked, and a committed
   * row (or no answer) leaves Redis as it is — reconciliation repairs an unused unit,
   * whereas giving back a unit that was sold could over-issue.
   */
  private async compensate(couponId: number, userId: string, atCommit: boolean): Promise<void> {
    if (atCommit) {
      const held = await this.repo.holds(userId, couponId).catch(() => true);
      if (held) return;
    }
    const keys = couponKeys(couponId);
    await this.scripts.couponUnissue(keys.stock, keys.issued, userId);
    // A later issuance may have taken the last unit and marked the coupon EXHAUSTED meanwhile.
    await this.repo.reactivateIfBelowTotal(couponId).catch(() => undefined);
  }

  // ---- the user's coupons -----------------------------------------------------------

  async mine(userId: string): Promise<UserCouponResponse[]> {
    return (await this.repo.ofUser(userId)).map(toUserCouponResponse);
  }

  async available(userId: string): Promise<UserCouponResponse[]> {
    return (await this.repo.ofUser(userId, new Date())).map(toUserCouponResponse);
  }

  // ---- for orders (called inside the order's transaction) ---------------------------

  /**
   * Locks the user's coupon for this order and returns its discount (minor units).
   * S608 missing or not the user's; S609 USED; S610 EXPIRED or past expiry; S611
   * below the minimum order amount. Only the user coupon row is locked.
   */
  async lockForOrder(trx: Tx, userId: string, userCouponId: number, orderTotal: Minor): Promise<Minor> {
    const repo = this.repo.with(trx);
    const uc = await repo.lockUserCoupon(userCouponId);
    if (!uc || uc.user_id !== userId) throw fail('USER_COUPON_NOT_FOUND');
    if (uc.status === 'USED') throw fail('USER_COUPON_ALREADY_USED');
    if (uc.status === 'EXPIRED' || uc.expires_at.getTime() <= Date.now()) throw fail('USER_COUPON_EXPIRED');
    const coupon = await repo.findById(uc.coupon_id);
    if (!coupon) throw fail('USER_COUPON_NOT_FOUND');
    if (coupon.minimum_order_amount !== null && orderTotal < toMinor(coupon.minimum_order_amount)) {
      throw fail('COUPON_MINIMUM_ORDER_NOT_MET');
    }
    return discountFor(coupon, orderTotal);
  }

  /** AVAILABLE → USED by this order (after `lockForOrder` in the same transaction). */
  async markUsed(trx: Tx, userCouponId: number, orderId: number): Promise<void> {
    if (!(await this.repo.with(trx).markUsed(userCouponId, orderId, new Date()))) throw fail('USER_COUPON_ALREADY_USED');
  }

  /** The coupon an undone order used → AVAILABLE again (EXPIRED when past its expiry); no-op when none. */
  async releaseForOrder(trx: Tx, orderId: number): Promise<void> {
    const repo = this.repo.with(trx);
    const uc = await repo.lockUsedByOrder(orderId);
    if (!uc) return;
    await repo.release(uc.id, uc.expires_at.getTime() <= Date.now() ? 'EXPIRED' : 'AVAILABLE');
  }

  // ---- jobs --------------------------------------------------------------------------

  /** Expiry and Redis reconciliation, each run once across instances per tick. */
  registerJobs(scheduler: Scheduler): void {
    scheduler.add({ name: EXPIRE_JOB, intervalMs: this.options.expiryIntervalMs, run: async () => void (await this.expire()) });
    scheduler.add({
      name: RECONCILE_JOB,
      intervalMs: this.options.reconcileIntervalMs,
      leaseMs: Math.max(30_000, this.options.reconcileIntervalMs),
      run: async (signal) => void (await this.rebuildRedis(signal)),
    });
  }

  /**
   * Coupons past `expiresAt` → EXPIRED (their Redis keys removed); AVAILABLE user
   * coupons past their expiry → EXPIRED.
   */
  async expire(now = new Date()): Promise<{ coupons: number; userCoupons: number }> {
    let coupons = 0;
    for (;;) {
      const ids = await this.repo.dueToExpire(now, EXPIRY_BATCH);
      if (ids.length === 0) break;
      coupons += await this.repo.expire(ids, now);
      for (const id of ids) {
        await this.deleteKeys(id);
        this.cache.delete(id);
      }
      if (ids.length < EXPIRY_BATCH) break;
    }
    let userCoupons = 0;
    for (;;) {
      const n = await this.repo.expireUserCoupons(now, EXPIRY_BATCH);
      userCoupons += n;
      if (n < EXPIRY_BATCH) break;
    }
    return { coupons, userCoupons };
  }

  /**
   * Start-up and periodic reconciliation of every ACTIVE or EXHAUSTED coupon not
   * yet expired, each under its lock (see `rebuild`). Returns how many were checked.
   */
  async rebuildRedis(signal?: AbortSignal): Promise<number> {
    const ids = await this.repo.loadedIds(new Date());
    let n = 0;
    for (const id of ids) {
      if (signal?.aborted) break;
      await this.rebuild(id);
      n++;
    }
    return n;
  }

  /**
   * Reconciles one coupon's keys with MySQL, under its distributed lock and its
   * row lock (which waits for issuances between INSERT and COMMIT and holds new
   * INSERTs back meanwhile), so the rows read are every issuance there is:
   *
   * - keys that agree with the rows (every holder in the set, stock + set size =
   *   total) are left alone — users in the set without a row are issuances still
   *   between script and INSERT, or orphans of a crash: one seen there again on
   *   the next run is an orphan and is un-issued;
   * - otherwise (missing, wiped, corrupted) both keys are replaced: stock = total −
   *   rows, set = the rows' users (issuances in flight then find themselves gone
   *   and retry);
   * - statuses that can't be issued get no keys, and EXHAUSTED ⇔ rows = total.
   *
   * Returns the fresh coupon row.
   */
  async rebuild(couponId: number): Promise<CouponRow | undefined> {
    return this.underCouponLock(couponId, () => this.load(couponId, 'reconcile'));
  }

  /** The issue path's reload: one per coupon at a time in this process, skipped when another did it. */
  private reload(couponId: number): Promise<CouponRow | undefined> {
    let pending = this.rebuilding.get(couponId);
    if (!pending) {
      pending = this.underCouponLock(couponId, () => this.load(couponId, 'if-missing')).finally(() => this.rebuilding.delete(couponId));
      this.rebuilding.set(couponId, pending);
    }
    return pending;
  }

  private async load(couponId: number, mode: 'reconcile' | 'if-missing'): Promise<CouponRow | undefined> {
    const keys = couponKeys(couponId);
    // READ COMMITTED: the rows are read after the row lock is had, so every committed issuance counts.
    const row = await this.db
      .transaction()
      .setIsolationLevel('read committed')
      .execute(async (trx) => {
        const repo = this.repo.with(trx);
        const c = await repo.lock(couponId);
        if (!c) {
          await this.deleteKeys(couponId);
          return undefined;
        }
        const loadable = (LOADED_STATUSES as string[]).includes(c.status) && c.expires_at.getTime() > Date.now();
        if (!loadable) {
          await this.deleteKeys(couponId);
          return c;
        }
        const holders = mode === 'if-missing' && (await this.redis.exists(keys.stock)) === 1 ? null : await repo.holderIds(couponId);
        if (!holders) return c; // another process loaded them meanwhile
        const left = Math.max(0, c.total_quantity - holders.length);
        let status = c.status;
        if (left === 0 && status === 'ACTIVE' && (await repo.setStatus(couponId, ['ACTIVE'], 'EXHAUSTED'))) status = 'EXHAUSTED';
        if (left > 0 && status === 'EXHAUSTED' && (await repo.setStatus(couponId, ['EXHAUSTED'], 'ACTIVE'))) status = 'ACTIVE';
        if (!(await this.keepIfConsistent(couponId, c.total_quantity, holders))) {
          await this.scripts.couponLoad(keys.stock, keys.issued, [left, ...holders]);
          await this.redis.del(keys.suspects);
        }
        return { ...c, status };
      });
    if (row) this.cache.set(couponId, { row, at: Date.now() });
    else this.cache.delete(couponId);
    return row;
  }

  /**
   * True when the keys agree with the rows (then orphans seen on two runs are
   * un-issued); false when they must be replaced. Runs under the coupon's row lock.
   */
  private async keepIfConsistent(couponId: number, total: number, holders: string[]): Promise<boolean> {
    const keys = couponKeys(couponId);
    const snapshot = await this.redis.multi().get(keys.stock).smembers(keys.issued).smembers(keys.suspects).exec();
    if (!snapshot || snapshot.some(([err]) => err)) return false;
    const [stockRaw, members, previous] = snapshot.map(([, v]) => v) as [string | null, string[], string[]];
    if (stockRaw === null) return false;
    const stock = Number(stockRaw);
    const inSet = new Set(members);
    if (!Number.isInteger(stock) || stock < 0 || stock + inSet.size !== total || holders.some((h) => !inSet.has(h))) return false;
    const rows = new Set(holders);
    const suspects = members.filter((m) => !rows.has(m));
    const seenBefore = new Set(previous);
    const orphans = suspects.filter((m) => seenBefore.has(m));
    for (const user of orphans) await this.scripts.couponUnissue(keys.stock, keys.issued, user);
    const pending = suspects.filter((m) => !seenBefore.has(m));
    const tx = this.redis.multi().del(keys.suspects);
    if (pending.length > 0) tx.sadd(keys.suspects, ...pending).pexpire(keys.suspects, Math.max(3 * this.options.reconcileIntervalMs, 60_000));
    await tx.exec();
    return true;
  }

  private underCouponLock<T>(couponId: number, fn: () => Promise<T>): Promise<T> {
    return withLock(this.redis, `coupon:{${couponId}}:rebuild`, { waitMs: 10_000, leaseMs: 15_000 }, fn).catch((err: unknown) => {
      throw err instanceof LockBusy ? fail('CONCURRENT_STOCK_MODIFICATION') : err;
    });
  }

  private async deleteKeys(couponId: number): Promise<void> {
    const keys = couponKeys(couponId);
    await this.redis.del(keys.stock, keys.issued, keys.suspects);
  }

  /** Forgets cached coupon rows (tests that change rows behind the service's back). */
  forget(couponId?: number): void {
    if (couponId === undefined) this.cache.clear();
    else this.cache.delete(couponId);
  }
}
