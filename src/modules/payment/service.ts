import { randomBytes, randomUUID } from 'node:crypto';
import type { Config } from '../../config';
import { isDuplicateKey, type Db } from '../../platform/db/index';
import type { Tx } from '../../platform/db/tx';
import { emit, Topics } from '../../platform/events/outbox';
import { isAdmin, type Principal } from '../../platform/http/auth';
import { type AppError, fail } from '../../platform/http/errors';
import { toDecimal, toWire } from '../../platform/money';
import type { ApprovedCapture, CaptureResult, DeclinedCapture, PaymentGateway } from './gateway';
import { PAYMENT_LIVE_ORDER_KEY, PAYMENT_NUMBER_KEY, PaymentRepository, toRecord } from './repository';
import {
  PAYMENT_METHOD_DESCRIPTIONS,
  PAYMENT_STATUS_DESCRIPTIONS,
  type PayableOrder,
  type PaymentMethod,
  type PaymentRecord,
  type PaymentResponse,
} from './schemas';

/** `payments.failure_reason` is VARCHAR(500). */
const MAX_REASON = 500;
/** Payment numbers have 32 random bits; on a collision draw again this often. */
const NUMBER_ATTEMPTS = 5;

/** `PAY-` + 8 uppercase hex (contract §6). */
export const newPaymentNumber = () => `PAY-${randomBytes(4).toString('hex').toUpperCase()}`;

/** The failure reason a decline is recorded with: the gateway's message and code. */
export function declineReason(result: DeclinedCapture): string {
  return `${result.failureMessage} (${result.failureCode})`;
}

/**
 * Payment rows and gateway calls, nothing else: the saga orchestrator drives
 * the order, stock and delivery around these steps.
 *
 *   begin (in the order's transaction) → capture (no transaction open)
 *     → complete | markFailed (in the saga's transaction)
 *   refundAtGateway (no transaction) → markRefunded (in the saga's transaction)
 *
 * Transitions are conditional updates (`… WHERE status = 'PROCESSING'`) that
 * report whether they applied, so a retried or concurrent step is harmless.
 * "At most one live payment per order" is the unique key uk_payments_live_order.
 */
export class PaymentService {
  private readonly repo: PaymentRepository;

  constructor(
    db: Db,
    private readonly gateway: PaymentGateway,
    private readonly config: Config,
  ) {
    this.repo = new PaymentRepository(db);
  }

  // ---- the saga's steps ---------------------------------------------------------

  /**
   * Inserts the order's payment as PROCESSING with a fresh gateway key, inside
   * the caller's transaction (which holds the order row lock). When the
   * order already has a live (not FAILED/CANCELLED) payment: 409 S314 while
   * that payment is still PROCESSING (or has just failed: a retry may go
   * through), S302 once it is COMPLETED or REFUNDED.
   */
  async begin(trx: Tx, order: PayableOrder, method: PaymentMethod): Promise<PaymentRecord> {
    if (!Number.isSafeInteger(order.amount) || order.amount < 0) throw fail('INVALID_PAYMENT_AMOUNT');
    const repo = this.repo.with(trx);
    const at = new Date();
    const gatewayKey = randomUUID();
    for (let attempt = 1; ; attempt++) {
      const paymentNumber = newPaymentNumber();
      try {
        const id = await repo.insert({
          paymentNumber,
          orderId: order.id,
          orderNumber: order.orderNumber,
          userId: order.userId,
          amount: toDecimal(order.amount),
          status: 'PROCESSING',
          paymentMethod: method,
          gatewayKey,
          at,
        });
        return {
          id,
          paymentNumber,
          orderId: order.id,
          orderNumber: order.orderNumber,
          userId: order.userId,
          amount: order.amount,
          status: 'PROCESSING',
          paymentMethod: method,
          gatewayKey,
          pgTransactionId: null,
          pgResponse: null,
          failureReason: null,
          paidAt: null,
          refundedAt: null,
          createdAt: at,
          updatedAt: at,
        };
      } catch (err) {
        // A failed INSERT undoes only itself: the caller's transaction carries on.
        if (isDuplicateKey(err, PAYMENT_LIVE_ORDER_KEY)) throw await this.liveConflict(trx, order.id);
        if (isDuplicateKey(err, PAYMENT_NUMBER_KEY) && attempt < NUMBER_ATTEMPTS) continue;
        throw err;
      }
    }
  }

