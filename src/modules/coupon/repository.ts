import { sql, type Insertable, type Selectable } from 'kysely';
import type { Executor } from '../../platform/db/tx';
import type { CouponsTable, UserCouponsTable } from '../../platform/db/types';
import type { CouponStatus } from './schemas';

export type CouponRow = Selectable<CouponsTable>;
/** A coupon with its issued count, derived from the user_coupons rows (no counter column every issuance would lock). */
export type CouponWithIssued = CouponRow & { issued_quantity: number };
export type UserCouponRow = Selectable<UserCouponsTable>;

/** MySQL answers COUNT(*) as a string or bigint: the issued count as a number. */
const withIssued = (row: CouponRow & { issued_quantity: unknown }): CouponWithIssued => ({ ...row, issued_quantity: Number(row.issued_quantity) });

/** A user coupon with the coupon fields its response shows. */
export interface UserCouponView extends UserCouponRow {
  coupon_code: string;
  coupon_name: string;
  discount_type: string;
  discount_value: string;
  minimum_order_amount: string | null;
  maximum_discount_amount: string | null;
}

/** Statuses whose Redis keys are kept loaded (EXHAUSTED too: its set answers S604 fast). */
export const LOADED_STATUSES: CouponStatus[] = ['ACTIVE', 'EXHAUSTED'];

/** `(SELECT COUNT(*) …)`: the issued quantity of `coupons.id`, from the indexed user_coupons.coupon_id. */
const issuedCount = sql<number>`(SELECT COUNT(*) FROM user_coupons uc WHERE uc.coupon_id = coupons.id)`;

/** SQL for `coupons` and `user_coupons`. */
export class CouponRepository {
  constructor(private readonly db: Executor) {}

  with(db: Executor): CouponRepository {
    return new CouponRepository(db);
  }

  // ---- coupons -----------------------------------------------------------------

  async insert(values: Insertable<CouponsTable>): Promise<number> {
    const res = await this.db.insertInto('coupons').values(values).executeTakeFirstOrThrow();
    return Number(res.insertId);
  }

