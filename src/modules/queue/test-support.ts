/** Test helpers for the queue module: an app whose queue service has the given stream timings. */
import { TestApp } from '../../../test/helpers';
import { QueueService, type QueueOptions } from './service';

export interface QueueTestApp {
  t: TestApp;
  /** The app's own service, behind its HTTP routes. */
  queue: QueueService;
  /** Another instance on the same MySQL, Redis and SSE hub (a second app process). */
  another(options?: QueueOptions): QueueService;
}

export async function startQueueApp(options: QueueOptions = {}, env: Record<string, string> = {}): Promise<QueueTestApp> {
  const t = await TestApp.start(env);
  const queue = t.services.queue;
  queue.streams.configure(options);
  const deps = { db: t.db, redis: t.redis, pubsub: t.infra.pubsub, sse: t.infra.sse, log: t.infra.log };
  const others: QueueService[] = [];
  const close = t.close.bind(t);
  t.close = async () => {
    await Promise.all(others.map((q) => q.close()));
    await close(); // the app closes its own queue service
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
