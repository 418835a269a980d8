import { Type, type Static, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

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
  /** Redis Cluster seed nodes (`host:port`); when set, the service talks to the cluster instead of `redisUrl`. */
  redisClusterNodes: string[];
  /** Redis Sentinels (`host:port`); with `redisSentinelName`, the service follows that group's master. */
  redisSentinels: string[];
  /** The master group name the Sentinels watch. */
  redisSentinelName: string | undefined;
  /** Password of the Sentinels themselves (the data nodes take the one in `redisUrl`). */
  redisSentinelPassword: string | undefined;
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
  /** The built browser apps (`npm run build:web`); unset: `web/dist` of this checkout. */
  webRoot: string | undefined;
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
  /**
   * The service's address as browsers reach it (`https://shop.example.com`, no trailing slash): the
   * front of absolute URLs in answers (product pictures it serves). Unset: each answer uses the
   * origin its request came to.
   */
  publicBaseUrl: string | undefined;
  /**
   * OTLP collector that traces go to (`OTEL_EXPORTER_OTLP_ENDPOINT`); tracing is on when set. The
   * preload (`src/tracing.ts`) reads it before this config exists; here it is checked and reported.
   */
  otlpEndpoint: string | undefined;
  /** How long a Kafka consumer's fetch waits for new messages; bounds commit-to-consumer latency on brokers that wait it out. */
  kafkaFetchMaxWaitMs: number;
  /** A Kafka consumer silent this long leaves its group; also bounds how long a rebalance waits for a member that went away. */
  kafkaSessionTimeoutMs: number;
  /** Create missing topics at start-up (`npm run kafka:topics` does the same by hand). */
  kafkaCreateTopics: boolean;
  /** Partitions of each topic created (by start-up or `kafka:topics`). */
  kafkaTopicPartitions: number;
  /** Replicas of each topic created; 0: as many brokers as there are, at most 3. */
  kafkaTopicReplication: number;
}

/** A rate limit: at most `max` requests per `windowMs`, counted from the first of the window. */
export interface LimitSetting {
  max: number;
  windowMs: number;
}

type Env = Record<string, string | undefined>;

/** setTimeout's ceiling: a longer delay fires at once (with a warning), so no period may exceed it. */
const MAX_MS = 2_147_483_647;
const MAX_S = Math.floor(MAX_MS / 1000);

/** Whole number in [min, max]. */
const int = (fallback: number, minimum = 0, maximum = MAX_MS) => Type.Integer({ default: fallback, minimum, maximum });
/** `true`, `false`, `1` or `0`. */
const flag = (fallback: boolean) => Type.Boolean({ default: fallback });
const oneOf = <const T extends string>(values: readonly T[], fallback?: T) =>
  Type.Union(values.map((v) => Type.Literal(v)), fallback === undefined ? {} : { default: fallback }) as unknown as TUnion<TLiteral<T>[]>;
/** Free text; `expects` names what a value that fails `pattern` should look like. */
const text = (fallback?: string, pattern?: string, expects?: string) =>
  Type.String({ ...(fallback === undefined ? {} : { default: fallback }), ...(pattern ? { pattern, expects } : {}) });
const optional = <T extends TSchema>(s: T) => Type.Optional(s);
/** Empty, or `host:port` entries separated by commas (spaces around them allowed). */
const HOST_PORTS = '^\\s*$|^\\s*[^\\s,:]+:\\d{1,5}\\s*(,\\s*[^\\s,:]+:\\d{1,5}\\s*)*$';


export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Every environment variable the service reads, with its type, range and default. An empty
 * value counts as unset. Defaults that depend on another variable (LOG_LEVEL, JWT_SECRET)
 * are settled in `loadConfig`. A new variable is one entry here, one field in `Config`, its
 * line in `loadConfig`'s result and its row in the README's table.
 */
