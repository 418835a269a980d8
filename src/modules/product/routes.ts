import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principal } from '../../platform/http/auth';
import { ok } from '../../platform/http/envelope';
import { EmptyEnvelope, Envelope, IdParam, Ref } from '../../platform/http/schema';
import type { ProductService } from './service';
import {
  AdminProductRequest,
  ProductListQuery,
  ProductPage,
  ProductResponse,
  ProductWithReviewsResponse,
  StockUpdateRequest,
} from './schemas';

export function productRoutes(products: ProductService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/products',
      {
        config: { auth: 'public' },
        schema: {
          operationId: 'listProducts',
          summary: 'A page of the catalog, optionally of one category',
          tags: ['products'],
          querystring: ProductListQuery,
          response: { 200: Envelope(Ref(ProductPage)) },
        },
      },
      async (request) => ok(await products.list(request.query)),
    );

    app.get(
      '/products/:productId',
      {
        config: { auth: 'public' },
        schema: {
          operationId: 'getProduct',
          summary: 'A product (S001 if there is none)',
          tags: ['products'],
          params: IdParam('productId'),
          response: { 200: Envelope(Ref(ProductResponse)) },
        },
      },
      async (request) => ok(await products.get(request.params.productId)),
    );

    app.get(
      '/products/:productId/with-reviews',
      {
        config: { auth: 'public' },
        schema: {
          operationId: 'getProductWithReviews',
          summary: 'A product with its reviews (S001 if there is none)',
          tags: ['products'],
          params: IdParam('productId'),
          response: { 200: Envelope(Ref(ProductWithReviewsResponse)) },
        },
      },
      async (request) => ok(await products.getWithReviews(request.params.productId)),
    );
  };
}

/** Under /admin (admins only). */
export function adminProductRoutes(products: ProductService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/products',
      {
        schema: {
          operationId: 'adminCreateProduct',
          summary: 'Create a product with its inventory (an INITIAL stock movement)',
          tags: ['products'],
          body: AdminProductRequest,
          response: { 201: Envelope(Ref(ProductResponse)) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(ok(await products.create(request.body, principal(request).userId))),
    );

    app.put(
      '/products/:id',
      {
        schema: {
          operationId: 'adminUpdateProduct',
          summary: 'Replace a product\'s fields',
          tags: ['products'],
          params: IdParam('id'),
          body: AdminProductRequest,
          response: { 200: Envelope(Ref(ProductResponse)) },
        },
      },
      async (request) => ok(await products.update(request.params.id, request.body, principal(request).userId)),
    );

    app.patch(
      '/products/:id/stock',
      {
        schema: {
          operationId: 'adminSetProductStock',
          summary: 'Set a product\'s available stock (an ADJUSTMENT movement)',
          tags: ['products'],
          params: IdParam('id'),
          body: StockUpdateRequest,
          response: { 200: Envelope(Ref(ProductResponse)) },
        },
      },
      async (request) => ok(await products.setStock(request.params.id, request.body.stock, principal(request).userId)),
    );

    app.delete(
      '/products/:id',
      {
        schema: {
          operationId: 'adminDeleteProduct',
          summary: 'Delete a product',
          tags: ['products'],
          params: IdParam('id'),
          response: { 200: Ref(EmptyEnvelope) },
        },
      },
      async (request) => {
        await products.delete(request.params.id);
        return { success: true as const };
      },
    );
  };
}
