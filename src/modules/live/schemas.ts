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
}, {
  $id: 'SaleStats',
  examples: [
    {
      at: '2026-12-05T01:02:03.000Z',
      instances: 2,
      coupons: [{ couponId: 3, code: 'FLASH500', name: '선착순 5천원 할인', totalQuantity: 500, left: 120, issuedPerSec: 40, soldOutPerSec: 3, limitPerSec: 1 }],
      timeDeals: [{ timeDealId: 7, name: '오늘의 타임딜', quantity: 200, left: 31, purchasesPerSec: 12, unitsPerSec: 12, soldOutPerSec: 0, limitPerSec: 2 }],
      queues: [{ eventType: 'TIMEDEAL', eventId: 7, waiting: 1200, admitted: 300, admissionsPerSec: 50 }],
      paidOrdersPerSec: 7,
      latency: [{ route: 'coupon-issue', requestsPerSec: 55, p99Ms: 12.5 }],
    },
  ],
});
export type SaleStats = Static<typeof SaleStats>;

/** The shared schemas this module names in the OpenAPI document (the app registers them). */
export const liveSchemas = [SaleStats];
