/**
 * Loads demo data through the domain services (writes never in raw SQL), so
 * every product gets its inventory row and INITIAL stock movement. Shared by
 * `db:seed`, its test and the benchmarks.
 */
import type { Services } from '../src/app';
import type { Db } from '../src/platform/db/index';
import { isAppError } from '../src/platform/http/errors';
import { productImagePath } from '../src/modules/product/images';
import type { ProductInput } from '../src/modules/product/service';
import {
  DEMO_COUPON_USER_ID,
  DEMO_COUPONS,
  DEMO_PASSWORD,
  DEMO_TIME_DEALS,
  DEMO_USERS,
  demoGalleries,
  demoProducts,
  LEGACY_IMAGE_BASE_URL,
} from './seed-data';

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

/** The picture paths the service serves for a product: the main one, then `gallery` more views. */
export function drawnImages(productId: number, gallery = 0): { imageUrl: string; images: string[] } {
  const imageUrl = productImagePath(productId);
  return { imageUrl, images: gallery > 0 ? [imageUrl, ...Array.from({ length: gallery }, (_, i) => productImagePath(productId, i + 2))] : [] };
}

/**
 * Points the live demo products (by name) that have no picture, or one on the
 * host earlier demo catalogs used, at the pictures the service draws. A product
 * given a picture of its own (another URL) is left alone. Returns how many moved.
 */
export async function useDrawnImages(db: Db, services: Pick<Services, 'products'>): Promise<number> {
  const galleries = demoGalleries();
  const names = demoProducts().map((p) => p.name);
  const rows = await db
    .selectFrom('products')
    .select(['id', 'name'])
    .where('name', 'in', names)
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb('image_url', 'is', null), eb('image_url', 'like', `${LEGACY_IMAGE_BASE_URL}%`)]))
    .orderBy('id')
    .execute();
  // One at a time: replacing images deletes then inserts, and two of those at once deadlock on the index gap.
  for (const row of rows) {
    const { imageUrl, images } = drawnImages(row.id, galleries.get(row.name) ?? 0);
    await services.products.setImages(row.id, imageUrl, images);
  }
  return rows.length;
}

/**
 * The demo coupons (created once by code), the first ones issued to the test
 * user (S604, S603 and S606 mean "already there" or "no longer issuable").
 * Returns how many were created.
 */
export async function ensureDemoCoupons(db: Db, services: Pick<Services, 'coupons'>): Promise<number> {
  let created = 0;
  for (const c of DEMO_COUPONS) {
    const existing = await db.selectFrom('coupons').select('id').where('code', '=', c.code).executeTakeFirst();
    let id = existing?.id;
    if (id === undefined) {
      const now = Date.now();
      const { durationDays, issuedToTestUser: _, ...input } = c;
      id = (await services.coupons.create({ ...input, startsAt: new Date(now - 60_000), expiresAt: new Date(now + durationDays * 24 * 3600_000) })).id;
      created++;
    }
    if (!c.issuedToTestUser) continue;
    await services.coupons.issue(DEMO_COUPON_USER_ID, id).catch((err: unknown) => {
      if (!isAppError(err, 'COUPON_ALREADY_ISSUED') && !isAppError(err, 'COUPON_EXPIRED') && !isAppError(err, 'COUPON_INACTIVE')) throw err;
    });
  }
  return created;
}

export interface DemoDealsResult {
  /** Names of the deals created by this run. */
  created: string[];
  /** Deals started by this run. */
  started: number;
  /** Waiting rooms opened by this run, as `TIMEDEAL/{dealId}`. */
  gated: string[];
  /** Why a deal was skipped, one line each. */
  skipped: string[];
}

/**
 * The demo time deals: each is created unless a SCHEDULED or ACTIVE deal of
 * that name exists, from catalog products found by name (a deal whose
 * products are missing or short of stock is skipped); the running ones start
 * at once (their units move to reserved, their Redis keys load). A deal with a
 * waiting room gets its queue (`TIMEDEAL/{dealId}`, the time-deal purchase
 * gate) opened unless one is active for it already.
 */
