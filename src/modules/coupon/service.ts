import type { Db } from '../../platform/db/index';
import { isDuplicateKey } from '../../platform/db/index';
import { inTransaction, retryOnDeadlock, type Tx } from '../../platform/db/tx';
import { emit, Topics } from '../../platform/events/outbox';
import { fail, isAppError, type FieldError } from '../../platform/http/errors';
import { toPage, type Page, type PageRequest } from '../../platform/http/pagination';
import { parseDateTime, trimmedOrNull } from '../../platform/http/schema';
import { LockBusy } from '../../platform/lock';
import { toDecimal, toMinor, toWire, type Minor } from '../../platform/money';
import type { Redis } from '../../platform/redis/index';
import type { Scheduler } from '../../platform/scheduler';
import { CouponRedis, type Admission } from './redis';
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

/** The scheduler's job names (also their lock keys). */
export const EXPIRE_JOB = 'coupons:expire';
/** Frees stranded units, loads missing keys; its first run in a process (start-up) rebuilds every coupon's keys. */
export const RECONCILE_JOB = 'coupons:reconcile';

export interface CouponServiceOptions {
  /** How often the expiry job runs (default 60 s). */
  expiryIntervalMs?: number;
  /** How often stranded units are freed and missing keys loaded (default 3 s). */
  reconcileIntervalMs?: number;
  /**
   * How long a Redis admission may go without its MySQL row before its unit
   * counts as stranded and is freed (default 5 s). Also how long a retry by the
   * same user is taken for a second click rather than a request that died —
   * either way the retry finishes that user's own unit.
   */
  admissionGraceMs?: number;
  /** How often every coupon's keys are rebuilt from MySQL as a safety net (default 5 min). */
  rebuildIntervalMs?: number;
  /**
   * How long the issue path trusts a coupon row it read (default 1 s). Safe to
   * cache: its times never change, and the statuses that stop issuance either
   * remove the Redis keys (INACTIVE, EXPIRED: the script then refuses and the
   * row is read again) or are answered by the script itself (EXHAUSTED).
   */
  couponCacheMs?: number;
  /** Told how each issuance ended (the live sale view counts them). */
  stats?: IssueStats;
}

/** What the coupon module reports of each issuance; the live sale view implements it. Calls must not block. */
export interface IssueStats {
  couponIssued(couponId: number): void;
  /** `sold-out`: S602; `limit`: S604 (already issued to that user). */
  couponRefused(couponId: number, reason: 'sold-out' | 'limit'): void;
}

/** A coupon whose issue window may be open, with what is left of it (the live sale view). */
export interface OpenCoupon {
  couponId: number;
  code: string;
  name: string;
  totalQuantity: number;
  startsAt: Date;
  expiresAt: Date;
  /** total − issued, as MySQL counted when the list was read. */
  remainingQuantity: number;
}

/** Test-only fault injection (never set in production). */
export interface CouponFailpoints {
  /** Runs after the script granted a unit, before the transaction starts. */
  afterScript?: (userId: string, couponId: number) => void | Promise<void>;
  /** Runs inside an issuance's MySQL transaction, after its INSERT; throwing rolls it back. */
  beforeCommit?: (userId: string, couponId: number) => void | Promise<void>;
}

const EXPIRY_BATCH = 500;
/** Stranded admissions checked against MySQL per query. */
const RELEASE_BATCH = 500;
/** Script runs per issuance: the first, plus one after each load of missing keys or unit MySQL refused. */
const MAX_ATTEMPTS = 8;

/** How an issuance's MySQL step ended when it did not throw. */
type Recorded = { kind: 'issued'; response: UserCouponResponse } | { kind: 'holder' } | { kind: 'unit-taken' };

