import type { Db } from '../../platform/db/index';
import { isDuplicateKey } from '../../platform/db/index';
import { inTransaction, type Tx } from '../../platform/db/tx';
import { fail } from '../../platform/http/errors';
import { toDecimal, toMinor, toWire } from '../../platform/money';
import type { InventoryService } from '../inventory/service';
import type { ProductService } from '../product/service';
import { ACTIVE_CART_KEY, CART_PRODUCT_KEY, CartRepository, type CartItemRow, type CartRow } from './repository';
import {
  MAX_ITEM_QUANTITY,
  type AddCartItemRequest,
  type CartResponse,
  type CartStatus,
  type OrderableCart,
  type OrderableItem,
  type UpdateCartItemRequest,
} from './schemas';

/** A cart can vanish from ACTIVE (checked out) between finding and locking it; retry this often. */
const MAX_ATTEMPTS = 3;

/** `cart_items.price` is DECIMAL(12,2); a line's subtotal must stay an exact integer of minor units. */
const MAX_PRICE_MINOR = 999_999_999_999;
const MAX_SUBTOTAL_MINOR = 10 ** 13;

/**
 * One ACTIVE cart per user (a unique key, so concurrent first calls share it),
 * each product at most once per cart (a unique key: concurrent duplicate adds
 * give one success and S106). Item changes lock the cart row, so they never
 * land in a cart that checkout has just moved on.
 */
export class CartService {
  private readonly repo: CartRepository;

  constructor(
    private readonly db: Db,
    private readonly products: ProductService,
    private readonly inventory: InventoryService,
  ) {
    this.repo = new CartRepository(db);
  }

  /** The caller's ACTIVE cart, created on first use. */
  async getCart(userId: string): Promise<CartResponse> {
    return this.view(await this.ensureActive(userId));
  }

  async addItem(userId: string, req: AddCartItemRequest): Promise<CartResponse> {
    assertQuantity(req.quantity);
    const product = await this.products.getSnapshot(req.productId);
    assertLineAmount(product.price, req.quantity);
    const available = await this.inventory.availableOf(req.productId);
    if (req.quantity > available) throw fail('CART_ITEM_QUANTITY_EXCEEDED');

    for (let attempt = 1; ; attempt++) {
      const cart = await this.ensureActive(userId);
      try {
        const added = await inTransaction(this.db, async (trx) => {
          const repo = this.repo.with(trx);
          if (!(await repo.lockActive(cart.id))) return false;
          await repo.insertItem({
            cartId: cart.id,
            productId: product.id,
            productName: product.name,
            price: toDecimal(product.price),
            quantity: req.quantity,
          });
          await repo.touch(cart.id);
          return true;
        });
        if (added) return this.view(cart.id);
      } catch (err) {
        if (isDuplicateKey(err, CART_PRODUCT_KEY)) throw fail('CART_ITEM_ALREADY_EXISTS');
        throw err;
      }
      if (attempt >= MAX_ATTEMPTS) throw fail('CART_NOT_FOUND');
    }
  }

  async updateItem(userId: string, itemId: number, req: UpdateCartItemRequest): Promise<CartResponse> {
    assertQuantity(req.quantity);
    const cart = await this.repo.findActive(userId);
    if (!cart) throw fail('CART_NOT_FOUND');
    const item = await this.repo.findItem(cart.id, itemId);
    if (!item) throw fail('CART_ITEM_NOT_FOUND');
    assertLineAmount(toMinor(item.price), req.quantity);
    const available = await this.inventory.availableOf(item.product_id);
    if (req.quantity > available) throw fail('CART_ITEM_QUANTITY_EXCEEDED');

    await this.mutate(cart.id, async (repo) => {
      if ((await repo.updateQuantity(cart.id, itemId, req.quantity)) === 0) throw fail('CART_ITEM_NOT_FOUND');
    });
    return this.view(cart.id);
  }