export const EnvSchema = Type.Object({
  NODE_ENV: text('development'),
  PORT: int(8080, 0, 65_535),
  HOST: text('0.0.0.0'),
  DATABASE_URL: text('mysql://root@127.0.0.1:3306/shop', '^(mysql|mariadb)://[^/]+/[A-Za-z0-9_]+(\\?.*)?$', 'a mysql://user:password@host:port/database URL'),
  DB_POOL_SIZE: int(20, 1, 10_000),
  DB_CONNECT_TIMEOUT_MS: int(3000, 100),
  DB_ACQUIRE_TIMEOUT_MS: int(10_000, 100),
  DB_QUERY_TIMEOUT_MS: int(10_000),
  REDIS_URL: text('redis://127.0.0.1:6379', '^rediss?://', 'a redis:// or rediss:// URL'),
  REDIS_CONNECT_TIMEOUT_MS: int(3000, 100),
  REDIS_COMMAND_TIMEOUT_MS: int(3000, 100),
  REDIS_KEY_PREFIX: text(''),
  REDIS_CLUSTER_NODES: text('', HOST_PORTS, 'host:port entries, comma-separated'),
  REDIS_SENTINELS: text('', HOST_PORTS, 'host:port entries, comma-separated'),
  REDIS_SENTINEL_NAME: optional(Type.String({ minLength: 1 })),
  REDIS_SENTINEL_PASSWORD: optional(Type.String({ secret: true })),
  JWT_SECRET: optional(Type.String({ minLength: 32, expects: 'at least 32 characters', secret: true })),
  JWT_PUBLIC_KEY: optional(text()),
  JWT_PRIVATE_KEY: optional(Type.String({ secret: true })),
  JWT_ISSUER: optional(text()),
  ACCESS_TOKEN_TTL_S: int(3600, 60, MAX_S),
  JWT_MAX_TTL_S: int(86_400, 60, MAX_S),
  TRUST_GATEWAY_HEADERS: flag(false),
  EVENT_BUS: oneOf(['local', 'kafka'], 'local'),
  KAFKA_BROKERS: text(''),
  KAFKA_CLIENT_ID: text('shopping-service'),
  KAFKA_GROUP_PREFIX: text('shopping-service.'),
  KAFKA_FETCH_MAX_WAIT_MS: int(100, 1),
  KAFKA_SESSION_TIMEOUT_MS: int(6000, 1000),
  KAFKA_CREATE_TOPICS: flag(false),
  KAFKA_TOPIC_PARTITIONS: int(3, 1, 10_000),
  KAFKA_TOPIC_REPLICATION: int(0, 0, 100),
  OUTBOX_POLL_MS: int(1000, 10),
  OUTBOX_BATCH_SIZE: int(200, 1, 100_000),
  OUTBOX_BACKOFF_BASE_MS: int(500, 1),
  OUTBOX_BACKOFF_MAX_MS: int(60_000, 1),
  EVENT_RETENTION_S: int(604_800, 60, 100 * 365 * 86_400),
  EVENT_PURGE_INTERVAL_MS: int(3_600_000, 1000),
  SEARCH_ENGINE: oneOf(['memory', 'elasticsearch'], 'memory'),
  ELASTICSEARCH_URL: text('http://127.0.0.1:9200', '^https?://', 'an http:// or https:// URL'),
  PG_SUCCESS_RATE: Type.Number({ default: 0.9, minimum: 0, maximum: 1 }),
  PG_LATENCY_MS: int(0),
  ORDER_PAYMENT_TIMEOUT_S: int(900, 1, MAX_S),
  ORDER_JOB_INTERVAL_S: int(30, 1, MAX_S),
  SAGA_RECOVERY_IDLE_S: int(30, 0, MAX_S),
  IDEMPOTENCY_TTL_S: int(86_400, 60, MAX_S),
  CORS_ORIGINS: text(''),
  LOG_LEVEL: optional(oneOf(LOG_LEVELS)),
  PRODUCT_CACHE_TTL_MS: int(2000),
  TIMEDEAL_SCHEDULER_INTERVAL_MS: int(5000, 100),
  SSE_HEARTBEAT_MS: int(30_000, 10),
  SALE_RECONCILE_INTERVAL_MS: int(3000, 100),
  SALE_ADMISSION_GRACE_MS: int(5000),
  RATE_LIMIT_ENABLED: flag(true),
  RATE_LIMIT_LOGIN_IP_MAX: int(10, 1),
  RATE_LIMIT_LOGIN_IP_WINDOW_MS: int(60_000, 1000),
  RATE_LIMIT_LOGIN_EMAIL_MAX: int(10, 1),
  RATE_LIMIT_LOGIN_EMAIL_WINDOW_MS: int(60_000, 1000),
  RATE_LIMIT_SIGNUP_IP_MAX: int(20, 1),
  RATE_LIMIT_SIGNUP_IP_WINDOW_MS: int(600_000, 1000),
  RATE_LIMIT_SALE_USER_MAX: int(20, 1),
  RATE_LIMIT_SALE_USER_WINDOW_MS: int(10_000, 1000),
  TRUST_PROXY: text('false'),
  HTTPS_ONLY: flag(false),
  DOCS_ENABLED: flag(true),
  METRICS_ENABLED: flag(true),
  METRICS_TOKEN: optional(Type.String({ secret: true })),
  WEB_ROOT: optional(text()),
  REQUEST_TIMEOUT_MS: int(30_000, 100),
  HEADERS_TIMEOUT_MS: int(10_000, 100),
  KEEP_ALIVE_TIMEOUT_MS: int(72_000, 100),
  CONNECTION_TIMEOUT_MS: int(120_000, 100),
  PUBLIC_BASE_URL: optional(text(undefined, '^https?://[^?#]+$', 'an http(s) URL without query, fragment or credentials, such as https://shop.example.com')),
  OTEL_EXPORTER_OTLP_ENDPOINT: optional(text(undefined, '^https?://[^/\\s]+', 'an http(s) URL such as http://collector:4318')),
});
export type EnvValues = Static<typeof EnvSchema>;

