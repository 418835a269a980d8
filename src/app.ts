import { randomUUID } from 'node:crypto';
import AjvCompiler from '@fastify/ajv-compiler';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Pool } from 'mysql2';
import type { Config } from './config';
import { createDb, drainPool, pingDb, type Db } from './platform/db/index';
import { createRedis, redisConnection, type Redis } from './platform/redis/index';
import { PubSub } from './platform/redis/pubsub';
import { authPlugin, TokenService } from './platform/http/auth';
import { API_PREFIX, clientErrorHandler, envelopePlugin, frameworkErrorHandler, sendError } from './platform/http/envelope';
import { openApiOptions, type ApiTag } from './platform/http/openapi';
import { envelopeSchemas, Ref } from './platform/http/schema';
import { Errors } from './platform/http/errors';
import { SseHub } from './platform/http/sse';
import { metricsPlugin } from './platform/metrics';
import { rateLimitPlugin } from './platform/http/rate-limit';
import { securityPlugin } from './platform/http/security';
import { webPlugin } from './platform/http/web';
import { Scheduler } from './platform/scheduler';
import { DependencyMonitor } from './platform/dependencies';
import { baseLogger, ContextLogger } from './platform/context';
import { requestContextPlugin, requestLogger } from './platform/http/request-context';
import { AuthService } from './modules/auth/service';
import { authRoutes } from './modules/auth/routes';
import { authSchemas } from './modules/auth/schemas';
import { InventoryService } from './modules/inventory/service';
import { inventoryRoutes, adminInventoryRoutes } from './modules/inventory/routes';
import { inventorySchemas } from './modules/inventory/schemas';
import { ProductService } from './modules/product/service';
import { productImageRoutes, productRoutes, adminProductRoutes } from './modules/product/routes';
import { productSchemas } from './modules/product/schemas';
import { CartService } from './modules/cart/service';
import { cartRoutes } from './modules/cart/routes';
import { cartSchemas } from './modules/cart/schemas';
import { DeliveryService } from './modules/delivery/service';
import { deliveryRoutes } from './modules/delivery/routes';
import { deliverySchemas } from './modules/delivery/schemas';
import { MockPaymentGateway } from './modules/payment/gateway';
import { PaymentService } from './modules/payment/service';
import { paymentRoutes } from './modules/payment/routes';
import { paymentSchemas } from './modules/payment/schemas';
import { OrderService } from './modules/order/service';
import { OrderSaga } from './modules/order/saga';
import { OrderAdmin } from './modules/order/admin';
import { adminOrderRoutes, orderPaymentRoutes, orderRoutes } from './modules/order/routes';
import { orderSchemas } from './modules/order/schemas';
import { IdempotencyStore } from './platform/http/idempotency';
import { createEventing, type Eventing } from './platform/events/index';
import { REBUILD_JOB as TIMEDEAL_REBUILD, TimeDealService } from './modules/timedeal/service';
import { CouponService, RECONCILE_JOB as COUPON_RECONCILE } from './modules/coupon/service';
import { adminCouponRoutes, couponRoutes } from './modules/coupon/routes';
import { couponSchemas } from './modules/coupon/schemas';
import { QueueService } from './modules/queue/service';
import { adminQueueRoutes, queueRoutes } from './modules/queue/routes';
import { queueSchemas } from './modules/queue/schemas';
import { createSearchEngine, SearchService, type ProductChange } from './modules/search/service';
import { adminSearchRoutes, searchRoutes } from './modules/search/routes';
import { searchSchemas } from './modules/search/schemas';
import { Topics } from './platform/events/outbox';
import { adminTimeDealRoutes, timeDealRoutes } from './modules/timedeal/routes';
import { timeDealSchemas } from './modules/timedeal/schemas';
import { NotificationService } from './modules/notification/service';
import { adminNotificationRoutes } from './modules/notification/routes';
import { notificationSchemas } from './modules/notification/schemas';
import { AnalyticsService } from './modules/analytics/service';
import { adminAnalyticsRoutes } from './modules/analytics/routes';
import { analyticsSchemas } from './modules/analytics/schemas';
import { SaleCounters } from './modules/live/counters';
import { LiveSalesService } from './modules/live/service';
import { adminLiveRoutes, saleLatencyHook } from './modules/live/routes';
import { liveSchemas } from './modules/live/schemas';

