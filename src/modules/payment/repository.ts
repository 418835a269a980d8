import type { Selectable } from 'kysely';
import type { PaymentsTable } from '../../platform/db/types';
import type { Executor } from '../../platform/db/tx';
import { toMinor } from '../../platform/money';
import type { PaymentMethod, PaymentRecord, PaymentStatus } from './schemas';

export type PaymentRow = Selectable<PaymentsTable>;

const COLUMNS = [
  'id',
  'payment_number',
  'order_id',
  'order_number',
  'user_id',
  'amount',
  'status',
  'payment_method',
  'gateway_key',
  'pg_transaction_id',
  'pg_response',
  'failure_reason',
  'paid_at',
  'refunded_at',
  'created_at',
  'updated_at',
] as const;

/** The unique keys the service turns into answers. */
export const PAYMENT_LIVE_ORDER_KEY = 'uk_payments_live_order';
export const PAYMENT_NUMBER_KEY = 'uk_payments_number';

/** Payments that no longer hold their order (the generated `live_order_id` is NULL for them). */
const NOT_LIVE: PaymentStatus[] = ['FAILED', 'CANCELLED'];

export interface NewPayment {
  paymentNumber: string;
  orderId: number;
  orderNumber: string;
  userId: string;
  /** DECIMAL string. */
  amount: string;
  status: PaymentStatus;
  paymentMethod: PaymentMethod;
  gatewayKey: string;
  at: Date;
}

/** SQL for `payments`; no rules here. Transitions are conditional updates that report whether they applied. */
export class PaymentRepository {
  constructor(private readonly db: Executor) {}

  with(db: Executor): PaymentRepository {
    return new PaymentRepository(db);
  }

  async insert(p: NewPayment): Promise<number> {
    const res = await this.db
      .insertInto('payments')
      .values({
        payment_number: p.paymentNumber,
        order_id: p.orderId,
        order_number: p.orderNumber,
        user_id: p.userId,
        amount: p.amount,
        status: p.status,
        payment_method: p.paymentMethod,
        gateway_key: p.gatewayKey,
        created_at: p.at,
        updated_at: p.at,
      })
      .executeTakeFirstOrThrow();
    return Number(res.insertId);
  }

  findById(id: number): Promise<PaymentRow | undefined> {
    return this.db.selectFrom('payments').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  }

  findByNumber(paymentNumber: string): Promise<PaymentRow | undefined> {
    return this.db.selectFrom('payments').select(COLUMNS).where('payment_number', '=', paymentNumber).executeTakeFirst();
  }

  /** The order's one payment that is neither FAILED nor CANCELLED (at most one: uk_payments_live_order). */
  findLiveByOrder(orderId: number): Promise<PaymentRow | undefined> {
    return this.db
      .selectFrom('payments')
      .select(COLUMNS)
      .where('order_id', '=', orderId)
      .where('status', 'not in', NOT_LIVE)
      .executeTakeFirst();
  }

  /** Every payment of an order, oldest first. */
  findByOrder(orderId: number): Promise<PaymentRow[]> {
    return this.db.selectFrom('payments').select(COLUMNS).where('order_id', '=', orderId).orderBy('id').execute();
  }

  /** PROCESSING payments last touched before `before`, oldest first. */
  findProcessing(before: Date, limit: number): Promise<PaymentRow[]> {
    return this.db
      .selectFrom('payments')
      .select(COLUMNS)
      .where('status', '=', 'PROCESSING')
      .where('updated_at', '<=', before)
      .orderBy('updated_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** PROCESSING → COMPLETED; false when the payment was not PROCESSING. */
  async markCompleted(id: number, pgTransactionId: string, pgResponse: string, at: Date): Promise<boolean> {
    const res = await this.db
      .updateTable('payments')
      .set({ status: 'COMPLETED', pg_transaction_id: pgTransactionId, pg_response: pgResponse, paid_at: at, updated_at: at })
      .where('id', '=', id)
      .where('status', '=', 'PROCESSING')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** PROCESSING → FAILED; false when the payment was not PROCESSING. */
  async markFailed(id: number, reason: string, pgResponse: string | null, at: Date): Promise<boolean> {
    const res = await this.db
      .updateTable('payments')
      .set({ status: 'FAILED', failure_reason: reason, pg_response: pgResponse, updated_at: at })
      .where('id', '=', id)
      .where('status', '=', 'PROCESSING')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** COMPLETED → REFUNDED, the refund id replacing the transaction id; false when not COMPLETED. */
  async markRefunded(id: number, refundId: string, at: Date): Promise<boolean> {
    const res = await this.db
      .updateTable('payments')
      .set({ status: 'REFUNDED', pg_transaction_id: refundId, refunded_at: at, updated_at: at })
      .where('id', '=', id)
      .where('status', '=', 'COMPLETED')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** PENDING → CANCELLED; false when the payment was not PENDING. */
  async markCancelled(id: number, at: Date): Promise<boolean> {
    const res = await this.db
      .updateTable('payments')
      .set({ status: 'CANCELLED', updated_at: at })
      .where('id', '=', id)
      .where('status', '=', 'PENDING')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }
}

export function toRecord(row: PaymentRow): PaymentRecord {
  return {
    id: Number(row.id),
    paymentNumber: row.payment_number,
    orderId: Number(row.order_id),
    orderNumber: row.order_number,
    userId: row.user_id,
    amount: toMinor(row.amount),
    status: row.status as PaymentStatus,
    paymentMethod: row.payment_method as PaymentMethod,
    gatewayKey: row.gateway_key,
    pgTransactionId: row.pg_transaction_id,
    pgResponse: row.pg_response,
    failureReason: row.failure_reason,
    paidAt: row.paid_at,
    refundedAt: row.refunded_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
