/**
 * The service as a process of its own, for tests that kill it: builds the app
 * on the database and Redis key prefix its environment names (as `main` does),
 * runs the coupon reconcile job once as `main` does at start-up, starts the
 * scheduled jobs, listens on 127.0.0.1 on a free port and prints `{"port":N}`
 * as its first stdout line. SIGTERM closes it; tests SIGKILL it.
 */
import { loadConfig } from '../src/config';
import { buildApp, closeInfra, createInfra, createServices } from '../src/app';
import { RECONCILE_JOB as COUPON_RECONCILE } from '../src/modules/coupon/service';

const config = loadConfig();
const infra = await createInfra(config);
const services = createServices(infra);
const app = await buildApp(infra, services);
await infra.scheduler.runOnce(infra.scheduler.get(COUPON_RECONCILE)!);
await app.listen({ port: 0, host: '127.0.0.1' });
infra.scheduler.start();
const address = app.server.address();
process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : null })}\n`);

process.on('SIGTERM', () => {
  void (async () => {
    await infra.scheduler.stop();
    await app.close();
    await closeInfra(infra);
    process.exit(0);
  })();
});
