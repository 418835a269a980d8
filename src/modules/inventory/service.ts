import type { Db } from '../../platform/db/index';
import { afterCommit, inTransaction, type Tx } from '../../platform/db/tx';
import { emit, Topics } from '../../platform/events/outbox';
import { fail, type ErrorName } from '../../platform/http/errors';
import { toPage, type Page, type PageRequest } from '../../platform/http/pagination';
import { trimmedOrNull } from '../../platform/http/schema';
import type { PubSub } from '../../platform/redis/pubsub';
import { InventoryRepository, type InventoryRow, type MovementRow } from './repository';
import type { InventoryResponse, MovementType, StockLine, StockMovementResponse, StockReference } from './schemas';

interface Levels {
  available: number;
  reserved: number;
  total: number;
}

/** One batch operation: how a quantity moves the levels, or null when it can't. */
interface Operation {
  type: MovementType;
  /** Raised, with nothing changed, when one line of the batch can't be applied. */
  shortage: ErrorName;
  apply(levels: Levels, quantity: number): Levels | null;
}

/** How units move between the levels; null when there are not enough to move. */
const hold = (s: Levels, q: number) => (s.available >= q ? { available: s.available - q, reserved: s.reserved + q, total: s.total } : null);
const unhold = (s: Levels, q: number) => (s.reserved >= q ? { available: s.available + q, reserved: s.reserved - q, total: s.total } : null);
const sell = (s: Levels, q: number) => (s.reserved >= q ? { available: s.available, reserved: s.reserved - q, total: s.total - q } : null);
const restock = (s: Levels, q: number) => ({ available: s.available + q, reserved: s.reserved, total: s.total + q });

const OPERATIONS = {
  reserve: { type: 'RESERVE', shortage: 'INSUFFICIENT_STOCK', apply: hold },
  release: { type: 'RELEASE', shortage: 'STOCK_RELEASE_FAILED', apply: unhold },
  deduct: { type: 'DEDUCT', shortage: 'STOCK_DEDUCTION_FAILED', apply: sell },
  return: { type: 'RETURN', shortage: 'INVALID_STOCK_QUANTITY', apply: restock },
  inbound: { type: 'INBOUND', shortage: 'INVALID_STOCK_QUANTITY', apply: restock },
  allocateToDeal: { type: 'DEAL_ALLOCATION', shortage: 'INSUFFICIENT_STOCK', apply: hold },
  releaseFromDeal: { type: 'DEAL_RELEASE', shortage: 'STOCK_RELEASE_FAILED', apply: unhold },
} satisfies Record<string, Operation>;

interface Planned {
  row: InventoryRow;
  quantity: number;
  before: Levels;
  after: Levels;
}

export interface StockChange {
  productId: number;
  before: Levels;
  after: Levels;
}

export interface BatchOptions {
  /** Who did it (user id, `system`, an admin's id); stored as `performed_by`. */
  actor?: string;
  reason?: string | null;
}

/** Channel on which committed stock changes of one product are announced. */
export const inventoryChannel = (productId: number) => `inventory:${productId}`;

export interface InventoryUpdate {
  productId: number;
  available: number;
  reserved: number;
  timestamp: string;
}

const levelsOf = (row: InventoryRow): Levels => ({
  available: row.available_quantity,
  reserved: row.reserved_quantity,
  total: row.total_quantity,
});

/**
 * Stock per product, changed only under row locks: every change is one
 * transaction that locks its rows (`SELECT … FOR UPDATE`, ascending product
 * id), checks, updates available/reserved/total and writes one movement per
 * product. After the commit the new levels go out on `inventory:{productId}`.
 * A change takes the caller's transaction as its first parameter (the saga's,
 * a time deal's, a product's) or `undefined` to run in a transaction of its own.
 */
export class InventoryService {
  private readonly repo: InventoryRepository;

  constructor(
    private readonly db: Db,
    private readonly pubsub: PubSub,
  ) {
    this.repo = new InventoryRepository(db);
  }

  // ---- reads ---------------------------------------------------------------

  async get(productId: number): Promise<InventoryResponse> {
    const row = await this.repo.findByProduct(productId);
    if (!row) throw fail('INVENTORY_NOT_FOUND');
    return toResponse(row);
  }

  /** Known products only; unknown ids are left out. */
  async batch(productIds: number[]): Promise<InventoryResponse[]> {
    const rows = await this.repo.findByProducts([...new Set(productIds)]);
    return rows.map(toResponse);
  }

  async availableOf(productId: number): Promise<number> {
    const row = await this.repo.findByProduct(productId);
    if (!row) throw fail('INVENTORY_NOT_FOUND');
    return row.available_quantity;
  }

