/**
 * Scenario `checkout`: buyers who already have an item in their cart press
 * "buy" — `POST /orders` then `POST /payments` (gateway latency 0) — from a
 * fixed number of concurrent buyers (BENCH_BUYERS, 50), beside the same bare
 * constant-JSON baseline route the `products` scenario uses.
 *
 * The load generator runs in a child process so it does not share the server's
 * event loop. Each order is two requests and three transactions (create with
 * step 1, payment start, payment settle with steps 3–5) plus the gateway's
 * ledger write.
 *
 * The outbox relay and the in-process consumers (notifications, analytics,
 * search index) are idle by default, so the request path is measured alone;
 * BENCH_RELAY=1 runs them through warm-up and measurement, as `npm start` does,
 * and reports how many events were still waiting at the end.
 *
 * Then the same number of buyers order and pay once more with the services
 * called in this process (no HTTP, no client process). For both runs the CPU
 * each paid order took is reported for this process (all threads), for the
 * database (when it runs on this machine: read off /proc) and for the client:
 * on a small machine that budget, not waiting, is what bounds the rate.
 *
 * Targets: order+pay p99 below 150 ms, and at least 300 paid orders/s.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { API_PREFIX } from '../src/platform/http/envelope';
import { BenchApp, benchSettings, load, profiled, runNodeJson, table, percentile } from './harness';

const P99_TARGET_MS = 150;
const ORDERS_TARGET = 300;
const BASELINE_PATH = '/bench/baseline';
const PRODUCTS = 200;
const STOCK = 100_000;

/**
 * The buyers' loop, run in a child process (the server's process keeps its
 * cores to itself, as with autocannon): each buyer orders its cart and pays,
 * then takes the next token. Plain `http` with a keep-alive agent, one socket
 * per buyer: the cheapest client Node has, so the load generator takes as
 * little of the machine as it can.
 */
const CLIENT = `
const fs = require('node:fs');
const http = require('node:http');
const { base, tokens, concurrency, durationMs } = JSON.parse(fs.readFileSync(process.argv[1], 'utf8'));
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const address = { receiverName: '벤치', receiverPhone: '010-0000-0000', zipCode: '06236', address1: '서울 강남구 테헤란로 1' };
let next = 0;
const orderMs = [], createMs = [], payMs = [];
let failures = 0;
const failureCodes = {};
function post(path, token, body) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(base + path, {
      method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: 'Bearer ' + token },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}
function failed(res) {
  failures++;
  let code = String(res.status);
  try { code = JSON.parse(res.text).error?.code ?? code; } catch {}
  failureCodes[code] = (failureCodes[code] ?? 0) + 1;
}
async function buyer(deadline) {
  while (Date.now() < deadline && next < tokens.length) {
    const token = tokens[next++];
    const t0 = performance.now();
    const created = await post('/orders', token, { shippingAddress: address });
    const t1 = performance.now();
    if (created.status !== 201) { failed(created); continue; }
    const orderNumber = JSON.parse(created.text).data.orderNumber;
    const paid = await post('/payments', token, { orderNumber, paymentMethod: 'CARD' });
    const t2 = performance.now();
    if (paid.status !== 200) { failed(paid); continue; }
    createMs.push(t1 - t0); payMs.push(t2 - t1); orderMs.push(t2 - t0);
  }
}
(async () => {
  const start = Date.now();
  const cpu = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, () => buyer(start + durationMs)));
  const used = process.cpuUsage(cpu);
  process.stdout.write(JSON.stringify({ orderMs, createMs, payMs, failures, failureCodes, elapsedMs: Date.now() - start, exhausted: next >= tokens.length, cpuMs: (used.user + used.system) / 1000 }));
  agent.destroy();
})();
`;

interface ClientResult {
  orderMs: number[];
  createMs: number[];
  payMs: number[];
  failures: number;
  failureCodes: Record<string, number>;
  elapsedMs: number;
  exhausted: boolean;
  /** The client process's own CPU time. */
  cpuMs: number;
}

