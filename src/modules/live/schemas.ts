import { type Static, Type } from '@sinclair/typebox';
import { DateTime, Nullable } from '../../platform/http/schema';
import { SALE_ROUTES } from './counters';

/** The SSE event (and `type`) of a live sale frame. */
export const SALE_STATS_EVENT = 'sale-stats';

const PerSec = Type.Integer({ minimum: 0 });

/** A coupon whose issue window is open now. `limitPerSec`: S604, already issued to that user. */
export const LiveCoupon = Type.Object({
  couponId: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  totalQuantity: Type.Integer(),
  left: Type.Integer(),
  issuedPerSec: PerSec,
  soldOutPerSec: PerSec,
  limitPerSec: PerSec,
});

/** An ACTIVE time deal; `quantity` and `left` summed over its products. `limitPerSec`: S705, over the max per user. */
export const LiveTimeDeal = Type.Object({
  timeDealId: Type.Integer(),
  name: Type.String(),
  quantity: Type.Integer(),
  left: Type.Integer(),
  purchasesPerSec: PerSec,
  unitsPerSec: PerSec,
  soldOutPerSec: PerSec,
  limitPerSec: PerSec,
});

/** An active waiting room: its line, its admitted entries, admissions in the second. */
export const LiveQueue = Type.Object({
  eventType: Type.String(),
  eventId: Type.Integer(),
  waiting: Type.Integer(),
  admitted: Type.Integer(),
  admissionsPerSec: PerSec,
});

/** A sale route's requests in the second and their p99, merged from every instance's histogram buckets. */
export const LiveLatency = Type.Object({
  route: Type.Unsafe<(typeof SALE_ROUTES)[number]>({ type: 'string', enum: [...SALE_ROUTES] }),
  requestsPerSec: PerSec,
  p99Ms: Nullable(Type.Number()),
});

/** One frame of `GET /admin/live/sales`: the last complete second, summed over every instance. */
export const SaleStats = Type.Object({
  at: DateTime,
  instances: Type.Integer(),
  coupons: Type.Array(LiveCoupon),
  timeDeals: Type.Array(LiveTimeDeal),
  queues: Type.Array(LiveQueue),
  paidOrdersPerSec: PerSec,
  latency: Type.Array(LiveLatency),
});
export type SaleStats = Static<typeof SaleStats>;
