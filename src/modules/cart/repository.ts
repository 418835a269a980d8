import { type Selectable, sql } from 'kysely';
import type { Executor } from '../../platform/db/tx';
import type { CartItemsTable, CartsTable } from '../../platform/db/types';
import type { CartStatus } from './schemas';

/** A cart as the service reads it (CART_COLUMNS). */
export type CartRow = Pick<Selectable<CartsTable>, (typeof CART_COLUMNS)[number]>;
export type CartItemRow = Selectable<CartItemsTable>;

const CART_COLUMNS = ['id', 'user_id', 'status', 'created_at', 'updated_at'] as const;
const ITEM_COLUMNS = ['id', 'cart_id', 'product_id', 'product_name', 'price', 'quantity', 'added_at'] as const;

/** The unique keys the service turns into answers. */
export const ACTIVE_CART_KEY = 'uk_carts_active_user';
export const CART_PRODUCT_KEY = 'uk_cart_items_product';

/** SQL for `carts` and `cart_items`; no rules here. */
export class CartRepository {
  constructor(private readonly db: Executor) {}

  with(db: Executor): CartRepository {
    return new CartRepository(db);
  }

  findActive(userId: string): Promise<CartRow | undefined> {
    return this.db
      .selectFrom('carts')
      .select(CART_COLUMNS)
      .where('user_id', '=', userId)
      .where('status', '=', 'ACTIVE')
      .executeTakeFirst();
  }

  findById(cartId: number): Promise<CartRow | undefined> {
    return this.db.selectFrom('carts').select(CART_COLUMNS).where('id', '=', cartId).executeTakeFirst();
  }

  /** Inserts an ACTIVE cart; a second one for the user fails on `uk_carts_active_user`. */
  async insertActive(userId: string): Promise<number> {
    const result = await this.db.insertInto('carts').values({ user_id: userId, status: 'ACTIVE' }).executeTakeFirstOrThrow();
    return Number(result.insertId);
  }

  /** Row-locks the cart if it is still ACTIVE (inside a transaction); false otherwise. */
  async lockActive(cartId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('carts')
      .select('id')
      .where('id', '=', cartId)
      .where('status', '=', 'ACTIVE')
      .forUpdate()
      .executeTakeFirst();
    return row !== undefined;
  }

  async touch(cartId: number): Promise<void> {
    await this.db.updateTable('carts').set({ updated_at: sql<Date>`CURRENT_TIMESTAMP(3)` }).where('id', '=', cartId).execute();
  }

  /** Moves the cart to `to` if it is in one of `from`; the number of rows changed (0 or 1). */
  async setStatus(cartId: number, from: readonly CartStatus[], to: CartStatus): Promise<number> {
    const result = await this.db
      .updateTable('carts')
      .set({ status: to })
      .where('id', '=', cartId)
      .where('status', 'in', from)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /**
   * The user's carts in `statuses` that have no order yet, each with whether
   * it has items. No ORDER BY … LIMIT and no EXISTS in the WHERE on purpose:
   * with statistics still stale after a burst of new carts, MariaDB answered
   * that shape by scanning every cart and every cart item. This one is always a
   * range on (user_id, status) plus one index probe per cart.
   */
  openCarts(userId: string, statuses: readonly CartStatus[], cartId?: number) {
    let q = this.db
      .selectFrom('carts as c')
      .select(['c.id', 'c.status'])
      .select((eb) => eb.exists(eb.selectFrom('cart_items as i').select('i.id').whereRef('i.cart_id', '=', 'c.id')).as('has_items'))
      .where('c.user_id', '=', userId)
      .where('c.status', 'in', statuses)
      .where('c.ordered_at', 'is', null);
    if (cartId !== undefined) q = q.where('c.id', '=', cartId);
    return q.execute();
  }

  /** Whether the user's cart `cartId` exists and has already yielded an order. */
  async isOrdered(cartId: number, userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('carts')
      .select('id')
      .where('id', '=', cartId)
      .where('user_id', '=', userId)
      .where('ordered_at', 'is not', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** CHECKED_OUT and ordered, if it is the user's and has not yielded an order yet; rows changed (0 or 1). */
  async markOrdered(cartId: number, userId: string): Promise<number> {
    const result = await this.db
      .updateTable('carts')
      .set({ status: 'CHECKED_OUT', ordered_at: sql<Date>`CURRENT_TIMESTAMP(3)` })
      .where('id', '=', cartId)
      .where('user_id', '=', userId)
      .where('status', 'in', ['ACTIVE', 'CHECKED_OUT'])
      .where('ordered_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Forgets the cart's order; `status` ACTIVE unless the user has opened another cart meanwhile. */
  async unmarkOrdered(cartId: number, status: CartStatus): Promise<void> {
    await this.db.updateTable('carts').set({ status, ordered_at: null }).where('id', '=', cartId).execute();
  }

  items(cartId: number): Promise<CartItemRow[]> {
    return this.db.selectFrom('cart_items').select(ITEM_COLUMNS).where('cart_id', '=', cartId).orderBy('id').execute();
  }

  findItem(cartId: number, itemId: number): Promise<CartItemRow | undefined> {
    return this.db
      .selectFrom('cart_items')
      .select(ITEM_COLUMNS)
      .where('id', '=', itemId)
      .where('cart_id', '=', cartId)
      .executeTakeFirst();
  }

  async countItems(cartId: number): Promise<number> {
    const row = await this.db
      .selectFrom('cart_items')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('cart_id', '=', cartId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Fails on `uk_cart_items_product` when the product is already in the cart. */
  async insertItem(item: { cartId: number; productId: number; productName: string; price: string; quantity: number }): Promise<void> {
    await this.db
      .insertInto('cart_items')
      .values({
        cart_id: item.cartId,
        product_id: item.productId,
        product_name: item.productName,
        price: item.price,
        quantity: item.quantity,
      })
      .execute();
  }

  /** Rows matched (0 when the item is not in this cart). */
  async updateQuantity(cartId: number, itemId: number, quantity: number): Promise<number> {
    const result = await this.db
      .updateTable('cart_items')
      .set({ quantity })
      .where('id', '=', itemId)
      .where('cart_id', '=', cartId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async deleteItem(cartId: number, itemId: number): Promise<number> {
    const result = await this.db.deleteFrom('cart_items').where('id', '=', itemId).where('cart_id', '=', cartId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteItems(cartId: number): Promise<void> {
    await this.db.deleteFrom('cart_items').where('cart_id', '=', cartId).execute();
  }
}
