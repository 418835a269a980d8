import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import type { Config } from '../../config';
import type { Db } from '../../platform/db/index';
import { afterCommit, inTransaction, type Tx } from '../../platform/db/tx';
import { emit, Topics } from '../../platform/events/outbox';
import { isAdmin, type Principal } from '../../platform/http/auth';
import { dependencyDown } from '../../platform/dependencies';
import { AppError, fail, isAppError } from '../../platform/http/errors';
import { toDecimal, toMinor, toWire } from '../../platform/money';
import type { CartService } from '../cart/service';
import type { DeliveryListener, DeliveryService } from '../delivery/service';
import type { DeliveryStatusChange } from '../delivery/schemas';
import type { InventoryService } from '../inventory/service';
import type { CaptureResult } from '../payment/gateway';
import { declineReason, type PaymentService } from '../payment/service';
import type { PaymentMethod, PaymentRecord, PaymentResponse } from '../payment/schemas';
import { OrderRepository, type OrderRow } from './repository';
import { paymentDueAt, type AddressRequest, type CreateOrderRequest, type OrderLine, type OrderResponse, type OrderStatus, type SagaStep } from './schemas';
import { newOrderNumber, type OrderService } from './service';

/** Compensation is tried this often (once per request or recovery run) before COMPENSATION_FAILED. */
export const MAX_COMPENSATION_ATTEMPTS = 3;

/**
 * Test hook: called after each commit of the happy path (and once the gateway
 * has answered); throwing from it simulates a crash at that point, and a
 * returned promise is awaited (to change the world between two steps).
 */
export type CrashPoint = 'RESERVE_INVENTORY' | 'PAYMENT_STARTED' | 'PAYMENT_CAPTURED' | 'PAYMENT_SETTLED';

/** What orders need of coupons (the coupon module implements it). */
export interface OrderCoupons {
  /** Locks the user's coupon for this order and returns its discount (minor units); S608–S611. */
  lockForOrder(trx: Tx, userId: string, userCouponId: number, orderTotal: number): Promise<number>;
  markUsed(trx: Tx, userCouponId: number, orderId: number): Promise<void>;
  /** The coupon an undone order used becomes AVAILABLE again. */
  releaseForOrder(trx: Tx, orderId: number): Promise<void>;
}

/** What orders need of time deals (the time-deal module implements it). */
export interface DealUnits {
  /** An unpaid deal order is undone: true when its units went back to a still-running deal. */
  returnUnits(trx: Tx, orderId: number): Promise<boolean>;
}

export interface DealOrderInput {
  userId: string;
  productId: number;
  productName: string;
  /** Deal price per unit, minor units. */
  unitPrice: number;
  quantity: number;
  shippingAddress?: AddressRequest | null;
}

/** What an order is made of, before it has a number. */
interface NewOrder {
  userId: string;
  cartId: number | null;
  source: 'CART' | 'TIME_DEAL';
  lines: OrderLine[];
  total: number;
  discount: number;
  userCouponId: number | null;
  address: AddressRequest | null | undefined;
}

export interface SagaDeps {
  db: Db;
  config: Config;
  log: FastifyBaseLogger;
  orders: OrderService;
  carts: CartService;
  inventory: InventoryService;
  payments: PaymentService;
  deliveries: DeliveryService;
  coupons?: OrderCoupons;
  afterStep?: (point: CrashPoint, orderId: number) => void | Promise<void>;
  /** Told of each order that became PAID (the live sale view counts them). */
  stats?: PaymentStats;
}

/** What the saga reports of payments; the live sale view implements it. Calls must not block. */
export interface PaymentStats {
  orderPaid(): void;
}

const sagaId = () => `SAGA-${randomUUID().slice(0, 8).toUpperCase()}`;
const stockRef = (order: OrderRow) => ({ type: 'ORDER', id: order.order_number });

