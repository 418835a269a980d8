import type { Db } from '../../platform/db/index';
import { afterCommit, inTransaction, retryOnDeadlock, type Tx } from '../../platform/db/tx';
import { emit, Topics } from '../../platform/events/outbox';
import { fail, isAppError, type FieldError } from '../../platform/http/errors';
import { toPage, type Page, type PageRequest } from '../../platform/http/pagination';
import { parseDateTime, trimmedOrNull } from '../../platform/http/schema';
import { LockBusy } from '../../platform/lock';
import { decimalToWire, toDecimal, toMinor, toWire } from '../../platform/money';
import type { Redis } from '../../platform/redis/index';
import type { Job, Scheduler } from '../../platform/scheduler';
import type { InventoryService } from '../inventory/service';
import type { DealUnits, OrderSaga } from '../order/saga';
import { OrderService } from '../order/service';
import type { ProductService } from '../product/service';
import type { ProductSnapshot } from '../product/schemas';
import { TimeDealRedis, type Admission } from './redis';
import { TimeDealRepository, type DealProductRow, type DealProductWithDeal, type DealRow, type PurchaseRow } from './repository';
import {
  type TimeDealCreateRequest,
  type TimeDealProductResponse,
  type TimeDealPurchaseRequest,
  type TimeDealPurchaseResponse,
  type TimeDealResponse,
  type TimeDealStatus,
} from './schemas';

/**
 * Waiting-room gating: called before the Lua step
 * with the deal's id; throws (S805 while waiting, S806 without an entry) when
 * the caller may not buy yet. The queue module provides it.
 */
export type PurchaseGate = (userId: string, timeDealId: number) => Promise<void>;

/** Told after a purchase committed (the queue frees the buyer's admitted slot). Errors are logged, never returned. */
export type PurchaseListener = (userId: string, timeDealId: number) => unknown;

interface Log {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface TimeDealOptions {
  /** How often SCHEDULED → ACTIVE → ENDED is checked (TIMEDEAL_SCHEDULER_INTERVAL_MS). Default 5 s. */
  statusIntervalMs?: number;
  /** How often Redis is reconciled with MySQL (SALE_RECONCILE_INTERVAL_MS). Default 3 s. */
  rebuildIntervalMs?: number;
  /**
   * How long an admission (units taken in Redis for a request) may go without
   * its MySQL purchase before the reconcile gives its units back
   * (SALE_ADMISSION_GRACE_MS). Default 5 s.
   */
  admissionGraceMs?: number;
  gate?: PurchaseGate;
  onPurchased?: PurchaseListener;
  /** Order numbers and names for `GET /time-deals/my/purchases`; defaults to an OrderService on `db`. */
  orders?: OrderService;
  log?: Log;
  /** Tests move time. */
  now?: () => Date;
  /** Told how each purchase ended (the live sale view counts them). */
  stats?: PurchaseStats;
}

/** What the time-deal module reports of each purchase; the live sale view implements it. Calls must not block. */
export interface PurchaseStats {
  dealPurchased(timeDealId: number, units: number): void;
  /** `sold-out`: S704; `limit`: S705 (over the max per user). */
  dealRefused(timeDealId: number, reason: 'sold-out' | 'limit'): void;
}

/** Job names: the scheduler's lock keys are `scheduler:<name>`. */
export const STATUS_JOB = 'timedeal:status';
export const REBUILD_JOB = 'timedeal:redis-rebuild';

const DEFAULT_STATUS_INTERVAL_MS = 5_000;
const DEFAULT_REBUILD_INTERVAL_MS = 3_000;
const DEFAULT_ADMISSION_GRACE_MS = 5_000;
/** A purchase whose keys were missing asks the script again once they are rebuilt; after this many tries: S408. */
const MAX_PURCHASE_ATTEMPTS = 4;
/** How long an ACTIVE deal product's details are reused by purchase pre-checks (the transaction re-checks under lock). */
const DEAL_CACHE_MS = 1_000;
/**
 * How long a sold-out answer from Redis is trusted by this instance: in a spike most buyers
 * arrive after the last unit, and they are refused without a round trip. Units this instance
 * gives back end it at once; units given back elsewhere are offered here at most this late.
 * (A buyer already at the max per user hears S704 rather than S705 during that moment.)
 */
export const SOLD_OUT_MEMO_MS = 250;

/** MySQL refused what Redis admitted: no unit left, or the user would go over the max per user. */
class Refused extends Error {
  constructor(readonly code: 'TIMEDEAL_SOLD_OUT' | 'TIMEDEAL_PURCHASE_LIMIT_EXCEEDED') {
    super(code);
  }
}

interface CachedDealProduct {
  row: DealProductWithDeal;
  product: ProductSnapshot;
  at: number;
}

type LoadMode = 'always' | 'missing';

const noLog: Log = { warn: () => undefined, error: () => undefined };

/**
 * Time deals.
 *
 * - Lifecycle: SCHEDULED → ACTIVE at startsAt (the deal's units move from the
 *   product's available stock into reserved — DEAL_ALLOCATION — and Redis is
 *   loaded, `shopping.timedeal.started` written), ACTIVE → ENDED at endsAt
 *   (unsold units back to available — DEAL_RELEASE — and the keys removed);
 *   SCHEDULED | ACTIVE → CANCELLED by an admin (same release).
 * - Purchase: checks (S706, S702, S703), the gate, then ONE Lua script
 *   (purchase.lua: takes numbered units from the deal product's free set and
 *   records the admission with its time), then ONE MySQL transaction: the
 *   purchase row, a PENDING order at the deal price (the saga's step 1 is the
 *   deal's allocation), the user's count within the max per user and the
 *   claim of those unit rows. If that transaction fails, unpurchase.lua gives
 *   the units back.
 * - Redis is fast, MySQL decides: a unit row has one holder and a user's count
 *   row is capped, so no Redis state — flushed, restored from an old snapshot,
 *   failed over, written by a process that died — sells beyond the deal or
 *   the limit. Units MySQL refuses are replaced by free ones in the same
 *   request and the deal's keys are rebuilt. Keys are rebuilt from MySQL at
 *   start-up, whenever a script finds them missing, and by the reconcile,
 *   which also gives back units of admissions whose request died.
 */
export class TimeDealService implements DealUnits {
  private readonly repo: TimeDealRepository;
  readonly keys: TimeDealRedis;
  private readonly orders: OrderService;
  private readonly log: Log;
  private readonly now: () => Date;
  private readonly gate?: PurchaseGate;
  private readonly onPurchased?: PurchaseListener;
  private readonly purchaseStats?: PurchaseStats;
  readonly statusIntervalMs: number;
  readonly rebuildIntervalMs: number;
  readonly admissionGraceMs: number;
  private readonly cache = new Map<number, Promise<CachedDealProduct>>();
  /** Rebuilds of missing keys in flight, per deal (purchases wait for them). */
  private readonly loading = new Map<number, Promise<void>>();
  /** Rebuilds after a refusal in flight, per deal (nobody waits for them). */
  private readonly resyncs = new Map<number, { again: boolean; done: Promise<void> }>();
  /** Deal products Redis recently found sold out, by deal product id: the smallest quantity refused, until when. */
  private readonly soldOut = new Map<number, { dealId: number; quantity: number; until: number }>();
  /**
   * Counters since start (for tests and diagnostics): keys found missing, refusals by MySQL of what
   * Redis admitted, earlier admissions of a retrying user given back, keys (re)written, admissions
   * released past the grace period, rebuilds after refusals.
   */
  readonly stats = { notLoaded: 0, refused: 0, takenOver: 0, keysWritten: 0, released: 0, resyncs: 0 };