  async removeItem(userId: string, itemId: number): Promise<CartResponse> {
    const cart = await this.repo.findActive(userId);
    if (!cart) throw fail('CART_NOT_FOUND');
    await this.mutate(cart.id, async (repo) => {
      if ((await repo.deleteItem(cart.id, itemId)) === 0) throw fail('CART_ITEM_NOT_FOUND');
    });
    return this.view(cart.id);
  }

  /** Empties the ACTIVE cart; with none (e.g. right after an order) the answer is a fresh empty one. */
  async clear(userId: string): Promise<CartResponse> {
    for (let attempt = 1; ; attempt++) {
      const cart = await this.ensureActive(userId);
      const cleared = await inTransaction(this.db, async (trx) => {
        const repo = this.repo.with(trx);
        if (!(await repo.lockActive(cart.id))) return false;
        await repo.deleteItems(cart.id);
        await repo.touch(cart.id);
        return true;
      });
      if (cleared || attempt >= MAX_ATTEMPTS) return this.view(cart.id);
    }
  }

  /**
   * ACTIVE → CHECKED_OUT. Stock is checked per item first (S401/S105, advisory:
   * the order reserves it), then emptiness (S104) again under the cart's lock.
   */
  async checkout(userId: string): Promise<CartResponse> {
    const cart = await this.repo.findActive(userId);
    if (!cart) throw fail('CART_NOT_FOUND');
    const items = await this.repo.items(cart.id);
    const stock = await Promise.allSettled(items.map((i) => this.inventory.availableOf(i.product_id)));
    // In cart order, so the first offending line decides the answer.
    for (const [n, item] of items.entries()) {
      const s = stock[n];
      if (s.status === 'rejected') throw s.reason;
      if (item.quantity > s.value) throw fail('CART_ITEM_QUANTITY_EXCEEDED');
    }
    if (items.length === 0) throw fail('CART_EMPTY');

    await this.mutate(cart.id, async (repo) => {
      if ((await repo.countItems(cart.id)) === 0) throw fail('CART_EMPTY');
      await repo.setStatus(cart.id, ['ACTIVE'], 'CHECKED_OUT');
    });
    return this.view(cart.id);
  }

  // ---- for the order module ----------------------------------------------------

  /**
   * The cart an order is made from: `cartId` if it is the user's and has no
   * order yet (ACTIVE or CHECKED_OUT; possibly empty: `markOrdered` tells),
   * else the user's newest non-empty such cart. A `cartId` naming one of the
   * user's carts that already yielded an order is S103; someone else's cart,
   * or none, is undefined (the caller's S101).
   */
  async findOrderableCart(userId: string, cartId?: number): Promise<OrderableCart | undefined> {
    const open = await this.repo.openCarts(userId, ['ACTIVE', 'CHECKED_OUT'], cartId);
    const pick = cartId !== undefined ? open[0] : open.filter((c) => Number(c.has_items) > 0).sort((a, b) => b.id - a.id)[0];
    if (pick) return { cartId: pick.id, status: pick.status as CartStatus };
    if (cartId !== undefined && (await this.repo.isOrdered(cartId, userId))) throw fail('CART_ALREADY_CHECKED_OUT');
    return undefined;
  }

  /**
   * Inside the order's transaction: the cart becomes CHECKED_OUT and ordered,
   * and its lines are read under that row lock (so no late change slips past
   * the order). Null when it already yielded an order (a cart yields at most
   * one: the conditional update serialises concurrent orders on the cart row).
   */
  async markOrdered(trx: Tx, cartId: number, userId: string): Promise<OrderableItem[] | null> {
    const repo = this.repo.with(trx);
    if ((await repo.markOrdered(cartId, userId)) === 0) return null;
    return (await repo.items(cartId)).map((i) => ({
      productId: i.product_id,
      productName: i.product_name,
      price: toMinor(i.price),
      quantity: i.quantity,
    }));
  }