/**
 * The order saga, orchestrated. Its state lives in `saga_states`; every
 * transaction that moves it records the steps it took (`advanceSaga` only
 * moves from the step it expects, so no step runs twice), and recovery
 * finishes whatever a crash left mid-way.
 *
 *   1 RESERVE_INVENTORY   available → reserved          ⟲ release
 *   2 PROCESS_PAYMENT     gateway capture (no tx open)  ⟲ refund
 *   3 DEDUCT_INVENTORY    reserved → sold               ⟲ return
 *   4 CREATE_DELIVERY     delivery PREPARING            ⟲ cancel delivery
 *   5 CONFIRM_ORDER       order PAID, saga COMPLETED
 *
 * Transactions: the order is created and step 1 taken in one; the payment
 * row is opened in a second; the gateway is called with none open; its answer
 * is recorded together with steps 3–5 in a third (all local work that either
 * happens together or not at all, so no half-finished order is ever visible).
 *
 * Every undo (payment declined, a step failing, user cancel, refund, return,
 * unpaid expiry) is one path: mark the saga COMPENSATING with the reason, then
 * `compensate`, which undoes the completed steps in reverse in its own
 * transaction.
 *
 * Lock order, everywhere: order row → saga row → payment/delivery → inventory rows.
 */
export class OrderSaga implements DeliveryListener {
  private readonly repo: OrderRepository;
  /** Sagas that ended COMPENSATION_FAILED since start (exported as a metric). */
  compensationFailures = 0;

  private dealUnits?: DealUnits;

  /**
   * Where cancelled or expired deal orders return their units: the time-deal
   * service, which is built after the saga (it creates its orders through it),
   * so `src/app.ts` connects it here once both exist.
   */
  setDealUnits(dealUnits: DealUnits): void {
    this.dealUnits = dealUnits;
  }

