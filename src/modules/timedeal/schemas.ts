import { type Static, Type } from '@sinclair/typebox';
import { PageQuery, PageSchema } from '../../platform/http/pagination';
import { DateTime, DateTimeInput, IdParam, Money, msg, Nullable, OptionalNullable, Ref, Text } from '../../platform/http/schema';
import { AddressRequest } from '../order/schemas';

export const TIMEDEAL_STATUSES = ['SCHEDULED', 'ACTIVE', 'ENDED', 'CANCELLED'] as const;
export type TimeDealStatus = (typeof TIMEDEAL_STATUSES)[number];

export const PURCHASE_STATUSES = ['PURCHASED', 'RETURNED'] as const;
export type PurchaseStatus = (typeof PURCHASE_STATUSES)[number];

const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
const MAX_PRICE = 1_000_000_000_000;
/** Quantities are INT columns; anything above a user's limit is refused by the script anyway. */
const MAX_QUANTITY = 1_000_000;

// ---- requests ------------------------------------------------------------------------

export const TimeDealPurchaseRequest = Type.Object(
  {
    /** `products[].id` of a time deal (time_deal_products.id). */
    timeDealProductId: msg(Id, { required: 'Product ID is required', minimum: 'Product ID must be positive' }),
    quantity: msg(Type.Integer({ minimum: 1, maximum: MAX_QUANTITY }), {
      required: 'Quantity is required',
      minimum: 'Quantity must be at least 1',
      maximum: `Quantity must be at most ${MAX_QUANTITY}`,
    }),
    /** Here: the deal order's shipping address (optional; the order can be paid without one). */
    shippingAddress: OptionalNullable(AddressRequest),
  },
  {
    additionalProperties: false,
    examples: [
      {
        timeDealProductId: 4,
        quantity: 1,
        shippingAddress: { receiverName: '홍길동', receiverPhone: '010-1234-5678', zipCode: '06236', address1: '서울특별시 강남구 테헤란로 123', address2: '4층' },
      },
    ],
  },
);
export type TimeDealPurchaseRequest = Static<typeof TimeDealPurchaseRequest>;

export const TimeDealProductRequest = Type.Object(
  {
    productId: msg(Id, { required: 'Product ID is required', minimum: 'Product ID must be positive' }),
    dealPrice: msg(Type.Number({ minimum: 0.01, maximum: MAX_PRICE }), {
      required: 'Deal price is required',
      minimum: 'Deal price must be greater than 0',
      maximum: 'Deal price is too large',
    }),
    dealQuantity: msg(Type.Integer({ minimum: 1, maximum: MAX_QUANTITY }), {
      required: 'Deal quantity is required',
      minimum: 'Deal quantity must be at least 1',
      maximum: `Deal quantity must be at most ${MAX_QUANTITY}`,
    }),
    maxPerUser: msg(Type.Integer({ minimum: 1, maximum: MAX_QUANTITY }), {
      required: 'Max per user is required',
      minimum: 'Max per user must be at least 1',
      maximum: `Max per user must be at most ${MAX_QUANTITY}`,
    }),
  },
  { additionalProperties: false },
);
export type TimeDealProductRequest = Static<typeof TimeDealProductRequest>;

export const TimeDealCreateRequest = Type.Object(
  {
    name: Text({
      label: 'Time deal name',
      maxLength: 100,
      required: 'Time deal name is required',
      maxMessage: 'Name must be less than 100 characters',
    }),
    description: OptionalNullable(
      Text({ label: 'Description', maxLength: 10_000, multiline: true, maxMessage: 'Description is too long' }),
    ),
    startsAt: DateTimeInput('Start time is required', 'Start time'),
    endsAt: DateTimeInput('End time is required', 'End time'),
    products: msg(Type.Array(TimeDealProductRequest, { minItems: 1, maxItems: 100 }), {
      required: 'At least one product is required',
      minItems: 'At least one product is required',
      maxItems: 'At most 100 products per time deal',
    }),
  },
  {
    additionalProperties: false,
    examples: [
      {
        name: '오늘의 타임딜',
        description: '오후 2시부터 2시간 한정',
        startsAt: '2026-01-20T05:00:00Z',
        endsAt: '2026-01-20T07:00:00Z',
        products: [{ productId: 42, dealPrice: 990000, dealQuantity: 100, maxPerUser: 1 }],
      },
    ],
  },
);
export type TimeDealCreateRequest = Static<typeof TimeDealCreateRequest>;