  /**
   * The order failed before anything was sold: the cart is the buyer's to fix
   * and order again. It goes back to ACTIVE, or stays CHECKED_OUT (still
   * orderable) if the buyer has opened a new ACTIVE cart meanwhile. Inside
   * `trx` when given (a failed statement there undoes only itself), else on its own.
   */
  async reopen(trx: Tx | undefined, cartId: number): Promise<void> {
    const repo = trx ? this.repo.with(trx) : this.repo;
    try {
      await repo.unmarkOrdered(cartId, 'ACTIVE');
    } catch (err) {
      if (!isDuplicateKey(err, ACTIVE_CART_KEY)) throw err;
      await repo.unmarkOrdered(cartId, 'CHECKED_OUT');
    }
  }

  // ---- internals -----------------------------------------------------------------

  /**
   * Finds or creates the ACTIVE cart. Plain autocommit statements on purpose:
   * a locking read of a missing row would take gap locks, and concurrent first
   * calls would then deadlock on their inserts. The unique key decides instead.
   */
  private async ensureActive(userId: string): Promise<CartRow> {
    const found = await this.repo.findActive(userId);
    if (found) return found;
    try {
      await this.repo.insertActive(userId);
    } catch (err) {
      if (!isDuplicateKey(err, ACTIVE_CART_KEY)) throw err;
    }
    const cart = await this.repo.findActive(userId);
    // Checked out between our insert and this read: vanishingly rare, and the caller may retry.
    if (!cart) throw fail('CART_NOT_FOUND');
    return cart;
  }

  /** Runs `fn` with the cart row locked, if the cart is still ACTIVE (S101 otherwise). */
  private async mutate(cartId: number, fn: (repo: CartRepository) => Promise<void>): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const repo = this.repo.with(trx);
      if (!(await repo.lockActive(cartId))) throw fail('CART_NOT_FOUND');
      await fn(repo);
      await repo.touch(cartId);
    });
  }

  private async view(cartOrId: CartRow | number): Promise<CartResponse> {
    const cartId = typeof cartOrId === 'number' ? cartOrId : cartOrId.id;
    const [cart, items] = await Promise.all([
      typeof cartOrId === 'number' ? this.repo.findById(cartOrId) : cartOrId,
      this.repo.items(cartId),
    ]);
    if (!cart) throw fail('CART_NOT_FOUND');
    return toResponse(cart, items);
  }
}

/** The domain guard behind the schema's bounds (other modules call the service directly). */
function assertQuantity(quantity: number): void {
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_ITEM_QUANTITY) throw fail('INVALID_CART_ITEM_QUANTITY');
}

/** Absurd amounts get a clear 400 instead of a DECIMAL overflow (500) or an inexact total. */
function assertLineAmount(priceMinor: number, quantity: number): void {
  if (priceMinor > MAX_PRICE_MINOR || priceMinor * quantity > MAX_SUBTOTAL_MINOR) {
    throw fail('INVALID_INPUT_VALUE', [{ field: 'quantity', message: 'Cart item amount is too large', rejectedValue: quantity }]);
  }
}

function toResponse(cart: CartRow, rows: CartItemRow[]): CartResponse {
  let totalQuantity = 0;
  let totalMinor = 0;
  const items = rows.map((row) => {
    const price = toMinor(row.price);
    const subtotal = price * row.quantity;
    totalQuantity += row.quantity;
    totalMinor += subtotal;
    return {
      id: row.id,
      productId: row.product_id,
      productName: row.product_name,
      price: toWire(price),
      quantity: row.quantity,
      subtotal: toWire(subtotal),
      addedAt: row.added_at,
    };
  });
  return {
    id: cart.id,
    userId: cart.user_id,
    status: cart.status,
    items,
    itemCount: items.length,
    totalQuantity,
    totalAmount: toWire(totalMinor),
    createdAt: cart.created_at,
    updatedAt: cart.updated_at,
  };
}
