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

/**
 * SQL for `time_deals`, `time_deal_products` and `time_deal_purchases`.
 *
 * Sold quantities are never stored: they are `SUM(quantity)` of a deal
 * product's PURCHASED rows (index `(time_deal_product_id, status)`), so a
 * purchase inserts a row and updates nothing every other purchase would wait on.
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

  findDeals(ids: number[]): Promise<DealRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('time_deals').selectAll().where('id', 'in', ids).execute();
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

  /** Units each user holds of one deal product (PURCHASED rows), for the Redis `bought` hash. */
  async boughtOf(dealProductId: number): Promise<{ userId: string; units: number }[]> {
    const rows = await this.db
      .selectFrom('time_deal_purchases')
      .select(['user_id', sql<string>`SUM(quantity)`.as('units')])
      .where('time_deal_product_id', '=', dealProductId)
      .where('status', '=', 'PURCHASED')
      .groupBy('user_id')
      .execute();
    return rows.map((r) => ({ userId: r.user_id, units: Number(r.units) })).filter((r) => r.units > 0);
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
}
