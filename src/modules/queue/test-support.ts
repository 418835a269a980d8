/**
 * Test-only: an app whose queue routes are served by a QueueService with the
 * given stream timings. When `services.queue` is wired into src/app.ts its
 * service and routes are used (its stream timings set with
 * `streams.configure`); otherwise the routes are mounted here, bound late
 * (the service needs the app's infra, which exists only once the app does).
 */
import { TestApp } from '../../../test/helpers';
import { API_PREFIX } from '../../platform/http/envelope';
import { adminQueueRoutes, queueRoutes } from './routes';
import { QueueService, type QueueOptions } from './service';

export interface QueueTestApp {
  t: TestApp;
  queue: QueueService;
  /** Another instance on the same MySQL, Redis and SSE hub (a second app process). */
  another(options?: QueueOptions): QueueService;
}

export async function startQueueApp(options: QueueOptions = {}, env: Record<string, string> = {}): Promise<QueueTestApp> {
  const holder: { queue?: QueueService } = {};
  const late = new Proxy({} as QueueService, {
    get(_target, name) {
      const queue = holder.queue as unknown as Record<string | symbol, unknown>;
      const value = queue[name];
      return typeof value === 'function' ? value.bind(queue) : value;
    },
  });
  const t = await TestApp.start(
    env,
    {
      routes: async (app) => {
        if (app.hasRoute({ method: 'POST', url: `${API_PREFIX}/queue/:eventType/:eventId/enter` })) return;
        await app.register(
          async (api) => {
            await api.register(queueRoutes(late));
            await api.register(adminQueueRoutes(late), { prefix: '/admin' });
          },
          { prefix: API_PREFIX },
        );
      },
    },
  );
  const deps = { db: t.db, redis: t.redis, pubsub: t.infra.pubsub, sse: t.infra.sse, log: t.infra.log };
  const wired = (t.services as unknown as { queue?: QueueService }).queue;
  const others: QueueService[] = [];
  if (wired) wired.streams.configure(options);
  holder.queue = wired ?? new QueueService(deps, options);
  const queue = holder.queue;
  const close = t.close.bind(t);
  t.close = async () => {
    await Promise.all([queue, ...others].map((q) => q.close()));
    await close();
  };
  return {
    t,
    queue,
    another(more: QueueOptions = options) {
      const q = new QueueService(deps, more);
      others.push(q);
      return q;
    },
  };
}
