/**
 * Scenario `products`: the catalog reads a storefront makes on every visit,
 * against a bare route of the same app that sends a constant of the same size.
 *
 * The baseline passes through the same server, hooks (auth, request id,
 * metrics) and connections, so the ratio shows what the product routes cost on
 * top of the framework: the MySQL queries, the inventory lookup and the
 * schema-driven serialisation.
 *
 * Targets: p99 below 20 ms, and at least 25 % of the baseline's requests/s.
 */
import os from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { API_PREFIX } from '../src/platform/http/envelope';
import { createProducts } from '../scripts/load-demo';
import { demoProducts } from '../scripts/seed-data';
import { BenchApp, benchSettings, load, table, type LoadResult } from './harness';

const P99_TARGET_MS = 20;
const THROUGHPUT_TARGET = 0.25;
const BASELINE_PATH = '/bench/baseline';

export async function productsScenario(): Promise<boolean> {
  const settings = benchSettings();
  let baselineBody = '';
  const bench = await BenchApp.start((app) => {
    app.get(BASELINE_PATH, { schema: { hide: true } }, (_request, reply) => {
      reply.type('application/json; charset=utf-8').send(baselineBody);
    });
  });
  try {
    const ids = await createProducts(bench.services, demoProducts(), { concurrency: 8, actor: 'bench' });
    const listUrl = `${bench.baseUrl}${API_PREFIX}/products?page=1&size=20`;
    const detailId = ids[Math.floor(ids.length / 2)];
    const detailUrl = `${bench.baseUrl}${API_PREFIX}/products/${detailId}`;

    // The baseline answers with a real first page, captured once.
    const page = await fetch(listUrl);
    if (page.status !== 200) throw new Error(`GET products answered ${page.status}`);
    baselineBody = await page.text();
    const detailBytes = (await (await fetch(detailUrl)).text()).length;

    const [{ version }] = (await sql<{ version: string }>`SELECT VERSION() AS version`.execute(bench.infra.db)).rows;
    const redisVersion = /redis_version:(\S+)/.exec(await bench.infra.redis.info('server'))?.[1] ?? '?';
    const cpus = os.cpus();
    console.log(
      `products: ${ids.length} products; ${settings.connections} connections, ${settings.warmup} s warm-up + ${settings.duration} s per target\n` +
        `machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
        `Node ${process.version}, MariaDB ${version}, Redis ${redisVersion}\n` +
        `bodies: list ${Buffer.byteLength(baselineBody)} B, detail ${detailBytes} B\n`,
    );

    const targets: [string, string][] = [
      ['baseline (constant JSON)', `${bench.baseUrl}${BASELINE_PATH}`],
      ['GET /products?page=1&size=20', listUrl],
      ['GET /products/{id}', detailUrl],
    ];
    const results: LoadResult[] = [];
    for (const [title, url] of targets) {
      process.stdout.write(`  running ${title} …`);
      const r = await load(title, url, settings);
      results.push(r);
      process.stdout.write(` ${Math.round(r.requestsPerSecond)} req/s\n`);
    }

    const baseline = results[0].requestsPerSecond;
    let allPass = true;
    const rows = results.map((r, i) => {
      const ratio = r.requestsPerSecond / baseline;
      const clean = r.non2xx === 0 && r.errors === 0 && r.timeouts === 0;
      const p99Ok = r.latencyP99 < P99_TARGET_MS && clean;
      const ratioOk = ratio >= THROUGHPUT_TARGET && clean;
      if (i > 0) allPass &&= p99Ok && ratioOk;
      return [
        r.title,
        Math.round(r.requestsPerSecond).toLocaleString('en-US'),
        String(r.latencyP50),
        String(r.latencyP99),
        `${(ratio * 100).toFixed(0)} %`,
        r.non2xx + r.errors + r.timeouts === 0 ? '0' : `${r.non2xx} non-2xx, ${r.errors} err, ${r.timeouts} t/o`,
        i === 0 ? '–' : p99Ok ? 'PASS' : 'FAIL',
        i === 0 ? '–' : ratioOk ? 'PASS' : 'FAIL',
      ];
    });
    console.log(
      '\n' +
        table(
          ['target', 'req/s', 'p50 ms', 'p99 ms', 'vs baseline', 'failures', `p99 < ${P99_TARGET_MS} ms`, `≥ ${THROUGHPUT_TARGET * 100} % of baseline`],
          rows,
        ),
    );
    console.log(`\nproducts: ${allPass ? 'PASS' : 'FAIL'}`);

    const dir = new URL('./results/', import.meta.url);
    await mkdir(dir, { recursive: true });
    const file = new URL(`products-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, dir);
    await writeFile(
      file,
      JSON.stringify({ scenario: 'products', date: new Date().toISOString(), settings, cpus: cpus.length, node: process.version, mariadb: version, redis: redisVersion, results }, null, 2),
    );
    console.log(`results written to bench/results/${file.pathname.split('/').pop()}`);
    return allPass;
  } finally {
    await bench.close();
  }
}
