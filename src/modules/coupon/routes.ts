import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { principal } from '../../platform/http/auth';
import { ok } from '../../platform/http/envelope';
import { pageRequest } from '../../platform/http/pagination';
import { EmptyEnvelope, Envelope, Ref } from '../../platform/http/schema';
import type { CouponService } from './service';
import {
  AdminCouponIdParams,
  AdminCouponListQuery,
  CouponCreateRequest,
  CouponIdParams,
  CouponPage,
  CouponResponse,
  UserCouponResponse,
} from './schemas';

/** Public coupon pages and the caller's own coupons. */
export function couponRoutes(coupons: CouponService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/coupons',
      {
        config: { auth: 'public' },
        schema: {
          operationId: 'listIssuableCoupons',
          summary: 'The coupons that can be issued now, soonest to expire first',
          tags: ['coupons'],
          response: { 200: Envelope(Type.Array(Ref(CouponResponse))) },
        },
      },
      async () => ok(await coupons.issuable()),
    );

    // Static paths before `/coupons/:couponId` in the router's eyes (find-my-way prefers them anyway).
    app.get(
      '/coupons/my',
      {
        config: { auth: 'user' },
        schema: {
          operationId: 'listMyCoupons',
          summary: "The caller's coupons, in every status",
          tags: ['coupons'],
          response: { 200: Envelope(Type.Array(Ref(UserCouponResponse))) },
        },
      },
      async (request) => ok(await coupons.mine(principal(request).userId)),
    );

    app.get(
      '/coupons/my/available',
      {
        config: { auth: 'user' },
        schema: {
          operationId: 'listMyAvailableCoupons',
          summary: "The caller's coupons that can be used now",
          tags: ['coupons'],
          response: { 200: Envelope(Type.Array(Ref(UserCouponResponse))) },
        },
      },
      async (request) => ok(await coupons.available(principal(request).userId)),
    );

    app.get(
      '/coupons/:couponId',
      {
        config: { auth: 'public' },
        schema: {
          operationId: 'getCoupon',
          summary: 'A coupon, in any status (S601 if there is none)',
          tags: ['coupons'],
          params: CouponIdParams,
          response: { 200: Envelope(Ref(CouponResponse)) },
        },
      },
      async (request) => ok(await coupons.get(request.params.couponId)),
    );

    app.post(
      '/coupons/:couponId/issue',
      {
        config: { auth: 'user', limit: 'coupon-issue' },
        schema: {
          operationId: 'issueCoupon',
          summary: 'Claim one unit of a first-come coupon (one per user)',
          tags: ['coupons'],
          params: CouponIdParams,
          response: { 201: Envelope(Ref(UserCouponResponse)) },
        },
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
        schema: {
          operationId: 'adminListCoupons',
          summary: 'A page of all coupons',
          tags: ['coupons'],
          querystring: AdminCouponListQuery,
          response: { 200: Envelope(Ref(CouponPage)) },
        },
      },
      async (request) => ok(await coupons.list(pageRequest(request.query.page, request.query.size, 10))),
    );

    app.post(
      '/coupons',
      {
        config: { auth: 'admin' },
        schema: {
          operationId: 'adminCreateCoupon',
          summary: 'Create a first-come coupon',
          tags: ['coupons'],
          body: CouponCreateRequest,
          response: { 201: Envelope(Ref(CouponResponse)) },
        },
      },
      async (request, reply) => reply.status(201).send(ok(await coupons.create(request.body))),
    );

    app.get(
      '/coupons/:id',
      {
        config: { auth: 'admin' },
        schema: {
          operationId: 'adminGetCoupon',
          summary: 'A coupon, in any status',
          tags: ['coupons'],
          params: AdminCouponIdParams,
          response: { 200: Envelope(Ref(CouponResponse)) },
        },
      },
      async (request) => ok(await coupons.get(request.params.id)),
    );

    app.delete(
      '/coupons/:id',
      {
        config: { auth: 'admin' },
        schema: {
          operationId: 'adminDeactivateCoupon',
          summary: 'Deactivate a coupon: it can no longer be issued',
          tags: ['coupons'],
          params: AdminCouponIdParams,
          response: { 200: Ref(EmptyEnvelope) },
        },
      },
      async (request) => {
        await coupons.deactivate(request.params.id);
        return { success: true as const };
      },
    );
  };
}
