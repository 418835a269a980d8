import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ok } from '../../platform/http/envelope';
import { Envelope, Ref } from '../../platform/http/schema';
import type { AnalyticsService } from './service';
import { DailyQuery, DailyStatsResponse } from './schemas';

/** Under /admin (admins only): daily counters for a range of UTC days. */
export function adminAnalyticsRoutes(analytics: AnalyticsService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/analytics/daily',
      {
        schema: {
          operationId: 'adminListDailyStats',
          summary: 'Daily counters for a range of UTC days (default: the last 30)',
          tags: ['analytics'],
          querystring: DailyQuery,
          response: { 200: Envelope(Type.Array(Ref(DailyStatsResponse))) },
        },
      },
      async (request) => ok(await analytics.daily(request.query.from, request.query.to)),
    );
  };
}