/** How a rebuild decides whether to run: always; only when the keys are missing; only when they still carry this epoch. */
type RebuildMode = { when: 'always' } | { when: 'missing' } | { when: 'epoch'; epoch: string };

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
 * First-come coupons. Redis is the fast gate; MySQL decides, on its own:
 *
 * - Each coupon has units numbered 1…total, and each issued row holds one
 *   (`unit_no`, unique per coupon; the code never inserts one outside 1…total,
 *   and the total never changes), beside the one-per-user key. So no Redis
 *   state — flushed, restored from an old copy, a lagging replica, written by
 *   a process that died — can issue beyond the total or twice to a user, and
 *   no row is locked by every issuance (the issued count is COUNT of the rows).
 * - issue: issue.lua hands out a unit and records the user as pending (with
 *   the time); one transaction inserts the row, marks the coupon EXHAUSTED only
 *   when it took the last unit, and writes `shopping.coupon.issued` to the
 *   outbox; then settle.lua turns the pending user into a holder. A failed
 *   MySQL step gives the unit back before the error is returned.
 * - When MySQL refuses the unit (another row holds it: Redis was behind), the
 *   keys are rebuilt from the rows at once — once per stale state, however
 *   many requests noticed — and the request takes a unit from the rebuilt
 *   keys, so its buyer gets the true answer: the coupon, or S602.
 * - A unit whose process died before its row is freed by the reconcile job
 *   once its admission is older than the grace period; a retry by that user
 *   finishes the same unit meanwhile. S604 goes only to users MySQL shows as
 *   holders or whose request is still pending.
 * - Missing keys never mean "stock": the script refuses and the keys are
 *   loaded from MySQL first.
 */
export class CouponService {
  private readonly repo: CouponRepository;
  private readonly keys: CouponRedis;
  private readonly options: Required<Omit<CouponServiceOptions, 'stats'>>;
  private readonly stats?: IssueStats;
  /** Coupon rows the issue path read recently (see `couponCacheMs`). */
  private readonly cache = new Map<number, { row: CouponRow; at: number }>();
  private readonly reading = new Map<number, Promise<CouponRow | undefined>>();
  /** One rebuild per coupon at a time in this process (the lock covers other processes). */
  private readonly rebuilding = new Map<number, { done: Promise<CouponRow | undefined>; always: boolean }>();
  /** When the reconcile job last rebuilt every coupon's keys in this process (0: not yet, so its first run does). */
  private lastFullRebuild = 0;
  /** Test-only fault injection. */
  readonly failpoints: CouponFailpoints = {};

  constructor(
    private readonly db: Db,
    redis: Redis,
    options: CouponServiceOptions = {},
  ) {
    this.repo = new CouponRepository(db);
    this.keys = new CouponRedis(redis);
    this.options = {
      expiryIntervalMs: options.expiryIntervalMs ?? 60_000,
      reconcileIntervalMs: options.reconcileIntervalMs ?? 3000,
      admissionGraceMs: options.admissionGraceMs ?? 5000,
      rebuildIntervalMs: options.rebuildIntervalMs ?? 300_000,
      couponCacheMs: options.couponCacheMs ?? 1000,
    };
    this.stats = options.stats;
  }

  // ---- admin -------------------------------------------------------------------

  /** A new ACTIVE coupon with its Redis keys loaded (all units free). S607 on a duplicate code. */
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
    // Best effort: if this fails, the first issuance finds no keys and loads them from MySQL.
    await this.keys.load(id, values.total_quantity, []).catch(() => undefined);
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
      code: input.code.trim(),
      name: input.name.trim(),
      description: trimmedOrNull(input.description),
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

  // ---- the live sale view --------------------------------------------------------

  /** Coupons whose issue window is open now or opens before `startsBefore` (ACTIVE or EXHAUSTED). */
  async openCoupons(now: Date, startsBefore: Date): Promise<OpenCoupon[]> {
    return (await this.repo.openWindows(now, startsBefore)).map((c) => ({
      couponId: c.id,
      code: c.code,
      name: c.name,
      totalQuantity: c.total_quantity,
      startsAt: c.starts_at,
      expiresAt: c.expires_at,
      remainingQuantity: Math.max(0, c.total_quantity - c.issued_quantity),
    }));
  }

  /** Units left per coupon from Redis (one pipeline per coupon, sent together) (null where its keys are not loaded). */
  unitsLeft(couponIds: number[]): Promise<(number | null)[]> {
    return this.keys.availableOf(couponIds);
  }

  // ---- issue ---------------------------------------------------------------------

