import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { principal } from '../../platform/http/auth';
import { ok } from '../../platform/http/envelope';
import { PageSchema, pageRequest } from '../../platform/http/pagination';
import { EmptyEnvelope, Envelope } from '../../platform/http/schema';
import {
  TimeDealCreateRequest,
  TimeDealListQuery,
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
      { config: { auth: 'public' }, schema: { tags: ['time-deal'], response: { 200: Envelope(Type.Array(TimeDealResponse)) } } },
      async () => ok(await timedeals.listRunning()),
    );

    app.get(
      '/time-deals/my/purchases',
      { config: { auth: 'user' }, schema: { tags: ['time-deal'], response: { 200: Envelope(Type.Array(TimeDealPurchaseResponse)) } } },
      async (request) => ok(await timedeals.myPurchases(principal(request).userId)),
    );

    app.get(
      '/time-deals/:timeDealId',
      { config: { auth: 'public' }, schema: { tags: ['time-deal'], params: TimeDealParams, response: { 200: Envelope(TimeDealResponse) } } },
      async (request) => ok(await timedeals.get(request.params.timeDealId)),
    );

    app.post(
      '/time-deals/purchase',
      {
        config: { auth: 'user', limit: 'deal-purchase' },
        schema: { tags: ['time-deal'], body: TimeDealPurchaseRequest, response: { 201: Envelope(TimeDealPurchaseResponse) } },
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
        schema: { tags: ['admin'], querystring: TimeDealListQuery, response: { 200: Envelope(PageSchema(TimeDealResponse)) } },
      },
      async (request) => ok(await timedeals.list(pageRequest(request.query.page, request.query.size, 10))),
    );

    app.post(
      '/time-deals',
      { config: { auth: 'admin' }, schema: { tags: ['admin'], body: TimeDealCreateRequest, response: { 201: Envelope(TimeDealResponse) } } },
      async (request, reply) => reply.status(201).send(ok(await timedeals.create(request.body))),
    );

    app.get(
      '/time-deals/:timeDealId',
      { config: { auth: 'admin' }, schema: { tags: ['admin'], params: TimeDealParams, response: { 200: Envelope(TimeDealResponse) } } },
      async (request) => ok(await timedeals.get(request.params.timeDealId)),
    );

    app.delete(
      '/time-deals/:timeDealId',
      { config: { auth: 'admin' }, schema: { tags: ['admin'], params: TimeDealParams, response: { 200: EmptyEnvelope } } },
      async (request) => {
        await timedeals.cancel(request.params.timeDealId, principal(request).userId);
        return { success: true as const };
      },
    );
  };
}
