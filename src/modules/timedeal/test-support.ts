/**
 * Test helpers for the time-deal module: an app whose time-deal service runs on
 * a clock the test can move, and a product factory.
 */
import { codeOf, TestApp } from '../../../test/helpers';
import { TimeDealService, type TimeDealOptions } from './service';

export { codeOf };

export interface DealTestApp {
  t: TestApp;
  /** The app's own service: the routes use it and the saga returns deal units to it. */
  deals: TimeDealService;
  /** Milliseconds added to the service's clock (tests move time with it). */
  clock: { offsetMs: number };
  /** Another service on the same database and Redis (a second app instance). */
  another(options?: TimeDealOptions): TimeDealService;
}

export async function startDealApp(env: Record<string, string> = {}): Promise<DealTestApp> {
  const clock = { offsetMs: 0 };
  const now = () => new Date(Date.now() + clock.offsetMs);
  const t = await TestApp.start(env, { services: { now } });
  return {
    t,
    deals: t.services.timedeals,
    clock,
    another: (options = {}) =>
      new TimeDealService(t.db, t.redis, t.services.products, t.services.inventory, t.services.saga, {
        log: t.infra.log,
        now,
        ...options,
      }),
  };
}

/** A product with `stock` units available. */
export async function makeProduct(t: TestApp, name: string, price: number, stock: number): Promise<number> {
  return (await t.services.products.create({ name, price, stock }, 'test')).id;
}

export const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();