/** The connections one process holds. */
export interface Infra {
  config: Config;
  db: Db;
  pool: Pool;
  redis: Redis;
  pubsub: PubSub;
  tokens: TokenService;
  sse: SseHub;
  log: FastifyBaseLogger;
  /** Whether MySQL and Redis are up, as this process last saw them; logs each change once. */
  dependencies: DependencyMonitor;
  /** Periodic jobs; `main` starts them, tests run them by hand. */
  scheduler: Scheduler;
  /** Outbox relay, broker and consumer groups; `main` starts it, tests flush it by hand. */
  eventing: Eventing;
}

/**
 * Every domain service. `createServices` is the one place modules are wired:
 * each service gets what it calls through its constructor, built in
 * dependency order; where a lower module must call back up (delivery → saga,
 * saga → time deals), it declares the interface it needs and a single setter
 * call at the end of `createServices` connects it. Other modules call only these.
 */
export interface Services {
  auth: AuthService;
  inventory: InventoryService;
  products: ProductService;
  cart: CartService;
  deliveries: DeliveryService;
  payments: PaymentService;
  orders: OrderService;
  saga: OrderSaga;
  orderAdmin: OrderAdmin;
  idempotency: IdempotencyStore;
  notifications: NotificationService;
  analytics: AnalyticsService;
  timedeals: TimeDealService;
  coupons: CouponService;
  queue: QueueService;
  search: SearchService;
  live: LiveSalesService;
}

export async function createInfra(config: Config): Promise<Infra> {
  const { db, pool } = createDb(config.databaseUrl, config.dbPoolSize, {
    connectTimeoutMs: config.dbConnectTimeoutMs,
    acquireTimeoutMs: config.dbAcquireTimeoutMs,
    queryTimeoutMs: config.dbQueryTimeoutMs,
  });
  const redisTimeouts = { connectTimeoutMs: config.redisConnectTimeoutMs, commandTimeoutMs: config.redisCommandTimeoutMs };
  const redisAt = redisConnection(config);
  const redis = createRedis(redisAt, config.redisKeyPrefix, 'main', redisTimeouts);
  // Writes through the logger of the request (or event) being served, so every line carries its ids.
  const log = new ContextLogger(pino({ level: config.logLevel }));
  const dependencies = new DependencyMonitor(log, () => pingDb(db));
  dependencies.watchRedis(redis);
  const scheduler = new Scheduler(redis, log, dependencies);
  return {
    config,
    db,
    pool,
    redis,
    pubsub: new PubSub(redisAt, config.redisKeyPrefix, redis, redisTimeouts),
    tokens: await TokenService.create(config),
    sse: new SseHub(),
    log,
    dependencies,
    scheduler,
    eventing: createEventing({ config, db, log, scheduler, dependencies }),
  };
}

export async function closeInfra(infra: Infra): Promise<void> {
  infra.dependencies.close();
  await infra.scheduler.stop();
  await infra.eventing.close(); // publishes what is due before the pool closes
  infra.sse.closeAll();
  await infra.pubsub.close();
  await drainPool(infra.pool);
  await infra.db.destroy();
  infra.redis.disconnect();
}

/** What a caller may choose about the services `createServices` builds. */
export interface ServiceOptions {
  /** The clock time deals run on (their start, end and purchase window); tests move it. Default: the real one. */
  now?: () => Date;
}