export async function ensureDemoTimeDeals(db: Db, services: Pick<Services, 'timedeals' | 'queue'>): Promise<DemoDealsResult> {
  const result: DemoDealsResult = { created: [], started: 0, gated: [], skipped: [] };
  for (const deal of DEMO_TIME_DEALS) {
    const live = await db.selectFrom('time_deals').select('id').where('name', '=', deal.name).where('status', 'in', ['SCHEDULED', 'ACTIVE']).executeTakeFirst();
    if (live) continue;
    const rows = await db
      .selectFrom('products')
      .select(['id', 'name'])
      .where('name', 'in', deal.products.map((p) => p.productName))
      .where('deleted_at', 'is', null)
      .execute();
    const ids = new Map(rows.map((r) => [r.name, r.id]));
    if (deal.products.some((p) => !ids.has(p.productName))) {
      result.skipped.push(`time deal "${deal.name}" skipped: its products are not in the catalog`);
      continue;
    }
    const startsAt = new Date(Date.now() + deal.startsInHours * 3600_000);
    try {
      await services.timedeals.create({
        name: deal.name,
        description: deal.description,
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + deal.durationHours * 3600_000).toISOString(),
        products: deal.products.map((p) => ({ productId: ids.get(p.productName)!, dealPrice: p.dealPrice, dealQuantity: p.dealQuantity, maxPerUser: p.maxPerUser })),
      });
      result.created.push(deal.name);
    } catch (err) {
      if (!isAppError(err)) throw err;
      result.skipped.push(`time deal "${deal.name}" skipped: ${err.def.code} ${err.message} ${JSON.stringify(err.details ?? [])}`);
    }
  }
  result.started = (await services.timedeals.updateStatuses()).started;

  for (const deal of DEMO_TIME_DEALS) {
    if (!deal.waitingRoom) continue;
    const live = await db.selectFrom('time_deals').select('id').where('name', '=', deal.name).where('status', 'in', ['SCHEDULED', 'ACTIVE']).executeTakeFirst();
    if (!live) continue;
    const queue = await db
      .selectFrom('waiting_queues')
      .select('is_active')
      .where('event_type', '=', 'TIMEDEAL')
      .where('event_id', '=', live.id)
      .executeTakeFirst();
    if (queue?.is_active) continue;
    await services.queue.activate('TIMEDEAL', live.id, deal.waitingRoom);
    result.gated.push(`TIMEDEAL/${live.id}`);
  }
  return result;
}

/** How many products are created at once (each is one short transaction). */
const CATALOG_CONCURRENCY = 8;

/**
 * Everything `db:seed` loads, in order: the demo users; the demo catalog when
 * the catalog is empty; drawn pictures for demo products without a working
 * one; the demo coupons; the demo time deals and the waiting room in front of
 * one of them. Safe to run again: what exists is left as it is. `log` gets one
 * line per step.
 */
export async function seedDemo(db: Db, services: Services, log: (line: string) => void): Promise<void> {
  await ensureDemoUsers(services);
  log(`demo users ready: ${DEMO_USERS.map((u) => u.email).join(', ')} (password ${DEMO_PASSWORD})`);

  const { n } = await db.selectFrom('products').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  if (Number(n) > 0) {
    log(`the catalog already has ${n} products; left as it is`);
  } else {
    const products = demoProducts();
    const started = Date.now();
    await createProducts(services, products, { concurrency: CATALOG_CONCURRENCY, actor: 'seed' });
    const categories = new Set(products.map((p) => p.category)).size;
    log(`created ${products.length} products in ${categories} categories (${Date.now() - started} ms)`);
  }
  const pictured = await useDrawnImages(db, services);
  if (pictured > 0) log(`${pictured} demo products now show pictures the service draws (/images/products/{id}.svg)`);

  const coupons = await ensureDemoCoupons(db, services);
  const held = DEMO_COUPONS.filter((c) => c.issuedToTestUser).length;
  log(`${DEMO_COUPONS.length} demo coupons ready (${coupons} new); ${held} issued to ${DEMO_COUPON_USER_ID}, ${DEMO_COUPONS.length - held} left to claim`);

  const deals = await ensureDemoTimeDeals(db, services);
  for (const line of deals.skipped) log(line);
  log(
    `${DEMO_TIME_DEALS.length} demo time deals ready (${deals.created.length} new, ${deals.started} started now)` +
      (deals.gated.length > 0 ? `; waiting room opened for ${deals.gated.join(', ')}` : ''),
  );
}
