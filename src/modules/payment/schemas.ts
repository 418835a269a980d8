import { type Static, Type } from '@sinclair/typebox';
import { CodeParam, DateTime, Money, msg, Nullable, OptionalNullable, Text } from '../../platform/http/schema';

// ---- statuses and methods -----------------------------------------------------------

export const PAYMENT_STATUSES = ['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED', 'REFUNDED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** Contract §3.2 statusDescription values (Payment). */
export const PAYMENT_STATUS_DESCRIPTIONS: Record<PaymentStatus, string> = {
  PENDING: '대기 중',
  PROCESSING: '처리 중',
  COMPLETED: '완료',
  FAILED: '실패',
  CANCELLED: '취소',
  REFUNDED: '환불',
};

/** The original five (contract §3.1) plus the three §0 adds. */
export const PAYMENT_METHODS = [
  'CARD',
  'BANK_TRANSFER',
  'VIRTUAL_ACCOUNT',
  'MOBILE',
  'POINTS',
  'CREDIT_CARD',
  'KAKAO_PAY',
  'NAVER_PAY',
] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** Contract §3.2 statusDescription values (Payment method), plus the three §0 adds. */
export const PAYMENT_METHOD_DESCRIPTIONS: Record<PaymentMethod, string> = {
  CARD: '카드',
  BANK_TRANSFER: '계좌이체',
  VIRTUAL_ACCOUNT: '가상계좌',
  MOBILE: '휴대폰',
  POINTS: '포인트',
  CREDIT_CARD: '신용카드',
  KAKAO_PAY: '카카오페이',
  NAVER_PAY: '네이버페이',
};

export function isPaymentMethod(value: string): value is PaymentMethod {
  return (PAYMENT_METHODS as readonly string[]).includes(value);
}

export function isPaymentStatus(value: string): value is PaymentStatus {
  return (PAYMENT_STATUSES as readonly string[]).includes(value);
}

// ---- requests -----------------------------------------------------------------------

const METHOD_MESSAGE = `Payment method must be one of ${PAYMENT_METHODS.join(', ')}`;

/** Card fields are accepted and ignored; `writeOnly` keeps them out of error details (never echoed). */
const IgnoredCardField = OptionalNullable(Type.String({ writeOnly: true, maxLength: 100 }));

/**
 * Contract §3.1 ProcessPaymentRequest. The amount is not in the request: it is
 * the order's `finalAmount`. A bad `paymentMethod` is 400 C002 with a detail on
 * `paymentMethod` (the original answered "Invalid request body format").
 */
export const ProcessPaymentRequest = Type.Object(
  {
    orderNumber: Text({ label: 'Order number', maxLength: 30, required: 'Order number is required' }),
    paymentMethod: msg(Type.Unsafe<PaymentMethod>({ type: 'string', enum: [...PAYMENT_METHODS] }), {
      required: 'Payment method is required',
      type: METHOD_MESSAGE,
      enum: METHOD_MESSAGE,
    }),
    cardNumber: IgnoredCardField,
    cardExpiry: IgnoredCardField,
    cardCvv: IgnoredCardField,
  },
  { additionalProperties: false, examples: [{ orderNumber: 'ORD-20260120-3F9A0C1B', paymentMethod: 'CARD' }] },
);
export type ProcessPaymentRequest = Static<typeof ProcessPaymentRequest>;

export const PaymentNumberParams = Type.Object({ paymentNumber: CodeParam('Payment number') });
export type PaymentNumberParams = Static<typeof PaymentNumberParams>;

// ---- responses ----------------------------------------------------------------------

/** Contract §3.2 PaymentResponse, in its field order; every field present, null allowed. */
export const PaymentResponse = Type.Object({
  id: Type.Integer(),
  paymentNumber: Type.String(),
  orderNumber: Type.String(),
  userId: Type.String(),
  amount: Money,
  status: Type.String(),
  statusDescription: Type.String(),
  paymentMethod: Type.String(),
  paymentMethodDescription: Type.String(),
  pgTransactionId: Nullable(Type.String()),
  failureReason: Nullable(Type.String()),
  paidAt: Nullable(DateTime),
  refundedAt: Nullable(DateTime),
  createdAt: DateTime,
  updatedAt: DateTime,
}, {
  $id: 'Payment',
  examples: [
    {
      id: 3,
      paymentNumber: 'PAY-7C2E91AA',
      orderNumber: 'ORD-20260120-3F9A0C1B',
      userId: '00000000-0000-0000-0000-000000000001',
      amount: 2900000,
      status: 'COMPLETED',
      statusDescription: '완료',
      paymentMethod: 'CARD',
      paymentMethodDescription: '카드',
      pgTransactionId: 'PG-ABCDEF012345',
      failureReason: null,
      paidAt: '2026-01-20T09:31:00.000Z',
      refundedAt: null,
      createdAt: '2026-01-20T09:31:00.000Z',
      updatedAt: '2026-01-20T09:31:00.000Z',
    },
  ],
});
export type PaymentResponse = Static<typeof PaymentResponse>;

/** The shared schemas this module names in the OpenAPI document (the app registers them). */
export const paymentSchemas = [PaymentResponse];

// ---- for other modules (the saga) ---------------------------------------------------

/** A payment row as the service hands it out: amounts in integer minor units. */
export interface PaymentRecord {
  id: number;
  paymentNumber: string;
  orderId: number;
  orderNumber: string;
  userId: string;
  /** Minor units (1/100 won). */
  amount: number;
  status: PaymentStatus;
  paymentMethod: PaymentMethod;
  /** The idempotency key the gateway knows this payment by. */
  gatewayKey: string;
  pgTransactionId: string | null;
  pgResponse: string | null;
  failureReason: string | null;
  paidAt: Date | null;
  refundedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What `begin` needs of the order (the caller holds its row lock). */
export interface PayableOrder {
  id: number;
  orderNumber: string;
  userId: string;
  /** Minor units: the order's final amount. */
  amount: number;
}
