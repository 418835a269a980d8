import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { SseHub, SseStream } from '../../platform/http/sse';
import type { Redis } from '../../platform/redis/index';
import type { CouponService, OpenCoupon } from '../coupon/service';
import type { QueueLine, QueueService } from '../queue/service';
import type { TimeDealResponse } from '../timedeal/schemas';
import type { TimeDealService } from '../timedeal/service';
import { Field, LATENCY_BOUNDS_MS, quantile, SALE_ROUTES, type SaleCounters } from './counters';
import { LiveRedis } from './redis';
import { SALE_STATS_EVENT, type SaleStats } from './schemas';

export interface LiveDeps {
  redis: Redis;
  sse: SseHub;
  log: FastifyBaseLogger;
  /** This instance's counts, filled by the sale modules and the sale routes' latency hook. */
  counters: SaleCounters;
  coupons: Pick<CouponService, 'openCoupons' | 'unitsLeft'>;
  timedeals: Pick<TimeDealService, 'listActive' | 'unitsLeft'>;
  queue: Pick<QueueService, 'activeLines' | 'lineLengths'>;
}

export interface LiveOptions {
  /** How long the lists of running sales (MySQL) are reused before they are read again (2 s). */
  listRefreshMs?: number;
  /** When in each second this instance writes its counts of the second before (20 ms after it starts). */
  flushOffsetMs?: number;
  /**
   * When in each second the frame of the second before is read and sent (600 ms after it starts):
   * every instance has written that second by then unless its clock or event loop is that far behind.
   */
  readOffsetMs?: number;
  /** A stream with nothing written for this long gets a `: ping` comment (15 s). */
  pingMs?: number;
}

interface Viewer {
  stream: SseStream;
  lastWrite: number;
}

interface SaleLists {
  at: number;
  coupons: OpenCoupon[];
  deals: TimeDealResponse[];
  queues: QueueLine[];
}

/** Seconds an instance that was stalled catches up on in one flush (older counts are dropped). */
const MAX_CATCH_UP_SECONDS = 5;

/**
 * The live sale stream: what every instance counted in the last complete
 * second, summed through Redis, with what is left of each running sale.
 *
 * Per tick (once a second) each instance does a fixed amount of work,
 * whatever the number of viewers:
 * - it writes its counts of the second just over in ONE pipeline
 *   (`HINCRBY` per counted field into that second's hash, plus the instance
 *   count and a TTL), viewers or not;
 * - if anyone watches this instance, ONE reader reads the second before
 *   (`HGETALL`) and what is left of each running sale (one small pipeline
 *   per sale, each in that sale's Cluster slot, sent together; the lists of
 *   running sales come from MySQL at most every `listRefreshMs`), builds one
 *   frame, serialises it once and writes it to every viewer of this instance.
 */
export class LiveSalesService {
  readonly counters: SaleCounters;
  private readonly store: LiveRedis;
  private readonly viewers = new Set<Viewer>();
  private readonly listRefreshMs: number;
  private readonly flushOffsetMs: number;
  private readonly readOffsetMs: number;
  private readonly pingMs: number;
  private timer?: NodeJS.Timeout;
  private lastFlushed = 0;
  private reading = false;
  private lists?: SaleLists;
  private listing?: Promise<SaleLists>;
  private last?: { second: number; text: string };
  private failing = false;

  constructor(
    private readonly deps: LiveDeps,
    options: LiveOptions = {},
  ) {
    this.counters = deps.counters;
    this.store = new LiveRedis(deps.redis);
    this.listRefreshMs = options.listRefreshMs ?? 2000;
    this.flushOffsetMs = options.flushOffsetMs ?? 20;
    this.readOffsetMs = options.readOffsetMs ?? 600;
    this.pingMs = options.pingMs ?? 15_000;
  }

  /** Viewers connected to this instance. */
  get viewerCount(): number {
    return this.viewers.size;
  }

  /** Starts the once-a-second flush and read (the app does on ready). */
  start(): void {
    if (this.timer) return;
    this.lastFlushed = Math.floor(Date.now() / 1000) - 1;
    this.schedule();
  }

  /** Stops ticking; streams are closed by the SSE hub at shutdown. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Opens a viewer's stream (auth is checked before): the latest frame at once, then one per second. */
  open(request: FastifyRequest, reply: FastifyReply): void {
    const stream = this.deps.sse.open(request, reply);
    const viewer: Viewer = { stream, lastWrite: Date.now() };
    this.viewers.add(viewer);
    stream.onClose(() => this.viewers.delete(viewer));
    if (this.last && this.last.second >= Math.floor(Date.now() / 1000) - 2) stream.sendText(this.last.text);
  }

  private schedule(): void {
    const ms = Date.now() % 1000;
    let wait: number;
    let run: () => Promise<void>;
    if (ms < this.flushOffsetMs) [wait, run] = [this.flushOffsetMs - ms, () => this.flush()];
    else if (ms < this.readOffsetMs) [wait, run] = [this.readOffsetMs - ms, () => this.publish()];
    else [wait, run] = [1000 - ms + this.flushOffsetMs, () => this.flush()];
    this.timer = setTimeout(() => {
      if (!this.timer) return;
      this.schedule();
      void run();
    }, wait);
    this.timer.unref();
  }

