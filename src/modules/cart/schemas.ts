import { type Static, Type } from '@sinclair/typebox';
import { DateTime, IdParam, type Messages, Money, msg, Ref } from '../../platform/http/schema';

export const CART_STATUSES = ['ACTIVE', 'CHECKED_OUT', 'ABANDONED', 'MERGED'] as const;
export type CartStatus = (typeof CART_STATUSES)[number];

/** Per cart line: far above any real basket, low enough that totals stay exact integers. */
export const MAX_ITEM_QUANTITY = 10_000;

/**
 * A required integer whose explicit null gets the `required` message (NotNull):
 * with plain `type: integer`, ajv's coercion turns null into 0 and reports the
 * minimum instead. Null is let through `type` and refused by `not const`, which
 * never coerces; the error handler answers a null with `required`.
 */
function RequiredInteger(minimum: number, maximum: number, messages: Messages) {
  return msg(Type.Unsafe<number>({ type: ['integer', 'null'], minimum, maximum, not: { const: null } }), messages);
}

const Quantity = RequiredInteger(1, MAX_ITEM_QUANTITY, {
  required: 'Quantity is required',
  type: 'Quantity must be a whole number',
  minimum: 'Quantity must be at least 1',
  maximum: `Quantity must be at most ${MAX_ITEM_QUANTITY}`,
});

export const AddCartItemRequest = Type.Object(
  {
    productId: RequiredInteger(1, Number.MAX_SAFE_INTEGER, {
      required: 'Product ID is required',
      type: 'Product ID must be a whole number',
      minimum: 'Product ID must be a positive number',
      maximum: 'Product ID is out of range',
    }),
    quantity: Quantity,
  },
  { additionalProperties: false, examples: [{ productId: 42, quantity: 2 }] },
);
export type AddCartItemRequest = Static<typeof AddCartItemRequest>;

export const UpdateCartItemRequest = Type.Object({ quantity: Quantity }, { additionalProperties: false, examples: [{ quantity: 3 }] });
export type UpdateCartItemRequest = Static<typeof UpdateCartItemRequest>;

export const CartItemParams = IdParam('itemId');

export const CartItemResponse = Type.Object({
  id: Type.Integer(),
  productId: Type.Integer(),
  productName: Type.String(),
  price: Money,
  quantity: Type.Integer(),
  subtotal: Money,
  addedAt: DateTime,
}, { $id: 'CartItem' });
export type CartItemResponse = Static<typeof CartItemResponse>;

export const CartResponse = Type.Object({
  id: Type.Integer(),
  userId: Type.String(),
  status: Type.String(),
  items: Type.Array(Ref(CartItemResponse)),
  itemCount: Type.Integer(),
  totalQuantity: Type.Integer(),
  totalAmount: Money,
  createdAt: DateTime,
  updatedAt: DateTime,
}, {
  $id: 'Cart',
  examples: [
    {
      id: 7,
      userId: '00000000-0000-0000-0000-000000000001',
      status: 'ACTIVE',
      items: [
        { id: 11, productId: 42, productName: '아이폰 15 프로', price: 1450000, quantity: 2, subtotal: 2900000, addedAt: '2026-01-20T09:30:00.000Z' },
      ],
      itemCount: 1,
      totalQuantity: 2,
      totalAmount: 2900000,
      createdAt: '2026-01-20T09:00:00.000Z',
      updatedAt: '2026-01-20T09:30:00.000Z',
    },
  ],
});
export type CartResponse = Static<typeof CartResponse>;

/** The shared schemas this module names in the OpenAPI document (the app registers them). */
export const cartSchemas = [CartItemResponse, CartResponse];

/** A cart line as the order module needs it (price in minor units). */
export interface OrderableItem {
  productId: number;
  productName: string;
  price: number;
  quantity: number;
}

/** A cart an order can be made from (its lines are read under the order's lock). */
export interface OrderableCart {
  cartId: number;
  status: CartStatus;
}
