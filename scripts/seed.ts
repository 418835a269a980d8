/**
 * `npm run db:seed`: demo data for a local run (the steps are `seedDemo` in
 * `load-demo.ts`). Running it again is harmless.
 *
 * - Always makes sure the two demo users exist with password `password123`
 *   (admin@example.com, an admin; test@example.com, a customer).
 * - Loads the demo catalog (scripts/seed-data.ts) only when the products table
 *   is empty; otherwise leaves the catalog alone. Demo products without a
 *   working picture are pointed at the pictures the service draws for them.
 * - Makes sure the demo coupons (COUPON_001…) exist; the test user holds the
 *   first three, the others are left to claim.
 * - Makes sure the demo time deals exist: two running now (started at once; the
 *   second behind a waiting room), one scheduled for tomorrow (a deal of that
 *   name already SCHEDULED or ACTIVE is left alone).
 *
 * Products go through ProductService.create, so each gets its inventory row and
 * an INITIAL stock movement, exactly like one created by an admin.
 */
import { loadConfig } from '../src/config';
import { closeInfra, createInfra, createServices } from '../src/app';
import { ensureDatabase, parseDatabaseUrl } from '../src/platform/db/index';
import { migrateToLatest } from '../src/platform/db/migrate';
import { seedDemo } from './load-demo';

async function main(): Promise<void> {
  const config = loadConfig();
  const { host, port, database } = parseDatabaseUrl(config.databaseUrl);
  await ensureDatabase(config.databaseUrl);
  // Enough connections for the catalog's parallel creates.
  const infra = await createInfra({ ...config, dbPoolSize: 8 });
  try {
    await migrateToLatest(infra.db);
    console.log(`db:seed: ${database} on ${host}:${port}`);
    await seedDemo(infra.db, createServices(infra), (line) => console.log(`db:seed: ${line}`));
  } finally {
    await closeInfra(infra);
  }
}

main().catch((err) => {
  console.error(`db:seed failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