  constructor(
    private readonly db: Db,
    redis: Redis,
    private readonly products: ProductService,
    private readonly inventory: InventoryService,
    private readonly saga: Pick<OrderSaga, 'createDealOrder'>,
    options: TimeDealOptions = {},
  ) {
    this.repo = new TimeDealRepository(db);
    this.keys = new TimeDealRedis(redis);
    this.orders = options.orders ?? new OrderService(db);
    this.log = options.log ?? noLog;
    this.now = options.now ?? (() => new Date());
    this.gate = options.gate;
    this.onPurchased = options.onPurchased;
    this.purchaseStats = options.stats;
    this.statusIntervalMs = options.statusIntervalMs ?? DEFAULT_STATUS_INTERVAL_MS;
    this.rebuildIntervalMs = options.rebuildIntervalMs ?? DEFAULT_REBUILD_INTERVAL_MS;
    this.admissionGraceMs = options.admissionGraceMs ?? DEFAULT_ADMISSION_GRACE_MS;
  }

  // ---- admin ----------------------------------------------------------------------------

  /**
   * A SCHEDULED deal. C002 for a bad date, an end not in the future, a product
   * named twice, a deal price with more than 2 decimals or above the product's
   * price, or a deal quantity above the product's available stock now; S708
   * when startsAt ≥ endsAt; S001 for an unknown product. A deal whose start has
   * already passed is activated by the next scheduler tick.
   */
  async create(req: TimeDealCreateRequest): Promise<TimeDealResponse> {
    const startsAt = parseDateTime(req.startsAt);
    const endsAt = parseDateTime(req.endsAt);
    const dateErrors: FieldError[] = [];
    if (!startsAt) dateErrors.push({ field: 'startsAt', message: 'Start time is not a valid date-time', rejectedValue: req.startsAt });
    if (!endsAt) dateErrors.push({ field: 'endsAt', message: 'End time is not a valid date-time', rejectedValue: req.endsAt });
    else if (endsAt.getTime() <= this.now().getTime()) {
      dateErrors.push({ field: 'endsAt', message: 'End time must be in the future', rejectedValue: req.endsAt });
    }
    if (dateErrors.length > 0) throw fail('INVALID_INPUT_VALUE', dateErrors);
    if (startsAt!.getTime() >= endsAt!.getTime()) throw fail('TIMEDEAL_INVALID_PERIOD');

    const seen = new Set<number>();
    const duplicates: FieldError[] = [];
    req.products.forEach((p, i) => {
      if (seen.has(p.productId)) {
        duplicates.push({ field: `products[${i}].productId`, message: 'Product is already in this time deal', rejectedValue: p.productId });
      }
      seen.add(p.productId);
    });
    if (duplicates.length > 0) throw fail('INVALID_INPUT_VALUE', duplicates);

    // S001 for a product that does not exist (or was deleted).
    const snapshots = await Promise.all(req.products.map((p) => this.products.getSnapshot(p.productId)));
    const available = await this.inventory.availableFor(req.products.map((p) => p.productId));
    const details: FieldError[] = [];
    const rows = req.products.map((p, i) => {
      const product = snapshots[i];
      const cents = p.dealPrice * 100;
      if (Math.abs(cents - Math.round(cents)) > 1e-6) {
        details.push({ field: `products[${i}].dealPrice`, message: 'Deal price may have at most 2 decimal places', rejectedValue: p.dealPrice });
      } else if (toMinor(p.dealPrice) > product.price) {
        details.push({ field: `products[${i}].dealPrice`, message: 'Deal price must not exceed the product price', rejectedValue: p.dealPrice });
      }
      const stock = available.get(p.productId) ?? 0;
      if (p.dealQuantity > stock) {
        details.push({
          field: `products[${i}].dealQuantity`,
          message: `Deal quantity exceeds the available stock (${stock})`,
          rejectedValue: p.dealQuantity,
        });
      }
      return { product_id: p.productId, deal_price: toDecimal(Math.round(cents)), deal_quantity: p.dealQuantity, max_per_user: p.maxPerUser };
    });
    if (details.length > 0) throw fail('INVALID_INPUT_VALUE', details);

    const [created] = await inTransaction(this.db, async (trx) => {
      const repo = this.repo.with(trx);
      const dealId = await repo.insertDeal({ name: req.name.trim(), description: trimmedOrNull(req.description), starts_at: startsAt!, ends_at: endsAt! });
      await repo.insertProducts(rows.map((r) => ({ ...r, time_deal_id: dealId })));
      // Read inside the transaction: once it commits, no further read can turn the created deal into an error.
      return this.present([(await repo.findDeal(dealId))!], { repo, names: new Map(snapshots.map((s) => [s.id, s])) });
    });
    return created;
  }

