import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principal } from '../../platform/http/auth';
import { ok } from '../../platform/http/envelope';
import { Envelope, Ref } from '../../platform/http/schema';
import type { CartService } from './service';
import { AddCartItemRequest, CartItemParams, CartResponse, UpdateCartItemRequest } from './schemas';

/** The caller's cart (any logged-in user: the /api default). */
export function cartRoutes(cart: CartService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['carts'];
    const response = { 200: Envelope(Ref(CartResponse)) };

    app.get('/cart', { schema: { operationId: 'getCart', tags, summary: 'My ACTIVE cart (created on first use)', response } }, async (request) =>
      ok(await cart.getCart(principal(request).userId)),
    );
    app.post(
      '/cart/items',
      { schema: { operationId: 'addCartItem', tags, summary: 'Add a product (S106 if already in the cart)', body: AddCartItemRequest, response } },
      async (request) => ok(await cart.addItem(principal(request).userId, request.body)),
    );
    app.put(
      '/cart/items/:itemId',
      { schema: { operationId: 'updateCartItem', tags, summary: 'Change an item quantity', params: CartItemParams, body: UpdateCartItemRequest, response } },
      async (request) => ok(await cart.updateItem(principal(request).userId, request.params.itemId, request.body)),
    );
    app.delete(
      '/cart/items/:itemId',
      { schema: { operationId: 'removeCartItem', tags, summary: 'Remove an item', params: CartItemParams, response } },
      async (request) => ok(await cart.removeItem(principal(request).userId, request.params.itemId)),
    );
    app.delete('/cart', { schema: { operationId: 'clearCart', tags, summary: 'Remove every item', response } }, async (request) =>
      ok(await cart.clear(principal(request).userId)),
    );
    app.post('/cart/checkout', { schema: { operationId: 'checkoutCart', tags, summary: 'Check out the ACTIVE cart', response } }, async (request) =>
      ok(await cart.checkout(principal(request).userId)),
    );
  };
}
