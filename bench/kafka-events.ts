/**
 * Scenario `kafka-events`: domain events through the outbox and Kafka, commit
 * to consumer, at rest and through a broker outage under load.
 *
 * The whole app runs with EVENT_BUS=kafka against librdkafka's mock cluster
 * (3 brokers, the service's topics; needs librdkafka-dev like the Kafka tests),
 * its relay and consumer groups started as `main` starts them, with the
 * service's default settings. A bench consumer group on
 * `shopping.inventory.reserved` (a topic no other consumer reads) goes through
 * the consumer runner like every consumer (one transaction per batch, event ids
 * recorded) and notes when each event's transaction committed.
 *
 *   1. At rest: 80 single-event transactions, one every
 *      ~250 ms. Commit-to-consumer latency = the consumer's commit minus the
 *      producing transaction's commit.
 *   2. Outage under load: RATE (200) events/s in transactions of two for
 *      5 s, then every broker refuses connections for OUTAGE (10) s while
 *      commits go on, then the brokers come back and the load runs 20 s more.
 *      Reported: catch-up (broker back → every event committed before then
 *      consumed), the longest gap between two consumed events after the
 *      broker is back (a stall), latency once caught up, and events lost or
 *      applied twice.
 *
 * Targets: p99 at rest < 500 ms; catch-up < 15 s; no gap > 5 s after the
 * broker is back; nothing lost or applied twice.
 *
 * Environment: BENCH_KAFKA_RATE (200 events/s), BENCH_KAFKA_OUTAGE (10 s),
 * KAFKA_FETCH_MAX_WAIT_MS and the other KAFKA_* settings of the service.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterCommit, inTransaction } from '../src/platform/db/tx';
import { emit, Topics } from '../src/platform/events/outbox';
import { KafkaMockCluster } from '../test/kafka/mock-cluster';
import { BenchApp, envInt, percentile, table } from './harness';

const AT_REST = 80;

export async function kafkaEventsScenario(): Promise<boolean> {
  const rate = envInt('BENCH_KAFKA_RATE', 200);
  const outageS = envInt('BENCH_KAFKA_OUTAGE', 10);
  const cluster = await KafkaMockCluster.start({ brokers: 3 });
  process.env.EVENT_BUS = 'kafka';
  process.env.KAFKA_BROKERS = cluster.brokers.join(',');
  process.env.KAFKA_GROUP_PREFIX = `bench-${randomBytes(4).toString('hex')}.`;
  let bench: BenchApp | undefined;
  try {
    bench = await BenchApp.start();
    const { db, eventing } = bench.infra;
    const committedAt = new Map<string, number>();
    const consumedAt = new Map<string, number>();
    const consumedTimes: number[] = [];
    eventing.register({
      name: 'bench-latency',
      topics: [Topics.INVENTORY_RESERVED],
      handle: async (trx, event) => {
        afterCommit(trx, () => note([event.eventId]));
      },
      handleBatch: async (trx, events) => {
        afterCommit(trx, () => note(events.map((e) => e.eventId)));
      },
    });
    const applied = new Map<string, number>();
    function note(ids: string[]): void {
      const now = Date.now();
      for (const id of ids) {
        applied.set(id, (applied.get(id) ?? 0) + 1);
        if (!consumedAt.has(id)) consumedAt.set(id, now);
      }
      consumedTimes.push(now);
    }
    let seq = 0;
    async function commit(n: number): Promise<string[]> {
      const ids = await inTransaction(db, async (trx) => {
        const out: string[] = [];
        for (let i = 0; i < n; i++) {
          const orderNumber = `ORD-B${seq++ % 500}`;
          out.push(await emit(trx, Topics.INVENTORY_RESERVED, orderNumber, { orderNumber, productId: 1, quantity: 1 }));
        }
        return out;
      });
      const now = Date.now();
      for (const id of ids) committedAt.set(id, now);
      return ids;
    }
    const latencies = (ids: Iterable<string>) =>
      [...ids].filter((id) => consumedAt.has(id)).map((id) => consumedAt.get(id)! - committedAt.get(id)!).sort((a, b) => a - b);

    const joinStart = Date.now();
    await eventing.start();
    // Wait until the bench group has joined and consumes: one event through end to end.
    const [probe] = await commit(1);
    while (!consumedAt.has(probe)) {
      if (Date.now() - joinStart > 60_000) throw new Error('the bench consumer group consumed nothing within 60 s');
      await sleep(20);
    }
    console.log(`consumer groups joined and consuming after ${((Date.now() - joinStart) / 1000).toFixed(1)} s`);

    // ---- 1. at rest -------------------------------------------------------------------
    const restIds: string[] = [];
    for (let i = 0; i < AT_REST; i++) {
      restIds.push(...(await commit(1)));
      await sleep(150 + Math.random() * 200);
    }
    await waitFor(() => restIds.every((id) => consumedAt.has(id)), 15_000);
    const rest = latencies(restIds);

    // ---- 2. outage under load -----------------------------------------------------------
    const duplicatesBefore = eventing.consumers.stats.get('bench-latency')?.duplicate ?? 0;
    const loadIds: string[] = [];
    let loading = true;
    const perTx = 2;
    const tick = (1000 * perTx) / rate;
    const loader = (async () => {
      const start = Date.now();
      let n = 0;
      while (loading) {
        loadIds.push(...(await commit(perTx)));
        n++;
        const ahead = start + n * tick - Date.now();
        if (ahead > 0) await sleep(ahead);
      }
    })();
    // A line a second through the outage: what the outbox holds and what the consumer has applied.
    const timeline: { t: number; unsent: number; consumed: number; p50: number; groupsUp: string }[] = [];
    const phaseStart = Date.now();
    const sampler = setInterval(() => {
      void db
        .selectFrom('outbox_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('sent_at', 'is', null)
        .executeTakeFirst()
        .then((r) => {
          const now = Date.now();
          const lastSecond = [...consumedAt].filter(([, at]) => at > now - 1000).map(([id, at]) => at - committedAt.get(id)!).sort((x, y) => x - y);
          timeline.push({ t: (now - phaseStart) / 1000, unsent: Number(r?.n ?? 0), consumed: consumedAt.size, p50: percentile(lastSecond, 50), groupsUp: eventing.broker.status() });
        })
        .catch(() => undefined);
    }, 1000);
    await sleep(5000);
    const downAt = Date.now();
    await cluster.setDown();
    await sleep(outageS * 1000);
    await cluster.setUp();
    const upAt = Date.now();
    const backlog = loadIds.slice(); // everything committed before the broker came back
    const caughtUpAt = await waitFor(() => backlog.every((id) => consumedAt.has(id)), 180_000);
    await sleep(Math.max(0, upAt + 20_000 - Date.now()));
    loading = false;
    await loader;
    await waitFor(() => loadIds.every((id) => consumedAt.has(id)), 60_000);
    clearInterval(sampler);
    console.log(
      `\ntimeline (s from the start of the load; brokers down at ${((downAt - phaseStart) / 1000).toFixed(1)}, back at ${((upAt - phaseStart) / 1000).toFixed(1)})\n` +
        timeline.map((p) => `  ${p.t.toFixed(0).padStart(3)} s  outbox unsent ${String(p.unsent).padStart(5)}  consumed ${String(p.consumed).padStart(6)}  p50 of that second ${Number.isNaN(p.p50) ? '     —' : String(p.p50).padStart(6)} ms  broker ${p.groupsUp}`).join('\n'),
    );
    const afterCatchUp = loadIds.filter((id) => committedAt.get(id)! > (caughtUpAt ?? Infinity) + 1000);
    const steady = latencies(afterCatchUp);
    const gaps = consumedTimes.filter((t) => t >= upAt).sort((a, b) => a - b);
    let maxGap = gaps.length > 0 ? gaps[0] - upAt : Infinity;
    for (let i = 1; i < gaps.length; i++) maxGap = Math.max(maxGap, gaps[i] - gaps[i - 1]);
    const lost = loadIds.filter((id) => !consumedAt.has(id)).length;
    const appliedTwice = loadIds.filter((id) => (applied.get(id) ?? 0) > 1).length;
    const duplicates = (eventing.consumers.stats.get('bench-latency')?.duplicate ?? 0) - duplicatesBefore;
    const catchUpMs = caughtUpAt === undefined ? Infinity : caughtUpAt - upAt;
    const duringOutage = loadIds.filter((id) => committedAt.get(id)! >= downAt && committedAt.get(id)! < upAt).length;

    const ms = (v: number) => (Number.isFinite(v) ? String(Math.round(v)) : '—');
    const restP99 = percentile(rest, 99);
    console.log(
      `\nat rest (${rest.length} events, KAFKA_FETCH_MAX_WAIT_MS=${bench.config.kafkaFetchMaxWaitMs}): commit → consumer, ms\n` +
        table(
          ['p50', 'p95', 'p99', 'max', 'p99 < 500 ms'],
          [[ms(percentile(rest, 50)), ms(percentile(rest, 95)), ms(restP99), ms(rest.at(-1) ?? NaN), restP99 < 500 ? 'yes' : 'NO']],
        ),
    );
    console.log(
      `\noutage under load: ${rate} events/s, brokers down ${outageS} s (${duringOutage} events committed meanwhile, ${backlog.length} before the brokers were back)\n` +
        table(
          ['catch-up s', 'longest gap after back, s', 'p50 / p99 once caught up, ms', 'lost', 'applied twice', 'redelivered', 'targets'],
          [
            [
              (catchUpMs / 1000).toFixed(1),
              (maxGap / 1000).toFixed(1),
              `${ms(percentile(steady, 50))} / ${ms(percentile(steady, 99))}`,
              String(lost),
              String(appliedTwice),
              String(duplicates),
              catchUpMs < 15_000 && maxGap < 5000 && lost === 0 && appliedTwice === 0 ? 'met' : 'MISSED',
            ],
          ],
        ),
    );
    const resultsDir = new URL('./results/', import.meta.url);
    await mkdir(resultsDir, { recursive: true });
    const file = new URL(`kafka-events-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, resultsDir);
    await writeFile(file, JSON.stringify({ rate, outageS, rest, catchUpMs, maxGap, steady, lost, appliedTwice, duplicates, duringOutage, timeline, backlog: backlog.length }, null, 2));
    console.log(`results written to bench/results/${file.pathname.split('/').pop()}`);
    return restP99 < 500 && catchUpMs < 15_000 && maxGap < 5000 && lost === 0 && appliedTwice === 0;
  } finally {
    await bench?.close();
    await cluster.stop();
  }
}

/** Polls `check` every 20 ms; resolves with the time it first held, or undefined after `ms`. */
async function waitFor(check: () => boolean, ms: number): Promise<number | undefined> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return undefined;
    await sleep(20);
  }
  return Date.now();
}