  /** PageResponse, createdAt ASC. */
  async list(page: PageRequest): Promise<Page<TimeDealResponse>> {
    const [rows, total] = await Promise.all([this.repo.listDeals(page.size, page.offset), this.repo.countDeals()]);
    return toPage(await this.present(rows), total, page);
  }

  /** Any status; S701. */
  async get(id: number): Promise<TimeDealResponse> {
    const deal = await this.repo.findDeal(id);
    if (!deal) throw fail('TIMEDEAL_NOT_FOUND');
    const [response] = await this.present([deal]);
    return response;
  }

  /**
   * SCHEDULED | ACTIVE → CANCELLED. An ACTIVE deal's unsold units go back to
   * available (DEAL_RELEASE) and its keys are removed; orders already made
   * from it stay payable (their units stay reserved for them). S701; S702 when
   * the deal has already ENDED or been CANCELLED.
   */
  async cancel(id: number, actor = 'admin'): Promise<void> {
    const result = await this.finish(id, 'CANCELLED', actor);
    if (result === 'missing') throw fail('TIMEDEAL_NOT_FOUND');
    if (result === 'skipped') throw fail('TIMEDEAL_NOT_ACTIVE');
  }

  // ---- public reads -----------------------------------------------------------------------

  /** ACTIVE and startsAt ≤ now < endsAt, ending soonest first. */
  async listRunning(): Promise<TimeDealResponse[]> {
    return this.present(await this.repo.listRunning(this.now()));
  }

  async myPurchases(userId: string): Promise<TimeDealPurchaseResponse[]> {
    const rows = await this.repo.purchasesOfUser(userId);
    const dealProducts = new Map((await this.repo.dealProductsByIds([...new Set(rows.map((r) => r.time_deal_product_id))])).map((p) => [p.id, p]));
    const orders = new Map(
      await Promise.all(
        [...new Set(rows.map((r) => r.order_id).filter((id): id is number => id !== null))].map(
          async (id) => [id, await this.orders.getById(id).catch(() => null)] as const,
        ),
      ),
    );
    const names = await this.productNames([...new Set([...dealProducts.values()].map((p) => p.product_id))]);
    return rows.map((r) => {
      const order = r.order_id !== null ? orders.get(r.order_id) : null;
      const productId = dealProducts.get(r.time_deal_product_id)?.product_id;
      // The order line keeps the name the product had when it was bought.
      const name = order?.items[0]?.productName ?? (productId !== undefined ? names.get(productId)?.name : undefined) ?? '';
      return toPurchaseResponse(r, name, order?.orderNumber ?? null, order?.paymentDueAt ?? null);
    });
  }

  // ---- the live sale view ----------------------------------------------------------------------

  /** Every ACTIVE deal, ending soonest first, with its products' sold and remaining units as MySQL counts them. */
  async listActive(): Promise<TimeDealResponse[]> {
    return this.present(await this.repo.listWithStatus('ACTIVE'));
  }

  /** Free units per deal product from Redis (one pipeline per deal, sent together) (null where its keys are not loaded). */
  unitsLeft(products: { dealId: number; productId: number }[]): Promise<(number | null)[]> {
    return this.keys.freeOf(products);
  }

  // ---- purchase ------------------------------------------------------------------------------

