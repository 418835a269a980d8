/**
 * Every setting of the service, read from the environment in this one place.
 * Defaults suit a local machine with MariaDB and Redis on their standard ports.
 */
export interface Config {
  nodeEnv: string;
  port: number;
  host: string;
  databaseUrl: string;
  dbPoolSize: number;
  /** A new database connection's connect and handshake; beyond it the database counts as down (503). */
  dbConnectTimeoutMs: number;
  /** Waiting for a free pool connection; beyond it the request answers 503. */
  dbAcquireTimeoutMs: number;
  /** A statement's answer; beyond it its connection is closed and the request answers 503. 0: no limit. */
  dbQueryTimeoutMs: number;
  redisUrl: string;
  /** Redis connect (and each reconnect attempt). */
  redisConnectTimeoutMs: number;
  /** A Redis command's reply; beyond it the command fails (503). */
  redisCommandTimeoutMs: number;
  /** Prepended to every Redis key and channel; tests set one per file. */
  redisKeyPrefix: string;
  jwtSecret: string | undefined;
  /** PEM (SPKI) public key for RS256 tokens; when set, RS256 tokens are accepted. */
  jwtPublicKey: string | undefined;
  /** PEM (PKCS#8) private key used by login when no HS256 secret is set. */
  jwtPrivateKey: string | undefined;
  jwtIssuer: string | undefined;
  accessTokenTtlSeconds: number;
  /** Opt-in: trust X-User-Id / X-User-Roles from a gateway in front of us. */
  trustGatewayHeaders: boolean;
  /** The event broker: `local` (in-process) or `kafka`. */
  eventBus: 'local' | 'kafka';
  /** Kafka brokers, `host:port` each. */
  kafkaBrokers: string[];
  kafkaClientId: string;
  /** Consumer group ids are this plus the consumer's name. */
  kafkaGroupPrefix: string;
  /** Outbox relay: poll interval (commits also wake it at once), rows per pass. */
  outboxPollMs: number;
  outboxBatchSize: number;
  /** First retry delay after a failed publish, doubling per attempt up to the max. */
  outboxBackoffBaseMs: number;
  outboxBackoffMaxMs: number;
  /** How long sent outbox rows and processed-event ids are kept, and how often the purge job runs. */
  eventRetentionSeconds: number;
  eventPurgeIntervalMs: number;
  searchEngine: 'memory' | 'elasticsearch';
  elasticsearchUrl: string;
  pgSuccessRate: number;
  pgLatencyMs: number;
  orderPaymentTimeoutSeconds: number;
  /** How often the unpaid-order job and saga recovery run. */
  orderJobIntervalSeconds: number;
  /** A saga untouched this long is taken to be abandoned by a crash and resumed. */
  sagaRecoveryIdleSeconds: number;
  idempotencyTtlSeconds: number;
  corsOrigins: string[];
  logLevel: string;
  /** How often time deals are started and ended (under the `scheduler:timedeal:status` lock). */
  timedealSchedulerIntervalMs: number;
  /** How long an instance keeps catalog rows in memory (stock is always read live); 0 turns it off. */
  productCacheTtlMs: number;
  /** Heartbeat period of SSE streams (inventory). */
  sseHeartbeatMs: number;
  /** How often coupon and time-deal sales compare Redis with MySQL and free stranded units. */
  saleReconcileIntervalMs: number;
  /** How long a unit Redis admitted may go without its MySQL row before it counts as stranded. */
  saleAdmissionGraceMs: number;
  /** Rate limits on or off (`RATE_LIMIT_ENABLED`); each limit's count lives in Redis, shared by every instance. */
  rateLimitEnabled: boolean;
  /** Login attempts per client address. */
  rateLimitLoginIp: LimitSetting;
  /** Login attempts per email address, whatever the client address. */
  rateLimitLoginEmail: LimitSetting;
  /** Signups per client address. */
  rateLimitSignupIp: LimitSetting;
  /** Coupon issues, time-deal purchases and queue entries per user, each counted on its own. */
  rateLimitSaleUser: LimitSetting;
  /**
   * Which peers may tell the client address in `X-Forwarded-For`: `false` (none: the socket's
   * address is the client), `true` (any), or addresses/CIDRs (`loopback`, `10.0.0.0/8`, …).
   */
  trustProxy: boolean | string[];
  /** Served to browsers over HTTPS only (a TLS proxy in front): adds HSTS and CSP `upgrade-insecure-requests`. */
  httpsOnly: boolean;
  /** Whether `/docs` (Swagger UI and the OpenAPI JSON) is served. */
  docsEnabled: boolean;
  /** Whether `/metrics` is served. */
  metricsEnabled: boolean;
  /** When set, `/metrics` answers only `Authorization: Bearer <this>`. */
  metricsToken: string | undefined;
  /** The longest lifetime (exp − iat) an accepted token may have; tokens that claim more are refused. */
  jwtMaxTtlSeconds: number;
  /** Receiving a whole request, body included; beyond it 408 C017 and the connection closes. Streams, once open, are exempt. */
  requestTimeoutMs: number;
  /** Receiving a request's headers (at most `requestTimeoutMs`). */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this; above a load balancer's own idle timeout. */
  keepAliveTimeoutMs: number;
  /** A connection with no bytes either way for this long is closed (a client that stopped reading); streams exempt. */
  connectionTimeoutMs: number;
  /** Redis Cluster seed nodes (`host:port`); when set, the service talks to the cluster instead of `redisUrl`. */
  redisClusterNodes: string[];
  /** Redis Sentinels (`host:port`); with `redisSentinelName`, the service follows that group's master. */
  redisSentinels: string[];
  /** The master group name the Sentinels watch. */
  redisSentinelName: string | undefined;
  /** Password of the Sentinels themselves (the data nodes take the one in `redisUrl`). */
  redisSentinelPassword: string | undefined;
}

