/**
 * `npm run bench -- <scenario>`: runs one load scenario and prints its table.
 *
 * Environment: BENCH_DURATION (s per target, 10), BENCH_WARMUP (s, 3),
 * BENCH_CONNECTIONS (100), BENCH_LOG_LEVEL (warn), BENCH_STRICT=1 (exit 1 when
 * a target fails), and the service's own DATABASE_URL / REDIS_URL for where the
 * servers are (the scenario makes and drops a database of its own).
 */
import { couponSpikeScenario } from './coupon-spike';
import { productsScenario } from './products';
import { searchScenario } from './search';

const SCENARIOS: Record<string, { about: string; run: () => Promise<boolean> }> = {
  'coupon-spike': { about: '10,000 users, 1,000 connections, one 1,000-unit coupon, beside a Lua-only floor', run: couponSpikeScenario },
  'timedeal-spike': { about: '10,000 users, 1,000 connections, a 1,000-unit deal (max 1 each), beside a Lua-only floor', run: () => import('./timedeal-spike').then((m) => m.timedealSpikeScenario()) },
  checkout: { about: '50 buyers: POST /orders then POST /payments (gateway latency 0), beside a constant-JSON baseline', run: () => import('./checkout').then((m) => m.checkoutScenario()) },
  products: { about: 'catalog list and detail against a same-size constant JSON route', run: productsScenario },
  search: { about: 'product search over 100,000 generated products at a fixed 1,000 req/s (steps down to the rate that holds)', run: searchScenario },
  'kafka-events': { about: 'outbox → Kafka (mock cluster) → consumer: commit-to-consumer latency at rest, catch-up after a 10 s broker outage under 200 events/s', run: () => import('./kafka-events').then((m) => m.kafkaEventsScenario()) },
  'queue-sse': { about: '10,000 queue SSE subscribers on one instance, 500 admitted/s: admission → queue-entered delay, Redis cmd/s, RSS', run: () => import('./queue-sse').then((m) => m.queueSseScenario()) },
};

function usage(problem?: string): never {
  if (problem) console.error(`bench: ${problem}\n`);
  console.error('usage: npm run bench -- <scenario>\n\nscenarios:');
  for (const [name, s] of Object.entries(SCENARIOS)) console.error(`  ${name.padEnd(10)} ${s.about}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name || name === '-h' || name === '--help') usage(name ? undefined : 'name a scenario');
  const scenario = SCENARIOS[name];
  if (!scenario) usage(`unknown scenario "${name}"`);
  const pass = await scenario.run();
  process.exit(!pass && process.env.BENCH_STRICT === '1' ? 1 : 0);
}

main().catch((err) => {
  console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
