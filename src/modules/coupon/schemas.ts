import { type Static, Type } from '@sinclair/typebox';
import { PageQuery, PageSchema } from '../../platform/http/pagination';
import { DateTime, DateTimeInput, IdParam, Money, msg, OptionalNullable, Text } from '../../platform/http/schema';

export const DISCOUNT_TYPES = ['FIXED', 'PERCENTAGE'] as const;
export type DiscountType = (typeof DISCOUNT_TYPES)[number];

/** ACTIVE → EXHAUSTED when every unit is issued (and back when one returns), → EXPIRED after `expiresAt`, admin → INACTIVE. */
export const COUPON_STATUSES = ['ACTIVE', 'EXHAUSTED', 'EXPIRED', 'INACTIVE'] as const;
export type CouponStatus = (typeof COUPON_STATUSES)[number];

/** AVAILABLE → USED by one order (row-locked); USED → AVAILABLE when that order is undone. */
export const USER_COUPON_STATUSES = ['AVAILABLE', 'USED', 'EXPIRED'] as const;
export type UserCouponStatus = (typeof USER_COUPON_STATUSES)[number];

/** DECIMAL(12,2): the largest whole amount a money column holds. */
export const MAX_AMOUNT = 9_999_999_999;
export const MAX_TOTAL_QUANTITY = 10_000_000;

const amount = (label: string) =>
  OptionalNullable(
    msg(Type.Number({ minimum: 0, maximum: MAX_AMOUNT }), {
      minimum: `${label} must be non-negative`,
      maximum: `${label} must be at most ${MAX_AMOUNT}`,
    }),
  );

/** The coupon the request's and the answer's examples describe. */
const WELCOME_COUPON = {
  code: 'WELCOME_5000',
  name: '신규 가입 5,000원 할인',
  description: '3만원 이상 주문 시 사용',
  discountType: 'FIXED',
  discountValue: 5000,
  minimumOrderAmount: 30000,
  maximumDiscountAmount: null,
  totalQuantity: 1000,
};

/** The coupon create request, with the validation messages clients already show. */
export const CouponCreateRequest = Type.Object(
  {
    code: Text({
      label: 'Coupon code',
      maxLength: 50,
      required: 'Coupon code is required',
      maxMessage: 'Coupon code must be less than 50 characters',
    }),
    name: Text({
      label: 'Coupon name',
      maxLength: 100,
      required: 'Coupon name is required',
      maxMessage: 'Coupon name must be less than 100 characters',
    }),
    description: OptionalNullable(Text({ label: 'Description', maxLength: 2000, multiline: true })),
    discountType: msg(Type.String({ enum: [...DISCOUNT_TYPES] }), {
      required: 'Discount type is required',
      enum: 'Discount type must be FIXED or PERCENTAGE',
    }),
    discountValue: msg(Type.Number({ minimum: 0.01, maximum: MAX_AMOUNT }), {
      required: 'Discount value is required',
      minimum: 'Discount value must be greater than 0',
      maximum: `Discount value must be at most ${MAX_AMOUNT}`,
    }),
    minimumOrderAmount: amount('Minimum order amount'),
    maximumDiscountAmount: amount('Maximum discount amount'),
    totalQuantity: msg(Type.Integer({ minimum: 1, maximum: MAX_TOTAL_QUANTITY }), {
      required: 'Total quantity is required',
      minimum: 'Total quantity must be at least 1',
      maximum: `Total quantity must be at most ${MAX_TOTAL_QUANTITY}`,
    }),
    startsAt: DateTimeInput('Start date is required', 'Start date'),
    expiresAt: DateTimeInput('Expiry date is required', 'Expiry date'),
  },
  {
    additionalProperties: false,
    examples: [
      {
        ...WELCOME_COUPON,
        startsAt: '2026-01-20T00:00:00',
        expiresAt: '2026-02-20T00:00:00',
      },
    ],
  },
);
export type CouponCreateRequest = Static<typeof CouponCreateRequest>;

/** What `CouponService.create` takes: the request, typed (tests and `scripts/seed.ts` call it directly). */
export interface CouponInput {
  code: string;
  name: string;
  description?: string | null;
  discountType: DiscountType | string;
  /** Whole won (or percent for PERCENTAGE); up to 2 decimals. */
  discountValue: number;
  minimumOrderAmount?: number | null;
  maximumDiscountAmount?: number | null;
  totalQuantity: number;
  /** A Date, or an input string as the HTTP route accepts it. */
  startsAt: Date | string;
  expiresAt: Date | string;
}

const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableMoney = Type.Union([Money, Type.Null()]);

/** A coupon as the API shows it, fields in the order clients expect. */
export const CouponResponse = Type.Object({
  id: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  description: NullableString,
  discountType: Type.String(),
  discountValue: Money,
  minimumOrderAmount: NullableMoney,
  maximumDiscountAmount: NullableMoney,
  totalQuantity: Type.Integer(),
  issuedQuantity: Type.Integer(),
  remainingQuantity: Type.Integer(),
  status: Type.String(),
  startsAt: DateTime,
  expiresAt: DateTime,
  createdAt: DateTime,
}, {
  $id: 'Coupon',
  examples: [
    {
      id: 9,
      ...WELCOME_COUPON,
      issuedQuantity: 250,
      remainingQuantity: 750,
      status: 'ACTIVE',
      startsAt: '2026-01-20T00:00:00.000Z',
      expiresAt: '2026-02-20T00:00:00.000Z',
      createdAt: '2026-01-19T08:00:00.000Z',
    },
  ],
});
export type CouponResponse = Static<typeof CouponResponse>;

/** A user's coupon as the API shows it; `usedOrderId` is the order's database id. */
export const UserCouponResponse = Type.Object({
  id: Type.Integer(),
  couponId: Type.Integer(),
  couponCode: Type.String(),
  couponName: Type.String(),
  discountType: Type.String(),
  discountValue: Money,
  minimumOrderAmount: NullableMoney,
  maximumDiscountAmount: NullableMoney,
  status: Type.String(),
  issuedAt: DateTime,
  expiresAt: DateTime,
  usedAt: Type.Union([DateTime, Type.Null()]),
  usedOrderId: Type.Union([Type.Integer(), Type.Null()]),
}, {
  $id: 'UserCoupon',
  examples: [
    {
      id: 31,
      couponId: 9,
      couponCode: 'WELCOME_5000',
      couponName: '신규 가입 5,000원 할인',
      discountType: 'FIXED',
      discountValue: 5000,
      minimumOrderAmount: 30000,
      maximumDiscountAmount: null,
      status: 'AVAILABLE',
      issuedAt: '2026-01-20T09:00:00.000Z',
      expiresAt: '2026-02-20T00:00:00.000Z',
      usedAt: null,
      usedOrderId: null,
    },
  ],
});
export type UserCouponResponse = Static<typeof UserCouponResponse>;

export const CouponIdParams = IdParam('couponId');
export const AdminCouponIdParams = IdParam('id');
export const AdminCouponListQuery = Type.Object(PageQuery(10));

export const CouponPage = PageSchema(CouponResponse);

/** The shared schemas this module names in the OpenAPI document (the app registers them). */
export const couponSchemas = [CouponResponse, UserCouponResponse, CouponPage];

/** The `shopping.coupon.issued` event's payload. */
export interface CouponIssuedPayload extends Record<string, unknown> {
  userId: string;
  couponCode: string;
  couponName: string;
  discountType: string;
  /** Whole won, truncated (consumers read an integer). */
  discountValue: number;
  expiresAt: string;
  couponId: number;
}
