import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { API_PREFIX } from '../../platform/http/envelope';
import { Ref } from '../../platform/http/schema';
import type { SaleCounters, SaleRoute } from './counters';
import { SaleStats, SALE_STATS_EVENT } from './schemas';
import type { LiveSalesService } from './service';

/** The sale routes whose latency is measured, by method and route pattern. */
const SALE_ROUTE_NAMES = new Map<string, SaleRoute>([
  [`POST ${API_PREFIX}/coupons/:couponId/issue`, 'coupon-issue'],
  [`POST ${API_PREFIX}/time-deals/purchase`, 'timedeal-purchase'],
  [`POST ${API_PREFIX}/queue/:eventType/:eventId/enter`, 'queue-enter'],
  [`POST ${API_PREFIX}/payments`, 'order-pay'],
]);

/**
 * An `onResponse` hook for the whole app: each answer of a sale route (any
 * status) goes into this instance's latency histogram.
 */
export function saleLatencyHook(counters: SaleCounters) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const route = SALE_ROUTE_NAMES.get(`${request.method} ${request.routeOptions.url}`);
    if (route) counters.latency(route, reply.elapsedTime);
  };
}

/** Under /admin (admins only). */
export function adminLiveRoutes(live: LiveSalesService): FastifyPluginAsyncTypebox {
  return async (app) => {
    /**
     * The live sale stream. The console reads it with fetch and the
     * Authorization header, so no token is ever put in a URL; auth errors are
     * answered in the envelope before the stream opens.
     */
    app.get(
      '/live/sales',
      {
        schema: {
          operationId: 'adminStreamSaleStats',
          tags: ['live'],
          summary: 'Live sale figures as text/event-stream: one `sale-stats` frame per second, summed over every instance',
          description: 'Each frame covers the last complete second; `: ping` after 15 s of silence.',
          produces: ['text/event-stream'],
          // Documents the frame's `data` for generated clients; the stream itself is written by hand.
          response: {
            200: {
              description: `\`event: ${SALE_STATS_EVENT}\` frames whose data is \`{"type":"${SALE_STATS_EVENT}","data":SaleStats}\``,
              content: { 'text/event-stream': { schema: Ref(SaleStats) } },
            },
          },
        },
      },
      async (request, reply) => {
        live.open(request, reply);
      },
    );
  };
}