  /**
   * Writes this instance's counts of every second since the last flush up to
   * the one just over — each second once, empty ones too, so `instances`
   * counts every instance alive. A failed write is dropped, not retried: the
   * stream is a live view, not a ledger.
   */
  async flush(): Promise<void> {
    const current = Math.floor(Date.now() / 1000);
    const from = Math.max(this.lastFlushed + 1, current - MAX_CATCH_UP_SECONDS);
    if (from >= current) return;
    const taken = new Map(this.counters.take(current));
    const seconds: [number, Map<string, number>][] = [];
    for (let s = from; s < current; s++) seconds.push([s, taken.get(s) ?? new Map()]);
    this.lastFlushed = current - 1;
    try {
      await this.store.write(seconds);
    } catch (err) {
      this.deps.log.debug({ err }, 'live sale counts not written');
    }
  }

  /** Sends the frame of the last complete second to every viewer of this instance (nothing to do without one). */
  async publish(): Promise<void> {
    const now = Date.now();
    for (const viewer of this.viewers) {
      if (now - viewer.lastWrite >= this.pingMs) {
        viewer.stream.sendText(': ping\n\n');
        viewer.lastWrite = now;
      }
    }
    if (this.viewers.size === 0 || this.reading) return;
    this.reading = true;
    const second = Math.floor(now / 1000) - 1;
    try {
      const stats = await this.frame(second);
      const text = `event: ${SALE_STATS_EVENT}\ndata: ${JSON.stringify({ type: SALE_STATS_EVENT, data: stats })}\n\n`;
      this.last = { second, text };
      const sent = Date.now();
      for (const viewer of this.viewers) {
        viewer.stream.sendText(text);
        viewer.lastWrite = sent;
      }
      if (this.failing) this.deps.log.info('live sale frames are back');
      this.failing = false;
    } catch (err) {
      // Redis or MySQL down: no frame this second (the dependency monitor logs the outage); pings keep streams open.
      if (!this.failing) this.deps.log.warn({ err }, 'live sale frame skipped');
      this.failing = true;
    } finally {
      this.reading = false;
    }
  }

  /** The figures of one second: every instance's sums and what is left of each running sale now. */
  async frame(second: number): Promise<SaleStats> {
    const lists = await this.currentLists();
    const now = Date.now();
    const coupons = lists.coupons.filter((c) => c.startsAt.getTime() <= now && now < c.expiresAt.getTime());
    const dealProducts = lists.deals.flatMap((d) => d.products.map((p) => ({ dealId: d.id, productId: p.productId })));
    const [sums, couponsLeft, productsLeft, lines] = await Promise.all([
      this.store.read(second),
      this.deps.coupons.unitsLeft(coupons.map((c) => c.couponId)),
      this.deps.timedeals.unitsLeft(dealProducts),
      this.deps.queue.lineLengths(lists.queues),
    ]);
    const sum = (field: string) => sums.get(field) ?? 0;

    let p = 0;
    const timeDeals = lists.deals.map((d) => {
      let left = 0;
      let quantity = 0;
      for (const product of d.products) {
        quantity += product.dealQuantity;
        left += productsLeft[p++] ?? product.remainingQuantity;
      }
      return {
        timeDealId: d.id,
        name: d.name,
        quantity,
        left,
        purchasesPerSec: sum(Field.dealPurchases(d.id)),
        unitsPerSec: sum(Field.dealUnits(d.id)),
        soldOutPerSec: sum(Field.dealSoldOut(d.id)),
        limitPerSec: sum(Field.dealLimit(d.id)),
      };
    });

    return {
      at: new Date(second * 1000).toISOString(),
      instances: sum(Field.instances),
      coupons: coupons.map((c, i) => ({
        couponId: c.couponId,
        code: c.code,
        name: c.name,
        totalQuantity: c.totalQuantity,
        left: couponsLeft[i] ?? c.remainingQuantity,
        issuedPerSec: sum(Field.couponIssued(c.couponId)),
        soldOutPerSec: sum(Field.couponSoldOut(c.couponId)),
        limitPerSec: sum(Field.couponLimit(c.couponId)),
      })),
      timeDeals,
      queues: lists.queues.map((q, i) => ({
        eventType: q.eventType,
        eventId: q.eventId,
        waiting: lines[i].waiting,
        admitted: lines[i].admitted,
        admissionsPerSec: sum(Field.queueAdmitted(q.eventType, q.eventId)),
      })),
      paidOrdersPerSec: sum(Field.paid),
      latency: SALE_ROUTES.map((route) => {
        const buckets = Array.from({ length: LATENCY_BOUNDS_MS.length + 1 }, (_, b) => sum(Field.bucket(route, b)));
        return { route, requestsPerSec: sum(Field.requests(route)), p99Ms: quantile(buckets, 0.99) };
      }),
    };
  }

  /**
   * The running sales, from MySQL at most every `listRefreshMs` (one read at a
   * time); if a refresh fails, the lists read before are used meanwhile.
   */
  private async currentLists(): Promise<SaleLists> {
    const now = Date.now();
    if (this.lists && now - this.lists.at < this.listRefreshMs) return this.lists;
    this.listing ??= (async () => {
      try {
        // Coupons opening before the next refresh are listed now and shown from their start.
        const [coupons, deals, queues] = await Promise.all([
          this.deps.coupons.openCoupons(new Date(now), new Date(now + this.listRefreshMs)),
          this.deps.timedeals.listActive(),
          this.deps.queue.activeLines(),
        ]);
        this.lists = { at: now, coupons, deals, queues };
        return this.lists;
      } catch (err) {
        if (this.lists) return this.lists;
        throw err;
      } finally {
        this.listing = undefined;
      }
    })();
    return this.listing;
  }
}
