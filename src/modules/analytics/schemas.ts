import { type Static, Type } from '@sinclair/typebox';
import { Money, msg } from '../../platform/http/schema';

const Day = (name: string) =>
  Type.Optional(
    msg(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), { pattern: `${name} must be a date (YYYY-MM-DD)` }),
  );

/** `from` and `to` are UTC calendar days, both included; default the last 30 days up to today. */
export const DailyQuery = Type.Object({ from: Day('from'), to: Day('to') });
export type DailyQuery = Static<typeof DailyQuery>;

export const DailyStatsResponse = Type.Object({
  date: Type.String({ description: 'UTC day, YYYY-MM-DD' }),
  orders: Type.Integer(),
  revenue: Money,
  refunds: Type.Integer(),
  failedPayments: Type.Integer(),
  couponsIssued: Type.Integer(),
  dealsStarted: Type.Integer(),
}, {
  $id: 'DailyStats',
  examples: [{ date: '2026-01-20', orders: 132, revenue: 48250000, refunds: 3, failedPayments: 5, couponsIssued: 250, dealsStarted: 1 }],
});
export type DailyStatsResponse = Static<typeof DailyStatsResponse>;

/** The shared schemas this module names in the OpenAPI document (the app registers them). */
export const analyticsSchemas = [DailyStatsResponse];

/** What one event adds to its day's counters; `revenue` as an exact decimal string. */
export interface Increment {
  orders?: number;
  revenue?: string;
  refunds?: number;
  failedPayments?: number;
  couponsIssued?: number;
  dealsStarted?: number;
}
