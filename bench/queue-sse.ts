/**
 * Scenario `queue-sse`: the waiting room's live streams at flash-sale size.
 *
 * One in-process app (127.0.0.1) holds SUBSCRIBERS (10,000) open queue SSE
 * streams while the line is admitted at RATE (500) per second, one batch a
 * second. A load client in a child process (autocannon cannot hold SSE
 * streams) opens the streams with node:http and timestamps every frame.
 *
 * The line: FILLERS entries at its head nobody watches (so while they are
 * admitted every subscriber's position changes every second: the ticker's
 * worst case), then the subscribers. Phases:
 *   0. no streams: Redis commands/s of admission alone;
 *   1. 1,000 streams: commands/s;
 *   2. all 10,000 streams: commands/s, RSS, event-loop delay;
 *   3. admission reaches the subscribers: delay from the Lua move to the
 *      client receiving `queue-entered`, for every subscriber.
 *
 * Targets: p99 delay < 1 s; Redis commands/s flat from 1,000 to 10,000
 * subscribers (no more than +20 %); server RSS < 400 MB. Commands are
 * counted where the app sends them (its client), since INFO's
 * total_commands_processed counts every tenant of a shared Redis; the INFO
 * delta is printed beside it.
 *
 * Environment: BENCH_QUEUE_SUBSCRIBERS (10000), BENCH_QUEUE_RATE (500/s),
 * BENCH_QUEUE_WINDOW (5 s per measured phase). Each socket is a file
 * descriptor on both sides: `ulimit -n` must exceed the subscriber count
 * (+ ~100) in the shell that runs the bench (server and client are separate
 * processes, each inherits it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { API_PREFIX } from '../src/platform/http/envelope';
import { adminQueueRoutes, queueRoutes } from '../src/modules/queue/routes';
import { QueueService } from '../src/modules/queue/service';
import { BenchApp, table, percentile } from './harness';

const EVENT_TYPE = 'TIMEDEAL';
const EVENT_ID = 1;
const P99_TARGET_MS = 1000;
const RSS_TARGET_MB = 400;
const FLAT_TOLERANCE = 0.2;

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number >= 1, got "${raw}"`);
  return n;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- the load client (child process) ------------------------------------------------

type ClientCommand = { cmd: 'open'; tokens: string[] } | { cmd: 'report' } | { cmd: 'exit' };
type ClientReply =
  | { ev: 'opened'; ok: number; failed: number; errors: string[] }
  | { ev: 'report'; entered: [string, number][]; statusFrames: number; endedEarly: number; errors: string[] };

/**
 * Keeps N SSE streams open. Commands come as JSON lines on stdin; answers go
 * as JSON lines on stdout. Records when each token's `queue-entered` arrives.
 */
async function runClient(base: string): Promise<void> {
  const agent = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });
  const entered = new Map<string, number>();
  const errors: string[] = [];
  let statusFrames = 0;
  let endedEarly = 0;
  const say = (reply: ClientReply) => process.stdout.write(`${JSON.stringify(reply)}\n`);

  /** Opens one stream; resolves once its first frame came (or it failed). */
  const openOne = (token: string) =>
    new Promise<boolean>((resolve) => {
      let first = true;
      const req = request(`${base}/queue/${EVENT_TYPE}/${EVENT_ID}/subscribe/${token}`, { agent }, (res) => {
        if (res.statusCode !== 200) {
          errors.push(`HTTP ${res.statusCode}`);
          res.resume();
          return resolve(false);
        }
        res.setEncoding('utf8');
        let buffer = '';
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (block.startsWith('event: queue-entered')) entered.set(token, Date.now());
            else if (block.startsWith('event: queue-status')) statusFrames++;
            if (first) {
              first = false;
              resolve(true);
            }
          }
        });
        res.on('close', () => {
          if (!entered.has(token)) endedEarly++;
          if (first) resolve(false);
        });
      });
      req.on('error', (err) => {
        errors.push(err.message);
        resolve(false);
      });
      req.end();
    });

  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const command = JSON.parse(line) as ClientCommand;
    if (command.cmd === 'open') {
      let ok = 0;
      let failed = 0;
      const queue = [...command.tokens];
      const worker = async () => {
        for (let token = queue.shift(); token !== undefined; token = queue.shift()) {
          if (await openOne(token)) ok++;
          else failed++;
        }
      };
      await Promise.all(Array.from({ length: 200 }, worker));
      say({ ev: 'opened', ok, failed, errors: errors.splice(0, 5) });
    } else if (command.cmd === 'report') {
      say({ ev: 'report', entered: [...entered], statusFrames, endedEarly, errors: errors.splice(0, 5) });
    } else {
      process.exit(0);
    }
  }
}

/** The parent's handle on the client process. */
class Client {
  private readonly replies: ClientReply[] = [];
  private waiter?: (r: ClientReply) => void;

