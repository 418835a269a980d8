import { type Selectable, sql } from 'kysely';
import type { Executor } from '../../platform/db/tx';
import type { TimeDealProductsTable, TimeDealPurchasesTable, TimeDealsTable } from '../../platform/db/types';
import type { TimeDealStatus } from './schemas';

export type DealRow = Selectable<TimeDealsTable>;
export type DealProductRow = Selectable<TimeDealProductsTable>;
export type PurchaseRow = Selectable<TimeDealPurchasesTable>;

/** A deal product with the deal it belongs to (what a purchase checks). */
export interface DealProductWithDeal extends DealProductRow {
  deal_status: string;
  deal_name: string;
  starts_at: Date;
  ends_at: Date;
}

/** MariaDB's and MySQL 8's errors for a failed CHECK constraint. */
const CHECK_FAILED = new Set([4025, 3819]);

/**
 * SQL for `time_deals`, `time_deal_products`, `time_deal_purchases`,
 * `time_deal_units` and `time_deal_user_units`.
 *
 * Sold quantities are never stored: they are `SUM(quantity)` of a deal
 * product's PURCHASED rows (index `(time_deal_product_id, status)`), so a
 * purchase inserts a row and updates nothing every other purchase would wait on.
 *
 * The caps are rows too: a purchase claims numbered unit rows (a unit has at
 * most one holder) and raises its user's row (a CHECK caps it at the deal's
 * max per user), so MySQL alone keeps both caps, and a purchase locks only
 * its own units and its user's row.
 *
 * Lock protocol on the deal row: a purchase's transaction (from its insert
 * on) and a returned deal order hold it in SHARE mode (they don't wait on each
 * other); a status change (start, end, cancel) and a Redis rebuild hold it
 * FOR UPDATE, so they see every purchase committed and none half-done.
 */
export class TimeDealRepository {
  constructor(private readonly db: Executor) {}

  with(db: Executor): TimeDealRepository {
    return new TimeDealRepository(db);
  }

  // ---- deals ----------------------------------------------------------------------------

  async insertDeal(values: { name: string; description: string | null; starts_at: Date; ends_at: Date }): Promise<number> {
    const res = await this.db
      .insertInto('time_deals')
      .values({ ...values, status: 'SCHEDULED' })
      .executeTakeFirstOrThrow();
    return Number(res.insertId);
  }

  async insertProducts(rows: Omit<DealProductRow, 'id'>[]): Promise<void> {
    await this.db.insertInto('time_deal_products').values(rows).execute();
  }

