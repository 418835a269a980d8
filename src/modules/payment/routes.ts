import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { principal } from '../../platform/http/auth';
import { ok } from '../../platform/http/envelope';
import { idempotent, type IdempotencyStore } from '../../platform/http/idempotency';
import { Envelope } from '../../platform/http/schema';
import type { OrderSaga } from '../order/saga';
import { PaymentNumberParams, PaymentResponse, ProcessPaymentRequest } from './schemas';
import type { PaymentService } from './service';

/** Tests may force the mock gateway's answer with `X-Test-Payment-Outcome`; only when NODE_ENV=test. */
function forcedOutcome(request: FastifyRequest, testMode: boolean): 'approve' | 'decline' | undefined {
  if (!testMode) return undefined;
  const value = request.headers['x-test-payment-outcome'];
  return value === 'approve' || value === 'decline' ? value : undefined;
}

export function paymentRoutes(
  payments: PaymentService,
  saga: OrderSaga,
  idempotency: IdempotencyStore,
  testMode: boolean,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/payments',
      { schema: { tags: ['payment'], body: ProcessPaymentRequest, response: { 200: Envelope(PaymentResponse) } } },
      async (request, reply) =>
        idempotent(idempotency, 'payments', request, reply, async () => ({
          status: 200,
          body: ok(
            await saga.pay(
              principal(request),
              request.body.orderNumber.trim(),
              request.body.paymentMethod,
              forcedOutcome(request, testMode),
            ),
          ),
        })),
    );

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

    app.post(
      '/payments/:paymentNumber/refund',
      { schema: { tags: ['payment'], params: PaymentNumberParams, response: { 200: Envelope(PaymentResponse) } } },
      async (request) => ok(await saga.refundPayment(principal(request), request.params.paymentNumber)),
    );
  };
}