  /**
   * One purchase: S706, S702, S703, the gate, then purchase.lua (S705 over the
   * limit, S704 sold out; the buyer of the last unit succeeds), then the MySQL
   * transaction, which has the last word (see `record`). Missing keys are
   * rebuilt from MySQL and the script asked again; S408 if that keeps happening.
   */
  async purchase(userId: string, req: TimeDealPurchaseRequest): Promise<TimeDealPurchaseResponse> {
    const item = await this.dealProduct(req.timeDealProductId);
    this.checkOpen(item.row);
    const stats = this.purchaseStats;
    if (!stats) return this.buy(userId, req, item);
    const dealId = item.row.time_deal_id;
    try {
      const bought = await this.buy(userId, req, item);
      stats.dealPurchased(dealId, req.quantity);
      return bought;
    } catch (err) {
      if (isAppError(err, 'TIMEDEAL_SOLD_OUT')) stats.dealRefused(dealId, 'sold-out');
      else if (isAppError(err, 'TIMEDEAL_PURCHASE_LIMIT_EXCEEDED')) stats.dealRefused(dealId, 'limit');
      throw err;
    }
  }

  private async buy(userId: string, req: TimeDealPurchaseRequest, item: CachedDealProduct): Promise<TimeDealPurchaseResponse> {
    const dealId = item.row.time_deal_id;
    // The script checks the max per user before the stock; so do these answers from memory.
    if (req.quantity > item.row.max_per_user) throw fail('TIMEDEAL_PURCHASE_LIMIT_EXCEEDED');
    if (this.recentlySoldOut(item.row.id, req.quantity)) throw fail('TIMEDEAL_SOLD_OUT');
    await this.gate?.(userId, dealId);

    for (let attempt = 1; ; attempt++) {
      const { row, product } = item;
      const outcome = await this.keys.purchase(dealId, row.product_id, userId, req.quantity, row.max_per_user);
      if (outcome.kind === 'sold-out') {
        this.rememberSoldOut(row, req.quantity);
        throw fail('TIMEDEAL_SOLD_OUT');
      }
      if (outcome.kind === 'not-loaded') {
        this.stats.notLoaded++;
        if (attempt >= MAX_PURCHASE_ATTEMPTS) throw fail('CONCURRENT_STOCK_MODIFICATION');
        await this.ensureLoaded(dealId);
        item = await this.dealProduct(req.timeDealProductId, true);
        this.checkOpen(item.row);
        continue;
      }
      let admission: Admission | null = null;
      if (outcome.kind === 'limit') {
        // Redis may count units the user no longer holds (it is behind MySQL): S705 only on MySQL's word.
        if ((await this.repo.userUnits(row.id, userId)) + req.quantity > row.max_per_user) throw fail('TIMEDEAL_PURCHASE_LIMIT_EXCEEDED');
        this.resync(dealId);
      } else {
        admission = outcome.admission;
        if (outcome.takenOver > 0) this.stats.takenOver += outcome.takenOver;
      }
      const response = await this.record(userId, req, row, product, admission);
      if (this.onPurchased) {
        Promise.resolve()
          .then(() => this.onPurchased?.(userId, dealId))
          .catch((err) => this.log.warn({ err, userId, dealId }, 'purchase listener failed'));
      }
      return response;
    }
  }

  /**
   * The MySQL step, one transaction: the PENDING order; the purchase row,
   * inserted only if the deal is still open (taking the deal row in SHARE
   * mode: no status change or rebuild interleaves until the commit); the
   * user's units raised within the max per user; then the units Redis admitted
   * claimed where they are still free. Units MySQL refuses (Redis was behind:
   * restored, failed over, rebuilt under a dead process) are replaced by free
   * units nobody is claiming, so the buyer gets MySQL's answer in this request —
   * the purchase, S704 or S705 — and the deal's keys are rebuilt once.
   * On failure the admission is undone in Redis (its units given back unless
   * MySQL refused them). A deadlock victim is run again.
   */
  private async record(
    userId: string,
    req: TimeDealPurchaseRequest,
    row: DealProductWithDeal,
    product: ProductSnapshot,
    admission: Admission | null,
  ): Promise<TimeDealPurchaseResponse> {
    const dealId = row.time_deal_id;
    const unitPrice = toMinor(row.deal_price);
    const purchasedAt = new Date();
    const attempt = () =>
      inTransaction(this.db, async (trx) => {
        const repo = this.repo.with(trx);
        const order = await this.saga.createDealOrder(trx, {
          userId,
          productId: row.product_id,
          productName: product.name,
          unitPrice,
          quantity: req.quantity,
          shippingAddress: req.shippingAddress ?? null,
        });
        const now = this.now();
        const purchaseId = await repo.insertPurchaseIfOpen(dealId, now, {
          user_id: userId,
          time_deal_product_id: row.id,
          quantity: req.quantity,
          purchase_price: toDecimal(unitPrice),
          order_id: order.orderId,
          purchased_at: purchasedAt,
        });
        if (purchaseId === null) {
          const deal = await repo.findDeal(dealId);
          throw fail(deal?.status === 'ACTIVE' && !inWindow(deal, now) ? 'TIMEDEAL_EXPIRED' : 'TIMEDEAL_NOT_ACTIVE');
        }
        if (!(await repo.addUserUnits(row.id, userId, req.quantity, row.max_per_user))) throw new Refused('TIMEDEAL_PURCHASE_LIMIT_EXCEEDED');
        const claimed = admission ? await repo.claimUnits(row.id, admission.units, purchaseId) : 0;
        let extra: number[] = [];
        if (claimed < req.quantity) {
          extra = await repo.claimFreeUnits(row.id, req.quantity - claimed, purchaseId);
          if (claimed + extra.length < req.quantity) throw new Refused('TIMEDEAL_SOLD_OUT');
        }
        return { id: purchaseId, orderNumber: order.orderNumber, paymentDueAt: order.paymentDueAt, extra, overruled: claimed < req.quantity };
      });
    try {
      const done = await retryOnDeadlock(attempt);
      if (admission || done.extra.length > 0) {
        // The admission's record goes; units MySQL gave instead of refused ones leave the free set.
        await this.keys.settle(dealId, row.product_id, userId, admission?.id ?? '', done.extra).catch((err: unknown) => {
          this.log.warn({ err, dealId, userId }, 'settling a time-deal admission failed; the reconcile drops it');
        });
      }
      if (done.overruled) {
        this.stats.refused++;
        this.resync(dealId);
      }
      return {
        id: done.id,
        timeDealProductId: row.id,
        productName: product.name,
        quantity: req.quantity,
        purchasePrice: toWire(unitPrice),
        totalPrice: toWire(unitPrice * req.quantity),
        purchasedAt,
        orderNumber: done.orderNumber,
        status: 'PURCHASED',
        paymentDueAt: done.paymentDueAt,
      };
    } catch (err) {
      const refused = err instanceof Refused;
      if (admission) {
        try {
          // Units go back unless MySQL had none left for this buyer (then others hold them, and the rebuild below puts back any that are free).
          await this.keys.unpurchase(dealId, row.product_id, userId, admission.id, !(refused && err.code === 'TIMEDEAL_SOLD_OUT'));
          this.reopen(dealId);
        } catch (undoErr) {
          // Redis is unreachable: the admission stays until the reconcile releases it.
          this.log.error({ err: undoErr, dealId, productId: row.product_id, userId }, 'unpurchase after a failed purchase failed');
        }
      }
      if (!refused) throw err;
      this.stats.refused++;
      this.resync(dealId);
      throw fail(err.code);
    }
  }

