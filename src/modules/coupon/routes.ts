import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { principal } from '../../platform/http/auth';
import { ok } from '../../platform/http/envelope';
import { PageSchema, pageRequest } from '../../platform/http/pagination';
import { EmptyEnvelope, Envelope } from '../../platform/http/schema';
import type { CouponService } from './service';
import {
  AdminCouponIdParams,
  AdminCouponListQuery,
  CouponCreateRequest,
  CouponIdParams,
  CouponResponse,
  UserCouponResponse,
} from './schemas';

/** Public coupon pages and the caller's own coupons. */
export function couponRoutes(coupons: CouponService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/coupons',
      { config: { auth: 'public' }, schema: { tags: ['coupons'], response: { 200: Envelope(Type.Array(CouponResponse)) } } },
      async () => ok(await coupons.issuable()),
    );

    // Static paths before `/coupons/:couponId` in the router's eyes (find-my-way prefers them anyway).
    app.get(
      '/coupons/my',
      { config: { auth: 'user' }, schema: { tags: ['coupons'], response: { 200: Envelope(Type.Array(UserCouponResponse)) } } },
      async (request) => ok(await coupons.mine(principal(request).userId)),
    );

    app.get(
      '/coupons/my/available',
      { config: { auth: 'user' }, schema: { tags: ['coupons'], response: { 200: Envelope(Type.Array(UserCouponResponse)) } } },
      async (request) => ok(await coupons.available(principal(request).userId)),
    );

    app.get(
      '/coupons/:couponId',
      {
        config: { auth: 'public' },
        schema: { tags: ['coupons'], params: CouponIdParams, response: { 200: Envelope(CouponResponse) } },
      },
      async (request) => ok(await coupons.get(request.params.couponId)),
    );

    app.post(
      '/coupons/:couponId/issue',
      {
        config: { auth: 'user', limit: 'coupon-issue' },
        schema: { tags: ['coupons'], params: CouponIdParams, response: { 201: Envelope(UserCouponResponse) } },
      },
      async (request, reply) => {
        const issued = await coupons.issue(principal(request).userId, request.params.couponId);
        return reply.status(201).send(ok(issued));
      },
    );
  };
}

/** Under /admin (the app makes every route there admin-only). */
export function adminCouponRoutes(coupons: CouponService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/coupons',
      {
        config: { auth: 'admin' },
        schema: { tags: ['admin'], querystring: AdminCouponListQuery, response: { 200: Envelope(PageSchema(CouponResponse)) } },
      },
      async (request) => ok(await coupons.list(pageRequest(request.query.page, request.query.size, 10))),
    );

    app.post(
      '/coupons',
      {
        config: { auth: 'admin' },
        schema: { tags: ['admin'], body: CouponCreateRequest, response: { 201: Envelope(CouponResponse) } },
      },
      async (request, reply) => reply.status(201).send(ok(await coupons.create(request.body))),
    );

    app.get(
      '/coupons/:id',
      {
        config: { auth: 'admin' },
        schema: { tags: ['admin'], params: AdminCouponIdParams, response: { 200: Envelope(CouponResponse) } },
      },
      async (request) => ok(await coupons.get(request.params.id)),
    );

    app.delete(
      '/coupons/:id',
      {
        config: { auth: 'admin' },
        schema: { tags: ['admin'], params: AdminCouponIdParams, response: { 200: EmptyEnvelope } },
      },
      async (request) => {
        await coupons.deactivate(request.params.id);
        return { success: true as const };
      },
    );
  };
}
