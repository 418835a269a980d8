import { randomBytes } from 'node:crypto';
import type { Db } from '../../platform/db/index';
import type { Tx } from '../../platform/db/tx';
import type { Principal } from '../../platform/http/auth';
import { isAdmin } from '../../platform/http/auth';
import { fail } from '../../platform/http/errors';
import { toPage, type Page, type PageRequest } from '../../platform/http/pagination';
import { decimalToWire } from '../../platform/money';
import { toAddressResponse } from '../delivery/schemas';
import { OrderRepository, type OrderItemRow, type OrderRow } from './repository';
import { DEFAULT_PAYMENT_TIMEOUT_SECONDS, ORDER_STATUS_DESCRIPTIONS, paymentDueAt, type OrderResponse, type OrderStatus } from './schemas';

/** `ORD-` + the UTC date + `-` + 8 uppercase hex (contract §6). */
export function newOrderNumber(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, '');
  return `ORD-${day}-${randomBytes(4).toString('hex').toUpperCase()}`;
}

/** Reads of orders, for their owners and for admins. State changes belong to the saga (`saga.ts`). */
export class OrderService {
  readonly repo: OrderRepository;

  /** `paymentTimeoutSeconds`: the unpaid-order timeout (`ORDER_PAYMENT_TIMEOUT_S`), which answers show as `paymentDueAt`. */
  constructor(
    db: Db,
    readonly paymentTimeoutSeconds = DEFAULT_PAYMENT_TIMEOUT_SECONDS,
  ) {
    this.repo = new OrderRepository(db);
  }

  /** S201 when missing; S212 when it is someone else's (admins see all). */
  async findOwned(orderNumber: string, caller: Principal): Promise<OrderRow> {
    const order = await this.repo.findByNumber(orderNumber);
    if (!order) throw fail('ORDER_NOT_FOUND');
    if (order.user_id !== caller.userId && !isAdmin(caller)) throw fail('ORDER_USER_MISMATCH');
    return order;
  }

  async get(orderNumber: string, caller: Principal): Promise<OrderResponse> {
    return this.present(await this.findOwned(orderNumber, caller));
  }

  async getById(orderId: number): Promise<OrderResponse> {
    const order = await this.repo.findById(orderId);
    if (!order) throw fail('ORDER_NOT_FOUND');
    return this.present(order);
  }

  async getForAdmin(orderNumber: string): Promise<OrderResponse> {
    const order = await this.repo.findByNumber(orderNumber);
    if (!order) throw fail('ORDER_NOT_FOUND');
    return this.present(order);
  }

  async listMine(userId: string, page: PageRequest): Promise<Page<OrderResponse>> {
    const { rows, total } = await this.repo.listByUser(userId, page.size, page.offset);
    return toPage(await this.presentMany(rows), total, page);
  }

  async search(filter: { status?: OrderStatus; keyword?: string; userId?: string }, page: PageRequest): Promise<Page<OrderResponse>> {
    const { rows, total } = await this.repo.search(filter, page.size, page.offset);
    return toPage(await this.presentMany(rows), total, page);
  }

  /** With `trx`, its lines are read inside that transaction (a creator answers without a read after its commit). */
  async present(order: OrderRow, trx?: Tx): Promise<OrderResponse> {
    const [response] = await this.presentMany([order], trx ? this.repo.with(trx) : this.repo);
    return response;
  }

  private async presentMany(orders: OrderRow[], repo = this.repo): Promise<OrderResponse[]> {
    const items = await repo.items(orders.map((o) => o.id));
    const byOrder = new Map<number, OrderItemRow[]>();
    for (const item of items) {
      const list = byOrder.get(item.order_id) ?? [];
      list.push(item);
      byOrder.set(item.order_id, list);
    }
    return orders.map((o) => toResponse(o, byOrder.get(o.id) ?? [], this.paymentTimeoutSeconds));
  }
}

function toResponse(order: OrderRow, items: OrderItemRow[], paymentTimeoutSeconds: number): OrderResponse {
  const status = order.status as OrderStatus;
  return {
    id: order.id,
    orderNumber: order.order_number,
    userId: order.user_id,
    status,
    statusDescription: ORDER_STATUS_DESCRIPTIONS[status] ?? status,
    items: items.map((i) => ({
      id: i.id,
      productId: i.product_id,
      productName: i.product_name,
      price: decimalToWire(i.price),
      quantity: i.quantity,
      subtotal: decimalToWire(i.subtotal),
    })),
    itemCount: items.length,
    totalQuantity: items.reduce((n, i) => n + i.quantity, 0),
    totalAmount: decimalToWire(order.total_amount),
    discountAmount: decimalToWire(order.discount_amount),
    finalAmount: decimalToWire(order.final_amount),
    appliedUserCouponId: order.applied_user_coupon_id,
    shippingAddress: toAddressResponse(order),
    cancelReason: order.cancel_reason,
    cancelledAt: order.cancelled_at,
    createdAt: order.created_at,
    updatedAt: order.updated_at,
    paymentDueAt: paymentDueAt(order, paymentTimeoutSeconds),
  };
}