  /**
   * Why an order's second payment was refused, read on the caller's own
   * connection (a second pool connection per refused request could starve the
   * pool under a burst). The conflicting row is committed by the time the
   * unique key reports it; should the transaction's snapshot still hide it,
   * the answer is the retryable S314.
   */
  private async liveConflict(trx: Tx, orderId: number): Promise<AppError> {
    const live = await this.repo.with(trx).findLiveByOrder(orderId);
    return !live || live.status === 'PROCESSING' ? fail('PAYMENT_IN_PROGRESS') : fail('PAYMENT_ALREADY_COMPLETED');
  }

  /**
   * Asks the gateway to capture, keyed by the payment's gateway key (a retry
   * never charges twice). Call it with no transaction open. A decline is a
   * result; an exception means the outcome is unknown (settle it later).
   * `forceOutcome` is honoured only when NODE_ENV=test.
   */
  capture(payment: PaymentRecord, forceOutcome?: 'approve' | 'decline'): Promise<CaptureResult> {
    return this.gateway.capture({
      amount: payment.amount,
      method: payment.paymentMethod,
      idempotencyKey: payment.gatewayKey,
      ...(forceOutcome && this.config.nodeEnv === 'test' ? { forceOutcome } : {}),
    });
  }

  /**
   * PROCESSING → COMPLETED with the gateway's transaction, and
   * `shopping.payment.completed` in the same transaction. Returns the payment
   * as it now stands, or null (and no event) when it was not PROCESSING.
   */
  async complete(trx: Tx, payment: PaymentRecord, result: ApprovedCapture): Promise<PaymentRecord | null> {
    const at = new Date();
    if (!(await this.repo.with(trx).markCompleted(payment.id, result.transactionId, result.raw, at))) return null;
    await emit(trx, Topics.PAYMENT_COMPLETED, payment.paymentNumber, {
      paymentNumber: payment.paymentNumber,
      orderNumber: payment.orderNumber,
      userId: payment.userId,
      amount: toWire(payment.amount),
      paymentMethod: payment.paymentMethod,
      pgTransactionId: result.transactionId,
      paidAt: at.toISOString(),
    });
    return { ...payment, status: 'COMPLETED', pgTransactionId: result.transactionId, pgResponse: result.raw, paidAt: at, updatedAt: at };
  }

  /**
   * PROCESSING → FAILED with the reason (and the gateway's raw answer, if any),
   * and `shopping.payment.failed` in the same transaction. False (and no event)
   * when the payment was not PROCESSING. The FAILED row frees the order for a
   * new payment.
   */
  async markFailed(trx: Tx, payment: PaymentRecord, reason: string, raw?: string): Promise<boolean> {
    const at = new Date();
    const failureReason = reason.length > MAX_REASON ? reason.slice(0, MAX_REASON) : reason;
    if (!(await this.repo.with(trx).markFailed(payment.id, failureReason, raw ?? null, at))) return false;
    await emit(trx, Topics.PAYMENT_FAILED, payment.paymentNumber, {
      paymentNumber: payment.paymentNumber,
      orderNumber: payment.orderNumber,
      userId: payment.userId,
      amount: toWire(payment.amount),
      paymentMethod: payment.paymentMethod,
      failureReason,
      failedAt: at.toISOString(),
    });
    return true;
  }

  /**
   * Refunds the payment's transaction at the gateway (no transaction open;
   * idempotent: a retry gets the same refund id). S305 when the payment has no
   * captured transaction or the gateway refuses or fails.
   */
  async refundAtGateway(payment: PaymentRecord): Promise<{ refundId: string }> {
    // Already recorded as refunded: its transaction id is the refund id.
    if (payment.status === 'REFUNDED' && payment.pgTransactionId?.startsWith('RF-')) {
      return { refundId: payment.pgTransactionId };
    }
    if (payment.status !== 'COMPLETED' || !payment.pgTransactionId) throw fail('PAYMENT_REFUND_FAILED');
    try {
      return await this.gateway.refund(payment.pgTransactionId, payment.amount);
    } catch (err) {
      const error = fail('PAYMENT_REFUND_FAILED');
      error.cause = err;
      throw error;
    }
  }