/** A rate limit: at most `max` requests per `windowMs`, counted from the first of the window. */
export interface LimitSetting {
  max: number;
  windowMs: number;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return value;
}

function num(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name} must be a number in [${min}, ${max}], got "${raw}"`);
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new Error(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function list(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A PEM given on one line with literal "\n" sequences is unfolded. */
function pem(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw ? raw.replace(/\\n/g, '\n') : undefined;
}

export const LOCAL_JWT_SECRET = 'local-development-secret-change-me-in-production!';

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = env.NODE_ENV ?? 'development';
  const jwtPublicKey = pem(env, 'JWT_PUBLIC_KEY');
  const jwtSecret = env.JWT_SECRET || (jwtPublicKey ? undefined : LOCAL_JWT_SECRET);
  if (nodeEnv === 'production' && jwtSecret === LOCAL_JWT_SECRET) {
    throw new Error('JWT_SECRET (or JWT_PUBLIC_KEY) must be set in production');
  }
  if (env.EVENT_BUS === 'kafka' && list(env, 'KAFKA_BROKERS').length === 0) {
    throw new Error('EVENT_BUS=kafka needs KAFKA_BROKERS (host:port, comma-separated)');
  }
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    throw new Error('JWT_SECRET must be at least 32 characters');
  }
  const jwtMaxTtlSeconds = int(env, 'JWT_MAX_TTL_S', 86_400, 60);
  const requestTimeoutMs = int(env, 'REQUEST_TIMEOUT_MS', 30_000, 100);
  if (int(env, 'ACCESS_TOKEN_TTL_S', 3600, 60) > jwtMaxTtlSeconds) {
    throw new Error('ACCESS_TOKEN_TTL_S must not exceed JWT_MAX_TTL_S: login would issue tokens the service refuses');
  }
  return {
    nodeEnv,
    port: int(env, 'PORT', 8080),
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/shop',
    dbPoolSize: int(env, 'DB_POOL_SIZE', 20, 1),
    dbConnectTimeoutMs: int(env, 'DB_CONNECT_TIMEOUT_MS', 3000, 100),
    dbAcquireTimeoutMs: int(env, 'DB_ACQUIRE_TIMEOUT_MS', 10_000, 100),
    dbQueryTimeoutMs: int(env, 'DB_QUERY_TIMEOUT_MS', 10_000),
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    redisConnectTimeoutMs: int(env, 'REDIS_CONNECT_TIMEOUT_MS', 3000, 100),
    redisCommandTimeoutMs: int(env, 'REDIS_COMMAND_TIMEOUT_MS', 3000, 100),
    redisKeyPrefix: env.REDIS_KEY_PREFIX ?? '',
    jwtSecret,
    jwtPublicKey,
    jwtPrivateKey: pem(env, 'JWT_PRIVATE_KEY'),
    jwtIssuer: env.JWT_ISSUER || undefined,
    accessTokenTtlSeconds: int(env, 'ACCESS_TOKEN_TTL_S', 3600, 60),
    trustGatewayHeaders: env.TRUST_GATEWAY_HEADERS === 'true',
    eventBus: oneOf(env, 'EVENT_BUS', ['local', 'kafka'] as const, 'local'),
    kafkaBrokers: list(env, 'KAFKA_BROKERS'),
    kafkaClientId: env.KAFKA_CLIENT_ID || 'shopping-service',
    kafkaGroupPrefix: env.KAFKA_GROUP_PREFIX ?? 'shopping-service.',
    outboxPollMs: int(env, 'OUTBOX_POLL_MS', 1000, 10),
    outboxBatchSize: int(env, 'OUTBOX_BATCH_SIZE', 200, 1),
    outboxBackoffBaseMs: int(env, 'OUTBOX_BACKOFF_BASE_MS', 500, 1),
    outboxBackoffMaxMs: int(env, 'OUTBOX_BACKOFF_MAX_MS', 60_000, 1),
    eventRetentionSeconds: int(env, 'EVENT_RETENTION_S', 604_800, 60),
    eventPurgeIntervalMs: int(env, 'EVENT_PURGE_INTERVAL_MS', 3_600_000, 1000),
    searchEngine: oneOf(env, 'SEARCH_ENGINE', ['memory', 'elasticsearch'] as const, 'memory'),
    elasticsearchUrl: env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200',
    pgSuccessRate: num(env, 'PG_SUCCESS_RATE', 0.9, 0, 1),
    pgLatencyMs: int(env, 'PG_LATENCY_MS', 0),
    orderPaymentTimeoutSeconds: int(env, 'ORDER_PAYMENT_TIMEOUT_S', 900, 1),
    orderJobIntervalSeconds: int(env, 'ORDER_JOB_INTERVAL_S', 30, 1),
    sagaRecoveryIdleSeconds: int(env, 'SAGA_RECOVERY_IDLE_S', 30, 0),
    idempotencyTtlSeconds: int(env, 'IDEMPOTENCY_TTL_S', 86_400, 60),
    corsOrigins: list(env, 'CORS_ORIGINS'),
    logLevel: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    productCacheTtlMs: int(env, 'PRODUCT_CACHE_TTL_MS', 2000),
    timedealSchedulerIntervalMs: int(env, 'TIMEDEAL_SCHEDULER_INTERVAL_MS', 5000, 100),
    sseHeartbeatMs: int(env, 'SSE_HEARTBEAT_MS', 30_000, 10),
    saleReconcileIntervalMs: int(env, 'SALE_RECONCILE_INTERVAL_MS', 3000, 100),
    saleAdmissionGraceMs: int(env, 'SALE_ADMISSION_GRACE_MS', 5000, 0),
    rateLimitEnabled: oneOf(env, 'RATE_LIMIT_ENABLED', ['true', 'false'] as const, 'true') === 'true',
    rateLimitLoginIp: limit(env, 'RATE_LIMIT_LOGIN_IP', 10, 60_000),
    rateLimitLoginEmail: limit(env, 'RATE_LIMIT_LOGIN_EMAIL', 10, 60_000),
    rateLimitSignupIp: limit(env, 'RATE_LIMIT_SIGNUP_IP', 20, 600_000),
    rateLimitSaleUser: limit(env, 'RATE_LIMIT_SALE_USER', 20, 10_000),
    trustProxy: trustProxy(env.TRUST_PROXY),
    httpsOnly: oneOf(env, 'HTTPS_ONLY', ['true', 'false'] as const, 'false') === 'true',
    docsEnabled: oneOf(env, 'DOCS_ENABLED', ['true', 'false'] as const, 'true') === 'true',
    metricsEnabled: oneOf(env, 'METRICS_ENABLED', ['true', 'false'] as const, 'true') === 'true',
    metricsToken: env.METRICS_TOKEN || undefined,
    jwtMaxTtlSeconds,
    requestTimeoutMs,
    headersTimeoutMs: Math.min(int(env, 'HEADERS_TIMEOUT_MS', 10_000, 100), requestTimeoutMs),
    keepAliveTimeoutMs: int(env, 'KEEP_ALIVE_TIMEOUT_MS', 72_000, 100),
    connectionTimeoutMs: int(env, 'CONNECTION_TIMEOUT_MS', 120_000, 100),
    ...redisTopology(env),
  };
}

/** `REDIS_CLUSTER_NODES`, or `REDIS_SENTINELS` with `REDIS_SENTINEL_NAME`: at most one of the two. */
function redisTopology(env: Env): Pick<Config, 'redisClusterNodes' | 'redisSentinels' | 'redisSentinelName' | 'redisSentinelPassword'> {
  const redisClusterNodes = hostPorts(env, 'REDIS_CLUSTER_NODES');
  const redisSentinels = hostPorts(env, 'REDIS_SENTINELS');
  const redisSentinelName = env.REDIS_SENTINEL_NAME || undefined;
  if (redisClusterNodes.length > 0 && redisSentinels.length > 0) {
    throw new Error('set REDIS_CLUSTER_NODES or REDIS_SENTINELS, not both');
  }
  if ((redisSentinels.length > 0) !== (redisSentinelName !== undefined)) {
    throw new Error('REDIS_SENTINELS and REDIS_SENTINEL_NAME go together');
  }
  // The first {…} of a key is its hash tag: braces in the prefix would put every key in one slot.
  if (redisClusterNodes.length > 0 && /[{}]/.test(env.REDIS_KEY_PREFIX ?? '')) {
    throw new Error('REDIS_KEY_PREFIX must not contain { or } with REDIS_CLUSTER_NODES');
  }
  return { redisClusterNodes, redisSentinels, redisSentinelName, redisSentinelPassword: env.REDIS_SENTINEL_PASSWORD || undefined };
}

/** A comma-separated `host:port` list. */
function hostPorts(env: Env, name: string): string[] {
  const items = list(env, name);
  for (const item of items) {
    const m = /^(.+):(\d+)$/.exec(item);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new Error(`${name} must be host:port entries, comma-separated, got "${item}"`);
  }
  return items;
}

/** `<NAME>_MAX` requests per `<NAME>_WINDOW_MS`. */
function limit(env: Env, name: string, max: number, windowMs: number): LimitSetting {
  return { max: int(env, `${name}_MAX`, max, 1), windowMs: int(env, `${name}_WINDOW_MS`, windowMs, 1000) };
}

function trustProxy(raw: string | undefined): boolean | string[] {
  const value = (raw ?? '').trim();
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.some((s) => /^\d+$/.test(s))) {
    throw new Error(`TRUST_PROXY must be true, false or proxy addresses/CIDRs (hop counts can't check the peer), got "${raw}"`);
  }
  return list;
}
