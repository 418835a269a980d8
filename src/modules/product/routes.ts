import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principal } from '../../platform/http/auth';
import { ok } from '../../platform/http/envelope';
import { PageSchema } from '../../platform/http/pagination';
import { EmptyEnvelope, Envelope, IdParam } from '../../platform/http/schema';
import type { ProductService } from './service';
import {
  AdminProductRequest,
  ProductListQuery,
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
        schema: { tags: ['product'], querystring: ProductListQuery, response: { 200: Envelope(PageSchema(ProductResponse)) } },
      },
      async (request) => ok(await products.list(request.query)),
    );

    app.get(
      '/products/:productId',
      {
        config: { auth: 'public' },
        schema: { tags: ['product'], params: IdParam('productId'), response: { 200: Envelope(ProductResponse) } },
      },
      async (request) => ok(await products.get(request.params.productId)),
    );

    app.get(
      '/products/:productId/with-reviews',
      {
        config: { auth: 'public' },
        schema: { tags: ['product'], params: IdParam('productId'), response: { 200: Envelope(ProductWithReviewsResponse) } },
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
      { schema: { tags: ['admin'], body: AdminProductRequest, response: { 201: Envelope(ProductResponse) } } },
      async (request, reply) =>
        reply.status(201).send(ok(await products.create(request.body, principal(request).userId))),
    );

    app.put(
      '/products/:id',
      {
        schema: { tags: ['admin'], params: IdParam('id'), body: AdminProductRequest, response: { 200: Envelope(ProductResponse) } },
      },
      async (request) => ok(await products.update(request.params.id, request.body, principal(request).userId)),
    );

    app.patch(
      '/products/:id/stock',
      {
        schema: { tags: ['admin'], params: IdParam('id'), body: StockUpdateRequest, response: { 200: Envelope(ProductResponse) } },
      },
      async (request) => ok(await products.setStock(request.params.id, request.body.stock, principal(request).userId)),
    );

    app.delete(
      '/products/:id',
      { schema: { tags: ['admin'], params: IdParam('id'), response: { 200: EmptyEnvelope } } },
      async (request) => {
        await products.delete(request.params.id);
        return { success: true as const };
      },
    );
  };
}