  findDeal(id: number): Promise<DealRow | undefined> {
    return this.db.selectFrom('time_deals').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** FOR UPDATE: status changes and Redis rebuilds. */
  lockDeal(id: number): Promise<DealRow | undefined> {
    return this.db.selectFrom('time_deals').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /**
   * SHARE mode (`LOCK IN SHARE MODE`, which MariaDB and MySQL 8 both run):
   * purchases and returns, which must not interleave with a status change or a rebuild.
   */
  lockDealShared(id: number): Promise<DealRow | undefined> {
    return this.db
      .selectFrom('time_deals')
      .selectAll()
      .where('id', '=', id)
      .modifyEnd(sql`lock in share mode`)
      .executeTakeFirst();
  }

  /** Admin list: createdAt ASC (id breaks ties, so pages are stable). */
  listDeals(limit: number, offset: number): Promise<DealRow[]> {
    return this.db.selectFrom('time_deals').selectAll().orderBy('created_at').orderBy('id').limit(limit).offset(offset).execute();
  }

  async countDeals(): Promise<number> {
    const { n } = await this.db.selectFrom('time_deals').select(sql<number>`COUNT(*)`.as('n')).executeTakeFirstOrThrow();
    return Number(n);
  }

  /** ACTIVE with startsAt ≤ now < endsAt (the public list). */
  listRunning(now: Date): Promise<DealRow[]> {
    return this.db
      .selectFrom('time_deals')
      .selectAll()
      .where('status', '=', 'ACTIVE')
      .where('starts_at', '<=', now)
      .where('ends_at', '>', now)
      .orderBy('ends_at')
      .orderBy('id')
      .execute();
  }

  /** Every deal in `status`, ending soonest first. */
  listWithStatus(status: TimeDealStatus): Promise<DealRow[]> {
    return this.db.selectFrom('time_deals').selectAll().where('status', '=', status).orderBy('ends_at').orderBy('id').execute();
  }

  /** Ids of deals in `status` whose `column` time has come (index `(status, starts_at|ends_at)`). */
  async dueIds(status: TimeDealStatus, column: 'starts_at' | 'ends_at', now: Date, limit = 500): Promise<number[]> {
    const rows = await this.db
      .selectFrom('time_deals')
      .select('id')
      .where('status', '=', status)
      .where(column, '<=', now)
      .orderBy(column)
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  async idsWithStatus(status: TimeDealStatus): Promise<number[]> {
    const rows = await this.db.selectFrom('time_deals').select('id').where('status', '=', status).orderBy('id').execute();
    return rows.map((r) => r.id);
  }

  /** Moves the deal only from one of `from`: false when another runner got there first. */
  async setStatus(id: number, from: readonly TimeDealStatus[], to: TimeDealStatus): Promise<boolean> {
    const res = await this.db
      .updateTable('time_deals')
      .set({ status: to })
      .where('id', '=', id)
      .where('status', 'in', [...from])
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  // ---- deal products --------------------------------------------------------------------

  productsOf(dealIds: number[]): Promise<DealProductRow[]> {
    if (dealIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('time_deal_products').selectAll().where('time_deal_id', 'in', dealIds).orderBy('id').execute();
  }

  dealProductsByIds(ids: number[]): Promise<DealProductRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('time_deal_products').selectAll().where('id', 'in', ids).execute();
  }

  findDealProduct(id: number): Promise<DealProductWithDeal | undefined> {
    return this.db
      .selectFrom('time_deal_products as p')
      .innerJoin('time_deals as d', 'd.id', 'p.time_deal_id')
      .selectAll('p')
      .select(['d.status as deal_status', 'd.name as deal_name', 'd.starts_at', 'd.ends_at'])
      .where('p.id', '=', id)
      .executeTakeFirst();
  }

  /** Units sold per deal product: SUM of PURCHASED rows (missing = 0). */
  async soldOf(dealProductIds: number[]): Promise<Map<number, number>> {
    if (dealProductIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('time_deal_purchases')
      .select(['time_deal_product_id', sql<string>`SUM(quantity)`.as('sold')])
      .where('time_deal_product_id', 'in', dealProductIds)
      .where('status', '=', 'PURCHASED')
      .groupBy('time_deal_product_id')
      .execute();
    return new Map(rows.map((r) => [r.time_deal_product_id, Number(r.sold)]));
  }

  // ---- purchases ------------------------------------------------------------------------

  /**
   * The purchase row, inserted only while its deal is ACTIVE and `now` is in
   * its window — read with the deal row in SHARE mode, in the same statement
   * (one round trip: the lock, the check and the insert). Null when the deal
   * is no longer open (nothing inserted).
   */
  async insertPurchaseIfOpen(
    dealId: number,
    now: Date,
    values: { user_id: string; time_deal_product_id: number; quantity: number; purchase_price: string; order_id: number; purchased_at: Date },
  ): Promise<number | null> {
    const res = await this.db
      .insertInto('time_deal_purchases')
      .columns(['user_id', 'time_deal_product_id', 'quantity', 'purchase_price', 'order_id', 'status', 'purchased_at'])
      .expression(
        this.db
          .selectFrom('time_deals')
          .select([
            sql<string>`${values.user_id}`.as('user_id'),
            sql<number>`${values.time_deal_product_id}`.as('time_deal_product_id'),
            sql<number>`${values.quantity}`.as('quantity'),
            sql<string>`${values.purchase_price}`.as('purchase_price'),
            sql<number>`${values.order_id}`.as('order_id'),
            sql<string>`'PURCHASED'`.as('status'),
            sql<Date>`${values.purchased_at}`.as('purchased_at'),
          ])
          .where('id', '=', dealId)
          .where('status', '=', 'ACTIVE')
          .where('starts_at', '<=', now)
          .where('ends_at', '>', now)
          .modifyEnd(sql`lock in share mode`),
      )
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) === 1 ? Number(res.insertId) : null;
  }

  purchasesOfUser(userId: string): Promise<PurchaseRow[]> {
    return this.db
      .selectFrom('time_deal_purchases')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('purchased_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
  }

  /** The live purchase behind a deal order, locked (the saga's compensation holds the order row). */
  lockPurchaseOfOrder(orderId: number): Promise<PurchaseRow | undefined> {
    return this.db
      .selectFrom('time_deal_purchases')
      .selectAll()
      .where('order_id', '=', orderId)
      .where('status', '=', 'PURCHASED')
      .forUpdate()
      .executeTakeFirst();
  }

  async markReturned(id: number, at: Date): Promise<boolean> {
    const res = await this.db
      .updateTable('time_deal_purchases')
      .set({ status: 'RETURNED', returned_at: at })
      .where('id', '=', id)
      .where('status', '=', 'PURCHASED')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  // ---- units and per-user caps ----------------------------------------------------------

  /** Units 1…quantity of a deal product, free (rows already there are kept as they are). */
  async insertUnits(dealProductId: number, quantity: number): Promise<void> {
    for (let from = 1; from <= quantity; from += 1000) {
      const to = Math.min(quantity, from + 999);
      const rows = Array.from({ length: to - from + 1 }, (_, i) => ({ time_deal_product_id: dealProductId, unit_no: from + i, purchase_id: null }));
      await this.db.insertInto('time_deal_units').ignore().values(rows).execute();
    }
  }

  /** Gives `units` to the purchase where they are still free; returns how many it got. */
  async claimUnits(dealProductId: number, units: number[], purchaseId: number): Promise<number> {
    if (units.length === 0) return 0;
    const res = await this.db
      .updateTable('time_deal_units')
      .set({ purchase_id: purchaseId })
      .where('time_deal_product_id', '=', dealProductId)
      .where('unit_no', 'in', units)
      .where('purchase_id', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /**
   * Gives the purchase up to `count` free units that no other transaction is
   * claiming right now (SKIP LOCKED: no waiting behind other buyers); returns them.
   */
  async claimFreeUnits(dealProductId: number, count: number, purchaseId: number): Promise<number[]> {
    if (count <= 0) return [];
    const rows = await this.db
      .selectFrom('time_deal_units')
      .select('unit_no')
      .where('time_deal_product_id', '=', dealProductId)
      .where('purchase_id', 'is', null)
      .orderBy('unit_no')
      .limit(count)
      .forUpdate()
      .skipLocked()
      .execute();
    const units = rows.map((r) => r.unit_no);
    if (units.length > 0) await this.claimUnits(dealProductId, units, purchaseId);
    return units;
  }

  /** The units a returned purchase held become free; returns them. */
  async releaseUnits(dealProductId: number, purchaseId: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('time_deal_units')
      .select('unit_no')
      .where('time_deal_product_id', '=', dealProductId)
      .where('purchase_id', '=', purchaseId)
      .forUpdate()
      .execute();
    if (rows.length > 0) {
      await this.db
        .updateTable('time_deal_units')
        .set({ purchase_id: null })
        .where('time_deal_product_id', '=', dealProductId)
        .where('purchase_id', '=', purchaseId)
        .execute();
    }
    return rows.map((r) => r.unit_no);
  }

  /** Free unit numbers of a deal product, ascending. */
  async freeUnits(dealProductId: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('time_deal_units')
      .select('unit_no')
      .where('time_deal_product_id', '=', dealProductId)
      .where('purchase_id', 'is', null)
      .orderBy('unit_no')
      .execute();
    return rows.map((r) => r.unit_no);
  }

  async countFreeUnits(dealProductId: number): Promise<number> {
    const { n } = await this.db
      .selectFrom('time_deal_units')
      .select(sql<number>`COUNT(*)`.as('n'))
      .where('time_deal_product_id', '=', dealProductId)
      .where('purchase_id', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(n);
  }

  /**
   * Raises the user's units of a deal product by `quantity`, locking only that
   * user's row; false (nothing changed) when that would exceed `maxPerUser`.
   */
  async addUserUnits(dealProductId: number, userId: string, quantity: number, maxPerUser: number): Promise<boolean> {
    if (quantity > maxPerUser) return false;
    try {
      await this.db
        .insertInto('time_deal_user_units')
        .values({ time_deal_product_id: dealProductId, user_id: userId, units: quantity, max_units: maxPerUser })
        .onDuplicateKeyUpdate({ units: sql`units + VALUES(units)` })
        .execute();
      return true;
    } catch (err) {
      if (CHECK_FAILED.has((err as { errno?: number }).errno ?? 0)) return false;
      throw err;
    }
  }

  /** Lowers the user's units (a returned purchase). */
  async subtractUserUnits(dealProductId: number, userId: string, quantity: number): Promise<void> {
    await this.db
      .updateTable('time_deal_user_units')
      .set({ units: sql`GREATEST(units - ${quantity}, 0)` })
      .where('time_deal_product_id', '=', dealProductId)
      .where('user_id', '=', userId)
      .execute();
  }

  /** Units the user holds of a deal product (0 without a row). */
  async userUnits(dealProductId: number, userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('time_deal_user_units')
      .select('units')
      .where('time_deal_product_id', '=', dealProductId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.units ?? 0;
  }

  /** Every user's units of a deal product (above 0), for the Redis `bought` hash. */
  async usersUnits(dealProductId: number): Promise<{ userId: string; units: number }[]> {
    const rows = await this.db
      .selectFrom('time_deal_user_units')
      .select(['user_id', 'units'])
      .where('time_deal_product_id', '=', dealProductId)
      .where('units', '>', 0)
      .execute();
    return rows.map((r) => ({ userId: r.user_id, units: r.units }));
  }
}
