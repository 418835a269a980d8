import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principal } from '../../platform/http/auth';
import { ok } from '../../platform/http/envelope';
import { Envelope, Ref } from '../../platform/http/schema';
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
      {
        schema: {
          operationId: 'getPayment',
          summary: 'A payment (owner or admin)',
          tags: ['payments'],
          params: PaymentNumberParams,
          response: { 200: Envelope(Ref(PaymentResponse)) },
        },
      },
      async (request) => ok(await payments.get(request.params.paymentNumber, principal(request))),
    );

    app.post(
      '/payments/:paymentNumber/cancel',
      {
        schema: {
          operationId: 'cancelPayment',
          summary: 'Cancel a payment not yet settled (S312 otherwise)',
          tags: ['payments'],
          params: PaymentNumberParams,
          response: { 200: Envelope(Ref(PaymentResponse)) },
        },
      },
      async (request) => ok(await payments.cancel(request.params.paymentNumber, principal(request))),
    );
  };
}
