import { type Static, Type } from '@sinclair/typebox';
import { PageSchema } from '../../platform/http/pagination';
import { DateTime, msg, OptionalNullable, Text } from '../../platform/http/schema';

export const MOVEMENT_TYPES = [
  'INITIAL',
  'INBOUND',
  'ADJUSTMENT',
  'RESERVE',
  'RELEASE',
  'DEDUCT',
  'RETURN',
  'DEAL_ALLOCATION',
  'DEAL_RELEASE',
] as const;
export type MovementType = (typeof MOVEMENT_TYPES)[number];

/** One product line of a batch operation. */
export interface StockLine {
  productId: number;
  quantity: number;
}

/** What a movement is for: the saga passes `{ type: 'ORDER', id: orderNumber }`. */
export interface StockReference {
  type: string;
  id: string;
}

export const InventoryResponse = Type.Object({
  id: Type.Integer(),
  productId: Type.Integer(),
  availableQuantity: Type.Integer(),
  reservedQuantity: Type.Integer(),
  totalQuantity: Type.Integer(),
  createdAt: DateTime,
  updatedAt: DateTime,
}, {
  $id: 'Inventory',
  examples: [
    {
      id: 42,
      productId: 42,
      availableQuantity: 118,
      reservedQuantity: 2,
      totalQuantity: 120,
      createdAt: '2026-01-20T09:00:00.000Z',
      updatedAt: '2026-01-20T09:30:00.000Z',
    },
  ],
});
export type InventoryResponse = Static<typeof InventoryResponse>;

export const StockMovementResponse = Type.Object({
  id: Type.Integer(),
  inventoryId: Type.Integer(),
  productId: Type.Integer(),
  movementType: Type.String(),
  quantity: Type.Integer(),
  previousAvailable: Type.Integer(),
  afterAvailable: Type.Integer(),
  previousReserved: Type.Integer(),
  afterReserved: Type.Integer(),
  referenceType: Type.Union([Type.String(), Type.Null()]),
  referenceId: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  performedBy: Type.Union([Type.String(), Type.Null()]),
  createdAt: DateTime,
}, {
  $id: 'StockMovement',
  examples: [
    {
      id: 301,
      inventoryId: 42,
      productId: 42,
      movementType: 'INBOUND',
      quantity: 50,
      previousAvailable: 68,
      afterAvailable: 118,
      previousReserved: 2,
      afterReserved: 2,
      referenceType: null,
      referenceId: null,
      reason: '정기 입고',
      performedBy: '00000000-0000-0000-0000-0000000000ad',
      createdAt: '2026-01-20T09:30:00.000Z',
    },
  ],
});
export type StockMovementResponse = Static<typeof StockMovementResponse>;

const ProductIdList = msg(
  Type.Array(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }), { minItems: 1, maxItems: 1000 }),
  {
    required: '상품 ID 목록은 필수입니다',
    minItems: '상품 ID 목록은 필수입니다',
    maxItems: 'At most 1000 product ids per request',
  },
);

export const InventoryBatchRequest = Type.Object({ productIds: ProductIdList }, { additionalProperties: false, examples: [{ productIds: [42, 43] }] });
export type InventoryBatchRequest = Static<typeof InventoryBatchRequest>;

export const StreamQuery = Type.Object({
  productIds: msg(Type.Array(Type.String({ pattern: '^\\s*\\d+(\\s*,\\s*\\d+)*\\s*$' }), { minItems: 1 }), {
    required: 'productIds is required',
    minItems: 'productIds is required',
    pattern: 'productIds must be comma-separated product ids',
  }),
});

const Reason = OptionalNullable(Text({ label: 'Reason', maxLength: 500, multiline: true }));

export const InboundRequest = Type.Object(
  {
    quantity: msg(Type.Integer({ minimum: 1, maximum: 1_000_000 }), {
      required: 'Quantity is required',
      minimum: 'Quantity must be at least 1',
      maximum: 'Quantity must be at most 1000000',
    }),
    reason: Reason,
  },
  { additionalProperties: false, examples: [{ quantity: 50, reason: '정기 입고' }] },
);
export type InboundRequest = Static<typeof InboundRequest>;

export const AdjustRequest = Type.Object(
  {
    availableQuantity: msg(Type.Integer({ minimum: 0, maximum: 100_000_000 }), {
      required: 'Available quantity is required',
      minimum: 'Stock quantity must be non-negative',
      maximum: 'Available quantity must be at most 100000000',
    }),
    reason: Reason,
  },
  { additionalProperties: false, examples: [{ availableQuantity: 100, reason: '재고 실사' }] },
);
export type AdjustRequest = Static<typeof AdjustRequest>;

export const StockMovementPage = PageSchema(StockMovementResponse);

/** The shared schemas this module names in the OpenAPI document (the app registers them). */
export const inventorySchemas = [InventoryResponse, StockMovementResponse, StockMovementPage];