  /** `saga_compensation_failed_total` on /metrics: sagas that need an operator. */
  registerMetrics(registry: Registry): void {
    const saga = this;
    new Counter({
      name: 'saga_compensation_failed_total',
      help: 'Sagas whose compensation failed for good (COMPENSATION_FAILED) since start',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(saga.compensationFailures);
      },
    });
  }

  /** Tests simulate a crash right after a step by throwing from this hook. */
  setCrashHook(hook: SagaDeps['afterStep']): void {
    this.deps.afterStep = hook;
  }

  constructor(private readonly deps: SagaDeps) {
    this.repo = deps.orders.repo;
  }

  // ---- ordering: create the order and take step 1 ----------------------------------

  /**
   * The order (PENDING, items copied from the cart, cart CHECKED_OUT), its
   * saga and step 1, in one transaction. Out of stock (S402): nothing is
   * reserved, the order is kept CANCELLED with its saga FAILED, and the cart
   * is the buyer's again to fix and retry.
   */
  async createOrder(userId: string, req: CreateOrderRequest): Promise<OrderResponse> {
    const { carts, db, coupons } = this.deps;
    const userCouponId = req.userCouponId ?? null;
    if (userCouponId !== null && !coupons) throw fail('USER_COUPON_NOT_FOUND');
    const cart = await carts.findOrderableCart(userId, req.cartId ?? undefined);
    if (!cart) throw fail('CART_NOT_FOUND');

    let shortage: { err: AppError; order: NewOrder } | undefined;
    try {
      const { order, response } = await inTransaction(db, async (trx) => {
        const lines = await carts.markOrdered(trx, cart.cartId, userId);
        if (!lines) throw fail('CART_ALREADY_CHECKED_OUT');
        if (lines.length === 0) throw fail('CART_EMPTY');
        const total = lines.reduce((sum, l) => sum + l.price * l.quantity, 0);
        // The user coupon row stays locked until commit: two orders can't both use it.
        const discount = userCouponId !== null ? await coupons!.lockForOrder(trx, userId, userCouponId, total) : 0;
        const input: NewOrder = { userId, cartId: cart.cartId, source: 'CART', lines, total, discount, userCouponId, address: req.shippingAddress };
        // The saga is written as it stands at commit: step 1 done, waiting for payment.
        const order = await this.insertOrder(trx, input, 'PROCESS_PAYMENT');
        // The answer is read inside the transaction (before the stock locks): once the order
        // is committed, nothing left to do can turn it into an error for the buyer.
        const response = await this.deps.orders.present(order, trx);
        try {
          // Step 1, last: the stock rows stay locked for as short a time as possible.
          await this.deps.inventory.reserveBatch(trx, lines, stockRef(order), { actor: userId });
        } catch (err) {
          if (err instanceof AppError && err.status < 500) shortage = { err, order: input };
          throw err;
        }
        if (userCouponId !== null) await coupons!.markUsed(trx, userCouponId, order.id);
        await this.announceCreated(trx, order, lines);
        return { order, response };
      });
      await this.deps.afterStep?.('RESERVE_INVENTORY', order.id);
      return response;
    } catch (err) {
      // (Set inside the transaction's callback, which TypeScript can't see.)
      const failed = shortage as { err: AppError; order: NewOrder } | undefined;
      if (failed && failed.err === err) await this.recordFailedOrder(failed.order, failed.err);
      throw err;
    }
  }

  /**
   * Step 1 failed: its transaction rolled back (nothing reserved, the cart
   * untouched and still the buyer's), and the attempt is kept as a CANCELLED
   * order with its saga FAILED, in a transaction that takes no stock lock. No
   * event: nothing happened to announce.
   */
  private async recordFailedOrder(input: NewOrder, err: AppError): Promise<void> {
    await inTransaction(this.deps.db, (trx) => this.insertOrder(trx, input, 'RESERVE_INVENTORY', err));
  }

  /**
   * A time-deal purchase's order, inside the purchase's transaction: PENDING
   * at the deal price, its saga already past step 1 because the deal holds the
   * units as reserved. It pays through the normal payment flow.
   */
  async createDealOrder(trx: Tx, input: DealOrderInput): Promise<{ orderId: number; orderNumber: string; paymentDueAt: Date | null }> {
    const lines: OrderLine[] = [{ productId: input.productId, productName: input.productName, price: input.unitPrice, quantity: input.quantity }];
    const total = input.unitPrice * input.quantity;
    const order = await this.insertOrder(
      trx,
      { userId: input.userId, cartId: null, source: 'TIME_DEAL', lines, total, discount: 0, userCouponId: null, address: input.shippingAddress ?? null },
      'PROCESS_PAYMENT',
    );
    await this.announceCreated(trx, order, lines);
    return { orderId: order.id, orderNumber: order.order_number, paymentDueAt: paymentDueAt(order, this.deps.orders.paymentTimeoutSeconds) };
  }

  /**
   * The order, its lines and its saga at `step` (PROCESS_PAYMENT: step 1 is
   * taken in the same transaction, or the stock is already held); with
   * `failure`, the order is CANCELLED and its saga FAILED at `step`.
   */
  private async insertOrder(trx: Tx, o: NewOrder, step: 'RESERVE_INVENTORY' | 'PROCESS_PAYMENT', failure?: AppError): Promise<OrderRow> {
    const repo = this.repo.with(trx);
    const orderNumber = newOrderNumber();
    const discount = Math.min(o.discount, o.total);
    const order = await repo.insert(
      {
        order_number: orderNumber,
        user_id: o.userId,
        cart_id: o.cartId,
        source: o.source,
        status: failure ? 'CANCELLED' : 'PENDING',
        total_amount: toDecimal(o.total),
        discount_amount: toDecimal(discount),
        final_amount: toDecimal(o.total - discount),
        applied_user_coupon_id: o.userCouponId,
        receiver_name: o.address?.receiverName.trim() ?? null,
        receiver_phone: o.address?.receiverPhone.trim() ?? null,
        zip_code: o.address?.zipCode.trim() ?? null,
        address1: o.address?.address1.trim() ?? null,
        address2: o.address?.address2?.trim() || null,
        cancel_reason: failure?.message ?? null,
        cancelled_at: failure ? new Date() : null,
        paid_at: null,
      },
      o.lines.map((l) => ({
        product_id: l.productId,
        product_name: l.productName,
        price: toDecimal(l.price),
        quantity: l.quantity,
        subtotal: toDecimal(l.price * l.quantity),
      })),
    );
    await repo.insertSaga({
      saga_id: sagaId(),
      order_id: order.id,
      order_number: orderNumber,
      current_step: step,
      completed_steps: step === 'PROCESS_PAYMENT' ? 'RESERVE_INVENTORY' : '',
      status: failure ? 'FAILED' : 'STARTED',
      last_error_message: failure ? `${failure.def.code} ${failure.message}` : null,
      completed_at: failure ? new Date() : null,
    });
    return order;
  }

  /** `shopping.order.created` and `shopping.inventory.reserved`, once step 1 holds the stock. */
  private async announceCreated(trx: Tx, order: OrderRow, lines: OrderLine[]): Promise<void> {
    await emit(trx, Topics.ORDER_CREATED, order.order_number, {
      orderNumber: order.order_number,
      userId: order.user_id,
      totalAmount: toWire(toMinor(order.final_amount)),
      itemCount: lines.length,
      items: lines.map((l) => ({ productId: l.productId, productName: l.productName, quantity: l.quantity, price: toWire(l.price) })),
      createdAt: order.created_at.toISOString(),
    });
    await emit(trx, Topics.INVENTORY_RESERVED, order.order_number, {
      orderNumber: order.order_number,
      items: lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
    });
  }

  // ---- paying: the payment, then steps 3–5 ----------------------------------------------

  /**
   * Step 2 and what follows. The payment row is created under the order's
   * row lock (one live payment per order is a unique key); the gateway is
   * called with no transaction open. Declined: 400 S304 after compensation.
   */
  async pay(caller: Principal, orderNumber: string, method: PaymentMethod, forceOutcome?: 'approve' | 'decline'): Promise<PaymentResponse> {
    const { db, payments } = this.deps;
    const payment = await inTransaction(db, async (trx) => {
      const order = await this.repo.with(trx).lockWithSaga({ orderNumber });
      if (!order) throw fail('ORDER_NOT_FOUND');
      if (order.user_id !== caller.userId) throw fail('ORDER_USER_MISMATCH');
      assertPayable(order.status as OrderStatus);
      if (order.saga_status !== 'STARTED' || order.saga_step !== 'PROCESS_PAYMENT') throw fail('INVALID_ORDER_STATUS');
      return payments.begin(
        trx,
        { id: order.id, orderNumber: order.order_number, userId: order.user_id, amount: toMinor(order.final_amount) },
        method,
      );
    });
    await this.deps.afterStep?.('PAYMENT_STARTED', payment.orderId);

    let result: CaptureResult;
    try {
      result = await payments.capture(payment, forceOutcome);
    } catch (err) {
      // Unknown outcome: the payment stays PROCESSING and recovery asks the gateway later.
      this.deps.log.error({ err, paymentNumber: payment.paymentNumber }, 'payment gateway call failed');
      throw fail('PG_CONNECTION_ERROR');
    }
    await this.deps.afterStep?.('PAYMENT_CAPTURED', payment.orderId);
    const settled = await this.settlePayment(payment, result);
    if (!result.approved) throw fail('PAYMENT_PROCESSING_FAILED');
    // Null: another runner (recovery) recorded this answer first; read what it wrote.
    return payments.toResponse(settled ?? (await payments.findById(undefined, payment.id))!);
  }

  /**
   * Records the gateway's answer. Approved: the payment COMPLETED and steps
   * 3–5 in one transaction; if one of them fails, the capture is recorded on
   * its own and compensation refunds it (S208). Declined: compensation.
   * Returns the payment as recorded, or null when it was not PROCESSING.
   */
  private async settlePayment(payment: PaymentRecord, result: CaptureResult): Promise<PaymentRecord | null> {
    const orderId = payment.orderId;
    if (!result.approved) {
      const reason = declineReason(result);
      const applied = await this.undoWith(orderId, `Payment failed: ${reason}`, (trx) => this.deps.payments.markFailed(trx, payment, reason, result.raw));
      await this.deps.afterStep?.('PAYMENT_SETTLED', orderId);
      if (applied) await this.compensate(orderId);
      return null;
    }
    let completed: PaymentRecord | null;
    try {
      completed = await inTransaction(this.deps.db, async (trx) => {
        const order = (await this.repo.with(trx).lockWithSaga({ id: orderId }))!;
        const done = await this.deps.payments.complete(trx, payment, result);
        if (!done) return null;
        if (order.saga_status !== 'STARTED' || order.saga_step !== 'PROCESS_PAYMENT') {
          throw new Error(`payment captured for an order no longer waiting for it (saga ${order.saga_status} at ${order.saga_step})`);
        }
        await this.completeAfterPayment(trx, order);
        return done;
      });
    } catch (err) {
      // The database (or Redis) being down says nothing against the order: the payment stays
      // PROCESSING, recovery completes it from the gateway's answer once it is back, and the
      // buyer hears 503 now — not a refund of a paid order for a passing outage.
      if (dependencyDown(err)) throw err;
      // Nothing of that transaction stands; the money was taken, so record it and give it back.
      const message = err instanceof Error ? err.message : String(err);
      this.deps.log.error({ err, orderId }, 'completing a paid order failed; compensating');
      const applied = await this.undoWith(orderId, `Completing the paid order failed: ${message}`, async (trx) => {
        if (!(await this.deps.payments.complete(trx, payment, result))) return false;
        await this.repo.with(trx).advanceSaga(orderId, ['PROCESS_PAYMENT'], 'DEDUCT_INVENTORY');
        return true;
      });
      if (applied) await this.compensate(orderId);
      throw fail('ORDER_CREATION_FAILED');
    }
    if (completed) this.deps.stats?.orderPaid();
    await this.deps.afterStep?.('PAYMENT_SETTLED', orderId);
    return completed;
  }

  /** Steps 3–5, in the transaction that records the payment (which holds the order's lock). */
  private async completeAfterPayment(trx: Tx, order: OrderRow): Promise<void> {
    const { inventory, deliveries } = this.deps;
    const repo = this.repo.with(trx);
    const lines = (await repo.items([order.id])).map((i) => ({ productId: i.product_id, quantity: i.quantity }));

    // 3. the reserved units are sold
    await inventory.deductBatch(trx, lines, stockRef(order), { actor: order.user_id });
    // 4. a delivery, PREPARING
    await deliveries.createForOrder(trx, {
      id: order.id,
      orderNumber: order.order_number,
      userId: order.user_id,
      address: {
        receiverName: order.receiver_name ?? '',
        receiverPhone: order.receiver_phone ?? '',
        zipCode: order.zip_code ?? '',
        address1: order.address1 ?? '',
        address2: order.address2,
      },
    });
    // 5. the order PAID, the saga COMPLETED
    const paidAt = new Date();
    if (!(await repo.setStatus(order.id, ['PENDING'], 'PAID', { paid_at: paidAt }))) throw fail('INVALID_ORDER_STATUS');
    if (!(await repo.advanceSaga(order.id, ['PROCESS_PAYMENT', 'DEDUCT_INVENTORY', 'CREATE_DELIVERY', 'CONFIRM_ORDER'], null))) {
      throw fail('INVALID_ORDER_STATUS');
    }
    await emit(trx, Topics.ORDER_CONFIRMED, order.order_number, {
      orderNumber: order.order_number,
      userId: order.user_id,
      finalAmount: toWire(toMinor(order.final_amount)),
      paidAt: paidAt.toISOString(),
    });
  }

  /**
   * Under the order's lock: `record` (a payment transition) and, if it
   * applied, the saga → COMPENSATING with `reason`. True when it applied.
   */
  private undoWith(orderId: number, reason: string, record: (trx: Tx) => Promise<boolean>): Promise<boolean> {
    return inTransaction(this.deps.db, async (trx) => {
      const repo = this.repo.with(trx);
      await repo.lock(orderId);
      if (!(await record(trx))) return false;
      // COMPLETED too: money taken for an order that somehow moved on must still go back.
      await repo.setSagaStatus(orderId, ['STARTED', 'COMPLETED'], 'COMPENSATING', { last_error_message: reason });
      return true;
    });
  }

  // ---- cancelling, refunding and every other undo --------------------------------------------------

  /** Cancel: PENDING → release; PAID → refund and return stock; anything later → S203. */
  async cancel(caller: Principal, orderNumber: string, reason: string): Promise<OrderResponse> {
    const order = await this.deps.orders.findOwned(orderNumber, caller);
    if (order.status === 'PENDING') await this.cancelPending(order.id, reason);
    else if (order.status === 'PAID' || order.status === 'CONFIRMED') await this.refundPaid(order.id, reason);
    else throw fail('ORDER_CANNOT_BE_CANCELLED');
    return this.deps.orders.getById(order.id);
  }

  /** `POST /payments/{n}/refund`: the order's owner or an admin; the order must be PAID. */
  async refundPayment(caller: Principal, paymentNumber: string): Promise<PaymentResponse> {
    const { payments } = this.deps;
    const payment = await payments.findByNumber(paymentNumber);
    if (!payment) throw fail('PAYMENT_NOT_FOUND');
    if (payment.userId !== caller.userId && !isAdmin(caller)) throw fail('PAYMENT_USER_MISMATCH');
    if (payment.status !== 'COMPLETED') throw fail('ORDER_CANNOT_BE_CANCELLED');
    await this.refundPaid(payment.orderId, '환불 요청');
    return payments.toResponse((await payments.findById(undefined, payment.id))!);
  }

  /**
   * A PENDING order is cancelled and its reservation released — unless a
   * payment is live (PROCESSING or just captured): then it is left alone (S203).
   * The order row lock orders this against `pay`.
   */
  async cancelPending(orderId: number, reason: string): Promise<void> {
    await inTransaction(this.deps.db, async (trx) => {
      const repo = this.repo.with(trx);
      const order = await repo.lock(orderId);
      if (order?.status !== 'PENDING') throw fail('ORDER_CANNOT_BE_CANCELLED');
      if (await this.deps.payments.findLiveByOrder(trx, orderId)) throw fail('ORDER_CANNOT_BE_CANCELLED');
      if (!(await repo.setSagaStatus(orderId, ['STARTED'], 'COMPENSATING', { last_error_message: reason }, 'PROCESS_PAYMENT'))) {
        throw fail('ORDER_CANNOT_BE_CANCELLED');
      }
    });
    await this.compensate(orderId);
  }

  /** A PAID order is refunded: S203 unless PAID; S305 when the refund could not be made now. */
  private async refundPaid(orderId: number, reason: string): Promise<void> {
    await inTransaction(this.deps.db, async (trx) => {
      const repo = this.repo.with(trx);
      const order = await repo.lock(orderId);
      if (order?.status !== 'PAID' && order?.status !== 'CONFIRMED') throw fail('ORDER_CANNOT_BE_CANCELLED');
      if (!(await repo.setSagaStatus(orderId, ['COMPLETED'], 'COMPENSATING', { last_error_message: reason }))) {
        throw fail('ORDER_CANNOT_BE_CANCELLED');
      }
    });
    await this.compensate(orderId);
    const saga = await this.repo.sagaOf(orderId);
    if (saga?.status !== 'FAILED') throw fail('PAYMENT_REFUND_FAILED');
  }

  /**
   * Undoes the completed steps in reverse, in one transaction: the refund is
   * asked of the gateway first (no transaction open; idempotent), then the
   * delivery is cancelled, stock returned (sold) or released (reserved), the
   * payment marked REFUNDED, the order CANCELLED or REFUNDED, the saga FAILED,
   * and `shopping.order.cancelled` written. A failed attempt is counted; the
   * third makes the saga COMPENSATION_FAILED (logged, counted in /metrics).
   */
  async compensate(orderId: number): Promise<void> {
    const { db, payments, inventory, deliveries } = this.deps;
    try {
      const live = await payments.findLiveByOrder(undefined, orderId);
      const refund = live?.status === 'COMPLETED' ? await payments.refundAtGateway(live) : undefined;
      await inTransaction(db, async (trx) => {
        const repo = this.repo.with(trx);
        const order = (await repo.lock(orderId))!;
        const saga = await repo.lockSaga(orderId);
        if (saga?.status !== 'COMPENSATING') return; // another runner finished it
        const done = new Set(saga.completed_steps.split(',').filter(Boolean) as SagaStep[]);
        const lines = (await repo.items([orderId])).map((i) => ({ productId: i.product_id, quantity: i.quantity }));
        const stock = { actor: 'system' };

        if (done.has('CREATE_DELIVERY')) await deliveries.cancelForOrder(trx, orderId);
        if (done.has('DEDUCT_INVENTORY')) {
          await inventory.returnBatch(trx, lines, stockRef(order), stock);
        } else if (done.has('RESERVE_INVENTORY')) {
          // A deal order's units go back to its deal while the deal runs; otherwise to the catalog.
          const backToDeal = order.source === 'TIME_DEAL' && (await this.dealUnits?.returnUnits(trx, orderId));
          if (!backToDeal) await inventory.releaseBatch(trx, lines, stockRef(order), stock);
        }
        if (live && refund) await payments.markRefunded(trx, live.id, refund.refundId);
        await this.deps.coupons?.releaseForOrder(trx, orderId);

        const cancelledAt = new Date();
        const reason = (saga.last_error_message ?? 'cancelled').slice(0, 500);
        await repo.setStatus(orderId, ['PENDING', 'CONFIRMED', 'PAID', 'SHIPPING', 'DELIVERED'], refund ? 'REFUNDED' : 'CANCELLED', {
          cancel_reason: reason,
          cancelled_at: cancelledAt,
        });
        await repo.setSagaStatus(orderId, ['COMPENSATING'], 'FAILED');
        await emit(trx, Topics.ORDER_CANCELLED, order.order_number, {
          orderNumber: order.order_number,
          userId: order.user_id,
          totalAmount: toWire(toMinor(order.final_amount)),
          cancelReason: reason,
          cancelledAt: cancelledAt.toISOString(),
          refunded: refund !== undefined,
        });
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const attempts = await this.repo.countCompensationAttempt(orderId, `compensation failed: ${message}`);
      if (attempts >= MAX_COMPENSATION_ATTEMPTS) {
        await this.repo.setSagaStatus(orderId, ['COMPENSATING'], 'COMPENSATION_FAILED');
        this.compensationFailures++;
        this.deps.log.error({ err, orderId, attempts }, 'saga compensation failed for good: needs an operator');
      } else {
        this.deps.log.warn({ err, orderId, attempts }, 'saga compensation failed; will retry');
      }
    }
  }

  // ---- delivery: the delivery drives the order -------------------------------------------

  /** Every transaction that touches an order's saga locks the order row first: one lock order, no deadlocks. */
  async lockOrder(trx: Tx, orderId: number): Promise<void> {
    await this.repo.with(trx).lock(orderId);
  }

  /** Inside the delivery's transaction: SHIPPED → SHIPPING, DELIVERED → DELIVERED, RETURNED/CANCELLED → refund. */
  async onDeliveryStatusChanged(trx: Tx, change: DeliveryStatusChange): Promise<void> {
    const repo = this.repo.with(trx);
    switch (change.to) {
      case 'SHIPPED':
        if (!(await repo.setStatus(change.orderId, ['PAID', 'CONFIRMED'], 'SHIPPING'))) throw fail('INVALID_ORDER_STATUS');
        return;
      case 'DELIVERED':
        if (!(await repo.setStatus(change.orderId, ['SHIPPING'], 'DELIVERED'))) throw fail('INVALID_ORDER_STATUS');
        return;
      case 'RETURNED':
      case 'CANCELLED': {
        const reason = change.to === 'RETURNED' ? '반품' : '배송 취소';
        if (!(await repo.setSagaStatus(change.orderId, ['COMPLETED'], 'COMPENSATING', { last_error_message: reason }))) {
          throw fail('INVALID_ORDER_STATUS');
        }
        // The refund needs the gateway, so it runs after this commit; recovery retries it if we die first.
        afterCommit(trx, () => this.compensate(change.orderId));
        return;
      }
      default:
        return;
    }
  }

  // ---- jobs ----------------------------------------------------------------------------

  /** Cancels PENDING orders unpaid for ORDER_PAYMENT_TIMEOUT_S; orders with a live payment are left alone. */
  async expireUnpaid(now = new Date(), batch = 200): Promise<number> {
    const cutoff = new Date(now.getTime() - this.deps.config.orderPaymentTimeoutSeconds * 1000);
    let expired = 0;
    for (const order of await this.repo.pendingBefore(cutoff, batch)) {
      try {
        await this.cancelPending(order.id, '결제 시간 초과');
        expired++;
      } catch (err) {
        if (!isAppError(err, 'ORDER_CANNOT_BE_CANCELLED')) this.deps.log.error({ err, orderId: order.id }, 'unpaid order expiry failed');
      }
    }
    return expired;
  }

  /**
   * Finishes what a crash (or a lost gateway answer) left mid-way: PROCESSING
   * payments are settled by asking the gateway by their key (captured →
   * complete the order; unknown → FAILED and compensated); sagas left
   * COMPENSATING for `idleMs` are compensated. Every other saga state is
   * either final or waiting for the buyer: each transaction moves the saga
   * from one such state to the next. Safe to run on every instance at once.
   */
  async recover(idleMs = 30_000): Promise<void> {
    const { payments, log } = this.deps;
    for (const payment of await payments.findProcessing(idleMs)) {
      try {
        const result = await payments.settle(payment);
        await this.settlePayment(
          payment,
          result ?? { approved: false, failureCode: 'UNKNOWN', failureMessage: 'Not known to the gateway', raw: '' },
        );
      } catch (err) {
        log.error({ err, paymentNumber: payment.paymentNumber }, 'settling a PROCESSING payment failed');
      }
    }
    const idleBefore = new Date(Date.now() - idleMs);
    for (const saga of await this.repo.stalledSagas(['COMPENSATING'], idleBefore, 500)) {
      await this.compensate(saga.order_id);
    }
  }
}

function assertPayable(status: OrderStatus): void {
  if (status === 'PAID' || status === 'SHIPPING' || status === 'DELIVERED') throw fail('ORDER_ALREADY_PAID');
  if (status !== 'PENDING') throw fail('INVALID_ORDER_STATUS');
}