  /**
   * The saga's compensation for a cancelled or expired deal order, inside its
   * transaction. While the deal is ACTIVE the purchase becomes RETURNED, its
   * units are freed and its buyer's count lowered (the units stay reserved for
   * the deal) and, after commit, giveback.lua puts them back on sale: true.
   * Once the deal has ENDED or was CANCELLED: false (the saga then releases
   * the units to available, as for any order).
   */
  async returnUnits(trx: Tx, orderId: number): Promise<boolean> {
    const repo = this.repo.with(trx);
    const found = await repo.lockPurchaseOfOrder(orderId);
    if (!found) return false;
    const [dealProduct] = await repo.dealProductsByIds([found.time_deal_product_id]);
    // Shared lock on the deal: an end, cancel or rebuild waits for this commit (and we for theirs).
    const deal = await repo.lockDealShared(dealProduct.time_deal_id);
    if (deal?.status !== 'ACTIVE') return false;
    if (!(await repo.markReturned(found.id, new Date()))) return false;
    const units = await repo.releaseUnits(dealProduct.id, found.id);
    await repo.subtractUserUnits(dealProduct.id, found.user_id, found.quantity);
    // Read under the lock: if a rebuild runs between our commit and the script, the epoch differs
    // and the script does nothing — the rebuild already read this return from MySQL.
    const epoch = await this.keys.epoch(deal.id, dealProduct.product_id);
    if (epoch !== null && units.length > 0) {
      afterCommit(trx, async () => {
        try {
          await this.keys.giveBack(deal.id, dealProduct.product_id, found.user_id, units, epoch);
          this.reopen(deal.id);
        } catch (err) {
          this.log.error({ err, dealId: deal.id, orderId }, 'giving back a returned deal order failed; the reconcile fixes Redis');
        }
      });
    }
    return true;
  }

  // ---- scheduler -----------------------------------------------------------------------------

  /** Both periodic jobs: status changes (every TIMEDEAL_SCHEDULER_INTERVAL_MS) and the Redis rebuild. */
  registerJobs(scheduler: Scheduler): void {
    scheduler.add(this.statusJob());
    scheduler.add(this.rebuildJob());
  }

  /** SCHEDULED → ACTIVE → ENDED, once across instances (lock `scheduler:timedeal:status`, wait 0). */
  statusJob(): Job {
    return { name: STATUS_JOB, intervalMs: this.statusIntervalMs, run: async (signal) => void (await this.updateStatuses(signal)) };
  }

  /** The reconcile (`rebuildRedis`), once across instances; a short lease, so a dead holder keeps others out only briefly. */
  rebuildJob(): Job {
    return {
      name: REBUILD_JOB,
      intervalMs: this.rebuildIntervalMs,
      leaseMs: Math.max(2 * this.rebuildIntervalMs, 1_000),
      run: async () => void (await this.rebuildRedis()),
    };
  }

  /**
   * One tick: deals due to start are activated, deals due to end are ended,
   * each in its own transaction with a conditional status change (a second
   * runner finds nothing to do). A deal whose stock can't be allocated now
   * stays SCHEDULED and is tried again next tick; one that reaches its end
   * still SCHEDULED ends without having run.
   */
  async updateStatuses(signal?: AbortSignal): Promise<{ started: number; ended: number }> {
    const now = this.now();
    let started = 0;
    let ended = 0;
    for (const id of await this.repo.dueIds('SCHEDULED', 'starts_at', now)) {
      if (signal?.aborted) break;
      try {
        if (await this.activate(id)) started++;
      } catch (err) {
        this.log.warn({ err, timeDealId: id }, 'time deal could not start; trying again next tick');
      }
    }
    for (const id of await this.repo.dueIds('ACTIVE', 'ends_at', now)) {
      if (signal?.aborted) break;
      try {
        if ((await this.finish(id, 'ENDED', 'system')) === 'done') ended++;
      } catch (err) {
        this.log.error({ err, timeDealId: id }, 'time deal could not end; trying again next tick');
      }
    }
    return { started, ended };
  }

