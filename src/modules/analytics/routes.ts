import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ok } from '../../platform/http/envelope';
import { Envelope } from '../../platform/http/schema';
import type { AnalyticsService } from './service';
import { DailyQuery, DailyStatsResponse } from './schemas';

/** Under /admin (admins only): daily counters for a range of UTC days. */
export function adminAnalyticsRoutes(analytics: AnalyticsService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/analytics/daily',
      {
        schema: {
          tags: ['admin'],
          querystring: DailyQuery,
          response: { 200: Envelope(Type.Array(DailyStatsResponse)) },
        },
      },
      async (request) => ok(await analytics.daily(request.query.from, request.query.to)),
    );
  };
}