/** Settings the service refuses to start with; `problems` lists every one, one line each. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** What a value of this schema must look like, for the error message. */
function expectation(s: TSchema): string {
  if (s.anyOf) return `one of ${(s.anyOf as TSchema[]).map((l) => l.const).join(', ')}`;
  if (s.type === 'boolean') return 'true, false, 1 or 0';
  if (s.type === 'integer' || s.type === 'number') {
    const what = s.type === 'integer' ? 'a whole number' : 'a number';
    if (s.maximum === MAX_MS) return `${what} ≥ ${s.minimum} (at most ${MAX_MS})`;
    return s.maximum === undefined ? `${what} ≥ ${s.minimum}` : `${what} from ${s.minimum} to ${s.maximum}`;
  }
  return (s.expects as string | undefined) ?? 'text';
}

/** Env strings to the schema's types: strict numbers (`7.5` is no integer), booleans as true/false/1/0. */
function convert(env: Env): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(EnvSchema.properties) as [string, TSchema][]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = raw.trim();
    if ((s.type === 'integer' || s.type === 'number') && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(value)) {
      out[name] = Number(value);
    } else if (s.type === 'boolean' && /^(true|false|1|0)$/i.test(value)) {
      out[name] = /^(true|1)$/i.test(value);
    } else {
      out[name] = s.type === 'string' ? raw : value;
    }
  }
  return out;
}

function list(raw: string): string[] {
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}

/** A PEM given on one line with literal "\n" sequences is unfolded. */
function pem(raw: string | undefined): string | undefined {
  return raw ? raw.replace(/\\n/g, '\n') : undefined;
}

export const LOCAL_JWT_SECRET = 'local-development-secret-change-me-in-production!';

/**
 * Reads and checks every setting. Throws a `ConfigError` naming every problem at once —
 * bad types and ranges from the schema, then the rules that tie settings together.
 */