export function createServices(infra: Infra, options: ServiceOptions = {}): Services {
  // The live sale view's counts: the sale modules record into it through the interfaces they declare.
  const counters = new SaleCounters();
  const auth = new AuthService(infra.db, infra.tokens);
  const inventory = new InventoryService(infra.db, infra.pubsub);
  const products = new ProductService(infra.db, inventory, infra.config.productCacheTtlMs);
  const cart = new CartService(infra.db, products, inventory);
  const deliveries = new DeliveryService(infra.db);
  const gateway = new MockPaymentGateway(infra.db, { successRate: infra.config.pgSuccessRate, latencyMs: infra.config.pgLatencyMs });
  const payments = new PaymentService(infra.db, gateway, infra.config);
  const orders = new OrderService(infra.db, infra.config.orderPaymentTimeoutSeconds);
  const coupons = new CouponService(infra.db, infra.redis, {
    reconcileIntervalMs: infra.config.saleReconcileIntervalMs,
    admissionGraceMs: infra.config.saleAdmissionGraceMs,
    stats: counters,
  });
  coupons.registerJobs(infra.scheduler);
  const saga = new OrderSaga({ db: infra.db, config: infra.config, log: infra.log, orders, carts: cart, inventory, payments, deliveries, coupons, stats: counters });
  const orderAdmin = new OrderAdmin(orders, saga, deliveries, payments);
  const idempotency = new IdempotencyStore(infra.db, infra.config.idempotencyTtlSeconds);

  const every = infra.config.orderJobIntervalSeconds * 1000;
  infra.scheduler.add({ name: 'orders:expire-unpaid', intervalMs: every, run: async () => void (await saga.expireUnpaid()) });
  infra.scheduler.add({ name: 'orders:saga-recovery', intervalMs: every, run: () => saga.recover(infra.config.sagaRecoveryIdleSeconds * 1000) });
  const queue = new QueueService({ db: infra.db, redis: infra.redis, pubsub: infra.pubsub, sse: infra.sse, log: infra.log }, { stats: counters });
  infra.scheduler.add(queue.admissionJob());
  const timedeals = new TimeDealService(infra.db, infra.redis, products, inventory, saga, {
    statusIntervalMs: infra.config.timedealSchedulerIntervalMs,
    rebuildIntervalMs: infra.config.saleReconcileIntervalMs,
    admissionGraceMs: infra.config.saleAdmissionGraceMs,
    orders,
    now: options.now,
    log: infra.log,
    // While a waiting room runs for TIMEDEAL/{id}, only admitted buyers may buy; a purchase uses up the entry.
    gate: (userId, timeDealId) => queue.assertAdmitted(userId, 'TIMEDEAL', timeDealId),
    onPurchased: async (userId, timeDealId) => void (await queue.consume(userId, 'TIMEDEAL', timeDealId)),
    stats: counters,
  });
  timedeals.registerJobs(infra.scheduler);

  // The two calls that go up the graph, each through an interface the lower module declares:
  // a delivery's status changes move its order on, and an undone deal order's units go back to the deal.
  deliveries.setListener(saga);
  saga.setDealUnits(timedeals);

  const search = new SearchService({ engine: createSearchEngine(infra.config, infra.log), products, redis: infra.redis, log: infra.log });
  // Each instance keeps its own index, so with Kafka each needs a consumer group of its own.
  const indexer = infra.config.eventBus === 'kafka' ? `search-index.${randomUUID().slice(0, 8)}` : 'search-index';
  infra.eventing.register({
    name: indexer,
    topics: [Topics.PRODUCT_CHANGED],
    handle: async (_trx, event) => search.applyProductChange(event.payload as ProductChange),
    handleBatch: async (_trx, events) => search.applyProductChanges(events.map((e) => e.payload as ProductChange)),
  });

  const notifications = new NotificationService(infra.db, infra.log);
  const analytics = new AnalyticsService(infra.db, infra.log);
  infra.eventing.register(notifications.consumer());
  infra.eventing.register(analytics.consumer());
  const live = new LiveSalesService({ redis: infra.redis, sse: infra.sse, log: infra.log, counters, coupons, timedeals, queue });
  return { auth, inventory, products, cart, deliveries, payments, orders, saga, orderAdmin, idempotency, notifications, analytics, timedeals, coupons, queue, search, live };
}

/**
 * The work before the first request: the sales' Redis state rebuilt from MySQL (stranded units
 * freed), the waiting rooms repaired, the search index built.
 */
export async function startUp(infra: Infra, services: Services): Promise<void> {
  for (const name of [TIMEDEAL_REBUILD, COUPON_RECONCILE]) await infra.scheduler.runOnce(infra.scheduler.get(name)!);
  await services.queue.repair();
  await services.search.start();
}

export type App = FastifyInstance;

/** The OpenAPI document's tags, one per resource, in the order Swagger UI shows them. */
const API_TAGS: ApiTag[] = [
  { name: 'auth', description: 'Sign-up and login: access tokens' },
  { name: 'products', description: 'The catalog (admins create, change and delete products)' },
  { name: 'inventory', description: 'Stock levels and the live stock stream (admins receive and adjust stock)' },
  { name: 'carts', description: "The caller's cart" },
  { name: 'orders', description: 'Orders, each run as a saga: stock, payment, delivery (admins search them and set their status)' },
  { name: 'payments', description: 'Paying an order, cancelling and refunding a payment' },
  { name: 'deliveries', description: 'Delivery tracking' },
  { name: 'coupons', description: 'First-come coupons (admins create and deactivate them)' },
  { name: 'time-deals', description: 'Time deals and their purchases (admins schedule and cancel them)' },
  { name: 'queues', description: 'The waiting room, with live status over Server-Sent Events (admins run the queues)' },
  { name: 'search', description: 'Product search, suggestions, popular and recent keywords' },
  { name: 'notifications', description: 'Notifications sent to users (admins)' },
  { name: 'analytics', description: 'Daily counters (admins)' },
  { name: 'live', description: 'Live sale figures for the operator console (admins)' },
  { name: 'health', description: 'Liveness and readiness probes' },
];

