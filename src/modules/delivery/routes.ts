import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principal } from '../../platform/http/auth';
import { ok } from '../../platform/http/envelope';
import { Envelope, Ref } from '../../platform/http/schema';
import type { DeliveryService } from './service';
import { DeliveryResponse, OrderNumberParams, TrackingNumberParams, UpdateDeliveryStatusRequest } from './schemas';

/** Delivery tracking: reads for the owner (or an admin), status changes for admins. */
export function deliveryRoutes(deliveries: DeliveryService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['deliveries'];
    const response = { 200: Envelope(Ref(DeliveryResponse)) };

    app.get(
      '/deliveries/:trackingNumber',
      { schema: { operationId: 'getDelivery', tags, summary: 'A delivery with its histories (owner or admin)', params: TrackingNumberParams, response } },
      async (request) => ok(await deliveries.get(request.params.trackingNumber, principal(request))),
    );
    app.get(
      '/deliveries/order/:orderNumber',
      { schema: { operationId: 'getOrderDelivery', tags, summary: "An order's delivery (owner or admin)", params: OrderNumberParams, response } },
      async (request) => ok(await deliveries.getByOrderNumber(request.params.orderNumber, principal(request))),
    );
    app.put(
      '/deliveries/:trackingNumber/status',
      {
        config: { auth: 'admin' },
        schema: {
          operationId: 'updateDeliveryStatus',
          tags,
          summary: 'Move a delivery to its next status (admin; S506 for a transition §0.2 does not allow)',
          params: TrackingNumberParams,
          body: UpdateDeliveryStatusRequest,
          response,
        },
      },
      async (request) => ok(await deliveries.updateStatus(request.params.trackingNumber, request.body, principal(request))),
    );
  };
}
