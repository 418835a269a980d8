import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { principal } from '../../platform/http/auth';
import { ok } from '../../platform/http/envelope';
import { fail } from '../../platform/http/errors';
import { PageQuery, pageRequest } from '../../platform/http/pagination';
import { Envelope, IdParam, Ref } from '../../platform/http/schema';
import { sseEnvelope, type SseHub, type SseStream } from '../../platform/http/sse';
import type { PubSub } from '../../platform/redis/pubsub';
import { inventoryChannel, type InventoryService, type InventoryUpdate } from './service';
import {
  AdjustRequest,
  InboundRequest,
  InventoryBatchRequest,
  InventoryResponse,
  StockMovementPage,
  StreamQuery,
} from './schemas';

const MAX_STREAM_PRODUCTS = 100;

/** `1,2,3` or repeated `productIds=1&productIds=2`, de-duplicated. */
function parseProductIds(values: string[]): number[] {
  const ids = new Set<number>();
  for (const value of values) for (const part of value.split(',')) ids.add(Number(part.trim()));
  const list = [...ids];
  if (list.some((id) => !Number.isSafeInteger(id) || id < 1)) {
    throw fail('INVALID_INPUT_VALUE', [{ field: 'productIds', message: 'productIds must be positive ids', rejectedValue: values.join(',') }]);
  }
  if (list.length > MAX_STREAM_PRODUCTS) {
    throw fail('INVALID_INPUT_VALUE', [{ field: 'productIds', message: `At most ${MAX_STREAM_PRODUCTS} products per stream` }]);
  }
  return list;
}

/** What the live stock stream stands on. */
export interface InventoryStreamDeps {
  /** Redis pub/sub, one process-wide subscription per channel. */
  pubsub: PubSub;
  /** Opens (and at shutdown closes) the SSE responses. */
  sse: SseHub;
  /** How often an idle stream gets a heartbeat comment. */
  heartbeatMs: number;
}

export function inventoryRoutes(inventory: InventoryService, deps: InventoryStreamDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    /**
     * Live stock as SSE: the current levels on connect, then every committed
     * change (Redis channel `inventory:{id}`, one process-wide subscription per
     * channel), and a heartbeat so proxies keep the stream open.
     */
    app.get(
      '/inventory/stream',
      {
        config: { auth: 'public' },
        schema: {
          operationId: 'streamInventory',
          summary: 'Live stock of some products as text/event-stream: current levels, then every change',
          tags: ['inventory'],
          querystring: StreamQuery,
          produces: ['text/event-stream'],
        },
      },
      async (request, reply) => {
        const ids = parseProductIds(request.query.productIds);
        // Subscribe before reading the levels, so no change can fall between the two.
        let stream: SseStream | undefined;
        const push = (u: InventoryUpdate) =>
          stream?.send({ id: u.productId, event: 'inventory-update', data: sseEnvelope('inventory-update', u) });
        const unsubscribe = await deps.pubsub.subscribe(ids.map(inventoryChannel), (message) => push(JSON.parse(message)));
        let current: InventoryResponse[];
        try {
          current = await inventory.batch(ids);
        } catch (err) {
          unsubscribe();
          throw err;
        }
        stream = deps.sse.open(request, reply);
        stream.onClose(unsubscribe);
        const now = new Date().toISOString();
        for (const row of current) {
          push({ productId: row.productId, available: row.availableQuantity, reserved: row.reservedQuantity, timestamp: now });
        }
        const heartbeat = setInterval(
          () => stream?.send({ comment: 'heartbeat', data: sseEnvelope('heartbeat', null) }),
          deps.heartbeatMs,
        );
        stream.onClose(() => clearInterval(heartbeat));
      },
    );

    app.get(
      '/inventory/:productId',
      {
        config: { auth: 'public' },
        schema: {
          operationId: 'getInventory',
          summary: "A product's stock (S401 if it has no inventory)",
          tags: ['inventory'],
          params: IdParam('productId'),
          response: { 200: Envelope(Ref(InventoryResponse)) },
        },
      },
      async (request) => ok(await inventory.get(request.params.productId)),
    );

    app.post(
      '/inventory/batch',
      {
        config: { auth: 'public' },
        schema: {
          operationId: 'getInventoryBatch',
          summary: 'The stock of several products (unknown ids are left out)',
          tags: ['inventory'],
          body: InventoryBatchRequest,
          response: { 200: Envelope(Type.Array(Ref(InventoryResponse))) },
        },
      },
      async (request) => ok(await inventory.batch(request.body.productIds)),
    );
  };
}

/** Under /admin (admins only). */
export function adminInventoryRoutes(inventory: InventoryService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/inventory/:productId/inbound',
      {
        schema: {
          operationId: 'adminReceiveStock',
          summary: 'Add received units to the available stock (an INBOUND movement)',
          tags: ['inventory'],
          params: IdParam('productId'),
          body: InboundRequest,
          response: { 200: Envelope(Ref(InventoryResponse)) },
        },
      },
      async (request) => {
        const { quantity, reason } = request.body;
        return ok(await inventory.inbound(undefined, request.params.productId, quantity, { actor: principal(request).userId, reason }));
      },
    );

    app.put(
      '/inventory/:productId/adjust',
      {
        schema: {
          operationId: 'adminAdjustStock',
          summary: 'Set the available stock after a count (an ADJUSTMENT movement)',
          tags: ['inventory'],
          params: IdParam('productId'),
          body: AdjustRequest,
          response: { 200: Envelope(Ref(InventoryResponse)) },
        },
      },
      async (request) => {
        const { availableQuantity, reason } = request.body;
        return ok(
          await inventory.adjust(undefined, request.params.productId, availableQuantity, { actor: principal(request).userId, reason }),
        );
      },
    );

    app.get(
      '/inventory/:productId/movements',
      {
        schema: {
          operationId: 'adminListStockMovements',
          summary: "A page of a product's stock movements, newest first",
          tags: ['inventory'],
          params: IdParam('productId'),
          querystring: Type.Object(PageQuery(20)),
          response: { 200: Envelope(Ref(StockMovementPage)) },
        },
      },
      async (request) =>
        ok(await inventory.movements(request.params.productId, pageRequest(request.query.page, request.query.size, 20))),
    );
  };
}