  findById(id: number): Promise<CouponRow | undefined> {
    return this.db.selectFrom('coupons').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async findWithIssued(id: number): Promise<CouponWithIssued | undefined> {
    const row = await this.db
      .selectFrom('coupons')
      .selectAll()
      .select(issuedCount.as('issued_quantity'))
      .where('id', '=', id)
      .executeTakeFirst();
    return row && withIssued(row);
  }

  /** Admin list: createdAt ASC (id breaks ties). */
  async page(limit: number, offset: number): Promise<CouponWithIssued[]> {
    const rows = await this.db
      .selectFrom('coupons')
      .selectAll()
      .select(issuedCount.as('issued_quantity'))
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .limit(limit)
      .offset(offset)
      .execute();
    return rows.map(withIssued);
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('coupons').select(sql<number>`COUNT(*)`.as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Issuable now: ACTIVE, startsAt ≤ now < expiresAt, issued < total; expiresAt ASC. */
  async issuable(now: Date): Promise<CouponWithIssued[]> {
    const rows = await this.db
      .selectFrom('coupons')
      .selectAll()
      .select(issuedCount.as('issued_quantity'))
      .where('status', '=', 'ACTIVE')
      .where('starts_at', '<=', now)
      .where('expires_at', '>', now)
      .where(sql<boolean>`${issuedCount} < coupons.total_quantity`)
      .orderBy('expires_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(withIssued);
  }

  /**
   * Coupons whose issue window may be open (ACTIVE or EXHAUSTED, not yet expired; those starting
   * soon included, so a cached copy of this list still shows them when they start); expiresAt ASC.
   */
  async openWindows(now: Date, startsBefore: Date): Promise<CouponWithIssued[]> {
    const rows = await this.db
      .selectFrom('coupons')
      .selectAll()
      .select(issuedCount.as('issued_quantity'))
      .where('status', 'in', LOADED_STATUSES)
      .where('starts_at', '<=', startsBefore)
      .where('expires_at', '>', now)
      .orderBy('expires_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(withIssued);
  }

  /**
   * Exclusive row lock. Every issuance's INSERT into user_coupons takes a shared
   * lock on this row (InnoDB's foreign-key check), so this waits until no
   * issuance is between its INSERT and its COMMIT, and holds new ones there.
   */
  lock(id: number): Promise<CouponRow | undefined> {
    return this.db.selectFrom('coupons').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /** The coupon's status by a locking (shared) read: the latest committed one. */
  async lockedStatus(id: number): Promise<string | undefined> {
    const row = await this.db.selectFrom('coupons').select('status').where('id', '=', id).modifyEnd(sql`LOCK IN SHARE MODE`).executeTakeFirst();
    return row?.status;
  }

  /** Moves the coupon from one of `from` to `to`; false when it was in another status. */
  async setStatus(id: number, from: readonly CouponStatus[], to: CouponStatus): Promise<boolean> {
    const res = await this.db
      .updateTable('coupons')
      .set({ status: to })
      .where('id', '=', id)
      .where('status', 'in', from)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** EXHAUSTED → ACTIVE when a unit came back (a failed issuance after the last one committed). */
  async reactivateIfBelowTotal(id: number): Promise<boolean> {
    const res = await this.db
      .updateTable('coupons')
      .set({ status: 'ACTIVE' })
      .where('id', '=', id)
      .where('status', '=', 'EXHAUSTED')
      .where(sql<boolean>`${issuedCount} < coupons.total_quantity`)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Coupons whose Redis keys should be loaded: ACTIVE or EXHAUSTED and not yet expired. */
  async loadedIds(now: Date): Promise<number[]> {
    const rows = await this.db
      .selectFrom('coupons')
      .select('id')
      .where('status', 'in', LOADED_STATUSES)
      .where('expires_at', '>', now)
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** ACTIVE or EXHAUSTED coupons past their expiry, at most `limit`. */
  async dueToExpire(now: Date, limit: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('coupons')
      .select('id')
      .where('status', 'in', LOADED_STATUSES)
      .where('expires_at', '<=', now)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  async expire(ids: number[], now: Date): Promise<number> {
    if (ids.length === 0) return 0;
    const res = await this.db
      .updateTable('coupons')
      .set({ status: 'EXPIRED' })
      .where('id', 'in', ids)
      .where('status', 'in', LOADED_STATUSES)
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  // ---- user coupons ------------------------------------------------------------

  async insertUserCoupon(values: Insertable<UserCouponsTable>): Promise<number> {
    const res = await this.db.insertInto('user_coupons').values(values).executeTakeFirstOrThrow();
    return Number(res.insertId);
  }

  /** Every issued row of a coupon: its holder and the unit it holds. */
  async units(couponId: number): Promise<{ userId: string; unit: number }[]> {
    const rows = await this.db.selectFrom('user_coupons').select(['user_id', 'unit_no']).where('coupon_id', '=', couponId).execute();
    return rows.map((r) => ({ userId: r.user_id, unit: r.unit_no }));
  }

  /** The rows of a coupon held by any of `userIds` or holding any of `units`. */
  async claims(couponId: number, userIds: string[], units: number[]): Promise<{ userId: string; unit: number }[]> {
    if (userIds.length === 0 && units.length === 0) return [];
    const rows = await this.db
      .selectFrom('user_coupons')
      .select(['user_id', 'unit_no'])
      .where('coupon_id', '=', couponId)
      .where((eb) => {
        const any = [];
        if (userIds.length > 0) any.push(eb('user_id', 'in', userIds));
        if (units.length > 0) any.push(eb('unit_no', 'in', units));
        return eb.or(any);
      })
      .execute();
    return rows.map((r) => ({ userId: r.user_id, unit: r.unit_no }));
  }

  async holds(userId: string, couponId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('user_coupons')
      .select('id')
      .where('user_id', '=', userId)
      .where('coupon_id', '=', couponId)
      .executeTakeFirst();
    return row !== undefined;
  }

  private views() {
    return this.db
      .selectFrom('user_coupons as uc')
      .innerJoin('coupons as c', 'c.id', 'uc.coupon_id')
      .selectAll('uc')
      .select([
        'c.code as coupon_code',
        'c.name as coupon_name',
        'c.discount_type',
        'c.discount_value',
        'c.minimum_order_amount',
        'c.maximum_discount_amount',
      ]);
  }

  /** A user's coupons (all statuses, or only AVAILABLE ones not expired at `availableAt`). */
  ofUser(userId: string, availableAt?: Date): Promise<UserCouponView[]> {
    let q = this.views().where('uc.user_id', '=', userId);
    if (availableAt) q = q.where('uc.status', '=', 'AVAILABLE').where('uc.expires_at', '>', availableAt);
    return q.orderBy('uc.id').execute();
  }

  /** Row lock on the user coupon only (never on its coupon: issuances must not wait on orders). */
  lockUserCoupon(id: number): Promise<UserCouponRow | undefined> {
    return this.db.selectFrom('user_coupons').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  async markUsed(id: number, orderId: number, now: Date): Promise<boolean> {
    const res = await this.db
      .updateTable('user_coupons')
      .set({ status: 'USED', used_at: now, order_id: orderId })
      .where('id', '=', id)
      .where('status', '=', 'AVAILABLE')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** The coupon used by an order, locked; undefined when the order used none. */
  lockUsedByOrder(orderId: number): Promise<UserCouponRow | undefined> {
    return this.db
      .selectFrom('user_coupons')
      .selectAll()
      .where('order_id', '=', orderId)
      .where('status', '=', 'USED')
      .forUpdate()
      .executeTakeFirst();
  }

  async release(id: number, status: 'AVAILABLE' | 'EXPIRED'): Promise<void> {
    await this.db.updateTable('user_coupons').set({ status, used_at: null, order_id: null }).where('id', '=', id).execute();
  }

  /** AVAILABLE user coupons past their expiry → EXPIRED, at most `limit` per call. */
  async expireUserCoupons(now: Date, limit: number): Promise<number> {
    const res = await this.db
      .updateTable('user_coupons')
      .set({ status: 'EXPIRED' })
      .where('status', '=', 'AVAILABLE')
      .where('expires_at', '<=', now)
      .limit(limit)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }
}
