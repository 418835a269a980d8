import type { Selectable } from 'kysely';
import type { Executor } from '../../platform/db/tx';
import type { InventoryTable, StockMovementsTable } from '../../platform/db/types';

export type InventoryRow = Selectable<InventoryTable>;
export type MovementRow = Selectable<StockMovementsTable>;
export type NewMovement = Omit<MovementRow, 'id' | 'created_at'>;

/** SQL for `inventory` and `stock_movements`. */
export class InventoryRepository {
  constructor(private readonly db: Executor) {}

  with(db: Executor): InventoryRepository {
    return new InventoryRepository(db);
  }

  findByProduct(productId: number): Promise<InventoryRow | undefined> {
    return this.db.selectFrom('inventory').selectAll().where('product_id', '=', productId).executeTakeFirst();
  }

  findByProducts(productIds: number[]): Promise<InventoryRow[]> {
    if (productIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('inventory').selectAll().where('product_id', 'in', productIds).execute();
  }

  /**
   * Locks the rows of these products in ascending product id order (the
   * unique index is walked in order), so two batches can never deadlock.
   */
  lockByProducts(sortedProductIds: number[]): Promise<InventoryRow[]> {
    return this.db
      .selectFrom('inventory')
      .selectAll()
      .where('product_id', 'in', sortedProductIds)
      .orderBy('product_id')
      .forUpdate()
      .execute();
  }

  async insert(productId: number, quantity: number): Promise<InventoryRow> {
    const res = await this.db
      .insertInto('inventory')
      .values({ product_id: productId, available_quantity: quantity, reserved_quantity: 0, total_quantity: quantity })
      .executeTakeFirstOrThrow();
    const row = await this.db.selectFrom('inventory').selectAll().where('id', '=', Number(res.insertId)).executeTakeFirstOrThrow();
    return row;
  }

  async update(row: InventoryRow, next: { available: number; reserved: number; total: number }): Promise<void> {
    await this.db
      .updateTable('inventory')
      .set((eb) => ({
        available_quantity: next.available,
        reserved_quantity: next.reserved,
        total_quantity: next.total,
        version: eb('version', '+', 1),
      }))
      .where('id', '=', row.id)
      .execute();
  }

  async insertMovements(rows: NewMovement[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.insertInto('stock_movements').values(rows).execute();
  }

  movementsOf(productId: number, limit: number, offset: number): Promise<MovementRow[]> {
    return this.db
      .selectFrom('stock_movements')
      .selectAll()
      .where('product_id', '=', productId)
      .orderBy('id', 'desc')
      .limit(limit)
      .offset(offset)
      .execute();
  }

  async countMovements(productId: number): Promise<number> {
    const row = await this.db
      .selectFrom('stock_movements')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('product_id', '=', productId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