  /** COMPLETED → REFUNDED, `pg_transaction_id` = the refund id. False when the payment was not COMPLETED. */
  markRefunded(trx: Tx, paymentId: number, refundId: string): Promise<boolean> {
    return this.repo.with(trx).markRefunded(paymentId, refundId, new Date());
  }

  // ---- HTTP-facing ----------------------------------------------------------------

  /** The caller's payment (an admin's: anyone's). S301, S313. */
  async get(paymentNumber: string, caller: Principal): Promise<PaymentResponse> {
    return this.toResponse(await this.owned(paymentNumber, caller));
  }

  /** PENDING → CANCELLED (contract §0: PENDING only, S312 otherwise). S301, S313. */
  async cancel(paymentNumber: string, caller: Principal): Promise<PaymentResponse> {
    const payment = await this.owned(paymentNumber, caller);
    if (payment.status !== 'PENDING' || !(await this.repo.markCancelled(payment.id, new Date()))) {
      throw fail('PAYMENT_CANNOT_BE_CANCELLED');
    }
    return this.toResponse(toRecord((await this.repo.findById(payment.id))!));
  }

  // ---- lookups for the saga ---------------------------------------------------------

  async findByNumber(paymentNumber: string): Promise<PaymentRecord | null> {
    const row = await this.repo.findByNumber(paymentNumber);
    return row ? toRecord(row) : null;
  }

  async findById(trx: Tx | undefined, paymentId: number): Promise<PaymentRecord | null> {
    const row = await (trx ? this.repo.with(trx) : this.repo).findById(paymentId);
    return row ? toRecord(row) : null;
  }

  /** The order's live payment (neither FAILED nor CANCELLED), if any. */
  async findLiveByOrder(trx: Tx | undefined, orderId: number): Promise<PaymentRecord | null> {
    const row = await (trx ? this.repo.with(trx) : this.repo).findLiveByOrder(orderId);
    return row ? toRecord(row) : null;
  }

  /** Every payment of an order, oldest first. */
  async findByOrder(trx: Tx | undefined, orderId: number): Promise<PaymentRecord[]> {
    const rows = await (trx ? this.repo.with(trx) : this.repo).findByOrder(orderId);
    return rows.map(toRecord);
  }

  /**
   * PROCESSING payments untouched for `olderThanMs` (start-up settlement: a
   * crash between capture and complete/markFailed leaves them), oldest first.
   */
  async findProcessing(olderThanMs = 0, limit = 500): Promise<PaymentRecord[]> {
    const rows = await this.repo.findProcessing(new Date(Date.now() - olderThanMs), limit);
    return rows.map(toRecord);
  }

  /** What the gateway knows of this payment's capture: its result, or null if it never saw it. */
  settle(payment: PaymentRecord): Promise<CaptureResult | null> {
    return this.gateway.lookup(payment.gatewayKey);
  }

  // ---- view -----------------------------------------------------------------------

  /** Contract §3.2 PaymentResponse, in its field order. */
  toResponse(p: PaymentRecord): PaymentResponse {
    return {
      id: p.id,
      paymentNumber: p.paymentNumber,
      orderNumber: p.orderNumber,
      userId: p.userId,
      amount: toWire(p.amount),
      status: p.status,
      statusDescription: PAYMENT_STATUS_DESCRIPTIONS[p.status] ?? p.status,
      paymentMethod: p.paymentMethod,
      paymentMethodDescription: PAYMENT_METHOD_DESCRIPTIONS[p.paymentMethod] ?? p.paymentMethod,
      pgTransactionId: p.pgTransactionId,
      failureReason: p.failureReason,
      paidAt: p.paidAt,
      refundedAt: p.refundedAt,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
    };
  }

  private async owned(paymentNumber: string, caller: Principal): Promise<PaymentRecord> {
    const row = await this.repo.findByNumber(paymentNumber);
    if (!row) throw fail('PAYMENT_NOT_FOUND');
    if (row.user_id !== caller.userId && !isAdmin(caller)) throw fail('PAYMENT_USER_MISMATCH');
    return toRecord(row);
  }
}
