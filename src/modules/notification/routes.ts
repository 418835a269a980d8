import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ok } from '../../platform/http/envelope';
import { pageRequest } from '../../platform/http/pagination';
import { Envelope, Ref } from '../../platform/http/schema';
import type { NotificationService } from './service';
import { NotificationListQuery, NotificationPage } from './schemas';

/** Under /admin (admins only): the notifications sent, newest first, optionally for one user. */
export function adminNotificationRoutes(notifications: NotificationService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/notifications',
      {
        schema: {
          operationId: 'adminListNotifications',
          summary: 'A page of the notifications sent, newest first, optionally to one user',
          tags: ['notifications'],
          querystring: NotificationListQuery,
          response: { 200: Envelope(Ref(NotificationPage)) },
        },
      },
      async (request) => {
        const { userId, page, size } = request.query;
        return ok(await notifications.list(userId, pageRequest(page, size, 20)));
      },
    );
  };
}