  /** SCHEDULED → ACTIVE: allocation, event and Redis keys, all while the deal row is locked. */
  private async activate(dealId: number): Promise<boolean> {
    const activated = await inTransaction(this.db, async (trx) => {
      const repo = this.repo.with(trx);
      const deal = await repo.lockDeal(dealId);
      const now = this.now();
      if (!deal || deal.status !== 'SCHEDULED' || deal.starts_at.getTime() > now.getTime()) return false;
      if (deal.ends_at.getTime() <= now.getTime()) {
        // Its whole window passed before it could start: it ends without having held any stock.
        await repo.setStatus(dealId, ['SCHEDULED'], 'ENDED');
        return false;
      }
      if (!(await repo.setStatus(dealId, ['SCHEDULED'], 'ACTIVE'))) return false;
      const products = await repo.productsOf([dealId]);
      await this.inventory.allocateToDeal(
        trx,
        products.map((p) => ({ productId: p.product_id, quantity: p.deal_quantity })),
        { type: 'TIME_DEAL', id: String(dealId) },
        { actor: 'system', reason: 'time deal started' },
      );
      await emit(trx, Topics.TIMEDEAL_STARTED, String(dealId), {
        timeDealId: dealId,
        name: deal.name,
        startsAt: deal.starts_at.toISOString(),
        endsAt: deal.ends_at.toISOString(),
      });
      for (const p of products) await repo.insertUnits(p.id, p.deal_quantity);
      // Loaded before commit, under the row lock: purchases wait for the commit, then find the keys.
      await this.loadKeys(repo, dealId, products, 'always');
      return true;
    });
    this.forget(dealId);
    return activated;
  }

  /**
   * ACTIVE → ENDED | CANCELLED (SCHEDULED → CANCELLED too). Unsold units
   * (deal − sold) go back to available and the keys are removed, in the
   * transaction that changes the status while the row is locked.
   */
  private async finish(dealId: number, to: 'ENDED' | 'CANCELLED', actor: string): Promise<'done' | 'skipped' | 'missing'> {
    const result = await inTransaction(this.db, async (trx) => {
      const repo = this.repo.with(trx);
      const deal = await repo.lockDeal(dealId);
      if (!deal) return 'missing' as const;
      const from: TimeDealStatus[] = to === 'ENDED' ? ['ACTIVE'] : ['SCHEDULED', 'ACTIVE'];
      if (!from.includes(deal.status as TimeDealStatus)) return 'skipped' as const;
      if (to === 'ENDED' && deal.ends_at.getTime() > this.now().getTime()) return 'skipped' as const;
      if (!(await repo.setStatus(dealId, from, to))) return 'skipped' as const;
      if (deal.status === 'ACTIVE') {
        const products = await repo.productsOf([dealId]);
        const sold = await repo.soldOf(products.map((p) => p.id));
        const unsold = products
          .map((p) => ({ productId: p.product_id, quantity: p.deal_quantity - (sold.get(p.id) ?? 0) }))
          .filter((l) => l.quantity > 0);
        if (unsold.length > 0) {
          await this.inventory.releaseFromDeal(trx, unsold, { type: 'TIME_DEAL', id: String(dealId) }, {
            actor,
            reason: to === 'ENDED' ? 'time deal ended' : 'time deal cancelled',
          });
        }
        await this.keys.remove(dealId, products.map((p) => p.product_id));
      }
      return 'done' as const;
    });
    this.forget(dealId);
    return result;
  }

  // ---- Redis from MySQL ------------------------------------------------------------------------

  /**
   * The reconcile, at start-up and every sale reconcile interval: a deal
   * product's keys are rebuilt from MySQL (`loadDeal`) when they are missing,
   * when an admission has outlived the grace period (its request died between
   * the script and MySQL: its units come back now), or when Redis's free units
   * don't fit MySQL's (fewer than MySQL's free units less those in flight, or
   * more than MySQL's free units). Keys that fit are left alone.
   */
  async rebuildRedis(): Promise<{ deals: number; rewritten: number }> {
    let rewritten = 0;
    const ids = await this.repo.idsWithStatus('ACTIVE');
    for (const id of ids) {
      if (!(await this.needsRebuild(id))) continue;
      try {
        rewritten += await this.keys.withRebuildLock(id, 2_000, () => this.loadDeal(id, 'always'));
      } catch (err) {
        // Another instance is rebuilding this deal right now.
        if (!(err instanceof LockBusy)) throw err;
      }
    }
    return { deals: ids.length, rewritten };
  }

  private async needsRebuild(dealId: number): Promise<boolean> {
    for (const p of await this.repo.productsOf([dealId])) {
      const state = await this.keys.state(dealId, p.product_id, this.admissionGraceMs);
      if (state.kind === 'not-loaded' || state.expired > 0) return true;
      const free = await this.repo.countFreeUnits(p.id);
      if (state.free > free || state.free + state.inFlight < free) return true;
    }
    return false;
  }

