/**
 * `npm run db:seed`: demo data for a local run.
 *
 * - Always makes sure the two demo users exist with password `password123`
 *   (admin@example.com, an admin; test@example.com, a customer).
 * - Loads the demo catalog (scripts/seed-data.ts) only when the products table
 *   is empty; otherwise leaves the catalog alone. Running it twice is harmless.
 *
 * - Makes sure the demo coupons (COUPON_001…) exist and the test user holds each
 *   one (existing codes and holdings are left alone).
 *
 * - Makes sure the demo time deals exist: one running now (started at once),
 *   one scheduled for tomorrow (a deal of that name already SCHEDULED or
 *   ACTIVE is left alone).
 *
 * Products go through ProductService.create, so each gets its inventory row and
 * an INITIAL stock movement, exactly like one created by an admin.
 */
import { sql } from 'kysely';
import { loadConfig } from '../src/config';
import { closeInfra, createInfra, createServices, type Infra, type Services } from '../src/app';
import { ensureDatabase, parseDatabaseUrl } from '../src/platform/db/index';
import { migrateToLatest } from '../src/platform/db/migrate';
import { createProducts, ensureDemoUsers } from './load-demo';
import { DEMO_COUPON_USER_ID, DEMO_COUPONS, DEMO_PASSWORD, DEMO_TIME_DEALS, DEMO_USERS, demoProducts } from './seed-data';
import { TimeDealService } from '../src/modules/timedeal/service';
import { CouponService } from '../src/modules/coupon/service';
import { isAppError } from '../src/platform/http/errors';

/** How many products are created at once (each is one short transaction). */
const CONCURRENCY = 8;

async function main(): Promise<void> {
  const config = loadConfig();
  const { host, port, database } = parseDatabaseUrl(config.databaseUrl);
  await ensureDatabase(config.databaseUrl);
  const infra = await createInfra({ ...config, dbPoolSize: Math.max(CONCURRENCY, 2) });
  try {
    await migrateToLatest(infra.db);
    const services = createServices(infra);

    await ensureDemoUsers(services);
    console.log(`db:seed: demo users ready: ${DEMO_USERS.map((u) => u.email).join(', ')} (password ${DEMO_PASSWORD})`);

    // Demo coupons: created once by code, each issued to the test user (S607 / S604 mean "already there").
    const coupons = (services as unknown as { coupons?: CouponService }).coupons ?? new CouponService(infra.db, infra.redis);
    let newCoupons = 0;
    for (const c of DEMO_COUPONS) {
      const existing = await infra.db.selectFrom('coupons').select('id').where('code', '=', c.code).executeTakeFirst();
      let id = existing?.id;
      if (id === undefined) {
        const now = Date.now();
        const { durationDays, ...input } = c;
        id = (await coupons.create({ ...input, startsAt: new Date(now - 60_000), expiresAt: new Date(now + durationDays * 24 * 3600_000) })).id;
        newCoupons++;
      }
      await coupons.issue(DEMO_COUPON_USER_ID, id).catch((err: unknown) => {
        if (!isAppError(err, 'COUPON_ALREADY_ISSUED') && !isAppError(err, 'COUPON_EXPIRED') && !isAppError(err, 'COUPON_INACTIVE')) throw err;
      });
    }
    console.log(`db:seed: ${DEMO_COUPONS.length} demo coupons ready (${newCoupons} new), issued to ${DEMO_COUPON_USER_ID}`);

    const { n } = await infra.db
      .selectFrom('products')
      .select(sql<number>`COUNT(*)`.as('n'))
      .executeTakeFirstOrThrow();
    if (Number(n) > 0) {
      console.log(`db:seed: ${database} on ${host}:${port} already has ${n} products; catalog left as it is`);
    } else {
      const products = demoProducts();
      const started = Date.now();
      await createProducts(services, products, { concurrency: CONCURRENCY, actor: 'seed' });
      const categories = new Set(products.map((p) => p.category)).size;
      console.log(
        `db:seed: created ${products.length} products in ${categories} categories in ${database} on ${host}:${port} (${Date.now() - started} ms)`,
      );
    }

    await ensureDemoTimeDeals(infra, services);
  } finally {
    await closeInfra(infra);
  }
}

/**
 * Demo time deals (DEMO_TIME_DEALS): each is created unless a SCHEDULED or
 * ACTIVE deal of that name exists, from catalog products found by name (a
 * deal whose products are missing or short of stock is skipped). The running
 * one is started right away (its units move to reserved, its Redis keys load).
 */
async function ensureDemoTimeDeals(infra: Infra, services: Services): Promise<void> {
  const timedeals =
    (services as unknown as { timedeals?: TimeDealService }).timedeals ??
    new TimeDealService(infra.db, infra.redis, services.products, services.inventory, services.saga, { log: infra.log });
  const made: string[] = [];
  for (const deal of DEMO_TIME_DEALS) {
    const live = await infra.db.selectFrom('time_deals').select('id').where('name', '=', deal.name).where('status', 'in', ['SCHEDULED', 'ACTIVE']).executeTakeFirst();
    if (live) continue;
    const rows = await infra.db
      .selectFrom('products')
      .select(['id', 'name'])
      .where('name', 'in', deal.products.map((p) => p.productName))
      .where('deleted_at', 'is', null)
      .execute();
    const ids = new Map(rows.map((r) => [r.name, r.id]));
    if (deal.products.some((p) => !ids.has(p.productName))) {
      console.log(`db:seed: time deal "${deal.name}" skipped: its products are not in the catalog`);
      continue;
    }
    const startsAt = new Date(Date.now() + deal.startsInHours * 3600_000);
    try {
      await timedeals.create({
        name: deal.name,
        description: deal.description,
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + deal.durationHours * 3600_000).toISOString(),
        products: deal.products.map((p) => ({ productId: ids.get(p.productName)!, dealPrice: p.dealPrice, dealQuantity: p.dealQuantity, maxPerUser: p.maxPerUser })),
      });
      made.push(deal.name);
    } catch (err) {
      if (!isAppError(err)) throw err;
      console.log(`db:seed: time deal "${deal.name}" skipped: ${err.def.code} ${err.message} ${JSON.stringify(err.details ?? [])}`);
    }
  }
  const { started } = await timedeals.updateStatuses();
  console.log(`db:seed: ${DEMO_TIME_DEALS.length} demo time deals ready (${made.length} new, ${started} started now)`);
}

main().catch((err) => {
  console.error(`db:seed failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
