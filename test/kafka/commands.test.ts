import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { KafkaBroker } from '../../src/platform/events/kafka-broker';
import { until } from '../helpers';
import { KafkaMockCluster } from './mock-cluster';

/**
 * `npm run kafka:dev` and `npm run kafka:topics` as a developer runs them (the
 * scripts through tsx, as their npm entries do), against librdkafka's mock cluster.
 */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const run = promisify(execFile);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs `kafka:topics` against `brokers`; resolves with its exit code and output, never rejects. */
async function kafkaTopics(brokers: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, ['scripts/kafka-topics.ts'], {
      cwd: ROOT,
      env: { ...process.env, KAFKA_BROKERS: brokers.join(','), EVENT_BUS: 'kafka' },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const stopLater: KafkaMockCluster[] = [];
after(async () => {
  for (const c of stopLater) await c.stop();
});

test('kafka:dev prints KAFKA_BROKERS, serves the ten topics (kafka:topics finds them all with 3 partitions), and stops on SIGTERM taking its broker with it', async () => {
  // Its own process group, so a failed test can stop the whole tree (tsx, node, the broker) at once.
  const dev = spawn(TSX, ['scripts/kafka-dev.ts'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  try {
    let stderr = '';
    dev.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const first = await Promise.race([
      once(createInterface({ input: dev.stdout! }), 'line').then(([l]) => String(l)),
      new Promise<string>((_, reject) => setTimeout(() => reject(new Error(`kafka:dev printed nothing in 30 s: ${stderr}`)), 30_000).unref()),
    ]);
    const m = /^KAFKA_BROKERS=((?:[\d.]+:\d+,?)+)$/.exec(first);
    assert.ok(m, `first line is KAFKA_BROKERS=host:port,…, got "${first}"`);
    const brokers = m[1].split(',');
    await until(() => /nothing is kept on disk/.test(stderr), 5000, 'the note that nothing is kept on disk');

    // Still up a while later (it no longer quits when its stdin closes: here stdin is /dev/null from the start).
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(dev.exitCode, null, 'still running');

    const topics = await kafkaTopics(brokers);
    assert.equal(topics.code, 0, topics.stderr);
    const rows = topics.stdout.trim().split('\n');
    assert.equal(rows.length, 10);
    for (const topic of ['shopping.order.created', 'shopping.timedeal.started', 'shopping.product.changed']) {
      assert.match(topics.stdout, new RegExp(`^${topic.replace(/\./g, '\\.')}\\s+exists, 3 partitions$`, 'm'));
    }
    assert.ok(rows.every((r) => /exists, 3 partitions$/.test(r)), topics.stdout);

    const { stdout: ps } = await run('ps', ['-o', 'pid=', '--ppid', String(dev.pid)]);
    const children = ps.split('\n').map((s) => Number(s.trim())).filter(Boolean);
    dev.kill('SIGTERM');
    const [code] = (await Promise.race([once(dev, 'exit'), new Promise((_, reject) => setTimeout(() => reject(new Error('no exit 10 s after SIGTERM')), 10_000).unref())])) as [number];
    assert.equal(code, 0);
    await new Promise((r) => setTimeout(r, 300));
    for (const pid of children) assert.equal(alive(pid), false, `process ${pid} under kafka:dev is gone`);
  } finally {
    if (dev.exitCode === null) {
      try {
        process.kill(-dev.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

test('kafka:topics on a cluster without the topics tries to create them and exits 1 naming each one it could not make', async () => {
  // librdkafka's mock has no CreateTopics, so nothing can be made there: what is tested is that the command
  // notices and says so per topic instead of reporting success.
  const bare = await KafkaMockCluster.start({ brokers: 1, withoutServiceTopics: true });
  stopLater.push(bare);
  const topics = await kafkaTopics(bare.brokers);
  assert.equal(topics.code, 1, topics.stdout + topics.stderr);
  const failed = topics.stdout.trim().split('\n').filter((r) => /FAILED/.test(r));
  assert.equal(failed.length, 10, topics.stdout);
  assert.match(topics.stderr, /10 of 10 topics missing/);
});

test('KAFKA_CREATE_TOPICS at start-up: a cluster that has the topics starts quietly; one that lacks them and cannot make them is logged, and the start still succeeds', async () => {
  const full = await KafkaMockCluster.start({ brokers: 1 });
  const bare = await KafkaMockCluster.start({ brokers: 1, withoutServiceTopics: true });
  stopLater.push(full, bare);
  for (const [cluster, expectError] of [[full, false], [bare, true]] as const) {
    const lines: { level: number; msg: string; topics?: unknown[] }[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const broker = new KafkaBroker({ brokers: cluster.brokers, log: log as unknown as FastifyBaseLogger, createTopics: { partitions: 3 } });
    try {
      await broker.start();
      const errors = lines.filter((l) => l.level >= 50);
      if (expectError) {
        assert.deepEqual(errors.map((l) => l.msg), ['Kafka topics missing and not created']);
        assert.equal(errors[0].topics?.length, 10);
      } else {
        assert.deepEqual(errors, []);
        assert.equal(broker.status(), 'up');
      }
    } finally {
      await broker.close();
    }
  }
});
