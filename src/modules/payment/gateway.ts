import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Selectable } from 'kysely';
import { isDuplicateKey, type Db } from '../../platform/db/index';
import type { PgTransactionsTable } from '../../platform/db/types';
import { toDecimal, toMinor } from '../../platform/money';

/** The gateway's answer to a capture (and to a lookup of one). */
export type CaptureResult =
  | { approved: true; transactionId: string; raw: string }
  | { approved: false; failureCode: string; failureMessage: string; raw: string };

export type ApprovedCapture = Extract<CaptureResult, { approved: true }>;
export type DeclinedCapture = Extract<CaptureResult, { approved: false }>;

export interface CaptureRequest {
  /** Minor units (1/100 won). */
  amount: number;
  method: string;
  /** The same key always yields the same outcome: a retry never charges twice. */
  idempotencyKey: string;
  /** Tests only: the service passes it through only when NODE_ENV=test. */
  forceOutcome?: 'approve' | 'decline';
}

/**
 * A payment gateway (contract §0.4). A decline is a result, not an exception;
 * an exception means the outcome is unknown (network): ask again with
 * `lookup` or retry `capture` with the same key.
 */
export interface PaymentGateway {
  /** Authorizes and captures `amount`; idempotent by `idempotencyKey`. */
  capture(req: CaptureRequest): Promise<CaptureResult>;
  /** The outcome of an earlier capture with this key, or null if the gateway never saw it. */
  lookup(idempotencyKey: string): Promise<CaptureResult | null>;
  /** Refunds an approved transaction; idempotent per transaction (the same refund id again). */
  refund(transactionId: string, amount: number): Promise<{ refundId: string }>;
}

