import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InjectOptions } from 'fastify';
import { loadConfig, type Config } from '../src/config';
import { buildApp, closeInfra, createInfra, createServices, type App, type Infra, type ServiceOptions, type Services } from '../src/app';
import { dropDatabase, ensureDatabase } from '../src/platform/db/index';
import { migrateToLatest } from '../src/platform/db/migrate';
import { deleteKeysWithPrefix, redisConnection } from '../src/platform/redis/index';
import { API_PREFIX } from '../src/platform/http/envelope';
import type { Role } from '../src/platform/http/auth';

/** Waits until `check` holds, polling every 50 ms; fails after `ms` naming `what`. */
export async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export const TEST_USER_ID = '00000000-0000-0000-0000-000000000001';
export const OTHER_USER_ID = '00000000-0000-0000-0000-000000000002';
export const ADMIN_USER_ID = '00000000-0000-0000-0000-0000000000ad';

/**
 * Settings for the tests that race hundreds of requests to count rows afterwards: a machine
 * slowed by other work makes them slower, not 503s (the pool's and Redis's waits are far longer
 * than the default ones, which the outage tests exercise). The connect limits too: the pool and
 * a Cluster's node connections open new connections in the middle of the burst, while the event
 * loop is busy with it, and a connect timer that fires before its handshake is read is a 503.
 */
export const RACE_ENV: Record<string, string> = {
  DB_CONNECT_TIMEOUT_MS: '30000',
  DB_ACQUIRE_TIMEOUT_MS: '60000',
  DB_QUERY_TIMEOUT_MS: '60000',
  REDIS_CONNECT_TIMEOUT_MS: '30000',
  REDIS_COMMAND_TIMEOUT_MS: '30000',
};

export interface TestResponse<T = any> {
  status: number;
  headers: Record<string, unknown>;
  body: T;
}

export interface StartOptions {
  /**
   * Registers extra (test-only) routes on the built app before `ready()`.
   * Platform hooks (envelope, auth, CORS, metrics) apply to them like to any route;
   * put them under `API_PREFIX` to get the `/api` default of `auth: 'user'`.
   */
  routes?: (app: App) => void | Promise<void>;
  /** Passed to `createServices` (a movable clock for time deals). */
  services?: ServiceOptions;
}

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number>;
}

/**
 * A whole app on a database and Redis key prefix of its own, so test files run
 * in parallel against the real MariaDB and Redis without touching each other.
 */
export class TestApp {
  userToken = '';
  otherToken = '';
  adminToken = '';

  private constructor(
    readonly app: App,
    readonly infra: Infra,
    readonly services: Services,
    readonly config: Config,
  ) {}

  static async start(env: Record<string, string> = {}, options: StartOptions = {}): Promise<TestApp> {
    const id = randomBytes(5).toString('hex');
    const server = (process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/test')
      .replace(/\/[^/]*$/, '');
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      DATABASE_URL: `${server}/shop_test_${id}`,
      REDIS_KEY_PREFIX: `test:${id}:`,
      // Payments succeed unless a test forces a decline (X-Test-Payment-Outcome).
      PG_SUCCESS_RATE: '1',
      ...env,
    });
    await ensureDatabase(config.databaseUrl);
    const infra = await createInfra(config);
    await migrateToLatest(infra.db);
    const services = createServices(infra, options.services);
    const app = await buildApp(infra, services);
    if (options.routes) await options.routes(app);
    await app.ready();
    await services.search.start(); // as main does: the app is ready once its search index is built
    const t = new TestApp(app, infra, services, config);
    t.userToken = await t.token(TEST_USER_ID);
    t.otherToken = await t.token(OTHER_USER_ID);
    t.adminToken = await t.token(ADMIN_USER_ID, ['ROLE_SHOPPING_ADMIN']);
    return t;
  }

  token(userId: string, roles: Role[] = ['ROLE_USER'], ttlSeconds?: number): Promise<string> {
    return this.infra.tokens.sign({ userId, roles }, ttlSeconds);
  }

  get db() {
    return this.infra.db;
  }

  get redis() {
    return this.infra.redis;
  }

  /** Calls `/api/v1/shopping<path>` (or an absolute `/api/...`, `/health...` path) in-process. */
  async call<T = any>(method: NonNullable<InjectOptions['method']> | (string & {}), path: string, opts: CallOptions = {}): Promise<TestResponse<T>> {
    const url = path.startsWith('/api/') || path.startsWith('/health') || path.startsWith('/metrics') || path.startsWith('/docs')
      ? path
      : API_PREFIX + path;
    const token = opts.token === undefined ? this.userToken : opts.token;
    const res = await this.app.inject({
      method: method as InjectOptions['method'], // any method name, as a test walking the OpenAPI document has them
      url,
      query: opts.query ? Object.fromEntries(Object.entries(opts.query).map(([k, v]) => [k, String(v)])) : undefined,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...opts.headers },
      ...(opts.body !== undefined ? { payload: opts.body as InjectOptions['payload'] } : {}),
    });
    let body: unknown = res.body;
    if ((res.headers['content-type'] ?? '').toString().includes('json') && res.body) body = res.json();
    return { status: res.statusCode, headers: res.headers, body: body as T };
  }

  async close(): Promise<void> {
    await this.app.close();
    await closeInfra(this.infra);
    await dropDatabase(this.config.databaseUrl);
    await deleteKeysWithPrefix(redisConnection(this.config), this.config.redisKeyPrefix);
  }
}

/** Shorthand for an error answer's code. */
export function codeOf(res: TestResponse): string | undefined {
  return res.body?.error?.code;
}
