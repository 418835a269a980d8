import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { ancestors as ancestorsIn, startTracedApp, statementOf, type SpanRecord, type TracedApp } from '../../test/traces';
import { TestApp, until } from '../../test/helpers';
import { loadConfig } from '../config';
import { API_PREFIX } from './http/envelope';

const SERVER = 1;
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const ADDRESS = { receiverName: '김추적', receiverPhone: '010-1234-5678', zipCode: '06236', address1: '서울 강남구 테헤란로 1' };

let t: TestApp;
let traced: TracedApp;

before(async () => {
  t = await TestApp.start();
  traced = await startTracedApp({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATABASE_URL: t.config.databaseUrl,
    REDIS_KEY_PREFIX: t.config.redisKeyPrefix,
    PG_SUCCESS_RATE: '1',
  });
});

after(async () => {
  await traced?.app.stop();
  await t?.close();
});

test('one checkout is one trace: the HTTP span under the caller, Fastify, SQL and Redis spans under it', async () => {
  const productId = (await t.services.products.create({ name: '추적 이어폰', price: 39000, stock: 10 }, 'test')).id;
  assert.equal((await t.call('POST', '/cart/items', { body: { productId, quantity: 2 } })).status, 200);

  const res = await fetch(`${traced.app.base}${API_PREFIX}/orders`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${t.userToken}`,
      'content-type': 'application/json',
      traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`,
      'x-request-id': 'traced-checkout',
    },
    body: JSON.stringify({ shippingAddress: ADDRESS }),
  });
  assert.equal(res.status, 201, await res.text());

  // The server span ends as the response is written: wait for it.
  let all: SpanRecord[] = [];
  await until(async () => {
    all = await traced.spans();
    return all.some((s) => s.traceId === CALLER_TRACE && s.kind === SERVER && s.scope.includes('http'));
  }, 10_000, 'the checkout span');

  const trace = all.filter((s) => s.traceId === CALLER_TRACE);
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  const http = trace.filter((s) => s.scope === '@opentelemetry/instrumentation-http');
  assert.equal(http.length, 1, 'one HTTP span');
  assert.equal(http[0]!.kind, SERVER);
  assert.equal(http[0]!.parentSpanId, CALLER_SPAN, "the HTTP span's parent is the caller's span");
  assert.equal(http[0]!.attributes['http.route'], `${API_PREFIX}/orders`, 'named by its route (from Fastify)');

  // Every span of the trace hangs, parent by parent, from the HTTP span.
  const ancestors = (s: SpanRecord) => ancestorsIn(s, trace);
  for (const s of trace) {
    if (s === http[0]) continue;
    assert.ok(ancestors(s).includes(http[0]!), `${s.scope} ${s.name} descends from the HTTP span`);
  }

  const fastify = trace.filter((s) => s.scope === '@fastify/otel');
  const handler = fastify.find((s) => s.name.startsWith('handler'));
  assert.ok(handler, `a Fastify handler span among ${fastify.map((s) => s.name).join(', ')}`);

  const sql = trace.filter((s) => s.scope === '@opentelemetry/instrumentation-mysql2');
  const statements = sql.map(statementOf);
  assert.ok(statements.some((q) => /insert into `orders`/i.test(q)), `the order's INSERT among ${statements.length} statements`);
  assert.ok(statements.some((q) => /for update/i.test(q)), 'the stock row lock');
  for (const s of sql) assert.ok(ancestors(s).includes(handler), 'SQL runs under the route handler');

  const redis = trace.filter((s) => s.scope === '@opentelemetry/instrumentation-ioredis');
  assert.ok(redis.some((s) => s.name === 'publish'), `the stock change published on Redis: ${redis.map((s) => s.name).join(', ')}`);
  for (const s of redis) assert.ok(ancestors(s).includes(handler), 'Redis runs under the route handler');

  // No statement of this checkout landed in another trace.
  const strays = all.filter((s) => s.traceId !== CALLER_TRACE && /insert into `orders`/i.test(statementOf(s)));
  assert.deepEqual(strays, []);
  assert.equal(all.filter((s) => /insert into `orders`/i.test(statementOf(s))).length, 1);

  // Its events carry the trace on: a traceparent of this trace, naming one of its spans.
  const rows = await t.db.selectFrom('outbox_events').select(['topic', 'headers']).where('topic', '=', 'shopping.order.created').execute();
  assert.equal(rows.length, 1);
  const traceparent = JSON.parse(rows[0]!.headers!).traceparent as string;
  const [, traceId, parentId] = traceparent.split('-');
  assert.equal(traceId, CALLER_TRACE);
  assert.ok(byId.has(parentId!), 'the event names a span of the checkout');

  // And the request's log lines carry its request id and this trace id.
  const lines = traced.logs.filter((l) => l.reqId === 'traced-checkout');
  assert.ok(lines.length >= 2, JSON.stringify(traced.logs.slice(-5)));
  for (const l of lines) assert.equal(l.traceId, CALLER_TRACE);
});

test('the preload loads nothing when OTEL_EXPORTER_OTLP_ENDPOINT is unset', () => {
  const preload = fileURLToPath(new URL('../tracing.ts', import.meta.url));
  const probe = `
    const api = await import('@opentelemetry/api');
    const provider = api.trace.getTracerProvider();
    console.log(JSON.stringify({ delegate: typeof provider.getDelegate === 'function' ? provider.getDelegate().constructor.name : 'none' }));`;
  const run = (env: Record<string, string | undefined>) =>
    spawnSync(process.execPath, ['--import', 'tsx', '--import', preload, '--input-type=module', '-e', probe], {
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: undefined, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
  const off = run({});
  assert.equal(off.status, 0, off.stderr);
  assert.deepEqual(JSON.parse(off.stdout.trim()), { delegate: 'NoopTracerProvider' });
  // Set, the same preload registers a real tracer provider (no collector needed to start).
  const on = run({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
  assert.equal(on.status, 0, on.stderr);
  assert.notEqual(JSON.parse(on.stdout.trim().split('\n').at(-1)!).delegate, 'NoopTracerProvider');
});

test('OTEL_EXPORTER_OTLP_ENDPOINT is checked with the rest of the configuration', () => {
  assert.equal(loadConfig({}).otlpEndpoint, undefined);
  assert.equal(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).otlpEndpoint, 'http://collector:4318');
  assert.throws(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }), /OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL/);
});
