import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ok } from '../../platform/http/envelope';
import { PageSchema, pageRequest } from '../../platform/http/pagination';
import { Envelope } from '../../platform/http/schema';
import type { NotificationService } from './service';
import { NotificationListQuery, NotificationResponse } from './schemas';

/** Under /admin (admins only): the notifications sent, newest first, optionally for one user. */
export function adminNotificationRoutes(notifications: NotificationService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/notifications',
      {
        schema: {
          tags: ['admin'],
          querystring: NotificationListQuery,
          response: { 200: Envelope(PageSchema(NotificationResponse)) },
        },
      },
      async (request) => {
        const { userId, page, size } = request.query;
        return ok(await notifications.list(userId, pageRequest(page, size, 20)));
      },
    );
  };
}
