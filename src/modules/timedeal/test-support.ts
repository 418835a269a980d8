/**
 * Test helpers for the time-deal module: an app with the time-deal routes
 * (mounted here until `src/app.ts` wires them; then the app's own are used)
 * and a TimeDealService on the app's database and Redis with a movable clock.
 */
import { API_PREFIX } from '../../platform/http/envelope';
import { codeOf, TestApp } from '../../../test/helpers';
import { adminTimeDealRoutes, timeDealRoutes } from './routes';
import { TimeDealService, type TimeDealOptions } from './service';

export { codeOf };

export interface DealTestApp {
  t: TestApp;
  /** The service the routes use and the saga returns deal units to. */
  deals: TimeDealService;
  /** Milliseconds added to the service's clock (tests move time with it). */
  clock: { offsetMs: number };
  /** Another service on the same database and Redis (a second app instance). */
  another(options?: TimeDealOptions): TimeDealService;
}

export async function startDealApp(env: Record<string, string> = {}): Promise<DealTestApp> {
  let deals: TimeDealService | undefined;
  const clock = { offsetMs: 0 };
  // Handlers look the service up per request: it is built once the app's services exist.
  const late = new Proxy({} as TimeDealService, {
    get: (_target, key) => {
      const value = (deals as unknown as Record<PropertyKey, unknown>)[key];
      return typeof value === 'function' ? value.bind(deals) : value;
    },
  });
  const t = await TestApp.start(env, {
    routes: async (app) => {
      if (app.hasRoute({ method: 'GET', url: `${API_PREFIX}/time-deals` })) return;
      await app.register(
        async (api) => {
          await api.register(timeDealRoutes(late));
          await api.register(adminTimeDealRoutes(late), { prefix: '/admin' });
        },
        { prefix: API_PREFIX },
      );
    },
  });
  const build = (options: TimeDealOptions = {}) =>
    new TimeDealService(t.db, t.redis, t.services.products, t.services.inventory, t.services.saga, {
      log: t.infra.log,
      now: () => new Date(Date.now() + clock.offsetMs),
      ...options,
    });
  deals = build();
  const wired = (t.services as unknown as { timedeals?: TimeDealService }).timedeals;
  if (wired) {
    // The app has its own: it serves the routes; ours (with the movable clock) takes the saga's returns.
    t.services.saga.setDealUnits(deals);
  }
  return {
    t,
    deals,
    clock,
    another: (options) => {
      const other = build(options);
      // The saga keeps returning units to the main test service.
      t.services.saga.setDealUnits(deals!);
      return other;
    },
  };
}

/** A product with `stock` units available. */
export async function makeProduct(t: TestApp, name: string, price: number, stock: number): Promise<number> {
  return (await t.services.products.create({ name, price, stock }, 'test')).id;
}

export const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();
