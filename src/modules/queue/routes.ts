import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principal } from '../../platform/http/auth';
import { ok } from '../../platform/http/envelope';
import { fail } from '../../platform/http/errors';
import { pageRequest } from '../../platform/http/pagination';
import { EmptyEnvelope, Envelope, Ref } from '../../platform/http/schema';
import type { QueueService } from './service';
import {
  AdminQueueListQuery,
  QueueActivateRequest,
  QueueAdminPage,
  QueueAdminResponse,
  QueueParams,
  QueueStatusResponse,
  SubscribeParams,
  TokenParams,
} from './schemas';

const done = { success: true as const };

/**
 * The waiting room for users (contract §3 #30–35). Handlers touch `queue` only
 * when called, so the service may be bound late.
 */
export function queueRoutes(queue: QueueService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['queues'];
    const status = { 200: Envelope(Ref(QueueStatusResponse)) };
    const done200 = { 200: Ref(EmptyEnvelope) };

    app.post(
      '/queue/:eventType/:eventId/enter',
      {
        config: { limit: 'queue-entry' },
        schema: {
          operationId: 'enterQueue',
          tags,
          summary: 'Join the line (S801 without an active queue; already WAITING/ENTERED: that entry, 200)',
          params: QueueParams,
          response: status,
        },
      },
      async (request) => ok(await queue.enter(principal(request).userId, request.params.eventType, request.params.eventId)),
    );

    app.get(
      '/queue/:eventType/:eventId/status',
      { schema: { operationId: 'getQueueStatus', tags, summary: "The caller's entry (S801, S803)", params: QueueParams, response: status } },
      async (request) => ok(await queue.status(principal(request).userId, request.params.eventType, request.params.eventId)),
    );

    app.get(
      '/queue/token/:entryToken',
      { schema: { operationId: 'getQueueStatusByToken', tags, summary: 'An entry by its token (S803, S807)', params: TokenParams, response: status } },
      async (request) => ok(await queue.tokenStatus(principal(request).userId, request.params.entryToken)),
    );

    app.delete(
      '/queue/:eventType/:eventId/leave',
      {
        schema: {
          operationId: 'leaveQueue',
          tags,
          summary: "Leave the line or give up an admission (S801 no such queue, S803 no live entry)",
          params: QueueParams,
          response: done200,
        },
      },
      async (request) => {
        await queue.leave(principal(request).userId, request.params.eventType, request.params.eventId);
        return done;
      },
    );

    app.delete(
      '/queue/token/:entryToken',
      { schema: { operationId: 'leaveQueueByToken', tags, summary: 'Leave by token (S803, S807)', params: TokenParams, response: done200 } },
      async (request) => {
        await queue.leaveByToken(principal(request).userId, request.params.entryToken);
        return done;
      },
    );

    /**
     * SSE (contract §0 'queue SSE frames', §3.3). EventSource cannot send
     * headers, so the entry token in the path authorizes the stream; a JWT,
     * when sent, must be valid (C005) and the token owner's (S807).
     */
    app.get(
      '/queue/:eventType/:eventId/subscribe/:entryToken',
      {
        config: { auth: 'public' },
        schema: {
          operationId: 'subscribeQueue',
          tags,
          summary: 'Live queue status as text/event-stream (S803, S807 before the stream opens)',
          params: SubscribeParams,
          produces: ['text/event-stream'],
        },
      },
      async (request, reply) => {
        if (request.headers.authorization !== undefined && !request.principal) throw fail('UNAUTHORIZED');
        const { eventType, eventId, entryToken } = request.params;
        await queue.subscribe(request, reply, eventType, eventId, entryToken, request.principal?.userId);
      },
    );
  };
}

/** Under /admin (admins only; contract §3.4). */
export function adminQueueRoutes(queue: QueueService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['queues'];
    const config = { auth: 'admin' as const };
    const done200 = { 200: Ref(EmptyEnvelope) };

    app.get(
      '/queues',
      {
        config,
        schema: {
          operationId: 'adminListQueues',
          tags,
          summary: 'Waiting rooms, active first, each with its settings, line length and admitted entries',
          querystring: AdminQueueListQuery,
          response: { 200: Envelope(Ref(QueueAdminPage)) },
        },
      },
      async (request) => ok(await queue.list(request.query.active, pageRequest(request.query.page, request.query.size, 20))),
    );

    app.get(
      '/queue/:eventType/:eventId',
      {
        config,
        schema: {
          operationId: 'adminGetQueue',
          tags,
          summary: 'One waiting room (S801)',
          params: QueueParams,
          response: { 200: Envelope(Ref(QueueAdminResponse)) },
        },
      },
      async (request) => ok(await queue.get(request.params.eventType, request.params.eventId)),
    );

    app.post(
      '/queue/:eventType/:eventId/activate',
      {
        config,
        schema: {
          operationId: 'adminActivateQueue',
          tags,
          summary: 'Create or re-activate the queue with these settings (never 409)',
          params: QueueParams,
          body: QueueActivateRequest,
          response: done200,
        },
      },
      async (request) => {
        await queue.activate(request.params.eventType, request.params.eventId, request.body);
        return done;
      },
    );

    app.post(
      '/queue/:eventType/:eventId/deactivate',
      {
        config,
        schema: {
          operationId: 'adminDeactivateQueue',
          tags,
          summary: 'Close the queue (S801); WAITING → LEFT, ENTERED → EXPIRED',
          params: QueueParams,
          response: done200,
        },
      },
      async (request) => {
        await queue.deactivate(request.params.eventType, request.params.eventId);
        return done;
      },
    );

    app.post(
      '/queue/:eventType/:eventId/process',
      {
        config,
        schema: {
          operationId: 'adminProcessQueue',
          tags,
          summary: 'Run one admission batch now (S801; nothing if inactive)',
          params: QueueParams,
          response: done200,
        },
      },
      async (request) => {
        await queue.process(request.params.eventType, request.params.eventId);
        return done;
      },
    );
  };
}