/** What the health probes answer (outside the envelope: probes read `status`); only readiness lists `components`. */
const HealthResponse = Type.Object(
  {
    /** UP; DEGRADED (still 200) while the event broker is unreachable and the outbox buffers events. */
    status: Type.String(),
    components: Type.Optional(Type.Object({ mysql: Type.String(), redis: Type.String(), search: Type.String(), eventBus: Type.String() })),
  },
  {
    $id: 'Health',
    description: "The probe's answer",
    examples: [{ status: 'UP', components: { mysql: 'UP', redis: 'UP', search: 'UP', eventBus: 'UP' } }],
  },
);

/** Every shared schema (an `$id`, used through Ref()): the envelope's, each module's, the health probes'. */
const SHARED_SCHEMAS = [
  ...envelopeSchemas,
  ...authSchemas,
  ...productSchemas,
  ...inventorySchemas,
  ...cartSchemas,
  ...deliverySchemas,
  ...paymentSchemas,
  ...orderSchemas,
  ...timeDealSchemas,
  ...couponSchemas,
  ...queueSchemas,
  ...searchSchemas,
  ...notificationSchemas,
  ...analyticsSchemas,
  ...liveSchemas,
  HealthResponse,
];

const AJV_OPTIONS = {
  allErrors: true,
  verbose: true,
  removeAdditional: false,
  useDefaults: true,
  keywords: ['x-messages'],
};

/**
 * Two Ajv instances: JSON bodies are validated as sent (`true`, `[1]`, `"1"`
 * and `""` are not numbers), while query, path and header strings are
 * coerced to the types their schemas name.
 */
function strictBodyValidator(): ReturnType<typeof AjvCompiler> {
  const pool = AjvCompiler();
  return (externalSchemas) => {
    const strict = pool(externalSchemas, { customOptions: { ...AJV_OPTIONS, coerceTypes: false } });
    const coercing = pool(externalSchemas, { customOptions: { ...AJV_OPTIONS, coerceTypes: 'array' as const } });
    return (route) => (route.httpPart === 'body' ? strict(route) : coercing(route));
  };
}

/** The deepest nesting of objects and arrays a JSON body may have. */
export const MAX_JSON_DEPTH = 32;

/** Whether JSON text nests objects/arrays at most `max` deep (brackets inside strings don't count). */
export function withinDepth(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return false;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return true;
}

