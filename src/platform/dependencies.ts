import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from './redis/index';

/** The servers a request may need. */
export type Dependency = 'mysql' | 'redis';

/** Seconds a client is told to wait (`Retry-After`) when a dependency is down. */
export const RETRY_AFTER_S = 5;

/**
 * Thrown where we give up waiting on a dependency ourselves (a pool
 * connection not had in time); classified like the driver's own errors.
 */
export class DependencyUnavailable extends Error {
  constructor(
    readonly dependency: Dependency,
    message: string,
    /** True when the server answers but we are too busy to wait for it (a full pool): a 503, not an outage. */
    readonly busy = false,
  ) {
    super(message);
    this.name = 'DependencyUnavailable';
  }
}

/** mysql2 / Node socket codes that mean "the server can't be reached or went away". */
const MYSQL_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_NORMAL_SHUTDOWN',
  'ER_SHUTDOWN_COMPLETE',
  'ER_CLIENT_INTERACTION_TIMEOUT',
  'ER_READ_ONLY_MODE',
]);

/**
 * MySQL/MariaDB error numbers of the same kind, for drivers that give only the
 * number: too many connections (1040, 1203), shutdown in progress (1053, 1077,
 * 1079), connection killed (1927, MariaDB), read-only during a failover (1836),
 * idle client disconnected (4031, MySQL 8).
 */
const MYSQL_ERRNOS = new Set([1040, 1203, 1053, 1077, 1079, 1927, 1836, 4031]);

/** Messages mysql2 and the pool use for a connection that is gone. */
const MYSQL_MESSAGES = [
  'Pool is closed',
  "Can't add new command when connection is in closed state",
  'Connection lost',
  'No connections available',
  'Queue limit reached',
];

/** ioredis error names and messages that mean the server is unreachable or not answering. */
const REDIS_NAMES = new Set(['MaxRetriesPerRequestError']);
const REDIS_MESSAGES = [
  'Connection is closed',
  "Stream isn't writeable",
  'Command timed out',
  'Reached the max retries per request limit',
  // A pipeline or MULTI cut off by its connection closing (a failover's disconnect, a restart).
  'Command aborted due to connection close',
  // Redis Cluster: no node answers, or the slots kept moving.
  "Cluster isn't ready",
  'Cluster is disconnected',
  'None of startup nodes is available',
  'Failed to refresh slots cache',
  'Too many Cluster redirections',
];
/** Redis replies that say "not now" rather than "no": loading a dump, a replica promoted, a cluster healing. */
const REDIS_REPLY_PREFIXES = ['LOADING', 'MASTERDOWN', 'CLUSTERDOWN', 'TRYAGAIN', 'READONLY'];

interface ErrorLike {
  name?: string;
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  fatal?: unknown;
  cause?: unknown;
}

/**
 * InnoDB chose this transaction as a deadlock's victim and rolled it back
 * whole: it may run again from the start.
 */
export function isDeadlock(err: unknown): boolean {
  const e = err as ErrorLike | null;
  return !!e && (e.code === 'ER_LOCK_DEADLOCK' || e.errno === 1213);
}

/** A lock InnoDB gave up on (a deadlock's victim, a lock wait timeout): contention, not an outage. */
function isLockContention(err: unknown): boolean {
  const e = err as ErrorLike | null;
  return isDeadlock(e) || (!!e && (e.code === 'ER_LOCK_WAIT_TIMEOUT' || e.errno === 1205));
}

/**
 * Which dependency an error says is down (unreachable, restarting, timing
 * out, out of connections) or too busy for now (a lock InnoDB gave up on),
 * or undefined for any other error. Follows
 * `cause` (and an AggregateError's errors) a few levels deep.
 */
