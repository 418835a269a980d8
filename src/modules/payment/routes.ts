import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principal } from '../../platform/http/auth';
import { ok } from '../../platform/http/envelope';
import { Envelope } from '../../platform/http/schema';
import { PaymentNumberParams, PaymentResponse } from './schemas';
import type { PaymentService } from './service';

/**
 * A payment's own routes. Paying an order (`POST /payments`) and refunding a
 * payment (`POST /payments/{paymentNumber}/refund`) move the order saga, so they
 * live with it in the order module.
 */
export function paymentRoutes(payments: PaymentService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/payments/:paymentNumber',
      { schema: { tags: ['payment'], params: PaymentNumberParams, response: { 200: Envelope(PaymentResponse) } } },
      async (request) => ok(await payments.get(request.params.paymentNumber, principal(request))),
    );

    app.post(
      '/payments/:paymentNumber/cancel',
      { schema: { tags: ['payment'], params: PaymentNumberParams, response: { 200: Envelope(PaymentResponse) } } },
      async (request) => ok(await payments.cancel(request.params.paymentNumber, principal(request))),
    );
  };
}
