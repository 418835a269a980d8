import { type Static, Type } from '@sinclair/typebox';
import { CodeParam, DateTime, msg, Nullable, OptionalNullable, Ref, Text } from '../../platform/http/schema';

export const DELIVERY_STATUSES = ['PREPARING', 'SHIPPED', 'IN_TRANSIT', 'DELIVERED', 'RETURNED', 'CANCELLED'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Contract §3.2 statusDescription values. */
export const DELIVERY_STATUS_DESCRIPTIONS: Record<DeliveryStatus, string> = {
  PREPARING: '준비 중',
  SHIPPED: '발송됨',
  IN_TRANSIT: '배송 중',
  DELIVERED: '배송 완료',
  RETURNED: '반품',
  CANCELLED: '취소됨',
};

/** Contract §0.2: the only moves a delivery may make (anything else, the same status included, is S506). */
export const DELIVERY_TRANSITIONS: Record<DeliveryStatus, readonly DeliveryStatus[]> = {
  PREPARING: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['IN_TRANSIT'],
  IN_TRANSIT: ['DELIVERED', 'RETURNED'],
  DELIVERED: ['RETURNED'],
  RETURNED: [],
  CANCELLED: [],
};

export function isDeliveryStatus(value: string): value is DeliveryStatus {
  return (DELIVERY_STATUSES as readonly string[]).includes(value);
}

/** The one carrier of the original service. */
export const DEFAULT_CARRIER = '기본택배';

// ---- requests ---------------------------------------------------------------------

export const UpdateDeliveryStatusRequest = Type.Object(
  {
    status: msg(Type.Unsafe<DeliveryStatus>({ type: 'string', enum: [...DELIVERY_STATUSES] }), {
      required: 'Status is required',
      enum: `Status must be one of ${DELIVERY_STATUSES.join(', ')}`,
    }),
    location: OptionalNullable(Text({ label: 'Location', maxLength: 255 })),
    description: OptionalNullable(Text({ label: 'Description', maxLength: 500, multiline: true })),
  },
  { additionalProperties: false, examples: [{ status: 'SHIPPED', location: '서울 강남 물류센터', description: '집하 완료' }] },
);
export type UpdateDeliveryStatusRequest = Static<typeof UpdateDeliveryStatusRequest>;

export const TrackingNumberParams = Type.Object({ trackingNumber: CodeParam('Tracking number') });
export const OrderNumberParams = Type.Object({ orderNumber: CodeParam('Order number') });

// ---- responses --------------------------------------------------------------------

/** The shipping address every example shows (deliveries and orders). */
export const ADDRESS_EXAMPLE = {
  receiverName: '홍길동',
  receiverPhone: '010-1234-5678',
  zipCode: '06236',
  address1: '서울특별시 강남구 테헤란로 123',
  address2: '4층',
  fullAddress: '[06236] 서울특별시 강남구 테헤란로 123 4층',
};

/** Contract §3.2 AddressResponse (shared with orders). */
export const AddressResponse = Type.Object({
  receiverName: Type.String(),
  receiverPhone: Type.String(),
  zipCode: Type.String(),
  address1: Type.String(),
  address2: Nullable(Type.String()),
  fullAddress: Type.String(),
}, {
  $id: 'Address',
  examples: [
    ADDRESS_EXAMPLE,
  ],
});
export type AddressResponse = Static<typeof AddressResponse>;

/** The address columns `orders` and `deliveries` both have, under the same names. */
export interface AddressColumns {
  receiver_name: string | null;
  receiver_phone: string | null;
  zip_code: string | null;
  address1: string | null;
  address2: string | null;
}

/**
 * The AddressResponse of a row with the address columns; null when the row has
 * no address at all. `fullAddress` is `"[zip] address1 address2"`, trimmed,
 * with missing (null or blank) parts skipped.
 */
export function toAddressResponse(row: AddressColumns): AddressResponse | null {
  if (row.receiver_name === null && row.receiver_phone === null && row.zip_code === null && row.address1 === null) {
    return null;
  }
  const parts = [row.zip_code ? `[${row.zip_code}]` : null, row.address1, row.address2]
    .map((p) => p?.trim())
    .filter((p): p is string => !!p);
  return {
    receiverName: row.receiver_name ?? '',
    receiverPhone: row.receiver_phone ?? '',
    zipCode: row.zip_code ?? '',
    address1: row.address1 ?? '',
    address2: row.address2,
    fullAddress: parts.join(' '),
  };
}

/** A calendar day on the wire: 'YYYY-MM-DD'. */
const LocalDate = Type.Unsafe<string>({ type: 'string', format: 'date' });

export const DeliveryHistoryResponse = Type.Object({
  id: Type.Integer(),
  status: Type.String(),
  statusDescription: Type.String(),
  location: Nullable(Type.String()),
  description: Nullable(Type.String()),
  createdAt: DateTime,
}, { $id: 'DeliveryHistory' });
export type DeliveryHistoryResponse = Static<typeof DeliveryHistoryResponse>;

export const DeliveryResponse = Type.Object({
  id: Type.Integer(),
  trackingNumber: Type.String(),
  orderNumber: Type.String(),
  status: Type.String(),
  statusDescription: Type.String(),
  carrier: Type.String(),
  shippingAddress: Type.Union([Ref(AddressResponse), Type.Null()]),
  estimatedDeliveryDate: Nullable(LocalDate),
  actualDeliveryDate: Nullable(LocalDate),
  histories: Type.Array(Ref(DeliveryHistoryResponse)),
  createdAt: DateTime,
  updatedAt: DateTime,
}, {
  $id: 'Delivery',
  examples: [
    {
      id: 5,
      trackingNumber: 'TRK-0A1B2C3D4E5F',
      orderNumber: 'ORD-20260120-3F9A0C1B',
      status: 'SHIPPED',
      statusDescription: '발송됨',
      carrier: '기본택배',
      shippingAddress: ADDRESS_EXAMPLE,
      estimatedDeliveryDate: '2026-01-23',
      actualDeliveryDate: null,
      histories: [
        { id: 9, status: 'PREPARING', statusDescription: '준비 중', location: null, description: null, createdAt: '2026-01-20T09:31:00.000Z' },
        { id: 10, status: 'SHIPPED', statusDescription: '발송됨', location: '서울 강남 물류센터', description: '집하 완료', createdAt: '2026-01-21T02:00:00.000Z' },
      ],
      createdAt: '2026-01-20T09:31:00.000Z',
      updatedAt: '2026-01-21T02:00:00.000Z',
    },
  ],
});
export type DeliveryResponse = Static<typeof DeliveryResponse>;

/** The shared schemas this module names in the OpenAPI document (the app registers them). */
export const deliverySchemas = [AddressResponse, DeliveryHistoryResponse, DeliveryResponse];

// ---- for other modules --------------------------------------------------------------

/** What the saga hands over when it creates a delivery. */
export interface DeliveryOrder {
  id: number;
  orderNumber: string;
  userId: string;
  address: { receiverName: string; receiverPhone: string; zipCode: string; address1: string; address2: string | null };
}

/** One status change, as the listener sees it. */
export interface DeliveryStatusChange {
  deliveryId: number;
  orderId: number;
  orderNumber: string;
  userId: string;
  trackingNumber: string;
  from: DeliveryStatus;
  to: DeliveryStatus;
}