  /**
   * POST /coupons/{id}/issue: S601, S606 (INACTIVE), S605 (not started), S603
   * (expired); then the script — S604 to a holder, S602 when none is left — and
   * the transaction. EXHAUSTED coupons go to the script too, so a holder hears
   * S604 and a unit given back by a failed issuance can still be taken.
   */
  async issue(userId: string, couponId: number): Promise<UserCouponResponse> {
    if (!this.stats) return this.claim(userId, couponId);
    try {
      const issued = await this.claim(userId, couponId);
      this.stats.couponIssued(couponId);
      return issued;
    } catch (err) {
      if (isAppError(err, 'COUPON_EXHAUSTED')) this.stats.couponRefused(couponId, 'sold-out');
      else if (isAppError(err, 'COUPON_ALREADY_ISSUED')) this.stats.couponRefused(couponId, 'limit');
      throw err;
    }
  }

  private async claim(userId: string, couponId: number): Promise<UserCouponResponse> {
    let coupon = await this.couponForIssue(couponId);
    this.checkIssuable(coupon, new Date());
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const outcome = await this.keys.issue(couponId, userId);
      if (outcome.kind === 'already-issued') throw fail('COUPON_ALREADY_ISSUED');
      if (outcome.kind === 'exhausted') throw fail('COUPON_EXHAUSTED');
      if (outcome.kind === 'not-loaded') {
        // Never guess a stock: load the keys from MySQL, then try again.
        const fresh = await this.reload(couponId, { when: 'missing' });
        if (!fresh) throw fail('COUPON_NOT_FOUND');
        coupon = fresh;
        this.checkIssuable(coupon, new Date());
        continue;
      }
      if (outcome.unit < 1 || outcome.unit > coupon.total_quantity) {
        // Keys that name units the coupon doesn't have are not the coupon's: rebuild them.
        await this.keys.settle(couponId, userId, outcome.entry, { holder: false, unitFree: false });
        await this.reload(couponId, { when: 'epoch', epoch: outcome.epoch });
        continue;
      }
      const recorded = await this.record(coupon, userId, outcome);
      if (recorded.kind === 'issued') return recorded.response;
      if (recorded.kind === 'holder') throw fail('COUPON_ALREADY_ISSUED');
      // Another row holds the unit: Redis was behind MySQL. Rebuild (once for this stale
      // state, however many requests noticed) and take a unit from the rebuilt keys.
      await this.reload(couponId, { when: 'epoch', epoch: outcome.epoch });
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

  /**
   * The MySQL step of an admission: the row holding the unit. A duplicate key is
   * MySQL refusing what Redis admitted (`refused`); any other failure gives the
   * unit back before the error is returned.
   */
  private async record(coupon: CouponRow, userId: string, admission: Admission): Promise<Recorded> {
    const issuedAt = new Date();
    let committing = false;
    try {
      if (this.failpoints.afterScript) await this.failpoints.afterScript(userId, coupon.id);
      // A deadlock's victim runs again with the same unit (one user admitted twice after the keys
      // were lost, one admission with the last unit: the two can lock in opposite orders).
      const id = await retryOnDeadlock(() =>
        inTransaction(this.db, async (trx) => {
          committing = false;
          const repo = this.repo.with(trx);
          // Only the issuance that took the last unit touches the coupon row, and first
          // (an exclusive lock taken before any shared one: no lock upgrade).
          if (admission.remaining === 0) await repo.setStatus(coupon.id, ['ACTIVE'], 'EXHAUSTED');
          const id = await repo.insertUserCoupon({
            user_id: userId,
            coupon_id: coupon.id,
            unit_no: admission.unit,
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
          // The INSERT shares the coupon row's lock from here to commit, so a deactivation or
          // expiry (which removes the keys under that row's exclusive lock) is either over or
          // waits. Keys gone: ask the row (keys wiped from Redis are no reason to refuse).
          // (Asked while the event row is written: no round trip more while the connection is held.)
          const [epoch] = await Promise.all([this.keys.epoch(coupon.id), emit(trx, Topics.COUPON_ISSUED, coupon.code, payload)]);
          if (epoch === null) {
            const status = await repo.lockedStatus(coupon.id);
            if (status === 'INACTIVE') throw fail('COUPON_INACTIVE');
            if (status === 'EXPIRED') throw fail('COUPON_EXPIRED');
          }
          await this.failpoints.beforeCommit?.(userId, coupon.id);
          committing = true;
          return id;
        }),
      );
      // The row stands: the pending user becomes a holder. If Redis can't be reached now,
      // the reconcile job does it (it finds the row).
      await this.keys.settle(coupon.id, userId, admission.entry, { holder: true, unitFree: false }).catch(() => undefined);
      const response = toUserCouponResponse({
        id,
        user_id: userId,
        coupon_id: coupon.id,
        unit_no: admission.unit,
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
      return { kind: 'issued', response };
    } catch (err) {
      if (isDuplicateKey(err)) return this.refused(coupon.id, userId, admission);
      // If Redis can't be reached now, the unit stays pending until the reconcile job frees it.
      await this.compensate(coupon.id, userId, admission, committing).catch(() => undefined);
      throw err;
    }
  }

  /**
   * MySQL refused the row: the user already holds the coupon, or another row
   * holds the unit. Settles the admission by what the rows say; Redis having
   * missed it (anything but a second click finishing the same unit) gets the
   * keys rebuilt.
   */
  private async refused(couponId: number, userId: string, admission: Admission): Promise<Recorded> {
    const rows = await this.repo.claims(couponId, [userId], [admission.unit]);
    const mine = rows.find((r) => r.userId === userId);
    const unitFree = !rows.some((r) => r.unit === admission.unit);
    await this.keys.settle(couponId, userId, admission.entry, { holder: mine !== undefined, unitFree });
    if (mine) {
      if (mine.unit !== admission.unit) await this.reload(couponId, { when: 'epoch', epoch: admission.epoch });
      return { kind: 'holder' };
    }
    return { kind: 'unit-taken' };
  }

  /**
   * Undoes the script of a failed issuance before the error is returned. When the
   * failure came at COMMIT the outcome is unknown: MySQL is asked, and a committed
   * row (or no answer) leaves the unit pending — the reconcile job settles it by the
   * rows — whereas giving back a unit that was issued would only be refused later.
   */
  private async compensate(couponId: number, userId: string, admission: Admission, atCommit: boolean): Promise<void> {
    if (atCommit) {
      const held = await this.repo.holds(userId, couponId).catch(() => true);
      if (held) return;
    }
    await this.keys.settle(couponId, userId, admission.entry, { holder: false, unitFree: true });
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
      // Short: a process that dies holding it keeps stranded units waiting this long (a live run renews it).
      leaseMs: Math.max(2 * this.options.reconcileIntervalMs, 2000),
      run: async (signal) => void (await this.reconcile(signal)),
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
   * Rebuilds the keys of every ACTIVE or EXHAUSTED coupon not yet expired from
   * MySQL, each under its lock (see `rebuild`). Returns how many were rebuilt.
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
   * The reconcile job: for every coupon whose keys should be loaded, loads them
   * when missing and frees its stranded units (`releaseStranded`). Its first run
   * in a process — start-up — and then one every `rebuildIntervalMs` rebuild every
   * coupon's keys from MySQL instead of only loading missing ones.
   */
  async reconcile(signal?: AbortSignal): Promise<{ coupons: number; released: number }> {
    const full = Date.now() - this.lastFullRebuild >= this.options.rebuildIntervalMs;
    const ids = await this.repo.loadedIds(new Date());
    let released = 0;
    let coupons = 0;
    for (const id of ids) {
      if (signal?.aborted) break;
      if (full) await this.rebuild(id);
      else if (!(await this.keys.isLoaded(id))) await this.reload(id, { when: 'missing' });
      released += await this.releaseStranded(id);
      coupons++;
    }
    if (full && !signal?.aborted) this.lastFullRebuild = Date.now();
    return { coupons, released };
  }

  /**
   * Settles every admission of a coupon pending longer than the grace period by
   * what MySQL holds: a user with a row becomes a holder; a unit with no row is
   * given back and its user uncounted (so a retry gets a unit, or S602). Returns
   * how many units came back. Each settle applies only if the admission is still
   * the one read, so a retry that resumed it meanwhile keeps it.
   */
  async releaseStranded(couponId: number): Promise<number> {
    const { now, admissions } = await this.keys.pending(couponId);
    const stale = admissions.filter((a) => now - a.admittedAt >= this.options.admissionGraceMs);
    let released = 0;
    for (let i = 0; i < stale.length; i += RELEASE_BATCH) {
      const batch = stale.slice(i, i + RELEASE_BATCH);
      const rows = await this.repo.claims(
        couponId,
        batch.map((a) => a.userId),
        batch.map((a) => a.unit),
      );
      const holders = new Set(rows.map((r) => r.userId));
      const taken = new Set(rows.map((r) => r.unit));
      for (const a of batch) {
        const unitFree = !taken.has(a.unit);
        if ((await this.keys.settle(couponId, a.userId, a.entry, { holder: holders.has(a.userId), unitFree })) && unitFree) released++;
      }
    }
    if (released > 0) await this.repo.reactivateIfBelowTotal(couponId);
    return released;
  }

  /**
   * Rebuilds one coupon's keys from MySQL, under its distributed lock and its
   * row lock (which waits for issuances between INSERT and COMMIT and holds new
   * INSERTs back meanwhile), so the rows read are every issuance there is:
   *
   * - load.lua writes the units no row holds as free and the rows' users as
   *   holders, keeping pending admissions the rows don't contradict (issuances
   *   between their script and their INSERT keep their unit);
   * - statuses that can't be issued get no keys, and EXHAUSTED ⇔ rows = total.
   *
   * Returns the fresh coupon row.
   */
  async rebuild(couponId: number): Promise<CouponRow | undefined> {
    return this.reload(couponId, { when: 'always' });
  }

  /**
   * One rebuild per coupon at a time in this process: a caller arriving meanwhile
   * shares it — except that a rebuild asked for unconditionally doesn't settle for
   * one that may skip, and runs after it.
   */
  private reload(couponId: number, mode: RebuildMode): Promise<CouponRow | undefined> {
    const running = this.rebuilding.get(couponId);
    if (running && (mode.when !== 'always' || running.always)) return running.done;
    const after = running ? running.done.catch(() => undefined) : Promise.resolve(undefined);
    const done = after
      .then(() => this.underCouponLock(couponId, () => this.load(couponId, mode)))
      .finally(() => {
        if (this.rebuilding.get(couponId)?.done === done) this.rebuilding.delete(couponId);
      });
    this.rebuilding.set(couponId, { done, always: mode.when === 'always' });
    return done;
  }

  private async load(couponId: number, mode: RebuildMode): Promise<CouponRow | undefined> {
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
        // Another process (or an earlier request) already did what this one was asked for.
        if (mode.when === 'missing' && (await this.keys.isLoaded(couponId))) return c;
        if (mode.when === 'epoch' && (await this.keys.epoch(couponId)) !== mode.epoch) return c;
        const rows = await repo.units(couponId);
        const { available } = await this.keys.load(couponId, c.total_quantity, rows);
        let status = c.status;
        if (rows.length >= c.total_quantity && status === 'ACTIVE' && (await repo.setStatus(couponId, ['ACTIVE'], 'EXHAUSTED'))) status = 'EXHAUSTED';
        // Units held by pending admissions are not free: an EXHAUSTED coupon whose last units are
        // still between script and commit stays EXHAUSTED (a released one re-opens it).
        if (available > 0 && status === 'EXHAUSTED' && (await repo.setStatus(couponId, ['EXHAUSTED'], 'ACTIVE'))) status = 'ACTIVE';
        return { ...c, status };
      });
    if (row) this.cache.set(couponId, { row, at: Date.now() });
    else this.cache.delete(couponId);
    return row;
  }

  private underCouponLock<T>(couponId: number, fn: () => Promise<T>): Promise<T> {
    return this.keys.withRebuildLock(couponId, 10_000, fn).catch((err: unknown) => {
      throw err instanceof LockBusy ? fail('CONCURRENT_STOCK_MODIFICATION') : err;
    });
  }

  private async deleteKeys(couponId: number): Promise<void> {
    await this.keys.remove(couponId);
  }

  /** Forgets cached coupon rows (tests that change rows behind the service's back). */
  forget(couponId?: number): void {
    if (couponId === undefined) this.cache.clear();
    else this.cache.delete(couponId);
  }
}