/** The HTTP application: platform plugins first, then every module's routes. */
export async function buildApp(infra: Infra, services = createServices(infra)): Promise<App> {
  const { config } = infra;
  const app = Fastify({
    loggerInstance: baseLogger(infra.log),
    childLoggerFactory: requestLogger,
    // The same peers the rate limits trust for X-Forwarded-For, so logs show the same client address.
    trustProxy: config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    // A client that sends slowly, or stops, holds a connection no longer than these.
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.connectionTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    http: {
      headersTimeout: config.headersTimeoutMs,
      // How often node looks for requests past their time (its default, 30 s, would double the limit).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(config.headersTimeoutMs / 4))),
    },
    // Errors raised before a route runs answer in the envelope too.
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    schemaController: { compilersFactory: { buildValidator: strictBodyValidator() } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  await app.register(requestContextPlugin);

  // An empty body with a JSON content type (a bodiless POST from a browser client) is no body, not an error.
  app.removeContentTypeParser('application/json');
  // Bodies are JSON: a text/plain body is 415 C010, not a string that fails the body schema.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    try {
      // No body here nests deeply; a deeper one is refused before anything walks it recursively.
      if (!withinDepth(text, MAX_JSON_DEPTH)) throw new SyntaxError('too deep');
      done(null, JSON.parse(text));
    } catch {
      const err = new SyntaxError('Invalid request body format') as SyntaxError & { statusCode: number };
      err.statusCode = 400;
      done(err, undefined);
    }
  });

  await app.register(envelopePlugin, { dependencies: infra.dependencies });
  await app.register(cors, {
    origin: config.corsOrigins.length > 0 ? config.corsOrigins : false,
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id', 'Last-Event-ID'],
    exposedHeaders: ['X-Request-Id'],
    maxAge: 600,
  });
  // Shared schemas (referenced with Ref()) are registered once, on the root, before any route uses them.
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  await app.register(swagger, openApiOptions({ title: 'Shopping Service', version: '0.1.0', description: 'Shopping backend API' }, API_TAGS));
  // Hardening: security headers, the operations endpoints' switches and token, rate limits.
  await app.register(securityPlugin, { config });
  if (config.docsEnabled) await app.register(swaggerUi, { routePrefix: '/docs' });
  if (config.metricsEnabled) {
    await app.register(metricsPlugin, {
      pool: infra.pool,
      redis: infra.redis,
      collectors: [infra.eventing.registerMetrics, (registry) => services.saga.registerMetrics(registry)],
    });
  }
  await app.register(authPlugin, { tokens: infra.tokens, config });
  // After auth (per-user limits read the principal), before the routes that name a limit.
  await app.register(rateLimitPlugin, { redis: infra.redis, config, dependencies: infra.dependencies, log: infra.log });
  // Every sale route's answer goes into this instance's latency histogram for the live sale stream.
  app.addHook('onResponse', saleLatencyHook(services.live.counters));

  const health = { tags: ['health'], response: { 200: Ref(HealthResponse) } };
  app.get('/health/live', { schema: { operationId: 'getLiveness', summary: 'The process is up', ...health } }, async () => ({
    status: 'UP',
  }));
  const ready = { operationId: 'getReadiness', summary: 'MySQL, Redis and the search index are ready (503 C014 if not)', ...health };
  app.get('/health/ready', { schema: ready }, async (_request, reply) => {
    const checks = await Promise.all([
      pingDb(infra.db).then(() => 'UP', () => 'DOWN'),
      infra.redis.ping().then(() => 'UP', () => 'DOWN'),
    ]);
    const events = infra.eventing.health();
    const components = { mysql: checks[0], redis: checks[1], search: services.search.isReady() ? 'UP' : 'STARTING', eventBus: events.status };
    if (checks.includes('DOWN') || components.search !== 'UP') {
      return sendError(reply, Errors.SERVICE_UNAVAILABLE);
    }
    // A broker that is down doesn't stop the shop (the outbox buffers events): still ready, but say so.
    return { status: events.status === 'UP' ? 'UP' : 'DEGRADED', components };
  });

  await app.register(authRoutes(services.auth), { prefix: '/api/v1/auth' });
  // The product pictures the service draws (demo catalog), outside the API prefix like any static file.
  await app.register(productImageRoutes(services.products));
  await app.register(
    async (api) => {
      await api.register(productRoutes(services.products, { publicBaseUrl: config.publicBaseUrl }));
      await api.register(inventoryRoutes(services.inventory, { pubsub: infra.pubsub, sse: infra.sse, heartbeatMs: config.sseHeartbeatMs }));
      await api.register(cartRoutes(services.cart));
      await api.register(orderRoutes(services.orders, services.saga, services.idempotency));
      await api.register(orderPaymentRoutes(services.saga, services.idempotency, config.nodeEnv === 'test'));
      await api.register(paymentRoutes(services.payments));
      await api.register(deliveryRoutes(services.deliveries));
      await api.register(timeDealRoutes(services.timedeals));
      await api.register(couponRoutes(services.coupons));
      await api.register(queueRoutes(services.queue));
      await api.register(searchRoutes(services.search));
      await api.register(
        async (admin) => {
          // Everything under /admin is for admins, whatever a route declares.
          admin.addHook('onRoute', (route) => {
            route.config = { ...route.config, auth: 'admin' };
          });
          await admin.register(adminProductRoutes(services.products, { publicBaseUrl: config.publicBaseUrl }));
          await admin.register(adminInventoryRoutes(services.inventory));
          await admin.register(adminOrderRoutes(services.orders, services.orderAdmin));
          await admin.register(adminNotificationRoutes(services.notifications));
          await admin.register(adminAnalyticsRoutes(services.analytics));
          await admin.register(adminTimeDealRoutes(services.timedeals));
          await admin.register(adminCouponRoutes(services.coupons));
          await admin.register(adminQueueRoutes(services.queue));
          await admin.register(adminSearchRoutes(services.search));
          await admin.register(adminLiveRoutes(services.live));
        },
        { prefix: '/admin' },
      );
    },
    { prefix: API_PREFIX },
  );

  // The browser apps (the console at /admin), when they are built.
  await app.register(webPlugin, { root: config.webRoot });

  // Streams never end on their own: give each its last frame before the server waits for open requests.
  app.addHook('preClose', async () => {
    infra.sse.closeAll();
  });
  // Each instance writes its sale counts once a second while it runs, and streams them to its viewers.
  app.addHook('onReady', async () => services.live.start());
  app.addHook('onClose', async () => {
    services.live.close();
    await services.queue.close();
    await services.search.close();
  });
  return app;
}
