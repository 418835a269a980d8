import { type Static, Type } from '@sinclair/typebox';
import { CodeParam, DateTime, Money, msg, Nullable, OptionalNullable, Ref, Text } from '../../platform/http/schema';
import { PageQuery, PageSchema } from '../../platform/http/pagination';
import { ADDRESS_EXAMPLE, AddressResponse, DeliveryResponse } from '../delivery/schemas';
import { PaymentResponse } from '../payment/schemas';

export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'PAID', 'SHIPPING', 'DELIVERED', 'CANCELLED', 'REFUNDED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ORDER_STATUS_DESCRIPTIONS: Record<OrderStatus, string> = {
  PENDING: '대기 중',
  CONFIRMED: '확정됨',
  PAID: '결제 완료',
  SHIPPING: '배송 중',
  DELIVERED: '배송 완료',
  CANCELLED: '취소됨',
  REFUNDED: '환불됨',
};

/** The saga's steps, in order (contract §0.2). */
export const SAGA_STEPS = ['RESERVE_INVENTORY', 'PROCESS_PAYMENT', 'DEDUCT_INVENTORY', 'CREATE_DELIVERY', 'CONFIRM_ORDER'] as const;
export type SagaStep = (typeof SAGA_STEPS)[number];
export type SagaStatus = 'STARTED' | 'COMPENSATING' | 'COMPLETED' | 'FAILED' | 'COMPENSATION_FAILED';

const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

export const AddressRequest = msg(
  Type.Object(
    {
      receiverName: Text({ label: 'Receiver name', maxLength: 100, required: 'Receiver name is required' }),
      receiverPhone: Text({ label: 'Receiver phone', maxLength: 20, required: 'Receiver phone is required' }),
      zipCode: Text({ label: 'Zip code', maxLength: 10, required: 'Zip code is required' }),
      address1: Text({ label: 'Address', maxLength: 255, required: 'Address is required' }),
      address2: OptionalNullable(Text({ label: 'Detail address', maxLength: 255 })),
    },
    { additionalProperties: false },
  ),
  { required: 'Shipping address is required' },
);
export type AddressRequest = Static<typeof AddressRequest>;

export const CreateOrderRequest = Type.Object(
  {
    cartId: OptionalNullable(Id),
    shippingAddress: AddressRequest,
    userCouponId: OptionalNullable(Id),
  },
  { additionalProperties: false, examples: [{ cartId: 7, shippingAddress: { receiverName: '홍길동', receiverPhone: '010-1234-5678', zipCode: '06236', address1: '서울특별시 강남구 테헤란로 123', address2: '4층' }, userCouponId: null }] },
);
export type CreateOrderRequest = Static<typeof CreateOrderRequest>;

export const CancelOrderRequest = Type.Object(
  { reason: Text({ label: 'Cancel reason', maxLength: 500, required: 'Cancel reason is required', multiline: true }) },
  { additionalProperties: false, examples: [{ reason: '단순 변심' }] },
);
export type CancelOrderRequest = Static<typeof CancelOrderRequest>;

export const OrderNumberParams = Type.Object({ orderNumber: CodeParam('Order number') });

export const OrderListQuery = Type.Object(PageQuery(10));

export const AdminOrderQuery = Type.Object({
  ...PageQuery(20),
  status: Type.Optional(msg(Type.String({ enum: [...ORDER_STATUSES] }), { enum: `status must be one of ${ORDER_STATUSES.join(', ')}` })),
  keyword: Type.Optional(Text({ label: 'Keyword', maxLength: 100 })),
  /** One user's orders (exact id); combines with `status` and `keyword`. */
  userId: Type.Optional(Text({ label: 'userId', maxLength: 100 })),
});

export const AdminOrderStatusRequest = Type.Object(
  {
    status: msg(Type.String({ enum: [...ORDER_STATUSES] }), {
      required: 'Status is required',
      enum: `status must be one of ${ORDER_STATUSES.join(', ')}`,
    }),
  },
  { additionalProperties: false, examples: [{ status: 'SHIPPING' }] },
);

export const OrderItemResponse = Type.Object({
  id: Type.Integer(),
  productId: Type.Integer(),
  productName: Type.String(),
  price: Money,
  quantity: Type.Integer(),
  subtotal: Money,
}, { $id: 'OrderItem' });