  /**
   * A purchase found the keys missing: rebuild that deal's keys once across
   * instances (a lock per deal; concurrent callers in this process share one
   * run, callers elsewhere wait for the lock and then find the keys there).
   */
  private ensureLoaded(dealId: number): Promise<void> {
    let running = this.loading.get(dealId);
    if (!running) {
      running = this.keys
        .withRebuildLock(dealId, 5_000, async () => {
          await this.loadDeal(dealId, 'missing');
        })
        .catch((err: unknown) => {
          throw err instanceof LockBusy ? fail('CONCURRENT_STOCK_MODIFICATION') : err;
        })
        .finally(() => this.loading.delete(dealId));
      this.loading.set(dealId, running);
    }
    return running;
  }

  /**
   * MySQL refused what Redis admitted: rebuild the deal's keys, in the
   * background (the buyer already has MySQL's answer). One run per deal at a
   * time; a refusal during a run asks for one more run after it, because that
   * run may have read MySQL before the refusing purchase committed.
   */
  private resync(dealId: number): void {
    const queued = this.resyncs.get(dealId);
    if (queued) {
      queued.again = true;
      return;
    }
    const entry = { again: false, done: Promise.resolve() };
    entry.done = (async () => {
      try {
        do {
          entry.again = false;
          await this.keys.withRebuildLock(dealId, 2_000, () => this.loadDeal(dealId, 'always'));
          this.stats.resyncs++;
        } while (entry.again);
      } catch (err) {
        // Busy: another instance is rebuilding this deal. Otherwise the reconcile tries again.
        if (!(err instanceof LockBusy)) this.log.warn({ err, dealId }, 'time deal keys could not be rebuilt after a refusal');
      } finally {
        this.resyncs.delete(dealId);
      }
    })();
    this.resyncs.set(dealId, entry);
  }

  /** Resolves once no rebuild this instance started after a refusal is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.resyncs.size > 0) await Promise.all([...this.resyncs.values()].map((e) => e.done));
  }

  /** Rebuilds one deal's keys with its row locked FOR UPDATE; keys of a deal no longer ACTIVE are removed. Returns how many products were rewritten. */
  private async loadDeal(dealId: number, mode: LoadMode): Promise<number> {
    return inTransaction(this.db, async (trx) => {
      const repo = this.repo.with(trx);
      const deal = await repo.lockDeal(dealId);
      const products = await repo.productsOf([dealId]);
      if (deal?.status !== 'ACTIVE') {
        await this.keys.remove(dealId, products.map((p) => p.product_id));
        return 0;
      }
      return this.loadKeys(repo, dealId, products, mode);
    });
  }