  constructor(private readonly child: ChildProcess) {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const reply = JSON.parse(line) as ClientReply;
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(reply);
      } else this.replies.push(reply);
    });
    child.stderr!.on('data', (d) => process.stderr.write(`[client] ${d}`));
  }

  static start(base: string): Client {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'client', base], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new Client(child);
  }

  private ask(command: ClientCommand): Promise<ClientReply> {
    this.child.stdin!.write(`${JSON.stringify(command)}\n`);
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  async open(tokens: string[]) {
    const r = await this.ask({ cmd: 'open', tokens });
    if (r.ev !== 'opened') throw new Error('client out of step');
    return r;
  }

  async report() {
    const r = await this.ask({ cmd: 'report' });
    if (r.ev !== 'report') throw new Error('client out of step');
    return r;
  }

  stop(): void {
    this.child.stdin!.write(`${JSON.stringify({ cmd: 'exit' })}\n`);
    setTimeout(() => this.child.kill(), 2000).unref();
  }
}

// ---- the scenario ---------------------------------------------------------------------

export async function queueSseScenario(): Promise<boolean> {
  const subscribers = intEnv('BENCH_QUEUE_SUBSCRIBERS', 10_000);
  const rate = intEnv('BENCH_QUEUE_RATE', 500);
  const windowS = intEnv('BENCH_QUEUE_WINDOW', 5);
  const firstStep = Math.min(1000, subscribers);
  const warmupS = 2;
  // Head of the line nobody watches: enough for phases 0–2 (each warm-up + window at `rate`/s), plus 2 s spare.
  const fillers = rate * (3 * (warmupS + windowS) + 2);

  const holder: { queue?: QueueService } = {};
  const late = new Proxy({} as QueueService, {
    get(_target, name) {
      const q = holder.queue as unknown as Record<string | symbol, unknown>;
      const value = q[name];
      return typeof value === 'function' ? value.bind(q) : value;
    },
  });
  const bench = await BenchApp.start(async (app) => {
    // Until src/app.ts wires services.queue, mount the routes here.
    if (app.hasRoute({ method: 'POST', url: `${API_PREFIX}/queue/:eventType/:eventId/enter` })) return;
    await app.register(
      async (api) => {
        await api.register(queueRoutes(late));
        await api.register(adminQueueRoutes(late), { prefix: '/admin' });
      },
      { prefix: API_PREFIX },
    );
  });
  const { infra } = bench;
  const wired = (bench.services as unknown as { queue?: QueueService }).queue;
  const queue = wired ?? new QueueService({ db: infra.db, redis: infra.redis, pubsub: infra.pubsub, sse: infra.sse, log: infra.log });
  holder.queue = queue;
  const stats = new Redis(bench.config.redisUrl);
  // Our own commands, counted where they are sent (the app's one client: pipelines, scripts, locks,
  // publishes), so other tenants of a shared Redis do not blur the number; INFO's server-wide count is reported beside it.
  let sent = 0;
  const redis = infra.redis as unknown as { sendCommand: (...args: unknown[]) => unknown };
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (...args: unknown[]) => {
    sent++;
    return send(...args);
  };
  let client: Client | undefined;
  let admitting = false;
  let pump: NodeJS.Timeout | undefined;
  const movedAt = new Map<string, number>();
  let admittedTotal = 0;

  try {
    // The line: fillers, then subscribers, written straight to MySQL and rebuilt in Redis by repair().
    await queue.activate(EVENT_TYPE, EVENT_ID, { maxCapacity: 2_000_000_000, entryBatchSize: rate, entryIntervalSeconds: 1, entryTtlSeconds: 600 });
    const queueRow = await infra.db
      .selectFrom('waiting_queues')
      .select('id')
      .where('event_type', '=', EVENT_TYPE)
      .where('event_id', '=', EVENT_ID)
      .executeTakeFirstOrThrow();
    const total = fillers + subscribers;
    const tokens: string[] = Array.from({ length: total }, () => randomUUID());
    for (let i = 0; i < total; i += 2000) {
      const rows = tokens
        .slice(i, i + 2000)
        .map((token, j) => ({ queue_id: queueRow.id, user_id: `bench-user-${i + j}`, entry_token: token, status: 'WAITING' }));
      await infra.db.insertInto('queue_entries').values(rows).execute();
    }
    const [repaired] = await queue.repair();
    if (repaired.waitingAdded !== total) throw new Error(`repair put ${repaired.waitingAdded} of ${total} in the line`);
    const watched = tokens.slice(fillers);

    const redisVersion = /redis_version:(\S+)/.exec(await stats.info('server'))?.[1] ?? '?';
    let fdLimit = '?';
    try {
      fdLimit = execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim();
    } catch {
      // not a POSIX shell
    }
    const cpus = os.cpus();
    console.log(
      `queue-sse: ${subscribers.toLocaleString('en-US')} subscribers behind ${fillers.toLocaleString('en-US')} unwatched entries; ` +
        `${rate} admitted/s (one batch a second); ${windowS} s per measured phase\n` +
        `machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? '?'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
        `Node ${process.version}, Redis ${redisVersion}, ulimit -n ${fdLimit}\n`,
    );

    let inFlight = false;
    const admitOnce = async () => {
      // Like the scheduler: a batch still running when the next second starts is not queued behind (no lock waits).
      if (!admitting || inFlight) return;
      inFlight = true;
      try {
        const r = await queue.process(EVENT_TYPE, EVENT_ID);
        for (const token of r.admitted) movedAt.set(token, r.movedAt);
        admittedTotal += r.admitted.length;
      } catch (err) {
        console.error(`admission failed: ${String(err)}`);
      } finally {
        inFlight = false;
      }
    };
    const startAdmitting = () => {
      admitting = true;
      pump = setInterval(() => void admitOnce(), 1000);
    };
    const stopAdmitting = () => {
      admitting = false;
      if (pump) clearInterval(pump);
    };
    const commands = async () => Number(/total_commands_processed:(\d+)/.exec(await stats.info('stats'))?.[1]);
    /** Calls per command (INFO commandstats), to say which commands a phase spent. */
    const commandStats = async () => {
      const out = new Map<string, number>();
      for (const m of (await stats.info('commandstats')).matchAll(/cmdstat_([\w|]+):calls=(\d+)/g)) out.set(m[1], Number(m[2]));
      return out;
    };
    /** Redis commands/s (whole server, our INFO calls included) over one window, with admission running. */
    const measure = async (label: string) => {
      startAdmitting();
      await sleep(warmupS * 1000);
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      const s0 = await commandStats();
      const c0 = await commands();
      const sent0 = sent;
      queue.streams.takeMaxTickMs();
      const t0 = Date.now();
      // RSS sampled through the window: the peak is reported.
      let peakRss = process.memoryUsage().rss;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
      await sleep(windowS * 1000);
      clearInterval(sampler);
      const c1 = await commands();
      const sent1 = sent;
      const maxTickMs = queue.streams.takeMaxTickMs();
      const s1 = await commandStats();
      const seconds = (Date.now() - t0) / 1000;
      loop.disable();
      stopAdmitting();
      const memory = process.memoryUsage();
      const rssMb = Math.max(peakRss, memory.rss) / 2 ** 20;
      const heapUsedMb = memory.heapUsed / 2 ** 20;
      const heapTotalMb = memory.heapTotal / 2 ** 20;
      const byCommand = [...s1]
        .map(([name, calls]) => [name, (calls - (s0.get(name) ?? 0)) / seconds] as const)
        .filter(([, perSecond]) => perSecond > 0)
        .sort((a, b) => b[1] - a[1]);
      const row = {
        label,
        byCommand: Object.fromEntries(byCommand.map(([n, v]) => [n, Number(v.toFixed(1))])),
        streams: infra.sse.size,
        commandsPerSecond: (sent1 - sent0) / seconds,
        serverCommandsPerSecond: (c1 - c0) / seconds,
        maxTickMs,
        rssMb,
        heapUsedMb,
        heapTotalMb,
        loopP99Ms: loop.percentile(99) / 1e6,
      };
      console.log(
        `  ${label}: ${row.streams.toLocaleString('en-US')} open streams, ${row.commandsPerSecond.toFixed(1)} Redis commands/s sent ` +
          `(server-wide ${row.serverCommandsPerSecond.toFixed(1)}), peak RSS ${rssMb.toFixed(0)} MB (heap at the end ${heapUsedMb.toFixed(0)} of ${heapTotalMb.toFixed(0)} MB), ` +
          `event-loop delay p99 ${row.loopP99Ms.toFixed(1)} ms, longest tick ${maxTickMs.toFixed(0)} ms\n` +
          `    per command: ${byCommand.map(([n, v]) => `${n} ${v.toFixed(1)}`).join(', ')}`,
      );
      return row;
    };

    const phases = [];
    phases.push(await measure('no streams'));

    client = Client.start(`${bench.baseUrl}${API_PREFIX}`);
    let t0 = Date.now();
    let opened = await client.open(watched.slice(0, firstStep));
    console.log(`  opened ${opened.ok} streams in ${Date.now() - t0} ms${opened.failed ? ` (${opened.failed} failed: ${opened.errors.join('; ')})` : ''}`);
    phases.push(await measure(`${firstStep.toLocaleString('en-US')} subscribers`));

    t0 = Date.now();
    opened = await client.open(watched.slice(firstStep));
    console.log(`  opened ${opened.ok} more streams in ${Date.now() - t0} ms${opened.failed ? ` (${opened.failed} failed: ${opened.errors.join('; ')})` : ''}`);
    phases.push(await measure(`${subscribers.toLocaleString('en-US')} subscribers`));
    const peakRssMb = Math.max(...phases.map((p) => p.rssMb));

    // Phase 3: admission runs until every subscriber has been admitted and told.
    process.stdout.write('  admitting the subscribers …');
    startAdmitting();
    const deadline = Date.now() + ((fillers + subscribers) / rate + 30) * 1000;
    const watchedSet = new Set(watched);
    let report = await client.report();
    while (report.entered.length < subscribers && Date.now() < deadline) {
      await sleep(1000);
      report = await client.report();
    }
    stopAdmitting();
    process.stdout.write(` ${report.entered.length.toLocaleString('en-US')} told\n`);

    const delays: number[] = [];
    for (const [token, at] of report.entered) {
      const moved = movedAt.get(token);
      if (moved !== undefined && watchedSet.has(token)) delays.push(at - moved);
    }
    delays.sort((a, b) => a - b);
    const p50 = percentile(delays, 50);
    const p99 = percentile(delays, 99);
    const max = delays.at(-1) ?? Number.NaN;
    const missed = subscribers - delays.length;

    const [zero, small, big] = phases;
    const overhead = (p: typeof zero) => p.commandsPerSecond - zero.commandsPerSecond;
    // Flat = ten times the subscribers do not cost more commands (fewer is fine: a busier loop may fit fewer ticks in a window).
    const flat = big.commandsPerSecond <= small.commandsPerSecond * (1 + FLAT_TOLERANCE);
    const delayOk = p99 < P99_TARGET_MS && missed === 0;
    const rssOk = peakRssMb < RSS_TARGET_MB;

    console.log(
      '\n' +
        table(
          ['phase', 'open streams', 'Redis cmd/s (ours)', 'over no-stream', 'INFO cmd/s (server)', 'peak RSS MB', 'loop p99 ms', 'longest tick ms'],
          phases.map((p) => [
            p.label,
            p.streams.toLocaleString('en-US'),
            p.commandsPerSecond.toFixed(1),
            p === zero ? '–' : `${overhead(p) >= 0 ? '+' : ''}${overhead(p).toFixed(1)}`,
            p.serverCommandsPerSecond.toFixed(1),
            p.rssMb.toFixed(0),
            p.loopP99Ms.toFixed(1),
            p.maxTickMs.toFixed(0),
          ]),
        ),
    );
    console.log(
      '\n' +
        table(
          ['target', 'value', 'result'],
          [
            [`admission → queue-entered p99 < ${P99_TARGET_MS} ms`, `p50 ${p50} ms, p99 ${p99} ms, max ${max} ms (${delays.length} streams${missed ? `, ${missed} never told` : ''})`, delayOk ? 'PASS' : 'FAIL'],
            [`Redis cmd/s flat ${small.streams.toLocaleString('en-US')} → ${big.streams.toLocaleString('en-US')} streams (≤ +${FLAT_TOLERANCE * 100} %)`, `${small.commandsPerSecond.toFixed(1)} → ${big.commandsPerSecond.toFixed(1)}`, flat ? 'PASS' : 'FAIL'],
            [`server peak RSS < ${RSS_TARGET_MB} MB`, `${peakRssMb.toFixed(0)} MB`, rssOk ? 'PASS' : 'FAIL'],
          ],
        ),
    );
    console.log(`  (status frames received by the client: ${report.statusFrames.toLocaleString('en-US')}; admitted in all: ${admittedTotal.toLocaleString('en-US')})`);
    const pass = delayOk && flat && rssOk;
    console.log(`\nqueue-sse: ${pass ? 'PASS' : 'FAIL'}`);

    const dir = new URL('./results/', import.meta.url);
    await mkdir(dir, { recursive: true });
    const file = new URL(`queue-sse-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, dir);
    await writeFile(
      file,
      JSON.stringify(
        {
          scenario: 'queue-sse',
          date: new Date().toISOString(),
          settings: { subscribers, rate, windowS, fillers },
          cpus: cpus.length,
          node: process.version,
          redis: redisVersion,
          phases,
          delayMs: { p50, p99, max, samples: delays.length, missed },
          peakRssMb,
          statusFrames: report.statusFrames,
          pass,
        },
        null,
        2,
      ),
    );
    console.log(`results written to bench/results/${file.pathname.split('/').pop()}`);
    return pass;
  } finally {
    stopAdmittingSafe();
    client?.stop();
    stats.disconnect();
    await queue.close();
    await bench.close();
  }

  function stopAdmittingSafe() {
    admitting = false;
    if (pump) clearInterval(pump);
  }
}

if (process.argv[2] === 'client' && process.argv[1] === fileURLToPath(import.meta.url)) {
  runClient(process.argv[3]).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