export const TimeDealParams = IdParam('timeDealId');
export const TimeDealListQuery = Type.Object(PageQuery(10));

// ---- responses ------------------------------------------------------------------------

export const TimeDealProductResponse = Type.Object({
  id: Type.Integer(),
  productId: Type.Integer(),
  productName: Type.String(),
  originalPrice: Money,
  dealPrice: Money,
  /** Percent off, from the fraction rounded to 2 decimals first: 40, never 40.08. */
  discountRate: Type.Number(),
  dealQuantity: Type.Integer(),
  soldQuantity: Type.Integer(),
  remainingQuantity: Type.Integer(),
  maxPerUser: Type.Integer(),
  available: Type.Boolean(),
}, { $id: 'TimeDealProduct' });
export type TimeDealProductResponse = Static<typeof TimeDealProductResponse>;

export const TimeDealResponse = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Nullable(Type.String()),
  status: Type.String(),
  startsAt: DateTime,
  endsAt: DateTime,
  products: Type.Array(Ref(TimeDealProductResponse)),
  createdAt: DateTime,
}, {
  $id: 'TimeDeal',
  examples: [
    {
      id: 2,
      name: '오늘의 타임딜',
      description: '오후 2시부터 2시간 한정',
      status: 'ACTIVE',
      startsAt: '2026-01-20T05:00:00.000Z',
      endsAt: '2026-01-20T07:00:00.000Z',
      products: [
        {
          id: 4,
          productId: 42,
          productName: '아이폰 15 프로',
          originalPrice: 1550000,
          dealPrice: 990000,
          discountRate: 36.13,
          dealQuantity: 100,
          soldQuantity: 37,
          remainingQuantity: 63,
          maxPerUser: 1,
          available: true,
        },
      ],
      createdAt: '2026-01-19T08:00:00.000Z',
    },
  ],
});
export type TimeDealResponse = Static<typeof TimeDealResponse>;

export const TimeDealPurchaseResponse = Type.Object({
  id: Type.Integer(),
  timeDealProductId: Type.Integer(),
  productName: Type.String(),
  quantity: Type.Integer(),
  purchasePrice: Money,
  totalPrice: Money,
  purchasedAt: DateTime,
  /** Here: the PENDING order the purchase created, payable through `POST /payments`. */
  orderNumber: Nullable(Type.String()),
  /** Here: PURCHASED, or RETURNED once its unpaid order was cancelled or expired while the deal ran. */
  status: Type.String(),
  /** Here: the order's `paymentDueAt` (pay before it, or the order is cancelled); null once it is paid or cancelled. */
  paymentDueAt: Type.Union([DateTime, Type.Null()]),
}, {
  $id: 'TimeDealPurchase',
  examples: [
    {
      id: 77,
      timeDealProductId: 4,
      productName: '아이폰 15 프로',
      quantity: 1,
      purchasePrice: 990000,
      totalPrice: 990000,
      purchasedAt: '2026-01-20T05:00:03.000Z',
      orderNumber: 'ORD-20260120-3F9A0C1B',
      status: 'PURCHASED',
      paymentDueAt: '2026-01-20T05:15:03.000Z',
    },
  ],
});
export type TimeDealPurchaseResponse = Static<typeof TimeDealPurchaseResponse>;

export const TimeDealPage = PageSchema(TimeDealResponse);

/** The shared schemas this module names in the OpenAPI document (the app registers them). */
export const timeDealSchemas = [TimeDealProductResponse, TimeDealResponse, TimeDealPurchaseResponse, TimeDealPage];