export const OrderResponse = Type.Object({
  id: Type.Integer(),
  orderNumber: Type.String(),
  userId: Type.String(),
  status: Type.String(),
  statusDescription: Type.String(),
  items: Type.Array(Ref(OrderItemResponse)),
  itemCount: Type.Integer(),
  totalQuantity: Type.Integer(),
  totalAmount: Money,
  discountAmount: Money,
  finalAmount: Money,
  appliedUserCouponId: Nullable(Type.Integer()),
  shippingAddress: Type.Union([Ref(AddressResponse), Type.Null()]),
  cancelReason: Nullable(Type.String()),
  cancelledAt: Type.Union([DateTime, Type.Null()]),
  createdAt: DateTime,
  updatedAt: DateTime,
  /**
   * Here: when a PENDING order is cancelled unless paid (creation + the unpaid-order timeout);
   * null for every other status.
   */
  paymentDueAt: Type.Union([DateTime, Type.Null()]),
}, {
  $id: 'Order',
  examples: [
    {
      id: 12,
      orderNumber: 'ORD-20260120-3F9A0C1B',
      userId: '00000000-0000-0000-0000-000000000001',
      status: 'PENDING',
      statusDescription: '대기 중',
      items: [{ id: 21, productId: 42, productName: '아이폰 15 프로', price: 1450000, quantity: 2, subtotal: 2900000 }],
      itemCount: 1,
      totalQuantity: 2,
      totalAmount: 2900000,
      discountAmount: 0,
      finalAmount: 2900000,
      appliedUserCouponId: null,
      shippingAddress: ADDRESS_EXAMPLE,
      cancelReason: null,
      cancelledAt: null,
      createdAt: '2026-01-20T09:30:00.000Z',
      updatedAt: '2026-01-20T09:30:00.000Z',
      paymentDueAt: '2026-01-20T09:45:00.000Z',
    },
  ],
});
export type OrderResponse = Static<typeof OrderResponse>;

/** `ORDER_PAYMENT_TIMEOUT_S` when nothing else is said (readers built outside the app's wiring). */
export const DEFAULT_PAYMENT_TIMEOUT_SECONDS = 900;

/**
 * The payment deadline of an order: only a PENDING order has one, its creation
 * plus the timeout after which the unpaid-order job cancels it.
 */
export function paymentDueAt(order: { status: string; created_at: Date }, paymentTimeoutSeconds: number): Date | null {
  return order.status === 'PENDING' ? new Date(order.created_at.getTime() + paymentTimeoutSeconds * 1000) : null;
}

/** An order's saga as it stands: its step, what it completed, and how an undo went. */
export const SagaStateResponse = Type.Object({
  sagaId: Type.String(),
  status: Type.Unsafe<SagaStatus>({ type: 'string', enum: ['STARTED', 'COMPENSATING', 'COMPLETED', 'FAILED', 'COMPENSATION_FAILED'] }),
  currentStep: Type.String(),
  /** The steps done, in order (of RESERVE_INVENTORY, PROCESS_PAYMENT, DEDUCT_INVENTORY, CREATE_DELIVERY, CONFIRM_ORDER). */
  completedSteps: Type.Array(Type.String()),
  lastErrorMessage: Nullable(Type.String()),
  compensationAttempts: Type.Integer(),
  startedAt: DateTime,
  updatedAt: DateTime,
  completedAt: Type.Union([DateTime, Type.Null()]),
}, {
  $id: 'SagaState',
  examples: [
    {
      sagaId: 'SAGA-3F9A0C1B',
      status: 'STARTED',
      currentStep: 'PROCESS_PAYMENT',
      completedSteps: ['RESERVE_INVENTORY'],
      lastErrorMessage: null,
      compensationAttempts: 0,
      startedAt: '2026-01-20T09:30:00.000Z',
      updatedAt: '2026-01-20T09:30:00.000Z',
      completedAt: null,
    },
  ],
});
export type SagaStateResponse = Static<typeof SagaStateResponse>;

/** `GET /admin/orders/{orderNumber}/detail`: the order with its saga, its payments (oldest first) and its delivery. */
export const AdminOrderDetailResponse = Type.Object({
  order: Ref(OrderResponse),
  saga: Type.Union([Ref(SagaStateResponse), Type.Null()]),
  payments: Type.Array(Ref(PaymentResponse)),
  delivery: Type.Union([Ref(DeliveryResponse), Type.Null()]),
}, {
  $id: 'AdminOrderDetail',
  examples: [
    {
      order: OrderResponse.examples[0],
      saga: SagaStateResponse.examples[0],
      payments: PaymentResponse.examples ?? [],
      delivery: null,
    },
  ],
});
export type AdminOrderDetailResponse = Static<typeof AdminOrderDetailResponse>;

export const OrderPage = PageSchema(OrderResponse);

/** The shared schemas this module names in the OpenAPI document (the app registers them). */
export const orderSchemas = [OrderItemResponse, OrderResponse, OrderPage, SagaStateResponse, AdminOrderDetailResponse];

/** An order line as the saga moves stock for it. */
export interface OrderLine {
  productId: number;
  productName: string;
  /** Minor units. */
  price: number;
  quantity: number;
}