export function loadConfig(env: Env = process.env): Config {
  const values = Value.Default(EnvSchema, convert(env)) as EnvValues;
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(EnvSchema, values)) {
    const name = error.path.split('/')[1];
    if (!name || seen.has(name)) continue;
    seen.add(name);
    const s = EnvSchema.properties[name as keyof EnvValues] as TSchema;
    problems.push(`${name} must be ${expectation(s)}${s.secret ? '' : `, got ${JSON.stringify(env[name])}`}`);
  }
  // The rules that tie settings together, over those that passed on their own.
  const ok = (...names: (keyof EnvValues)[]) => names.every((n) => !seen.has(n));

  const jwtPublicKey = pem(values.JWT_PUBLIC_KEY);
  const jwtSecret = values.JWT_SECRET ?? (jwtPublicKey ? undefined : LOCAL_JWT_SECRET);
  if (ok('JWT_SECRET') && values.NODE_ENV === 'production' && jwtSecret === LOCAL_JWT_SECRET) {
    problems.push('JWT_SECRET (or JWT_PUBLIC_KEY) must be set in production');
  }
  const kafkaBrokers = list(values.KAFKA_BROKERS);
  if (ok('EVENT_BUS') && values.EVENT_BUS === 'kafka' && kafkaBrokers.length === 0) {
    problems.push('EVENT_BUS=kafka needs KAFKA_BROKERS (host:port, comma-separated)');
  }
  if (ok('ACCESS_TOKEN_TTL_S', 'JWT_MAX_TTL_S') && values.ACCESS_TOKEN_TTL_S > values.JWT_MAX_TTL_S) {
    problems.push('ACCESS_TOKEN_TTL_S must not exceed JWT_MAX_TTL_S: login would issue tokens the service refuses');
  }
  if (ok('OUTBOX_BACKOFF_BASE_MS', 'OUTBOX_BACKOFF_MAX_MS') && values.OUTBOX_BACKOFF_BASE_MS > values.OUTBOX_BACKOFF_MAX_MS) {
    problems.push('OUTBOX_BACKOFF_BASE_MS must not exceed OUTBOX_BACKOFF_MAX_MS');
  }
  const trustProxy = values.TRUST_PROXY.trim();
  // A bare number would be a hop count, which can't check who the peer is.
  if (!/^(true|false)$/.test(trustProxy) && list(trustProxy).some((s) => /^\d+$/.test(s))) {
    problems.push(`TRUST_PROXY must be true, false or proxy addresses/CIDRs (hop counts are not accepted), got ${JSON.stringify(trustProxy)}`);
  }
  const publicBaseUrl = values.PUBLIC_BASE_URL === undefined ? undefined : baseUrl(values.PUBLIC_BASE_URL);
  if (ok('PUBLIC_BASE_URL') && values.PUBLIC_BASE_URL !== undefined && publicBaseUrl === undefined) {
    problems.push(`PUBLIC_BASE_URL must be an http(s) URL without query, fragment or credentials, such as https://shop.example.com, got ${JSON.stringify(values.PUBLIC_BASE_URL)}`);
  }
  const redisClusterNodes = list(values.REDIS_CLUSTER_NODES);
  const redisSentinels = list(values.REDIS_SENTINELS);
  if (redisClusterNodes.length > 0 && redisSentinels.length > 0) problems.push('set REDIS_CLUSTER_NODES or REDIS_SENTINELS, not both');
  if (ok('REDIS_SENTINELS', 'REDIS_SENTINEL_NAME') && (redisSentinels.length > 0) !== (values.REDIS_SENTINEL_NAME !== undefined)) {
    problems.push('REDIS_SENTINELS and REDIS_SENTINEL_NAME go together');
  }
  // A hash tag in the prefix would put every key in one slot.
  if (redisClusterNodes.length > 0 && /[{}]/.test(values.REDIS_KEY_PREFIX)) problems.push('REDIS_KEY_PREFIX must not contain { or } with REDIS_CLUSTER_NODES');
  if (problems.length > 0) throw new ConfigError(problems);

  const limit = (name: string): LimitSetting => ({
    max: values[`${name}_MAX` as keyof EnvValues] as number,
    windowMs: values[`${name}_WINDOW_MS` as keyof EnvValues] as number,
  });
  return {
    nodeEnv: values.NODE_ENV,
    port: values.PORT,
    host: values.HOST,
    databaseUrl: values.DATABASE_URL,
    dbPoolSize: values.DB_POOL_SIZE,
    dbConnectTimeoutMs: values.DB_CONNECT_TIMEOUT_MS,
    dbAcquireTimeoutMs: values.DB_ACQUIRE_TIMEOUT_MS,
    dbQueryTimeoutMs: values.DB_QUERY_TIMEOUT_MS,
    redisUrl: values.REDIS_URL,
    redisConnectTimeoutMs: values.REDIS_CONNECT_TIMEOUT_MS,
    redisCommandTimeoutMs: values.REDIS_COMMAND_TIMEOUT_MS,
    redisKeyPrefix: values.REDIS_KEY_PREFIX,
    redisClusterNodes,
    redisSentinels,
    redisSentinelName: values.REDIS_SENTINEL_NAME,
    redisSentinelPassword: values.REDIS_SENTINEL_PASSWORD,
    jwtSecret,
    jwtPublicKey,
    jwtPrivateKey: pem(values.JWT_PRIVATE_KEY),
    jwtIssuer: values.JWT_ISSUER,
    accessTokenTtlSeconds: values.ACCESS_TOKEN_TTL_S,
    trustGatewayHeaders: values.TRUST_GATEWAY_HEADERS,
    eventBus: values.EVENT_BUS,
    kafkaBrokers,
    kafkaClientId: values.KAFKA_CLIENT_ID,
    kafkaGroupPrefix: values.KAFKA_GROUP_PREFIX,
    kafkaFetchMaxWaitMs: values.KAFKA_FETCH_MAX_WAIT_MS,
    kafkaSessionTimeoutMs: values.KAFKA_SESSION_TIMEOUT_MS,
    kafkaCreateTopics: values.KAFKA_CREATE_TOPICS,
    kafkaTopicPartitions: values.KAFKA_TOPIC_PARTITIONS,
    kafkaTopicReplication: values.KAFKA_TOPIC_REPLICATION,
    outboxPollMs: values.OUTBOX_POLL_MS,
    outboxBatchSize: values.OUTBOX_BATCH_SIZE,
    outboxBackoffBaseMs: values.OUTBOX_BACKOFF_BASE_MS,
    outboxBackoffMaxMs: values.OUTBOX_BACKOFF_MAX_MS,
    eventRetentionSeconds: values.EVENT_RETENTION_S,
    eventPurgeIntervalMs: values.EVENT_PURGE_INTERVAL_MS,
    searchEngine: values.SEARCH_ENGINE,
    elasticsearchUrl: values.ELASTICSEARCH_URL,
    pgSuccessRate: values.PG_SUCCESS_RATE,
    pgLatencyMs: values.PG_LATENCY_MS,
    orderPaymentTimeoutSeconds: values.ORDER_PAYMENT_TIMEOUT_S,
    orderJobIntervalSeconds: values.ORDER_JOB_INTERVAL_S,
    sagaRecoveryIdleSeconds: values.SAGA_RECOVERY_IDLE_S,
    idempotencyTtlSeconds: values.IDEMPOTENCY_TTL_S,
    corsOrigins: list(values.CORS_ORIGINS),
    logLevel: values.LOG_LEVEL ?? (values.NODE_ENV === 'test' ? 'silent' : 'info'),
    productCacheTtlMs: values.PRODUCT_CACHE_TTL_MS,
    timedealSchedulerIntervalMs: values.TIMEDEAL_SCHEDULER_INTERVAL_MS,
    sseHeartbeatMs: values.SSE_HEARTBEAT_MS,
    saleReconcileIntervalMs: values.SALE_RECONCILE_INTERVAL_MS,
    saleAdmissionGraceMs: values.SALE_ADMISSION_GRACE_MS,
    rateLimitEnabled: values.RATE_LIMIT_ENABLED,
    rateLimitLoginIp: limit('RATE_LIMIT_LOGIN_IP'),
    rateLimitLoginEmail: limit('RATE_LIMIT_LOGIN_EMAIL'),
    rateLimitSignupIp: limit('RATE_LIMIT_SIGNUP_IP'),
    rateLimitSaleUser: limit('RATE_LIMIT_SALE_USER'),
    trustProxy: trustProxy === 'true' ? true : trustProxy === 'false' ? false : list(trustProxy),
    httpsOnly: values.HTTPS_ONLY,
    docsEnabled: values.DOCS_ENABLED,
    metricsEnabled: values.METRICS_ENABLED,
    metricsToken: values.METRICS_TOKEN,
    webRoot: values.WEB_ROOT,
    jwtMaxTtlSeconds: values.JWT_MAX_TTL_S,
    requestTimeoutMs: values.REQUEST_TIMEOUT_MS,
    headersTimeoutMs: Math.min(values.HEADERS_TIMEOUT_MS, values.REQUEST_TIMEOUT_MS),
    keepAliveTimeoutMs: values.KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeoutMs: values.CONNECTION_TIMEOUT_MS,
    publicBaseUrl,
    otlpEndpoint: values.OTEL_EXPORTER_OTLP_ENDPOINT,
  };
}

/** An http(s) URL with no query, fragment or credentials, its trailing slash dropped; undefined if it is none. */
function baseUrl(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.search || url.hash || url.username || url.password || raw.includes('?') || raw.includes('#')) {
    return undefined;
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

const SECRETS: (keyof Config)[] = ['jwtSecret', 'jwtPrivateKey', 'metricsToken'];

/** The settings for the start-up log line: secrets and URL passwords masked, PEM keys shortened. */
export function describeConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const key of SECRETS) if (config[key] !== undefined) out[key] = '***';
  if (config.jwtSecret === LOCAL_JWT_SECRET) out.jwtSecret = '(built-in development secret)';
  if (config.jwtPublicKey) out.jwtPublicKey = '(set)';
  for (const key of ['databaseUrl', 'redisUrl', 'elasticsearchUrl'] as const) {
    out[key] = config[key].replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
  return out;
}
