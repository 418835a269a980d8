/**
 * Loads demo data through the domain services (never raw SQL), so every product
 * gets its inventory row and INITIAL stock movement. Shared by `db:seed` and the
 * benchmarks.
 */
import type { Services } from '../src/app';
import type { ProductInput } from '../src/modules/product/service';
import { DEMO_PASSWORD, DEMO_USERS } from './seed-data';

/** Creates or refreshes the demo users (password `password123`). */
export async function ensureDemoUsers(services: Pick<Services, 'auth'>): Promise<void> {
  for (const user of DEMO_USERS) {
    await services.auth.ensureUser({ ...user, roles: [...user.roles], password: DEMO_PASSWORD });
  }
}

/** MySQL's "deadlock found" and "lock wait timeout": the transaction was rolled back and may be retried. */
function isRetryable(err: unknown): boolean {
  const errno = (err as { errno?: number } | null)?.errno;
  return errno === 1213 || errno === 1205;
}

/**
 * Creates the products in order, `concurrency` at a time (each is one short
 * transaction). Products with images go one at a time: ProductService.create
 * replaces a new product's images with a DELETE then an INSERT, and two of those
 * running together deadlock on the index gap. A transaction rolled back by a
 * deadlock anyway is tried again. Returns the new ids in the order of `products`.
 */
export async function createProducts(
  services: Pick<Services, 'products'>,
  products: ProductInput[],
  { concurrency = 8, actor = 'seed' }: { concurrency?: number; actor?: string } = {},
): Promise<number[]> {
  const attempt = async (p: ProductInput): Promise<number> => {
    for (let n = 1; ; n++) {
      try {
        return (await services.products.create(p, actor)).id;
      } catch (err) {
        if (!isRetryable(err) || n >= 5) throw err;
        await new Promise((r) => setTimeout(r, 20 * n + Math.random() * 30));
      }
    }
  };
  let imagesLane: Promise<unknown> = Promise.resolve();
  const create = (p: ProductInput): Promise<number> => {
    if (!p.images || p.images.length === 0) return attempt(p);
    const run = imagesLane.then(() => attempt(p));
    imagesLane = run.catch(() => undefined);
    return run;
  };
  const ids: number[] = [];
  for (let i = 0; i < products.length; i += concurrency) {
    ids.push(...(await Promise.all(products.slice(i, i + concurrency).map(create))));
  }
  return ids;
}
