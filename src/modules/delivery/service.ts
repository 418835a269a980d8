import { randomBytes } from 'node:crypto';
import type { Db } from '../../platform/db/index';
import { isDuplicateKey } from '../../platform/db/index';
import { inTransaction, retryOnDeadlock, type Tx } from '../../platform/db/tx';
import { emit, Topics } from '../../platform/events/outbox';
import { isAdmin, type Principal } from '../../platform/http/auth';
import { fail } from '../../platform/http/errors';
import { trimmedOrNull } from '../../platform/http/schema';
import {
  DELIVERY_ORDER_KEY,
  DELIVERY_TRACKING_KEY,
  DeliveryRepository,
  type DeliveryHistoryRow,
  type DeliveryRow,
} from './repository';
import {
  DEFAULT_CARRIER,
  DELIVERY_STATUS_DESCRIPTIONS,
  DELIVERY_TRANSITIONS,
  isDeliveryStatus,
  toAddressResponse,
  type DeliveryOrder,
  type DeliveryResponse,
  type DeliveryStatus,
  type DeliveryStatusChange,
} from './schemas';

/** Days from creation (and, in the shipped event, from shipping) to the estimated delivery. */
const ESTIMATED_DAYS = 3;

/** A fresh tracking number colliding with a taken one (48 random bits): retry this often. */
const MAX_TRACKING_ATTEMPTS = 3;

/**
 * Who reacts to a delivery's status changes (the order module: SHIPPED → order
 * SHIPPING, DELIVERED → order DELIVERED, RETURNED → refund). Called inside the
 * status update's transaction after the change and its history row are
 * written: if it throws, the whole update rolls back. Work outside the
 * database (a gateway call) belongs in `afterCommit(trx, …)`.
 */
export interface DeliveryListener {
  onDeliveryStatusChanged(trx: Tx, change: DeliveryStatusChange): Promise<void>;
  /**
   * Optional: called in the same transaction *before* the delivery row is
   * locked, so a listener that locks the order row takes its locks in the
   * order-then-delivery order that order cancellation uses (no deadlock).
   */
  lockOrder?(trx: Tx, orderId: number): Promise<void>;
}

export interface UpdateDeliveryStatus {
  status: DeliveryStatus;
  location?: string | null;
  description?: string | null;
}

/**
 * Deliveries: created PREPARING by the order saga, moved through the
 * contract's §0.2 states by admins, each change written with a history row,
 * the shipped event and the listener's work in one transaction.
 */
export class DeliveryService {
  private readonly repo: DeliveryRepository;
  private listener?: DeliveryListener;

  constructor(private readonly db: Db) {
    this.repo = new DeliveryRepository(db);
  }

  /**
   * The one listener (the order saga), which is built after this service (it
   * creates deliveries through it), so `src/app.ts` connects it here once both
   * exist; a later call replaces it.
   */
  setListener(listener: DeliveryListener): void {
    this.listener = listener;
  }

  // ---- for the order module (inside its transaction) ------------------------------

  /**
   * The order's delivery, PREPARING with no history row, or the one it already
   * has (the saga may run this step again after a crash).
   */
  async createForOrder(trx: Tx, order: DeliveryOrder): Promise<{ trackingNumber: string }> {
    const repo = new DeliveryRepository(trx);
    // No read first: the order's unique key says whether it already has one (the rare case).
    for (let attempt = 1; ; attempt++) {
      const trackingNumber = newTrackingNumber();
      try {
        await repo.insert({
          trackingNumber,
          orderId: order.id,
          orderNumber: order.orderNumber,
          userId: order.userId,
          carrier: DEFAULT_CARRIER,
          receiverName: order.address.receiverName,
          receiverPhone: order.address.receiverPhone,
          zipCode: order.address.zipCode,
          address1: order.address.address1,
          address2: order.address.address2,
          estimatedDeliveryDate: utcDatePlusDays(new Date(), ESTIMATED_DAYS),
        });
        return { trackingNumber };
      } catch (err) {
        // A failed statement rolls back only itself in InnoDB: the transaction goes on.
        if (isDuplicateKey(err, DELIVERY_ORDER_KEY)) {
          // Created earlier or concurrently (maybe after our snapshot): a current read sees it.
          const row = await repo.lockByOrderId(order.id);
          if (row) return { trackingNumber: row.tracking_number };
        }
        if (isDuplicateKey(err, DELIVERY_TRACKING_KEY) && attempt < MAX_TRACKING_ATTEMPTS) continue;
        throw err;
      }
    }
  }

  /**
   * PREPARING → CANCELLED with a history row, for an order being cancelled or
   * refunded. No delivery, or one already CANCELLED or RETURNED (the parcel
   * is back; the refund is what follows): nothing to do. Any other status:
   * S504. The listener is not called (the order module is the caller).
   */
  async cancelForOrder(trx: Tx, orderId: number): Promise<void> {
    const repo = new DeliveryRepository(trx);
    const row = await repo.lockByOrderId(orderId);
    if (!row || row.status === 'CANCELLED' || row.status === 'RETURNED') return;
    if (row.status !== 'PREPARING') throw fail('DELIVERY_CANNOT_BE_CANCELLED');
    await repo.setStatus(row.id, 'PREPARING', 'CANCELLED');
    await repo.insertHistory({ deliveryId: row.id, status: 'CANCELLED', location: null, description: null });
  }

