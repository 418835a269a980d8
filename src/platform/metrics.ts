import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Pool } from 'mysql2';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Redis } from './redis/index';

interface PoolInternals {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
}

export interface MetricsOptions {
  pool: Pool;
  redis: Redis;
  /**
   * Adds more metrics to this app's registry (e.g. the outbox lag:
   * `eventing.registerMetrics`). Each is called once when the plugin registers.
   */
  collectors?: ((registry: Registry) => void)[];
}

/**
 * `/metrics` for Prometheus: request durations by route and status, the DB
 * pool's use, Redis connectivity, and Node's own. One registry per app, so
 * several apps in one test process don't collide.
 */
export const metricsPlugin = fp(
  async (app: FastifyInstance, opts: MetricsOptions) => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    for (const register of opts.collectors ?? []) register(registry);

    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    const pool = opts.pool as unknown as PoolInternals;
    new Gauge({
      name: 'db_pool_connections',
      help: 'MySQL pool connections by state',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const all = pool._allConnections?.length ?? 0;
        const free = pool._freeConnections?.length ?? 0;
        this.set({ state: 'total' }, all);
        this.set({ state: 'idle' }, free);
        this.set({ state: 'busy' }, all - free);
        this.set({ state: 'queued' }, pool._connectionQueue?.length ?? 0);
      },
    });
    new Gauge({
      name: 'redis_up',
      help: '1 when the Redis client is connected',
      registers: [registry],
      collect() {
        this.set(opts.redis.status === 'ready' ? 1 : 0);
      },
    });

    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      duration.observe(
        { method: request.method, route, status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });

    app.get('/metrics', { config: { auth: 'public' }, schema: { hide: true } }, async (_request, reply) => {
      reply.type(registry.contentType);
      return registry.metrics();
    });
  },
  { name: 'metrics' },
);
