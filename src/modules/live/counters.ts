import type { IssueStats } from '../coupon/service';
import type { PaymentStats } from '../order/saga';
import type { AdmissionStats } from '../queue/service';
import type { PurchaseStats } from '../timedeal/service';

/** The sale routes whose latency the live view shows, by the name the stream gives them. */
export const SALE_ROUTES = ['coupon-issue', 'timedeal-purchase', 'queue-enter', 'order-pay'] as const;
export type SaleRoute = (typeof SALE_ROUTES)[number];

/**
 * Upper bounds (ms) of the latency histogram's buckets; one more bucket counts
 * everything above the last. Fixed and shared by every instance, so bucket
 * counts add up across instances and a percentile is read from the sum —
 * percentiles themselves can't be added or averaged.
 */
export const LATENCY_BOUNDS_MS: readonly number[] = [
  0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000,
];

/** The bucket a duration falls in: the first whose bound it does not exceed, else the overflow bucket. */
export function bucketOf(ms: number): number {
  let lo = 0;
  let hi = LATENCY_BOUNDS_MS.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ms <= LATENCY_BOUNDS_MS[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The q-quantile (0 < q ≤ 1) of a histogram, interpolated linearly inside the
 * bucket it falls in (as Prometheus' histogram_quantile does); null when the
 * histogram is empty. A quantile in the overflow bucket is the last bound.
 */
export function quantile(counts: readonly number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i] ?? 0;
    if (n === 0) continue;
    if (below + n >= rank) {
      if (i >= LATENCY_BOUNDS_MS.length) return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1];
      const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1];
      const upper = LATENCY_BOUNDS_MS[i];
      return Math.round((lower + (upper - lower) * ((rank - below) / n)) * 100) / 100;
    }
    below += n;
  }
  return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1];
}

/**
 * The field names of one second's counts, the same in memory and in the Redis
 * hash all instances add theirs to. A queue's event type never contains `:`.
 */
export const Field = {
  instances: 'n',
  paid: 'paid',
  couponIssued: (id: number) => `c:${id}:i`,
  couponSoldOut: (id: number) => `c:${id}:s`,
  couponLimit: (id: number) => `c:${id}:l`,
  dealPurchases: (id: number) => `d:${id}:p`,
  dealUnits: (id: number) => `d:${id}:u`,
  dealSoldOut: (id: number) => `d:${id}:s`,
  dealLimit: (id: number) => `d:${id}:l`,
  queueAdmitted: (eventType: string, eventId: number) => `q:${eventType}:${eventId}:a`,
  requests: (route: SaleRoute) => `r:${route}:n`,
  bucket: (route: SaleRoute, bucket: number) => `r:${route}:${bucket}`,
};

/** The seconds an instance keeps when it can't write them (Redis down): older ones are dropped. */
const MAX_HELD_SECONDS = 10;

/**
 * What happens in the sales, counted in memory per second by this instance:
 * the sale modules call it (through the interfaces they declare) and the
 * sale routes' latency hook. Recording is a map increment — no I/O on a
 * request's path; `take` hands the finished seconds to the once-a-second
 * flush.
 */
export class SaleCounters implements IssueStats, PurchaseStats, AdmissionStats, PaymentStats {
  private readonly seconds = new Map<number, Map<string, number>>();

  constructor(private readonly now: () => number = Date.now) {}

  couponIssued(couponId: number): void {
    this.add(Field.couponIssued(couponId));
  }

  couponRefused(couponId: number, reason: 'sold-out' | 'limit'): void {
    this.add(reason === 'sold-out' ? Field.couponSoldOut(couponId) : Field.couponLimit(couponId));
  }

  dealPurchased(timeDealId: number, units: number): void {
    this.add(Field.dealPurchases(timeDealId));
    this.add(Field.dealUnits(timeDealId), units);
  }

  dealRefused(timeDealId: number, reason: 'sold-out' | 'limit'): void {
    this.add(reason === 'sold-out' ? Field.dealSoldOut(timeDealId) : Field.dealLimit(timeDealId));
  }

  queueAdmitted(eventType: string, eventId: number, count: number): void {
    this.add(Field.queueAdmitted(eventType, eventId), count);
  }

  orderPaid(): void {
    this.add(Field.paid);
  }

  /** One request of a sale route that took `ms`. */
  latency(route: SaleRoute, ms: number): void {
    this.add(Field.requests(route));
    this.add(Field.bucket(route, bucketOf(ms)));
  }

  /**
   * Removes and returns the counts of every second before `second` (epoch
   * seconds), oldest first; seconds with nothing counted are absent.
   */
  take(second: number): [number, Map<string, number>][] {
    const out: [number, Map<string, number>][] = [];
    for (const [s, counts] of this.seconds) {
      if (s < second) {
        this.seconds.delete(s);
        if (s >= second - MAX_HELD_SECONDS) out.push([s, counts]);
      }
    }
    return out.sort((a, b) => a[0] - b[0]);
  }

  private add(field: string, n = 1, second = Math.floor(this.now() / 1000)): void {
    let counts = this.seconds.get(second);
    if (!counts) {
      counts = new Map();
      this.seconds.set(second, counts);
    }
    counts.set(field, (counts.get(field) ?? 0) + n);
  }
}
