import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { principal } from '../../platform/http/auth';
import { ok } from '../../platform/http/envelope';
import { idempotent, type IdempotencyStore } from '../../platform/http/idempotency';
import { pageRequest } from '../../platform/http/pagination';
import { Envelope, Ref } from '../../platform/http/schema';
import { PaymentNumberParams, PaymentResponse, ProcessPaymentRequest } from '../payment/schemas';
import type { OrderAdmin } from './admin';
import type { OrderSaga } from './saga';
import {
  AdminOrderDetailResponse,
  AdminOrderQuery,
  AdminOrderStatusRequest,
  CancelOrderRequest,
  CreateOrderRequest,
  OrderListQuery,
  OrderNumberParams,
  OrderPage,
  OrderResponse,
  type OrderStatus,
} from './schemas';
import type { OrderService } from './service';

export function orderRoutes(orders: OrderService, saga: OrderSaga, idempotency: IdempotencyStore): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/orders',
      {
        schema: {
          operationId: 'createOrder',
          summary: 'Order the checked-out cart, optionally with a coupon (honours Idempotency-Key)',
          tags: ['orders'],
          body: CreateOrderRequest,
          response: { 201: Envelope(Ref(OrderResponse)) },
        },
      },
      async (request, reply) =>
        idempotent(idempotency, 'orders', request, reply, async () => ({
          status: 201,
          body: ok(await saga.createOrder(principal(request).userId, request.body)),
        })),
    );

    app.get(
      '/orders',
      {
        schema: {
          operationId: 'listMyOrders',
          summary: "A page of the caller's orders, newest first",
          tags: ['orders'],
          querystring: OrderListQuery,
          response: { 200: Envelope(Ref(OrderPage)) },
        },
      },
      async (request) => ok(await orders.listMine(principal(request).userId, pageRequest(request.query.page, request.query.size, 10))),
    );

    app.get(
      '/orders/:orderNumber',
      {
        schema: {
          operationId: 'getOrder',
          summary: 'One of the caller\'s orders (S201, S212 if not theirs)',
          tags: ['orders'],
          params: OrderNumberParams,
          response: { 200: Envelope(Ref(OrderResponse)) },
        },
      },
      async (request) => ok(await orders.get(request.params.orderNumber, principal(request))),
    );

    // Cancelling is served on PUT and on POST: existing clients use either.
    const cancelIds = { POST: 'cancelOrder', PUT: 'cancelOrderWithPut' };
    for (const method of ['PUT', 'POST'] as const) {
      app.route({
        method,
        url: '/orders/:orderNumber/cancel',
        schema: {
          operationId: cancelIds[method],
          summary: `Cancel an order: stock released, a paid order refunded${method === 'PUT' ? ' (the same as POST)' : ''}`,
          tags: ['orders'],
          params: OrderNumberParams,
          body: CancelOrderRequest,
          response: { 200: Envelope(Ref(OrderResponse)) },
        },
        handler: async (request) =>
          ok(await saga.cancel(principal(request), request.params.orderNumber, request.body.reason.trim())),
      });
    }
  };
}

/** Tests may force the mock gateway's answer with `X-Test-Payment-Outcome`; only when NODE_ENV=test. */
function forcedOutcome(request: FastifyRequest, testMode: boolean): 'approve' | 'decline' | undefined {
  if (!testMode) return undefined;
  const value = request.headers['x-test-payment-outcome'];
  return value === 'approve' || value === 'decline' ? value : undefined;
}

/**
 * Paying an order and refunding its payment: payment paths, served here because
 * the saga runs them (the payment module is one of its steps).
 */
export function orderPaymentRoutes(saga: OrderSaga, idempotency: IdempotencyStore, testMode: boolean): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/payments',
      {
        schema: {
          operationId: 'processPayment',
          summary: "Pay an order's final amount (honours Idempotency-Key)",
          tags: ['payments'],
          body: ProcessPaymentRequest,
          response: { 200: Envelope(Ref(PaymentResponse)) },
        },
      },
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

    app.post(
      '/payments/:paymentNumber/refund',
      {
        schema: {
          operationId: 'refundPayment',
          summary: 'Refund a completed payment: its order becomes REFUNDED',
          tags: ['payments'],
          params: PaymentNumberParams,
          response: { 200: Envelope(Ref(PaymentResponse)) },
        },
      },
      async (request) => ok(await saga.refundPayment(principal(request), request.params.paymentNumber)),
    );
  };
}

/** Under /admin (admins only). */
export function adminOrderRoutes(orders: OrderService, admin: OrderAdmin): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/orders',
      {
        schema: {
          operationId: 'adminListOrders',
          summary: 'A page of all orders, by status and/or keyword',
          tags: ['orders'],
          querystring: AdminOrderQuery,
          response: { 200: Envelope(Ref(OrderPage)) },
        },
      },
      async (request) => {
        const { status, keyword, userId, page, size } = request.query;
        const filter = { status: status as OrderStatus | undefined, keyword: keyword?.trim() || undefined, userId: userId?.trim() || undefined };
        return ok(await orders.search(filter, pageRequest(page, size, 20)));
      },
    );

    app.get(
      '/orders/:orderNumber',
      {
        schema: {
          operationId: 'adminGetOrder',
          summary: "Any user's order",
          tags: ['orders'],
          params: OrderNumberParams,
          response: { 200: Envelope(Ref(OrderResponse)) },
        },
      },
      async (request) => ok(await orders.getForAdmin(request.params.orderNumber)),
    );

    app.get(
      '/orders/:orderNumber/detail',
      {
        schema: {
          operationId: 'adminGetOrderDetail',
          summary: "The order with its saga's state, its payments (oldest first) and its delivery (S201)",
          tags: ['orders'],
          params: OrderNumberParams,
          response: { 200: Envelope(Ref(AdminOrderDetailResponse)) },
        },
      },
      async (request) => ok(await admin.detail(request.params.orderNumber)),
    );

    app.put(
      '/orders/:orderNumber/status',
      {
        schema: {
          operationId: 'adminSetOrderStatus',
          summary: "Move an order to another status (the saga's rules apply)",
          tags: ['orders'],
          params: OrderNumberParams,
          body: AdminOrderStatusRequest,
          response: { 200: Envelope(Ref(OrderResponse)) },
        },
      },
      async (request) =>
        ok(await admin.setStatus(principal(request), request.params.orderNumber, request.body.status as OrderStatus)),
    );
  };
}