  /** Available quantity per product id (products without a row are missing from the map). */
  async availableFor(productIds: number[]): Promise<Map<number, number>> {
    const rows = await this.repo.findByProducts([...new Set(productIds)]);
    return new Map(rows.map((r) => [r.product_id, r.available_quantity]));
  }

  async movements(productId: number, page: PageRequest): Promise<Page<StockMovementResponse>> {
    if (!(await this.repo.findByProduct(productId))) throw fail('INVENTORY_NOT_FOUND');
    const [rows, total] = await Promise.all([
      this.repo.movementsOf(productId, page.size, page.offset),
      this.repo.countMovements(productId),
    ]);
    return toPage(rows.map(toMovementResponse), total, page);
  }

  // ---- the saga's batch operations ------------------------------------------

  /** available → reserved. Any line short: S402, nothing changed. */
  reserveBatch(trx: Tx | undefined, lines: StockLine[], ref: StockReference, opts?: BatchOptions): Promise<StockChange[]> {
    return this.applyBatch(trx, OPERATIONS.reserve, lines, ref, opts);
  }

  /** A sale: reserved and total go down. */
  deductBatch(trx: Tx | undefined, lines: StockLine[], ref: StockReference, opts?: BatchOptions): Promise<StockChange[]> {
    return this.applyBatch(trx, OPERATIONS.deduct, lines, ref, opts);
  }

  /** reserved → available (an order cancelled before payment). */
  releaseBatch(trx: Tx | undefined, lines: StockLine[], ref: StockReference, opts?: BatchOptions): Promise<StockChange[]> {
    return this.applyBatch(trx, OPERATIONS.release, lines, ref, opts);
  }

  /** Sold units come back (refund, return): available and total go up. */
  returnBatch(trx: Tx | undefined, lines: StockLine[], ref: StockReference, opts?: BatchOptions): Promise<StockChange[]> {
    return this.applyBatch(trx, OPERATIONS.return, lines, ref, opts);
  }

  /** A time deal starts: its units leave the catalog's available stock (held as reserved by the deal). */
  allocateToDeal(trx: Tx | undefined, lines: StockLine[], ref: StockReference, opts?: BatchOptions): Promise<StockChange[]> {
    return this.applyBatch(trx, OPERATIONS.allocateToDeal, lines, ref, opts);
  }

  /** A time deal ends or is cancelled: its unsold units become available again. */
  releaseFromDeal(trx: Tx | undefined, lines: StockLine[], ref: StockReference, opts?: BatchOptions): Promise<StockChange[]> {
    return this.applyBatch(trx, OPERATIONS.releaseFromDeal, lines, ref, opts);
  }

  // ---- admin -----------------------------------------------------------------

  async inbound(trx: Tx | undefined, productId: number, quantity: number, opts: BatchOptions = {}): Promise<InventoryResponse> {
    return this.run(trx, async (trx) => {
      await this.applyBatch(trx, OPERATIONS.inbound, [{ productId, quantity }], { type: 'ADMIN', id: 'inbound' }, opts);
      return this.readIn(trx, productId);
    });
  }

  /** Sets the available quantity; total follows (reserved units are untouched). */
  async adjust(trx: Tx | undefined, productId: number, availableQuantity: number, opts: BatchOptions = {}): Promise<InventoryResponse> {
    if (!Number.isInteger(availableQuantity) || availableQuantity < 0) throw fail('INVALID_STOCK_QUANTITY');
    return this.run(trx, async (trx) => {
      const [row] = await this.repo.with(trx).lockByProducts([productId]);
      if (!row) throw fail('INVENTORY_NOT_FOUND');
      const before = levelsOf(row);
      const delta = availableQuantity - before.available;
      if (delta === 0) return toResponse(row);
      const after = { available: availableQuantity, reserved: before.reserved, total: before.total + delta };
      await this.commitChanges(trx, 'ADJUSTMENT', [{ row, quantity: delta, before, after }], { type: 'ADMIN', id: 'adjust' }, opts);
      return this.readIn(trx, productId);
    });
  }

  /** The row as written, read inside the writing transaction: once it commits, no read can turn the change into an error. */
  private async readIn(trx: Tx, productId: number): Promise<InventoryResponse> {
    return toResponse((await this.repo.with(trx).findByProduct(productId))!);
  }

  /** The inventory row of a new product, with an INITIAL movement (inside the product's transaction). */
  async createForProduct(trx: Tx, productId: number, quantity: number, actor?: string): Promise<void> {
    if (!Number.isInteger(quantity) || quantity < 0) throw fail('INVALID_STOCK_QUANTITY');
    const row = await this.repo.with(trx).insert(productId, quantity);
    const zero = { available: 0, reserved: 0, total: 0 };
    await this.recordMovements(trx, 'INITIAL', [{ row, quantity, before: zero, after: levelsOf(row) }], { type: 'PRODUCT', id: String(productId) }, { actor });
  }

