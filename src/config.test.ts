import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, describeConfig, loadConfig, LOCAL_JWT_SECRET } from './config';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

test('defaults: an empty environment (or empty values) gives the documented settings', () => {
  const c = loadConfig({});
  assert.equal(c.port, 8080);
  assert.equal(c.logLevel, 'info');
  assert.equal(c.jwtSecret, LOCAL_JWT_SECRET);
  assert.equal(c.trustGatewayHeaders, false);
  assert.equal(c.rateLimitEnabled, true);
  assert.equal(c.trustProxy, false);
  assert.deepEqual(c.rateLimitLoginIp, { max: 10, windowMs: 60_000 });
  assert.deepEqual(loadConfig({ PORT: '', LOG_LEVEL: '', RATE_LIMIT_ENABLED: '' }), c);
  assert.equal(loadConfig({ NODE_ENV: 'test' }).logLevel, 'silent');
});

test('flags take true/false/1/0 in any case; numbers are strict', () => {
  const c = loadConfig({ TRUST_GATEWAY_HEADERS: '1', RATE_LIMIT_ENABLED: '0', HTTPS_ONLY: 'TRUE', DOCS_ENABLED: 'False', PORT: ' 9090 ', PG_SUCCESS_RATE: '.25' });
  assert.deepEqual([c.trustGatewayHeaders, c.rateLimitEnabled, c.httpsOnly, c.docsEnabled], [true, false, true, false]);
  assert.equal(c.port, 9090);
  assert.equal(c.pgSuccessRate, 0.25);
  assert.deepEqual(problems({ DB_POOL_SIZE: '7.5', PORT: '0x50', METRICS_ENABLED: 'yes' }), [
    'PORT must be a whole number from 0 to 65535, got "0x50"',
    'DB_POOL_SIZE must be a whole number from 1 to 10000, got "7.5"',
    'METRICS_ENABLED must be true, false, 1 or 0, got "yes"',
  ]);
});

test('every problem at once: ranges, enums, URLs, and the rules between settings', () => {
  assert.deepEqual(problems({
    LOG_LEVEL: 'verbose',
    EVENT_BUS: 'rabbit',
    REDIS_URL: 'localhost:6379',
    OUTBOX_POLL_MS: '5',
    SSE_HEARTBEAT_MS: '9999999999',
    ACCESS_TOKEN_TTL_S: '7200',
    JWT_MAX_TTL_S: '3600',
    TRUST_PROXY: 'loopback,2',
    NODE_ENV: 'production',
  }), [
    'REDIS_URL must be a redis:// or rediss:// URL, got "localhost:6379"',
    'EVENT_BUS must be one of local, kafka, got "rabbit"',
    'OUTBOX_POLL_MS must be a whole number ≥ 10 (at most 2147483647), got "5"',
    'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"',
    'SSE_HEARTBEAT_MS must be a whole number ≥ 10 (at most 2147483647), got "9999999999"',
    'JWT_SECRET (or JWT_PUBLIC_KEY) must be set in production',
    'ACCESS_TOKEN_TTL_S must not exceed JWT_MAX_TTL_S: login would issue tokens the service refuses',
    'TRUST_PROXY must be true, false or proxy addresses/CIDRs (hop counts are not accepted), got "loopback,2"',
  ]);
  assert.deepEqual(problems({ EVENT_BUS: 'kafka' }), ['EVENT_BUS=kafka needs KAFKA_BROKERS (host:port, comma-separated)']);
  const c = loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8', EVENT_BUS: 'kafka', KAFKA_BROKERS: 'a:9092, b:9092' });
  assert.deepEqual(c.trustProxy, ['loopback', '10.0.0.0/8']);
  assert.deepEqual(c.kafkaBrokers, ['a:9092', 'b:9092']);
});

test('a secret is never echoed, not in an error nor in the start-up line', () => {
  assert.deepEqual(problems({ JWT_SECRET: 'hunter2' }), ['JWT_SECRET must be at least 32 characters']);
  const secret = 'a-secret-of-more-than-thirty-two-characters';
  const shown = JSON.stringify(describeConfig(loadConfig({
    JWT_SECRET: secret,
    METRICS_TOKEN: 'scrape-token',
    DATABASE_URL: 'mysql://shop:db-password@db:3306/shop',
    REDIS_URL: 'redis://:redis-password@cache:6379',
  })));
  for (const hidden of [secret, 'scrape-token', 'db-password', 'redis-password']) assert.ok(!shown.includes(hidden), hidden);
  assert.match(shown, /"databaseUrl":"mysql:\/\/shop:\*\*\*@db:3306\/shop"/);
  assert.match(shown, /"redisUrl":"redis:\/\/:\*\*\*@cache:6379"/);
  assert.match(shown, /"jwtSecret":"\*\*\*","/);
});
