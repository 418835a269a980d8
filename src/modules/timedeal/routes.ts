import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { principal } from '../../platform/http/auth';
import { ok } from '../../platform/http/envelope';
import { pageRequest } from '../../platform/http/pagination';
import { EmptyEnvelope, Envelope, Ref } from '../../platform/http/schema';
import {
  TimeDealCreateRequest,
  TimeDealListQuery,
  TimeDealPage,
  TimeDealParams,
  TimeDealPurchaseRequest,
  TimeDealPurchaseResponse,
  TimeDealResponse,
} from './schemas';
import type { TimeDealService } from './service';

/** Lists and details are public; buying needs a user. */
export function timeDealRoutes(timedeals: TimeDealService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/time-deals',
      {
        config: { auth: 'public' },
        schema: {
          operationId: 'listActiveTimeDeals',
          summary: 'The time deals running now, ending soonest first',
          tags: ['time-deals'],
          response: { 200: Envelope(Type.Array(Ref(TimeDealResponse))) },
        },
      },
      async () => ok(await timedeals.listRunning()),
    );

    app.get(
      '/time-deals/my/purchases',
      {
        config: { auth: 'user' },
        schema: {
          operationId: 'listMyTimeDealPurchases',
          summary: "The caller's time-deal purchases",
          tags: ['time-deals'],
          response: { 200: Envelope(Type.Array(Ref(TimeDealPurchaseResponse))) },
        },
      },
      async (request) => ok(await timedeals.myPurchases(principal(request).userId)),
    );

    app.get(
      '/time-deals/:timeDealId',
      {
        config: { auth: 'public' },
        schema: {
          operationId: 'getTimeDeal',
          summary: 'A time deal, in any status (S701 if there is none)',
          tags: ['time-deals'],
          params: TimeDealParams,
          response: { 200: Envelope(Ref(TimeDealResponse)) },
        },
      },
      async (request) => ok(await timedeals.get(request.params.timeDealId)),
    );

    app.post(
      '/time-deals/purchase',
      {
        config: { auth: 'user', limit: 'deal-purchase' },
        schema: {
          operationId: 'purchaseTimeDeal',
          summary: 'Buy units of a running deal: a PENDING order at the deal price, paid through processPayment',
          tags: ['time-deals'],
          body: TimeDealPurchaseRequest,
          response: { 201: Envelope(Ref(TimeDealPurchaseResponse)) },
        },
      },
      async (request, reply) => reply.status(201).send(ok(await timedeals.purchase(principal(request).userId, request.body))),
    );
  };
}

/** Deal administration, mounted under /admin (admins only; each route says so too). */
export function adminTimeDealRoutes(timedeals: TimeDealService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/time-deals',
      {
        config: { auth: 'admin' },
        schema: {
          operationId: 'adminListTimeDeals',
          summary: 'A page of all time deals',
          tags: ['time-deals'],
          querystring: TimeDealListQuery,
          response: { 200: Envelope(Ref(TimeDealPage)) },
        },
      },
      async (request) => ok(await timedeals.list(pageRequest(request.query.page, request.query.size, 10))),
    );

    app.post(
      '/time-deals',
      {
        config: { auth: 'admin' },
        schema: {
          operationId: 'adminCreateTimeDeal',
          summary: 'Schedule a time deal',
          tags: ['time-deals'],
          body: TimeDealCreateRequest,
          response: { 201: Envelope(Ref(TimeDealResponse)) },
        },
      },
      async (request, reply) => reply.status(201).send(ok(await timedeals.create(request.body))),
    );

    app.get(
      '/time-deals/:timeDealId',
      {
        config: { auth: 'admin' },
        schema: {
          operationId: 'adminGetTimeDeal',
          summary: 'A time deal, in any status',
          tags: ['time-deals'],
          params: TimeDealParams,
          response: { 200: Envelope(Ref(TimeDealResponse)) },
        },
      },
      async (request) => ok(await timedeals.get(request.params.timeDealId)),
    );

    app.delete(
      '/time-deals/:timeDealId',
      {
        config: { auth: 'admin' },
        schema: {
          operationId: 'adminCancelTimeDeal',
          summary: 'Cancel a scheduled or running time deal',
          tags: ['time-deals'],
          params: TimeDealParams,
          response: { 200: Ref(EmptyEnvelope) },
        },
      },
      async (request) => {
        await timedeals.cancel(request.params.timeDealId, principal(request).userId);
        return { success: true as const };
      },
    );
  };
}
