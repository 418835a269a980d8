/**
 * The real app in a process of its own, for tests that must kill it (SIGKILL
 * mid-request) or run several instances. As a script it builds the app from
 * src/app.ts with the configuration in its environment (a test passes its own
 * DATABASE_URL and REDIS_KEY_PREFIX, already migrated), does the start-up
 * work `main` does, listens on 127.0.0.1 port 0, starts the scheduler and
 * prints one line `{"port":N}`.
 *
 * `startChildApp(env)` spawns it and resolves once it listens; `script` runs
 * another entry instead (one that sets something up, then calls `serve`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface ChildApp {
  /** `http://127.0.0.1:<port>` */
  base: string;
  process: ChildProcess;
  /** SIGKILL: no shutdown hooks, requests and transactions cut off where they are. */
  kill(): Promise<void>;
  /** SIGTERM (graceful shutdown), SIGKILL if it is still there after `ms`. */
  stop(ms?: number): Promise<void>;
}

const SCRIPT = fileURLToPath(import.meta.url);

export async function startChildApp(env: Record<string, string>, timeoutMs = 60_000, script = SCRIPT): Promise<ChildApp> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: [script === SCRIPT ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = once(child, 'exit');
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const kill = async () => {
    if (gone()) return;
    child.kill('SIGKILL');
    await exited;
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child app did not start in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        try {
          const { port } = JSON.parse(line) as { port?: number };
          if (typeof port === 'number') {
            clearTimeout(timer);
            resolve(port);
          }
        } catch {
          // not our line
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`child app exited (${code ?? signal}) before listening: ${stderr}`));
      });
    });
    return {
      base: `http://127.0.0.1:${port}`,
      process: child,
      kill,
      stop: async (ms = 10_000) => {
        if (gone()) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), ms);
        await exited;
        clearTimeout(timer);
      },
    };
  } catch (err) {
    await kill();
    throw err;
  }
}

/**
 * Builds and starts the app as `main` does, on a free port, and prints `{"port":N}`.
 * The outbox relay and the consumers start only with `eventing` (tests flush by hand).
 */
export async function serve(options: { eventing?: boolean } = {}): Promise<void> {
  const { loadConfig } = await import('../src/config');
  const { buildApp, createInfra, createServices, startUp } = await import('../src/app');
  const infra = await createInfra(loadConfig());
  const services = createServices(infra);
  const app = await buildApp(infra, services);
  await startUp(infra, services);
  await app.listen({ host: '127.0.0.1', port: 0, backlog: 4096 });
  infra.scheduler.start();
  if (options.eventing) await infra.eventing.start();
  process.stdout.write(`${JSON.stringify({ port: (app.server.address() as AddressInfo).port })}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  serve().catch((err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  });
}
