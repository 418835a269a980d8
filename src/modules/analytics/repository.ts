import { type Selectable, sql } from 'kysely';
import type { Executor } from '../../platform/db/tx';
import type { AnalyticsDailyTable } from '../../platform/db/types';
import type { Increment } from './schemas';

export type DailyRow = Selectable<AnalyticsDailyTable>;

/** SQL for `analytics_daily`. */
export class AnalyticsRepository {
  constructor(private readonly db: Executor) {}

  with(db: Executor): AnalyticsRepository {
    return new AnalyticsRepository(db);
  }

  /**
   * Adds to one day's counters in a single statement (`INSERT … ON DUPLICATE
   * KEY UPDATE col = col + …`): no read-then-write, and the first event of a day
   * creates its row. Revenue is added as `CAST(… AS DECIMAL)`, so the sum stays
   * exact DECIMAL arithmetic (a bare string operand would go through a double).
   */
  async add(date: string, inc: Increment): Promise<void> {
    const revenue = inc.revenue ?? '0';
    const counts = {
      orders: inc.orders ?? 0,
      refunds: inc.refunds ?? 0,
      failed_payments: inc.failedPayments ?? 0,
      coupons_issued: inc.couponsIssued ?? 0,
      deals_started: inc.dealsStarted ?? 0,
    };
    const updates: Record<string, unknown> = {};
    for (const [column, n] of Object.entries(counts)) {
      if (n !== 0) updates[column] = sql`${sql.ref(column)} + ${n}`;
    }
    if (inc.revenue !== undefined) updates.revenue = sql`revenue + CAST(${revenue} AS DECIMAL(16,2))`;
    if (Object.keys(updates).length === 0) return;
    await this.db
      .insertInto('analytics_daily')
      .values({ date, ...counts, revenue: sql`CAST(${revenue} AS DECIMAL(16,2))` })
      .onDuplicateKeyUpdate(updates)
      .execute();
  }

  range(from: string, to: string): Promise<DailyRow[]> {
    return this.db.selectFrom('analytics_daily').selectAll().where('date', '>=', from).where('date', '<=', to).orderBy('date').execute();
  }
}