  /**
   * Writes the keys from MySQL's free units and per-user counts (load.lua keeps
   * admissions in flight and releases those past the grace period). Must run
   * with the deal row locked FOR UPDATE: no purchase transaction is open, so the
   * numbers are exact. 'missing' writes only keys that are not loaded.
   */
  private async loadKeys(repo: TimeDealRepository, dealId: number, products: DealProductRow[], mode: LoadMode): Promise<number> {
    let rewritten = 0;
    for (const p of products) {
      if (mode === 'missing' && (await this.keys.epoch(dealId, p.product_id)) !== null) continue;
      // The callers' first plain read comes after the row lock, so this transaction's snapshot holds every purchase committed before it.
      const free = await repo.freeUnits(p.id);
      const bought = await repo.usersUnits(p.id);
      const loaded = await this.keys.load(dealId, p.product_id, free, bought, this.admissionGraceMs);
      if (loaded.released > 0) {
        this.log.warn({ dealId, productId: p.product_id, released: loaded.released }, 'time-deal admissions older than the grace period released');
      }
      this.stats.keysWritten++;
      this.stats.released += loaded.released;
      rewritten++;
    }
    if (rewritten > 0) this.reopen(dealId);
    return rewritten;
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** A deal product and its deal for the pre-checks; S706. ACTIVE ones are reused for a second. */
  private async dealProduct(id: number, fresh = false): Promise<CachedDealProduct> {
    const cached = this.cache.get(id);
    if (cached && !fresh) {
      const value = await cached.catch(() => null);
      if (value && Date.now() - value.at < DEAL_CACHE_MS) return value;
    }
    const loading = (async () => {
      const row = await this.repo.findDealProduct(id);
      if (!row) throw fail('TIMEDEAL_PRODUCT_NOT_FOUND');
      const product = (await this.productNames([row.product_id])).get(row.product_id)!;
      return { row, product, at: Date.now() };
    })();
    this.cache.set(id, loading);
    try {
      const value = await loading;
      if (value.row.deal_status !== 'ACTIVE') this.cache.delete(id);
      return value;
    } catch (err) {
      this.cache.delete(id);
      throw err;
    }
  }

  private recentlySoldOut(dealProductId: number, quantity: number): boolean {
    const memo = this.soldOut.get(dealProductId);
    if (!memo) return false;
    if (memo.until <= Date.now()) {
      this.soldOut.delete(dealProductId);
      return false;
    }
    return quantity >= memo.quantity;
  }

  private rememberSoldOut(row: DealProductWithDeal, quantity: number): void {
    const memo = this.soldOut.get(row.id);
    const smallest = memo && memo.until > Date.now() ? Math.min(memo.quantity, quantity) : quantity;
    this.soldOut.set(row.id, { dealId: row.time_deal_id, quantity: smallest, until: Date.now() + SOLD_OUT_MEMO_MS });
  }

  /** Units of the deal may be free again (given back or rebuilt here): ask Redis from now on. */
  private reopen(dealId: number): void {
    for (const [id, memo] of this.soldOut) if (memo.dealId === dealId) this.soldOut.delete(id);
  }

  /** Drops cached deal products of a deal whose status this instance just changed. */
  private forget(dealId: number): void {
    this.reopen(dealId);
    for (const [id, entry] of this.cache) {
      void entry.then(
        (v) => v.row.time_deal_id === dealId && this.cache.get(id) === entry && this.cache.delete(id),
        () => undefined,
      );
    }
  }

  /** S702 unless ACTIVE; S703 outside startsAt ≤ now < endsAt. */
  private checkOpen(row: DealProductWithDeal): void {
    if (row.deal_status !== 'ACTIVE') throw fail('TIMEDEAL_NOT_ACTIVE');
    if (!inWindow(row, this.now())) throw fail('TIMEDEAL_EXPIRED');
  }

  /**
   * Name and price of each product. A product deleted since the deal was made
   * keeps its deal working; until the catalog offers snapshots of deleted
   * products, it shows as "삭제된 상품 #id" at its deal price.
   */
  private async productNames(ids: number[]): Promise<Map<number, ProductSnapshot>> {
    const entries = await Promise.all(
      ids.map(async (id) => {
        try {
          return [id, await this.products.getSnapshot(id)] as const;
        } catch (err) {
          if (isAppError(err, 'PRODUCT_NOT_FOUND')) return [id, null] as const;
          throw err;
        }
      }),
    );
    return new Map(entries.map(([id, snapshot]) => [id, snapshot ?? { id, name: `삭제된 상품 #${id}`, price: -1 }] as const));
  }

  /** `fresh`: deals just written in `fresh.repo`'s transaction, which have sold nothing, with their products' snapshots. */
  private async present(deals: DealRow[], fresh?: { repo: TimeDealRepository; names: Map<number, ProductSnapshot> }): Promise<TimeDealResponse[]> {
    if (deals.length === 0) return [];
    const products = await (fresh?.repo ?? this.repo).productsOf(deals.map((d) => d.id));
    const [sold, names] = fresh
      ? [new Map<number, number>(), fresh.names]
      : await Promise.all([
          this.repo.soldOf(products.map((p) => p.id)),
          this.productNames([...new Set(products.map((p) => p.product_id))]),
        ]);
    const byDeal = new Map<number, TimeDealProductResponse[]>();
    for (const p of products) {
      const list = byDeal.get(p.time_deal_id) ?? [];
      list.push(toProductResponse(p, sold.get(p.id) ?? 0, names.get(p.product_id)!));
      byDeal.set(p.time_deal_id, list);
    }
    return deals.map((d) => ({
      id: d.id,
      name: d.name,
      description: d.description,
      status: d.status,
      startsAt: d.starts_at,
      endsAt: d.ends_at,
      products: byDeal.get(d.id) ?? [],
      createdAt: d.created_at,
    }));
  }
}

function inWindow(deal: { starts_at: Date; ends_at: Date }, now: Date): boolean {
  return deal.starts_at.getTime() <= now.getTime() && now.getTime() < deal.ends_at.getTime();
}


/**
 * Percent off, from the fraction rounded (half up) to 2 decimals first, then
 * × 100: price 10 000, deal 5 992 → 0.4008 → 0.40 → 40 (never 40.08).
 */
export function discountRate(originalMinor: number, dealMinor: number): number {
  if (originalMinor <= 0) return 0;
  const off = originalMinor - dealMinor;
  const sign = off < 0 ? -1 : 1;
  // round(|off| × 100 / original), half up, in integers.
  return sign * Math.floor((2 * Math.abs(off) * 100 + originalMinor) / (2 * originalMinor));
}

function toProductResponse(p: DealProductRow, sold: number, product: ProductSnapshot): TimeDealProductResponse {
  const dealMinor = toMinor(p.deal_price);
  // A deleted product (price unknown, -1) shows at its deal price.
  const originalMinor = product.price >= 0 ? product.price : dealMinor;
  const remaining = Math.max(0, p.deal_quantity - sold);
  return {
    id: p.id,
    productId: p.product_id,
    productName: product.name,
    originalPrice: toWire(originalMinor),
    dealPrice: decimalToWire(p.deal_price),
    discountRate: discountRate(originalMinor, dealMinor),
    dealQuantity: p.deal_quantity,
    soldQuantity: sold,
    remainingQuantity: remaining,
    maxPerUser: p.max_per_user,
    available: sold < p.deal_quantity,
  };
}

function toPurchaseResponse(r: PurchaseRow, productName: string, orderNumber: string | null, paymentDueAt: Date | string | null): TimeDealPurchaseResponse {
  const price = toMinor(r.purchase_price);
  return {
    id: r.id,
    timeDealProductId: r.time_deal_product_id,
    productName,
    quantity: r.quantity,
    purchasePrice: toWire(price),
    totalPrice: toWire(price * r.quantity),
    purchasedAt: r.purchased_at,
    orderNumber,
    status: r.status,
    paymentDueAt,
  };
}