  // ---- internals -------------------------------------------------------------

  /** `fn` inside the caller's transaction (opened with `inTransaction`) when one is given, else in a new one. */
  private run<T>(trx: Tx | undefined, fn: (trx: Tx) => Promise<T>): Promise<T> {
    return trx ? fn(trx) : inTransaction(this.db, fn);
  }

  private async applyBatch(
    trx: Tx | undefined,
    op: Operation,
    lines: StockLine[],
    ref: StockReference,
    opts: BatchOptions = {},
  ): Promise<StockChange[]> {
    const merged = mergeLines(lines);
    const ids = [...merged.keys()].sort((a, b) => a - b);
    return this.run(trx, async (trx) => {
      const rows = await this.repo.with(trx).lockByProducts(ids);
      if (rows.length !== ids.length) throw fail('INVENTORY_NOT_FOUND');
      const planned = rows.map((row) => {
        const quantity = merged.get(row.product_id)!;
        const before = levelsOf(row);
        const after = op.apply(before, quantity);
        if (!after) throw fail(op.shortage);
        return { row, quantity, before, after };
      });
      await this.commitChanges(trx, op.type, planned, ref, opts);
      return planned.map(({ row, before, after }) => ({ productId: row.product_id, before, after }));
    });
  }

  /** Writes the new levels, then the movements. */
  private async commitChanges(trx: Tx, type: MovementType, planned: Planned[], ref: StockReference, opts: BatchOptions): Promise<void> {
    const repo = this.repo.with(trx);
    for (const { row, after } of planned) await repo.update(row, after);
    await this.recordMovements(trx, type, planned, ref, opts);
  }

  /** One movement row per product; the new levels are announced after commit. */
  private async recordMovements(trx: Tx, type: MovementType, planned: Planned[], ref: StockReference, opts: BatchOptions): Promise<void> {
    await this.repo.with(trx).insertMovements(
      planned.map(({ row, quantity, before, after }) => ({
        inventory_id: row.id,
        product_id: row.product_id,
        movement_type: type,
        quantity,
        previous_available: before.available,
        after_available: after.available,
        previous_reserved: before.reserved,
        after_reserved: after.reserved,
        reference_type: ref.type,
        reference_id: ref.id,
        reason: trimmedOrNull(opts.reason),
        performed_by: opts.actor ?? null,
      })),
    );
    // The search index follows stock through the outbox; live streams through pub/sub after commit.
    for (const { row, after } of planned) {
      await emit(trx, Topics.PRODUCT_CHANGED, String(row.product_id), { productId: row.product_id, change: 'STOCK', available: after.available });
    }
    afterCommit(trx, () => this.announce(planned.map(({ row, after }) => ({ productId: row.product_id, ...after }))));
  }

  private async announce(changes: { productId: number; available: number; reserved: number }[]): Promise<void> {
    const timestamp = new Date().toISOString();
    await Promise.all(
      changes.map((c) =>
        this.pubsub.publish(
          inventoryChannel(c.productId),
          JSON.stringify({ productId: c.productId, available: c.available, reserved: c.reserved, timestamp } satisfies InventoryUpdate),
        ),
      ),
    );
  }
}

/** Same product twice in one batch counts once, with the quantities summed. */
function mergeLines(lines: StockLine[]): Map<number, number> {
  if (lines.length === 0) throw fail('INVALID_STOCK_QUANTITY');
  const merged = new Map<number, number>();
  for (const { productId, quantity } of lines) {
    if (!Number.isInteger(quantity) || quantity <= 0) throw fail('INVALID_STOCK_QUANTITY');
    merged.set(productId, (merged.get(productId) ?? 0) + quantity);
  }
  return merged;
}

function toResponse(row: InventoryRow): InventoryResponse {
  return {
    id: row.id,
    productId: row.product_id,
    availableQuantity: row.available_quantity,
    reservedQuantity: row.reserved_quantity,
    totalQuantity: row.total_quantity,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toMovementResponse(row: MovementRow): StockMovementResponse {
  return {
    id: row.id,
    inventoryId: row.inventory_id,
    productId: row.product_id,
    movementType: row.movement_type,
    quantity: row.quantity,
    previousAvailable: row.previous_available,
    afterAvailable: row.after_available,
    previousReserved: row.previous_reserved,
    afterReserved: row.after_reserved,
    referenceType: row.reference_type,
    referenceId: row.reference_id,
    reason: row.reason,
    performedBy: row.performed_by,
    createdAt: row.created_at,
  };
}
