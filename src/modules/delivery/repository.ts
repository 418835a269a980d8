import type { Selectable } from 'kysely';
import type { DeliveriesTable, DeliveryHistoriesTable } from '../../platform/db/types';
import type { Executor } from '../../platform/db/tx';
import type { DeliveryStatus } from './schemas';

export type DeliveryRow = Selectable<DeliveriesTable>;

export type DeliveryHistoryRow = Selectable<DeliveryHistoriesTable>;

const DELIVERY_COLUMNS = [
  'id',
  'tracking_number',
  'order_id',
  'order_number',
  'user_id',
  'status',
  'carrier',
  'receiver_name',
  'receiver_phone',
  'zip_code',
  'address1',
  'address2',
  'estimated_delivery_date',
  'actual_delivery_date',
  'created_at',
  'updated_at',
] as const;

const HISTORY_COLUMNS = ['id', 'delivery_id', 'status', 'location', 'description', 'created_at'] as const;

/** The unique keys the service turns into answers. */
export const DELIVERY_ORDER_KEY = 'uk_deliveries_order';
export const DELIVERY_TRACKING_KEY = 'uk_deliveries_tracking';

export interface NewDelivery {
  trackingNumber: string;
  orderId: number;
  orderNumber: string;
  userId: string;
  carrier: string;
  receiverName: string;
  receiverPhone: string;
  zipCode: string;
  address1: string;
  address2: string | null;
  estimatedDeliveryDate: string;
}

/** SQL for `deliveries` and `delivery_histories`; no rules here. */
export class DeliveryRepository {
  constructor(private readonly db: Executor) {}

  findByTracking(trackingNumber: string): Promise<DeliveryRow | undefined> {
    return this.db.selectFrom('deliveries').select(DELIVERY_COLUMNS).where('tracking_number', '=', trackingNumber).executeTakeFirst();
  }

  findByOrderNumber(orderNumber: string): Promise<DeliveryRow | undefined> {
    return this.db
      .selectFrom('deliveries')
      .select(DELIVERY_COLUMNS)
      .where('order_number', '=', orderNumber)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  /** Row-locks the delivery with this tracking number (inside a transaction). */
  lockByTracking(trackingNumber: string): Promise<DeliveryRow | undefined> {
    return this.db
      .selectFrom('deliveries')
      .select(DELIVERY_COLUMNS)
      .where('tracking_number', '=', trackingNumber)
      .forUpdate()
      .executeTakeFirst();
  }

  /** Row-locks the order's delivery (a current read: sees rows committed after the transaction began). */
  lockByOrderId(orderId: number): Promise<DeliveryRow | undefined> {
    return this.db.selectFrom('deliveries').select(DELIVERY_COLUMNS).where('order_id', '=', orderId).forUpdate().executeTakeFirst();
  }

  /** Fails on `uk_deliveries_order` (the order has one) or `uk_deliveries_tracking` (number taken). */
  async insert(d: NewDelivery): Promise<number> {
    const result = await this.db
      .insertInto('deliveries')
      .values({
        tracking_number: d.trackingNumber,
        order_id: d.orderId,
        order_number: d.orderNumber,
        user_id: d.userId,
        status: 'PREPARING',
        carrier: d.carrier,
        receiver_name: d.receiverName,
        receiver_phone: d.receiverPhone,
        zip_code: d.zipCode,
        address1: d.address1,
        address2: d.address2,
        estimated_delivery_date: d.estimatedDeliveryDate,
      })
      .executeTakeFirstOrThrow();
    return Number(result.insertId);
  }

  /** Sets the status (and the delivery day, when given); the number of rows changed. */
  async setStatus(deliveryId: number, from: DeliveryStatus, to: DeliveryStatus, actualDeliveryDate?: string): Promise<number> {
    const result = await this.db
      .updateTable('deliveries')
      .set({ status: to, ...(actualDeliveryDate !== undefined ? { actual_delivery_date: actualDeliveryDate } : {}) })
      .where('id', '=', deliveryId)
      .where('status', '=', from)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async insertHistory(h: { deliveryId: number; status: DeliveryStatus; location: string | null; description: string | null }): Promise<void> {
    await this.db
      .insertInto('delivery_histories')
      .values({ delivery_id: h.deliveryId, status: h.status, location: h.location, description: h.description })
      .execute();
  }

  /** Newest first (ties by id). */
  histories(deliveryId: number): Promise<DeliveryHistoryRow[]> {
    return this.db
      .selectFrom('delivery_histories')
      .select(HISTORY_COLUMNS)
      .where('delivery_id', '=', deliveryId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
  }
}
