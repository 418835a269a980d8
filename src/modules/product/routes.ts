import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { principal } from '../../platform/http/auth';
import { ok } from '../../platform/http/envelope';
import { fail } from '../../platform/http/errors';
import type { Page } from '../../platform/http/pagination';
import { publicBase } from '../../platform/http/public-url';
import { EmptyEnvelope, Envelope, IdParam, Ref } from '../../platform/http/schema';
import { absoluteUrl, drawProductImage, imageEtag, parseImageFile, storedUrl } from './images';
import type { ProductService } from './service';
import {
  AdminProductRequest,
  ProductListQuery,
  ProductPage,
  ProductResponse,
  ProductWithReviewsResponse,
  StockUpdateRequest,
} from './schemas';

export interface ProductRouteOptions {
  /** `PUBLIC_BASE_URL`: the front of the picture URLs this service serves (unset: the request's origin). */
  publicBaseUrl?: string;
}

/** A product answer with the pictures this service serves given as absolute URLs. */
function withImageBase<T extends { imageUrl: string | null; images?: string[] }>(product: T, base: string): T {
  return {
    ...product,
    imageUrl: product.imageUrl === null ? null : absoluteUrl(product.imageUrl, base),
    ...(product.images ? { images: product.images.map((url) => absoluteUrl(url, base)) } : {}),
  };
}

/** An admin's product body with URLs on this service's base kept as paths (what answers gave them back as). */
function withStoredImages(body: AdminProductRequest, base: string): AdminProductRequest {
  return {
    ...body,
    ...(typeof body.imageUrl === 'string' ? { imageUrl: storedUrl(body.imageUrl.trim(), base) } : {}),
    ...(body.images ? { images: body.images.map((url) => storedUrl(url.trim(), base)) } : {}),
  };
}

function pageWithImageBase(page: Page<ProductResponse>, base: string): Page<ProductResponse> {
  return { ...page, items: page.items.map((p) => withImageBase(p, base)) };
}

export function productRoutes(products: ProductService, options: ProductRouteOptions = {}): FastifyPluginAsyncTypebox {
  const base = (request: FastifyRequest) => publicBase(request, options.publicBaseUrl);
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
      async (request) => ok(pageWithImageBase(await products.list(request.query), base(request))),
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
      async (request) => ok(withImageBase(await products.get(request.params.productId), base(request))),
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
      async (request) => ok(withImageBase(await products.getWithReviews(request.params.productId), base(request))),
    );
  };
}

/** How long browsers and caches keep a drawn picture before asking again (with its ETag). */
const IMAGE_MAX_AGE_S = 3600;

/**
 * `GET /images/products/{id}.svg` and `{id}-{n}.svg` (outside the API prefix,
 * public): a live product's drawn picture (`images.ts`), with an ETag and a
 * cache lifetime; 304 when the client's copy is current; 404 C003 for a name
 * that is not a picture or a product that is not live.
 */
export function productImageRoutes(products: ProductService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/images/products/:file', { config: { auth: 'public' }, schema: { hide: true } }, async (request, reply) => {
      const wanted = parseImageFile((request.params as { file: string }).file);
      const source = wanted && (await products.imageSource(wanted.productId));
      if (!wanted || !source) throw fail('NOT_FOUND');
      const svg = drawProductImage(source, wanted.view);
      const etag = imageEtag(svg);
      reply.header('cache-control', `public, max-age=${IMAGE_MAX_AGE_S}`).header('etag', etag);
      const given = request.headers['if-none-match'];
      if (given && given.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === etag)) return reply.status(304).send();
      return reply.type('image/svg+xml; charset=utf-8').send(svg);
    });
  };
}

/** Under /admin (admins only). */
export function adminProductRoutes(products: ProductService, options: ProductRouteOptions = {}): FastifyPluginAsyncTypebox {
  const base = (request: FastifyRequest) => publicBase(request, options.publicBaseUrl);
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
        reply.status(201).send(ok(withImageBase(await products.create(withStoredImages(request.body, base(request)), principal(request).userId), base(request)))),
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
      async (request) =>
        ok(withImageBase(await products.update(request.params.id, withStoredImages(request.body, base(request)), principal(request).userId), base(request))),
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
      async (request) => ok(withImageBase(await products.setStock(request.params.id, request.body.stock, principal(request).userId), base(request))),
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
