import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'mock-cluster.c');
const INSTALL_HINT = 'librdkafka-dev is needed for the Kafka tests: apt-get install -y librdkafka-dev (scripts/setup.sh installs it)';

/**
 * Compiles `mock-cluster.c` against librdkafka once per source version and
 * returns the binary's path. The binary lives in the system's temp directory
 * (never in the repository), named by the source's hash, and is written under a
 * temporary name and renamed, so test files starting together don't race.
 * Throws, with how to install librdkafka, when it can't be built: the Kafka
 * tests then fail rather than skip.
 */
export async function buildMockCluster(): Promise<string> {
  const source = await readFile(SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'shopping-kafka-mock');
  const binary = join(dir, `mock-cluster-${hash}`);
  if (await stat(binary).then(() => true, () => false)) return binary;
  await mkdir(dir, { recursive: true });
  const partial = `${binary}.${process.pid}.tmp`;
  const cc = process.env.CC ?? 'cc';
  try {
    await promisify(execFile)(cc, ['-O1', '-o', partial, SOURCE, '-lrdkafka']);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`could not compile ${SOURCE} with ${cc}: ${(e.stderr || e.message).trim()}\n${INSTALL_HINT}`);
  }
  await rename(partial, binary);
  return binary;
}

export interface MockClusterOptions {
  /** Brokers in the mock cluster (default 1); topics get min(brokers, 3) replicas. */
  brokers?: number;
  /** Topics to create besides the ten `shopping.*` ones (3 partitions each). */
  topics?: string[];
  /** Leave out the ten `shopping.*` topics (to see what creating them does). */
  withoutServiceTopics?: boolean;
}

/**
 * A real Kafka wire protocol endpoint for integration tests, benchmarks and
 * `npm run kafka:dev`: librdkafka's mock cluster in a child process, in memory
 * only, the `shopping.*` topics created up front (the mock has no CreateTopics).
 * Stops on `stop()`, on SIGTERM, and when this process dies (its stdin closes),
 * so none outlives its parent.
 */
export class KafkaMockCluster {
  private readonly replies: string[] = [];
  private waiting: ((line: string) => void) | undefined;

  private constructor(
    private readonly child: ChildProcess,
    /** `host:port` of every mock broker, for `KAFKA_BROKERS`. */
    readonly brokers: string[],
    lines: ReturnType<typeof createInterface>,
  ) {
    lines.on('line', (line) => {
      const waiter = this.waiting;
      this.waiting = undefined;
      if (waiter) waiter(line.trim());
      else this.replies.push(line.trim());
    });
  }

  /** The process id, for signals. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves when the cluster exits (on its own, or after `stop()`). */
  exited(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  /** Every broker closes its connections and refuses new ones, keeping its data: an outage. */
  setDown(): Promise<void> {
    return this.command('down');
  }

  /** The brokers accept connections again. */
  setUp(): Promise<void> {
    return this.command('up');
  }

  private async command(word: 'down' | 'up'): Promise<void> {
    const answer = new Promise<string>((resolve, reject) => {
      const early = this.replies.shift();
      if (early !== undefined) return resolve(early);
      const timer = setTimeout(() => reject(new Error(`mock cluster did not answer "${word}"`)), 5000);
      this.waiting = (line) => {
        clearTimeout(timer);
        resolve(line);
      };
    });
    this.child.stdin!.write(`${word}\n`);
    const line = await answer;
    if (line !== word) throw new Error(`mock cluster answered "${line}" to "${word}"`);
  }

  static async start(opts: MockClusterOptions = {}): Promise<KafkaMockCluster> {
    const binary = await buildMockCluster();
    const args = ['-b', String(opts.brokers ?? 1), ...(opts.withoutServiceTopics ? ['-n'] : []), ...(opts.topics ?? [])];
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout! });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('mock cluster printed no bootstrap servers within 10 s')), 10_000);
        lines.once('line', (l) => {
          clearTimeout(timer);
          lines.pause();
          resolve(l.trim());
        });
        child.once('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`mock cluster exited (${signal ?? code}) before it was ready: ${stderr.trim()}`));
        });
      });
      const cluster = new KafkaMockCluster(child, line.split(',').filter(Boolean), lines);
      lines.resume();
      return cluster;
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
  }

  /** Stops the cluster and waits for the process to exit (SIGKILL after 5 s). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin?.end();
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