async function runClient(base: string, tokens: string[], concurrency: number, durationMs: number): Promise<ClientResult> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-checkout-'));
  const file = join(dir, 'client.json');
  try {
    await writeFile(file, JSON.stringify({ base, tokens, concurrency, durationMs }));
    return (await runNodeJson(['--input-type=commonjs', '-e', CLIENT, file], 'load client')) as ClientResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Carts with one line each, spread over the catalog (a sale of one single
 * product is the flash-sale scenarios' job), written in bulk: setting the
 * scene is not what is measured.
 */
async function prepareCarts(bench: BenchApp, productIds: number[], count: number): Promise<string[]> {
  const db = bench.infra.db;
  const users = Array.from({ length: count }, () => randomUUID());
  for (let i = 0; i < users.length; i += 1000) {
    const chunk = users.slice(i, i + 1000);
    await db.insertInto('carts').values(chunk.map((user_id) => ({ user_id, status: 'ACTIVE' }))).execute();
    const carts = await db.selectFrom('carts').select(['id']).where('user_id', 'in', chunk).execute();
    await db
      .insertInto('cart_items')
      .values(
        carts.map((c, n) => ({ cart_id: c.id, product_id: productIds[(i + n) % productIds.length], product_name: '벤치 상품', price: '35000.00', quantity: 1 })),
      )
      .execute();
  }
  return users;
}

/**
 * The same buyers without HTTP: `createOrder` then `pay` called in this
 * process, so the difference to the HTTP run is what the HTTP layer costs.
 */
async function runDirect(bench: BenchApp, users: string[], concurrency: number, durationMs: number) {
  const address = { receiverName: '벤치', receiverPhone: '010-0000-0000', zipCode: '06236', address1: '서울 강남구 테헤란로 1' };
  const orderMs: number[] = [];
  let next = 0;
  const cpu = process.cpuUsage();
  const db = await databaseCpuSeconds(bench);
  const start = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < start + durationMs && next < users.length) {
        const userId = users[next++];
        const t0 = performance.now();
        const order = await bench.services.saga.createOrder(userId, { shippingAddress: address });
        await bench.services.saga.pay({ userId, roles: ['ROLE_USER'] }, order.orderNumber, 'CARD');
        orderMs.push(performance.now() - t0);
      }
    }),
  );
  const elapsedMs = Date.now() - start;
  const used = process.cpuUsage(cpu);
  const dbAfter = await databaseCpuSeconds(bench);
  return {
    orderMs: orderMs.sort((a, b) => a - b),
    elapsedMs,
    cpuMsPerOrder: (used.user + used.system) / 1000 / orderMs.length,
    dbMsPerOrder: db !== null && dbAfter !== null ? ((dbAfter - db) * 1000) / orderMs.length : null,
  };
}

/**
 * CPU seconds MariaDB/MySQL has used so far, when it runs on this machine and
 * its pid file is readable (null otherwise): the database's share of an order.
 */
