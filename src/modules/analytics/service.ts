import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../platform/db/index';
import type { EventConsumer } from '../../platform/events/consumer';
import { type EventMessage, type Topic, Topics } from '../../platform/events/outbox';
import { fail } from '../../platform/http/errors';
import { decimalToWire, toDecimal, toMinor } from '../../platform/money';
import { AnalyticsRepository, type DailyRow } from './repository';
import type { DailyStatsResponse, Increment } from './schemas';

/** `processed_events.consumer` and the Kafka consumer group suffix. Never rename. */
export const ANALYTICS_CONSUMER = 'analytics';

/** The longest range one request may ask for. */
export const MAX_RANGE_DAYS = 366;
const DEFAULT_RANGE_DAYS = 30;
const DAY_MS = 86_400_000;

type Payload = Record<string, unknown>;

/**
 * The counting rules, one per topic. Every event counts on the UTC day of its
 * `occurredAt` (when it happened, not when it was consumed):
 * - orders: +1 per `order.created`;
 * - revenue: + `amount` of each `payment.completed` — gross takings on the day
 *   of payment; refunds are not subtracted (they are counted apart, below);
 * - refunds: +1 per `order.cancelled` that gave money back, i.e. whose payload
 *   says `refunded: true` (or `status: 'REFUNDED'`); a cancellation before
 *   payment is not a refund;
 * - failedPayments: +1 per `payment.failed`;
 * - couponsIssued: +1 per `coupon.issued`;
 * - dealsStarted: +1 per `timedeal.started`.
 */
const RULES: Partial<Record<Topic, (p: Payload) => Increment | null>> = {
  [Topics.ORDER_CREATED]: () => ({ orders: 1 }),
  [Topics.PAYMENT_COMPLETED]: (p) => {
    const amount = exactAmount(p.amount);
    return amount === null ? null : { revenue: amount };
  },
  [Topics.ORDER_CANCELLED]: (p) => (p.refunded === true || p.status === 'REFUNDED' ? { refunds: 1 } : null),
  [Topics.PAYMENT_FAILED]: () => ({ failedPayments: 1 }),
  [Topics.COUPON_ISSUED]: () => ({ couponsIssued: 1 }),
  [Topics.TIMEDEAL_STARTED]: () => ({ dealsStarted: 1 }),
};

/**
 * Daily business counters for the admin dashboard, kept by consuming events
 * (never by reading other domains' tables). Each event counts once: the
 * consumer runner records its id in the same transaction as the increment.
 * The counters live off the request path, so a day's single row being updated
 * by every event costs no customer any waiting.
 */
export class AnalyticsService {
  private readonly repo: AnalyticsRepository;

  constructor(
    db: Db,
    private readonly log?: FastifyBaseLogger,
  ) {
    this.repo = new AnalyticsRepository(db);
  }

  /** Every day from `from` to `to` (UTC, both included), zeros for quiet days. */
  async daily(from?: string, to?: string, today: Date = new Date()): Promise<DailyStatsResponse[]> {
    const end = to ?? isoDay(today.getTime());
    const start = from ?? isoDay(dayStart(end, 'to') - (DEFAULT_RANGE_DAYS - 1) * DAY_MS);
    const startMs = dayStart(start, 'from');
    const endMs = dayStart(end, 'to');
    if (startMs > endMs) {
      throw fail('INVALID_INPUT_VALUE', [{ field: 'from', message: 'from must not be after to', rejectedValue: start }]);
    }
    if ((endMs - startMs) / DAY_MS + 1 > MAX_RANGE_DAYS) {
      throw fail('INVALID_INPUT_VALUE', [{ field: 'from', message: `At most ${MAX_RANGE_DAYS} days per request`, rejectedValue: start }]);
    }
    const rows = new Map((await this.repo.range(start, end)).map((r) => [r.date, r]));
    const days: DailyStatsResponse[] = [];
    for (let t = startMs; t <= endMs; t += DAY_MS) {
      const date = isoDay(t);
      days.push(toResponse(date, rows.get(date)));
    }
    return days;
  }

  /** What `event` adds to which day, or null when it doesn't count. */
  increment(event: EventMessage): { date: string; inc: Increment } | null {
    const rule = RULES[event.topic];
    const occurred = Date.parse(event.occurredAt);
    if (!rule || Number.isNaN(occurred)) return null;
    const inc = rule(event.payload);
    return inc ? { date: isoDay(occurred), inc } : null;
  }

  /** Register with `eventing.register(...)`: counts each event once. */
  consumer(): EventConsumer {
    return {
      name: ANALYTICS_CONSUMER,
      topics: Object.keys(RULES) as Topic[],
      handle: async (trx, event) => {
        const counted = this.increment(event);
        if (!counted) {
          if (event.topic === Topics.PAYMENT_COMPLETED) this.log?.warn({ eventId: event.eventId }, 'payment.completed without a valid amount; not counted');
          return;
        }
        await this.repo.with(trx).add(counted.date, counted.inc);
      },
      // Folded: one upsert per day for the whole batch, so the day's row is written once, not once per event.
      handleBatch: async (trx, events) => {
        const repo = this.repo.with(trx);
        for (const [date, inc] of fold(events.map((e) => this.increment(e)))) await repo.add(date, inc);
      },
    };
  }
}

/** Sums increments per day (revenue in exact minor units). */
function fold(counted: ({ date: string; inc: Increment } | null)[]): Map<string, Increment> {
  const days = new Map<string, { inc: Required<Omit<Increment, 'revenue'>>; revenue: number | undefined }>();
  for (const c of counted) {
    if (!c) continue;
    let day = days.get(c.date);
    if (!day) {
      day = { inc: { orders: 0, refunds: 0, failedPayments: 0, couponsIssued: 0, dealsStarted: 0 }, revenue: undefined };
      days.set(c.date, day);
    }
    for (const key of Object.keys(day.inc) as (keyof typeof day.inc)[]) day.inc[key] += c.inc[key] ?? 0;
    if (c.inc.revenue !== undefined) day.revenue = (day.revenue ?? 0) + toMinor(c.inc.revenue);
  }
  return new Map(
    [...days].map(([date, d]) => [date, { ...d.inc, ...(d.revenue !== undefined ? { revenue: toDecimal(d.revenue) } : {}) }]),
  );
}

function toResponse(date: string, row: DailyRow | undefined): DailyStatsResponse {
  return {
    date,
    orders: row?.orders ?? 0,
    revenue: row ? decimalToWire(row.revenue) : 0,
    refunds: row?.refunds ?? 0,
    failedPayments: row?.failed_payments ?? 0,
    couponsIssued: row?.coupons_issued ?? 0,
    dealsStarted: row?.deals_started ?? 0,
  };
}

/** A JSON number or decimal string as an exact "12345.67", or null when it is no amount. */
function exactAmount(value: unknown): string | null {
  if (typeof value !== 'number' && typeof value !== 'string') return null;
  try {
    return toDecimal(toMinor(value));
  } catch {
    return null;
  }
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Midnight UTC of a YYYY-MM-DD day; a day that doesn't exist (2024-02-30) is a 400. */
function dayStart(day: string, field: string): number {
  const ms = Date.parse(`${day}T00:00:00.000Z`);
  if (Number.isNaN(ms) || isoDay(ms) !== day) {
    throw fail('INVALID_INPUT_VALUE', [{ field, message: `${field} must be a date (YYYY-MM-DD)`, rejectedValue: day }]);
  }
  return ms;
}