  // ---- HTTP ----------------------------------------------------------------------------

  /** S501 when missing; someone else's delivery: C004 (admins see every delivery). */
  async get(trackingNumber: string, caller: Principal): Promise<DeliveryResponse> {
    return this.view(assertReadable(await this.repo.findByTracking(trackingNumber), caller));
  }

  async getByOrderNumber(orderNumber: string, caller: Principal): Promise<DeliveryResponse> {
    return this.view(assertReadable(await this.repo.findByOrderNumber(orderNumber), caller));
  }

  /** An order's delivery for an operator's view of the order; null while it has none. */
  async findByOrderNumber(orderNumber: string): Promise<DeliveryResponse | null> {
    const row = await this.repo.findByOrderNumber(orderNumber);
    return row ? this.view(row) : null;
  }

  /**
   * One §0.2 transition (S506 otherwise) under the delivery's row lock, in one
   * transaction with its history row, the delivery day on DELIVERED, the
   * `shopping.delivery.shipped` event on SHIPPED and the listener's work.
   */
  async updateStatus(trackingNumber: string, req: UpdateDeliveryStatus, actor: Principal): Promise<DeliveryResponse> {
    if (!isAdmin(actor)) throw fail('FORBIDDEN');
    if (!isDeliveryStatus(req.status)) throw fail('INVALID_DELIVERY_STATUS');
    return retryOnDeadlock(() => inTransaction(this.db, (trx) => this.applyStatus(trx, trackingNumber, req)));
  }

  // ---- internals -----------------------------------------------------------------------

  private async applyStatus(trx: Tx, trackingNumber: string, req: UpdateDeliveryStatus): Promise<DeliveryResponse> {
    const repo = new DeliveryRepository(trx);
    if (this.listener?.lockOrder) {
      const found = await repo.findByTracking(trackingNumber);
      if (!found) throw fail('DELIVERY_NOT_FOUND');
      await this.listener.lockOrder(trx, found.order_id);
    }
    const row = await repo.lockByTracking(trackingNumber);
    if (!row) throw fail('DELIVERY_NOT_FOUND');
    const from = row.status as DeliveryStatus;
    const to = req.status;
    if (!(DELIVERY_TRANSITIONS[from] ?? []).includes(to)) throw fail('INVALID_DELIVERY_STATUS');

    const now = new Date();
    const actualDeliveryDate = to === 'DELIVERED' ? utcDatePlusDays(now, 0) : undefined;
    if ((await repo.setStatus(row.id, from, to, actualDeliveryDate)) !== 1) throw fail('INVALID_DELIVERY_STATUS');
    await repo.insertHistory({
      deliveryId: row.id,
      status: to,
      location: trimmedOrNull(req.location),
      description: trimmedOrNull(req.description),
    });
    if (to === 'SHIPPED') {
      await emit(trx, Topics.DELIVERY_SHIPPED, row.tracking_number, {
        trackingNumber: row.tracking_number,
        orderNumber: row.order_number,
        userId: row.user_id,
        carrier: row.carrier,
        estimatedDeliveryDate: utcDatePlusDays(now, ESTIMATED_DAYS),
        shippedAt: now.toISOString(),
      });
    }
    await this.listener?.onDeliveryStatusChanged(trx, {
      deliveryId: row.id,
      orderId: row.order_id,
      orderNumber: row.order_number,
      userId: row.user_id,
      trackingNumber: row.tracking_number,
      from,
      to,
    });
    const updated = await repo.findByTracking(trackingNumber);
    if (!updated) throw fail('DELIVERY_NOT_FOUND');
    return toResponse(updated, await repo.histories(row.id));
  }

  private async view(row: DeliveryRow): Promise<DeliveryResponse> {
    return toResponse(row, await this.repo.histories(row.id));
  }
}

function assertReadable(row: DeliveryRow | undefined, caller: Principal): DeliveryRow {
  if (!row) throw fail('DELIVERY_NOT_FOUND');
  if (row.user_id !== caller.userId && !isAdmin(caller)) throw fail('FORBIDDEN');
  return row;
}

/** `TRK-` + 12 uppercase hex (contract §6). */
export function newTrackingNumber(): string {
  return `TRK-${randomBytes(6).toString('hex').toUpperCase()}`;
}

/** The UTC calendar day `days` after `from`, as 'YYYY-MM-DD'. */
export function utcDatePlusDays(from: Date, days: number): string {
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate() + days));
  return d.toISOString().slice(0, 10);
}

function statusText(status: string): string {
  return isDeliveryStatus(status) ? DELIVERY_STATUS_DESCRIPTIONS[status] : status;
}

function toResponse(row: DeliveryRow, histories: DeliveryHistoryRow[]): DeliveryResponse {
  return {
    id: row.id,
    trackingNumber: row.tracking_number,
    orderNumber: row.order_number,
    status: row.status,
    statusDescription: statusText(row.status),
    carrier: row.carrier,
    shippingAddress: toAddressResponse(row),
    estimatedDeliveryDate: row.estimated_delivery_date,
    actualDeliveryDate: row.actual_delivery_date,
    histories: histories.map((h) => ({
      id: h.id,
      status: h.status,
      statusDescription: statusText(h.status),
      location: h.location,
      description: h.description,
      createdAt: h.created_at,
    })),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
