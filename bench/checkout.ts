/**
 * Scenario `checkout`: buyers who already have an item in their cart press
 * "buy" — `POST /orders` then `POST /payments` (gateway latency 0) — from a
 * fixed number of concurrent buyers (BENCH_BUYERS, 50), beside the same bare
 * constant-JSON baseline route the `products` scenario uses.
 *
 * The load generator runs in a worker thread so it does not share the server's
 * event loop. Each order is two requests and about six transactions (create,
 * reserve, payment start, payment settle, deduct, delivery, confirm).
 *
 * Targets: order+pay p99 below 150 ms, and at least 300 paid orders/s.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { API_PREFIX } from '../src/platform/http/envelope';
import { BenchApp, benchSettings, load, table, percentile } from './harness';

const P99_TARGET_MS = 150;
const ORDERS_TARGET = 300;
const BASELINE_PATH = '/bench/baseline';
const PRODUCTS = 200;
const STOCK = 100_000;

/** The buyers' loop, run in a worker: each buyer orders its cart and pays, then takes the next token. */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const { base, tokens, concurrency, durationMs } = workerData;
const address = { receiverName: '벤치', receiverPhone: '010-0000-0000', zipCode: '06236', address1: '서울 강남구 테헤란로 1' };
let next = 0;
const orderMs = [], createMs = [], payMs = [];
let failures = 0;
const failureCodes = {};
const failed = async (res) => {
  failures++;
  let code = String(res.status);
  try { code = (await res.json()).error?.code ?? code; } catch {}
  failureCodes[code] = (failureCodes[code] ?? 0) + 1;
};
const post = (path, token, body) => fetch(base + path, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
  body: JSON.stringify(body),
});
async function buyer(deadline) {
  while (Date.now() < deadline && next < tokens.length) {
    const token = tokens[next++];
    const t0 = performance.now();
    const created = await post('/orders', token, { shippingAddress: address });
    const t1 = performance.now();
    if (created.status !== 201) { await failed(created); continue; }
    const order = await created.json();
    const paid = await post('/payments', token, { orderNumber: order.data.orderNumber, paymentMethod: 'CARD' });
    const t2 = performance.now();
    if (paid.status !== 200) { await failed(paid); continue; }
    await paid.arrayBuffer();
    createMs.push(t1 - t0); payMs.push(t2 - t1); orderMs.push(t2 - t0);
  }
}
(async () => {
  const start = Date.now();
  await Promise.all(Array.from({ length: concurrency }, () => buyer(start + durationMs)));
  parentPort.postMessage({ orderMs, createMs, payMs, failures, failureCodes, elapsedMs: Date.now() - start, exhausted: next >= tokens.length });
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
}

function runClient(base: string, tokens: string[], concurrency: number, durationMs: number): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(CLIENT, { eval: true, workerData: { base, tokens, concurrency, durationMs } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

/**
 * Carts with one line each, spread over the catalog (a sale of one single
 * product is the flash-sale scenarios' job), written in bulk: setting the
 * scene is not what is measured.
 */
async function prepareBuyers(bench: BenchApp, productIds: number[], count: number): Promise<string[]> {
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
  return Promise.all(users.map((userId) => bench.infra.tokens.sign({ userId, roles: ['ROLE_USER'] })));
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
    // Enough carts for 1,500 orders/s over warm-up and measurement.
    const tokens = await prepareBuyers(bench, productIds, (settings.duration + settings.warmup) * 1500);
    console.log(`checkout: ${buyers} concurrent buyers over ${PRODUCTS} products, ${settings.warmup} s warm-up + ${settings.duration} s, gateway latency ${bench.config.pgLatencyMs} ms\n`);

    process.stdout.write('  running baseline (constant JSON) …');
    const baseline = await load('baseline', `${bench.baseUrl}${BASELINE_PATH}`, settings);
    process.stdout.write(` ${Math.round(baseline.requestsPerSecond)} req/s\n`);

    const api = `${bench.baseUrl}${API_PREFIX}`;
    const warmTokens = tokens.splice(0, settings.warmup * 1500);
    if (settings.warmup > 0) await runClient(api, warmTokens, buyers, settings.warmup * 1000);
    process.stdout.write('  running order + pay …');
    const r = await runClient(api, tokens, buyers, settings.duration * 1000);
    const ordersPerSecond = (r.orderMs.length / r.elapsedMs) * 1000;
    process.stdout.write(` ${Math.round(ordersPerSecond)} orders/s\n`);

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
          ['target', 'per s', 'p50 ms', 'p99 ms', 'vs baseline req/s', 'failures'],
          [
            ['baseline (constant JSON)', Math.round(baseline.requestsPerSecond).toLocaleString('en-US'), String(baseline.latencyP50), String(baseline.latencyP99), '–', String(baseline.non2xx + baseline.errors)],
            ['POST /orders', '', fmt(percentile(r.createMs, 50)), fmt(percentile(r.createMs, 99)), '', ''],
            ['POST /payments', '', fmt(percentile(r.payMs, 50)), fmt(percentile(r.payMs, 99)), '', ''],
            [
              'order + pay (paid orders)',
              Math.round(ordersPerSecond).toLocaleString('en-US'),
              fmt(percentile(r.orderMs, 50)),
              fmt(p99),
              `${((2 * ordersPerSecond * 100) / baseline.requestsPerSecond).toFixed(1)} % (2 requests each)`,
              String(r.failures),
            ],
          ],
        ),
    );
    console.log(
      `\np99 < ${P99_TARGET_MS} ms: ${p99Ok ? 'PASS' : 'FAIL'}; ≥ ${ORDERS_TARGET} paid orders/s: ${rateOk ? 'PASS' : 'FAIL'}; ` +
        `stock consistent with ${paid.rows[0].n} paid orders: ${consistent ? 'yes' : 'NO'}${r.exhausted ? ' (ran out of prepared carts: raise the count)' : ''}` +
        (r.failures > 0 ? `\nfailures by code: ${JSON.stringify(r.failureCodes)}` : ''),
    );
    return p99Ok && rateOk && consistent;
  } finally {
    await bench.close();
  }
}