async function databaseCpuSeconds(bench: BenchApp): Promise<number | null> {
  try {
    const { rows } = await sql<{ file: string }>`SELECT @@pid_file AS file`.execute(bench.infra.db);
    const pid = (await readFile(rows[0].file, 'utf8')).trim();
    // utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second on Linux).
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

export async function checkoutScenario(): Promise<boolean> {
  const settings = benchSettings();
  const buyers = Number(process.env.BENCH_BUYERS ?? 50);
  // Every payment is approved unless PG_SUCCESS_RATE says otherwise: declines are not what this measures.
  process.env.PG_SUCCESS_RATE ??= '1';
  let baselineBody = '';
  const bench = await BenchApp.start((app) => {
    app.get(BASELINE_PATH, { schema: { hide: true } }, (_request, reply) => {
      reply.type('application/json; charset=utf-8').send(baselineBody);
    });
  });
  try {
    const productIds: number[] = [];
    for (let i = 0; i < PRODUCTS; i++) {
      productIds.push((await bench.services.products.create({ name: `벤치 상품 ${i + 1}`, price: 35000, stock: STOCK }, 'bench')).id);
    }
    baselineBody = await (await fetch(`${bench.baseUrl}${API_PREFIX}/products?page=1&size=20`)).text();
    // Enough carts for 1,500 orders/s over warm-up and measurement, and as many for the run without HTTP.
    const users = await prepareCarts(bench, productIds, (2 * settings.duration + settings.warmup) * 1500);
    const directUsers = users.splice(0, settings.duration * 1500);
    const tokens = await Promise.all(users.map((userId) => bench.infra.tokens.sign({ userId, roles: ['ROLE_USER'] })));
    console.log(`checkout: ${buyers} concurrent buyers over ${PRODUCTS} products, ${settings.warmup} s warm-up + ${settings.duration} s, gateway latency ${bench.config.pgLatencyMs} ms\n`);

    process.stdout.write('  running baseline (constant JSON) …');
    const baseline = await load('baseline', `${bench.baseUrl}${BASELINE_PATH}`, settings);
    process.stdout.write(` ${Math.round(baseline.requestsPerSecond)} req/s\n`);

    const api = `${bench.baseUrl}${API_PREFIX}`;
    const warmTokens = tokens.splice(0, settings.warmup * 1500);
    const withRelay = process.env.BENCH_RELAY === '1';
    if (withRelay) await bench.infra.eventing.start();
    if (settings.warmup > 0) await runClient(api, warmTokens, buyers, settings.warmup * 1000);
    process.stdout.write(`  running order + pay${withRelay ? ' (outbox relay and consumers running)' : ''} …`);
    const cpu = process.cpuUsage();
    const dbCpu = await databaseCpuSeconds(bench);
    const r = await profiled(() => runClient(api, tokens, buyers, settings.duration * 1000));
    const used = process.cpuUsage(cpu);
    const dbCpuAfter = await databaseCpuSeconds(bench);
    const ordersPerSecond = (r.orderMs.length / r.elapsedMs) * 1000;
    const cpuMsPerOrder = (used.user + used.system) / 1000 / r.orderMs.length;
    const dbMsPerOrder = dbCpu !== null && dbCpuAfter !== null ? ((dbCpuAfter - dbCpu) * 1000) / r.orderMs.length : null;
    process.stdout.write(` ${Math.round(ordersPerSecond)} orders/s\n`);
    const unsent = withRelay ? (await bench.infra.eventing.relay.lag()).pending : null;
    process.stdout.write('  running order + pay without HTTP (the services called in-process) …');
    const direct = await profiled(() => runDirect(bench, directUsers, buyers, settings.duration * 1000), 'direct');
    const directPerSecond = (direct.orderMs.length / direct.elapsedMs) * 1000;
    process.stdout.write(` ${Math.round(directPerSecond)} orders/s\n`);

    const paid = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM orders WHERE status = 'PAID'`.execute(bench.infra.db);
    const inv = await bench.infra.db
      .selectFrom('inventory')
      .select([sql<number>`SUM(available_quantity)`.as('available'), sql<number>`SUM(reserved_quantity)`.as('reserved'), sql<number>`SUM(total_quantity)`.as('total')])
      .executeTakeFirstOrThrow();
    const consistent =
      Number(inv.available) + Number(inv.reserved) === Number(inv.total) && PRODUCTS * STOCK - Number(inv.total) === Number(paid.rows[0].n);

    for (const list of [r.orderMs, r.createMs, r.payMs]) list.sort((a, b) => a - b);
    const p99 = percentile(r.orderMs, 99);
    const p99Ok = p99 < P99_TARGET_MS && r.failures === 0;
    const rateOk = ordersPerSecond >= ORDERS_TARGET && r.failures === 0;
    const fmt = (n: number) => n.toFixed(1);
    console.log(
      '\n' +
        table(
          ['target', 'per s', 'p50 ms', 'p99 ms', 'vs baseline req/s', 'CPU ms/order: server', 'database', 'client', 'failures'],
          [
            ['baseline (constant JSON)', Math.round(baseline.requestsPerSecond).toLocaleString('en-US'), String(baseline.latencyP50), String(baseline.latencyP99), '–', '', '', '', String(baseline.non2xx + baseline.errors)],
            ['POST /orders', '', fmt(percentile(r.createMs, 50)), fmt(percentile(r.createMs, 99)), '', '', '', '', ''],
            ['POST /payments', '', fmt(percentile(r.payMs, 50)), fmt(percentile(r.payMs, 99)), '', '', '', '', ''],
            [
              'order + pay (paid orders)',
              Math.round(ordersPerSecond).toLocaleString('en-US'),
              fmt(percentile(r.orderMs, 50)),
              fmt(p99),
              `${((2 * ordersPerSecond * 100) / baseline.requestsPerSecond).toFixed(1)} % (2 requests each)`,
              cpuMsPerOrder.toFixed(2),
              dbMsPerOrder === null ? '–' : dbMsPerOrder.toFixed(2),
              (r.cpuMs / r.orderMs.length).toFixed(2),
              String(r.failures),
            ],
            [
              'order + pay without HTTP',
              Math.round(directPerSecond).toLocaleString('en-US'),
              fmt(percentile(direct.orderMs, 50)),
              fmt(percentile(direct.orderMs, 99)),
              '',
              direct.cpuMsPerOrder.toFixed(2),
              direct.dbMsPerOrder === null ? '–' : direct.dbMsPerOrder.toFixed(2),
              '–',
              '0',
            ],
          ],
        ),
    );
    console.log(
      `\np99 < ${P99_TARGET_MS} ms: ${p99Ok ? 'PASS' : 'FAIL'}; ≥ ${ORDERS_TARGET} paid orders/s: ${rateOk ? 'PASS' : 'FAIL'}; ` +
        `stock consistent with ${paid.rows[0].n} paid orders: ${consistent ? 'yes' : 'NO'}${r.exhausted ? ' (ran out of prepared carts: raise the count)' : ''}` +
        (unsent !== null ? `\nevents not yet published when the load stopped: ${unsent}` : '') +
        (r.failures > 0 ? `\nfailures by code: ${JSON.stringify(r.failureCodes)}` : ''),
    );
    return p99Ok && rateOk && consistent;
  } finally {
    await bench.close();
  }
}