/** Thrown by the gateway for a request it refuses (not for a decline). */
export class GatewayError extends Error {
  constructor(
    readonly code: 'UNKNOWN_TRANSACTION' | 'NOT_REFUNDABLE' | 'INVALID_AMOUNT' | 'KEY_REUSED',
    message: string,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

/** The mock's decline reasons (contract §0.4) with their messages. */
export const FAILURE_CODES = {
  CARD_DECLINED: 'Card declined by the issuer',
  INSUFFICIENT_FUNDS: 'Insufficient funds',
  INVALID_CARD: 'Invalid card information',
  EXPIRED_CARD: 'Card has expired',
  NETWORK_ERROR: 'Network error while contacting the issuer',
  TIMEOUT: 'The issuer did not answer in time',
  LIMIT_EXCEEDED: 'Card limit exceeded',
} as const;
export type FailureCode = keyof typeof FAILURE_CODES;
const FAILURE_CODE_LIST = Object.keys(FAILURE_CODES) as FailureCode[];

type PgTransactionRow = Selectable<PgTransactionsTable>;
/** What a capture writes, and all a capture result is derived from. */
type LedgerEntry = Pick<
  PgTransactionRow,
  'transaction_id' | 'idempotency_key' | 'amount' | 'method' | 'status' | 'failure_code' | 'created_at'
>;

const TX_KEY = 'uk_pg_transactions_tx';
const IDEMPOTENCY_KEY = 'uk_pg_transactions_key';

/** `PG-` + 12 uppercase hex (contract §6). */
export const newTransactionId = () => `PG-${hex12()}`;
/** `RF-PG-` + 12 uppercase hex (contract §6). */
export const newRefundId = () => `RF-PG-${hex12()}`;
const hex12 = () => randomBytes(6).toString('hex').toUpperCase();

export interface MockGatewayOptions {
  /** Probability in [0, 1] that a capture is approved. */
  successRate: number;
  /** Simulated network latency of every call. */
  latencyMs: number;
}

/**
 * The mock payment gateway, with its ledger in MySQL (`pg_transactions`) so
 * lookups and refunds work after a restart and across instances. Idempotency
 * rests on the unique key of `idempotency_key`: the first insert decides the
 * outcome, every concurrent or later capture with that key reads it back.
 */
export class MockPaymentGateway implements PaymentGateway {
  constructor(
    private readonly db: Db,
    private readonly opts: MockGatewayOptions,
  ) {
    if (!(opts.successRate >= 0 && opts.successRate <= 1)) throw new Error('successRate must be in [0, 1]');
  }

  async capture(req: CaptureRequest): Promise<CaptureResult> {
    if (!Number.isSafeInteger(req.amount) || req.amount < 0) {
      throw new GatewayError('INVALID_AMOUNT', `invalid amount ${req.amount}`);
    }
    await this.latency();
    const approved =
      req.forceOutcome === 'approve' ? true : req.forceOutcome === 'decline' ? false : Math.random() < this.opts.successRate;
    const failureCode = approved ? null : FAILURE_CODE_LIST[Math.floor(Math.random() * FAILURE_CODE_LIST.length)];

    for (let attempt = 1; ; attempt++) {
      try {
        const row: LedgerEntry = {
          transaction_id: newTransactionId(),
          idempotency_key: req.idempotencyKey,
          amount: toDecimal(req.amount),
          method: req.method,
          status: approved ? 'APPROVED' : 'DECLINED',
          failure_code: failureCode,
          created_at: new Date(),
        };
        await this.db.insertInto('pg_transactions').values(row).execute();
        return resultOf(row);
      } catch (err) {
        if (isDuplicateKey(err, IDEMPOTENCY_KEY)) {
          const existing = await this.findByKey(req.idempotencyKey);
          if (!existing) throw err; // a ledger row is never deleted
          if (toMinor(existing.amount) !== req.amount) {
            throw new GatewayError('KEY_REUSED', 'idempotency key reused with a different amount');
          }
          return resultOf(existing);
        }
        if (isDuplicateKey(err, TX_KEY) && attempt < 5) continue; // a 48-bit id collided: draw again
        throw err;
      }
    }
  }

  async lookup(idempotencyKey: string): Promise<CaptureResult | null> {
    await this.latency();
    const row = await this.findByKey(idempotencyKey);
    return row ? resultOf(row) : null;
  }

  async refund(transactionId: string, amount: number): Promise<{ refundId: string }> {
    await this.latency();
    const row = await this.db
      .selectFrom('pg_transactions')
      .selectAll()
      .where('transaction_id', '=', transactionId)
      .executeTakeFirst();
    if (!row) throw new GatewayError('UNKNOWN_TRANSACTION', `unknown transaction ${transactionId}`);
    if (row.refund_id) return { refundId: row.refund_id };
    if (row.status !== 'APPROVED') throw new GatewayError('NOT_REFUNDABLE', `transaction ${transactionId} is ${row.status}`);
    if (!Number.isSafeInteger(amount) || amount < 0 || amount > toMinor(row.amount)) {
      throw new GatewayError('INVALID_AMOUNT', `cannot refund ${amount} of ${toMinor(row.amount)}`);
    }
    const refundId = newRefundId();
    await this.db
      .updateTable('pg_transactions')
      .set({ status: 'REFUNDED', refund_id: refundId, refunded_amount: toDecimal(amount) })
      .where('id', '=', row.id)
      .where('status', '=', 'APPROVED')
      .where('refund_id', 'is', null)
      .execute();
    // Whoever won a concurrent refund, the stored id is the answer for everybody.
    const after = await this.db
      .selectFrom('pg_transactions')
      .select('refund_id')
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    if (!after.refund_id) throw new GatewayError('NOT_REFUNDABLE', `transaction ${transactionId} was not refunded`);
    return { refundId: after.refund_id };
  }

  private findByKey(idempotencyKey: string): Promise<PgTransactionRow | undefined> {
    return this.db
      .selectFrom('pg_transactions')
      .selectAll()
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirst();
  }

  private async latency(): Promise<void> {
    if (this.opts.latencyMs > 0) await sleep(this.opts.latencyMs);
  }
}

/** The capture outcome a ledger row stands for; the same row always gives the same result (raw included). */
function resultOf(row: LedgerEntry): CaptureResult {
  const at = new Date(row.created_at).toISOString();
  const amount = toMinor(row.amount) / 100;
  if (row.status === 'DECLINED') {
    const failureCode = row.failure_code ?? 'CARD_DECLINED';
    const failureMessage = FAILURE_CODES[failureCode as FailureCode] ?? failureCode;
    return {
      approved: false,
      failureCode,
      failureMessage,
      raw: JSON.stringify({ result: 'DECLINED', failureCode, failureMessage, amount, method: row.method, requestedAt: at }),
    };
  }
  // APPROVED, or REFUNDED later: the capture itself was approved.
  return {
    approved: true,
    transactionId: row.transaction_id,
    raw: JSON.stringify({ result: 'APPROVED', transactionId: row.transaction_id, amount, method: row.method, approvedAt: at }),
  };
}