export function dependencyDown(err: unknown, depth = 0): Dependency | undefined {
  if (!err || typeof err !== 'object' || depth > 4) return undefined;
  if (err instanceof DependencyUnavailable) return err.dependency;
  const e = err as ErrorLike;
  const message = typeof e.message === 'string' ? e.message : '';
  const name = typeof e.name === 'string' ? e.name : '';
  if (REDIS_NAMES.has(name) || REDIS_MESSAGES.some((m) => message.includes(m))) return 'redis';
  if (name === 'ReplyError' && REDIS_REPLY_PREFIXES.some((p) => message.startsWith(p))) return 'redis';
  if (typeof e.code === 'string' && MYSQL_CODES.has(e.code)) return 'mysql';
  if (isLockContention(e)) return 'mysql';
  if (typeof e.errno === 'number' && MYSQL_ERRNOS.has(e.errno) && 'sqlState' in e) return 'mysql';
  if (MYSQL_MESSAGES.some((m) => message.includes(m))) return 'mysql';
  // mysql2 marks errors that ended the connection as fatal (a server error reply never is).
  if (e.fatal === true && !(typeof e.code === 'string' && e.code.startsWith('ER_'))) return 'mysql';
  if (err instanceof AggregateError) {
    for (const inner of err.errors) {
      const found = dependencyDown(inner, depth + 1);
      if (found) return found;
    }
  }
  return dependencyDown(e.cause, depth + 1);
}

/**
 * What this process knows of its dependencies: each is up until an error
 * says otherwise. One warning line per change (down, then up again), never
 * one per request. Redis clients report themselves (their connection events);
 * MySQL is marked down by the errors of the requests and jobs that hit it,
 * then probed every `probeMs` until it answers again.
 */
export class DependencyMonitor {
  private readonly down = new Map<Dependency, number>();
  private readonly probes = new Map<Dependency, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly log: FastifyBaseLogger,
    private readonly mysqlProbe?: () => Promise<unknown>,
    private readonly probeMs = 1000,
  ) {}

  isDown(dependency: Dependency): boolean {
    return this.down.has(dependency);
  }

  /** Records an outage; logs only when the dependency was up until now. */
  markDown(dependency: Dependency, err?: unknown): void {
    if (this.closed || this.down.has(dependency)) return;
    this.down.set(dependency, Date.now());
    const reason = err instanceof Error ? err.message : err === undefined ? undefined : String(err);
    this.log.warn({ dependency, reason }, `${dependency} is down: requests that need it answer 503`);
    if (dependency === 'mysql' && this.mysqlProbe) this.probe('mysql', this.mysqlProbe);
  }

  /** Records a recovery; logs only when the dependency was down. */
  markUp(dependency: Dependency): void {
    const since = this.down.get(dependency);
    if (since === undefined) return;
    this.down.delete(dependency);
    const timer = this.probes.get(dependency);
    if (timer) clearTimeout(timer);
    this.probes.delete(dependency);
    if (!this.closed) this.log.warn({ dependency, downMs: Date.now() - since }, `${dependency} is up again`);
  }

  /** Marks the dependency an error names as down; true when it named one. */
  report(err: unknown): boolean {
    const dependency = dependencyDown(err);
    if (!dependency) return false;
    if ((err instanceof DependencyUnavailable && err.busy) || isLockContention(err)) return true;
    // Redis' state comes from its clients' connection events (they also say when it is back).
    if (dependency === 'mysql') this.markDown(dependency, err);
    return true;
  }

  /**
   * Follows a Redis client's connection: its errors and reconnects mark Redis
   * down, `ready` marks it up. Also its only 'error' listener is this one, so
   * an outage never surfaces as an unhandled 'error' event.
   */
  watchRedis(client: Redis): void {
    client.on('error', (err: unknown) => this.markDown('redis', err));
    client.on('reconnecting', () => this.markDown('redis', 'connection lost; reconnecting'));
    client.on('ready', () => this.markUp('redis'));
  }

  private probe(dependency: Dependency, check: () => Promise<unknown>): void {
    const attempt = async () => {
      if (this.closed || !this.down.has(dependency)) return;
      try {
        await check();
        this.markUp(dependency);
      } catch {
        if (!this.closed && this.down.has(dependency)) this.probes.set(dependency, setTimeout(attempt, this.probeMs).unref());
      }
    };
    this.probes.set(dependency, setTimeout(attempt, this.probeMs).unref());
  }

  /** Stops probing (at shutdown: a pool being closed is not an outage). */
  close(): void {
    this.closed = true;
    for (const timer of this.probes.values()) clearTimeout(timer);
    this.probes.clear();
  }
}
