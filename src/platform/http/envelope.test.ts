import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { TestApp, type TestResponse } from '../../../test/helpers';
import type { App } from '../../app';
import { API_PREFIX, ok } from './envelope';
import { IdParam, msg, NotBlank, OptionalNullable } from './schema';
import { PageQuery } from './pagination';

/** Test-only routes under `/api/v1/shopping/__envelope` (service path `/__envelope/...`). */
const BASE = '/__envelope';

const Address = Type.Object(
  {
    receiverName: NotBlank('Receiver name is required', 20, 'Receiver name must be at most 20 characters'),
    zipCode: msg(Type.String({ pattern: '^\\d{5}$' }), {
      required: 'Zip code is required',
      pattern: 'Zip code must be 5 digits',
    }),
  },
  { additionalProperties: false },
);

const OrderBody = Type.Object(
  {
    shippingAddress: msg(Address, { required: 'Shipping address is required' }),
    quantity: msg(Type.Integer({ minimum: 1 }), {
      required: 'Quantity is required',
      minimum: 'Quantity must be at least 1',
    }),
    userCouponId: OptionalNullable(Type.Integer({ minimum: 1 })),
    memo: OptionalNullable(Type.String({ maxLength: 10 })),
    giftWrap: Type.Optional(Type.Boolean()),
    tags: Type.Optional(Type.Array(Type.Object({ label: Type.String() }, { additionalProperties: false }))),
  },
  { additionalProperties: false },
);

async function testRoutes(app: App) {
  await app.register(
    async (instance) => {
      const api = instance.withTypeProvider<TypeBoxTypeProvider>();
      api.get('/ok', async () => ok({ hello: 'world', at: new Date(Date.UTC(2026, 1, 17, 10, 0, 0)) }));
      api.get('/empty', async () => ({ success: true }));
      api.post('/orders', { schema: { body: OrderBody } }, async (request) => ok(request.body));
      api.put('/orders', { schema: { body: OrderBody } }, async (request) => ok(request.body));
      api.get(
        '/items/:itemId',
        { schema: { params: IdParam('itemId'), querystring: Type.Object(PageQuery(10)) } },
        async (request) => ok({ ...request.params, ...request.query }),
      );
      api.get('/boom', async () => {
        throw new Error('connect ECONNREFUSED db.internal:3306 password=hunter2');
      });
    },
    { prefix: API_PREFIX + BASE },
  );
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const ERROR_KEYS = new Set(['code', 'message', 'timestamp', 'path', 'details']);

/** The contract's error envelope, exactly: nothing at the top level but `success` and `error`. */
function assertErrorEnvelope(res: TestResponse, status: number, code: string, path: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(String(res.headers['content-type']), /^application\/json/);
  assert.deepEqual(Object.keys(res.body).sort(), ['error', 'success']);
  assert.equal(res.body.success, false);
  const { error } = res.body;
  for (const key of Object.keys(error)) assert.ok(ERROR_KEYS.has(key), `unexpected error.${key}`);
  assert.equal(error.code, code);
  assert.equal(typeof error.message, 'string');
  assert.equal(error.path, path);
  assert.match(error.timestamp, ISO_UTC);
  assert.ok(Math.abs(Date.parse(error.timestamp) - Date.now()) < 10_000, 'timestamp is now');
  if ('details' in error) assert.ok(Array.isArray(error.details) && error.details.length > 0, 'details, when present, is non-empty');
}

const validOrder = () => ({ shippingAddress: { receiverName: 'Kim', zipCode: '06236' }, quantity: 2 });

describe('envelope', () => {
  let t: TestApp;
  before(async () => {
    t = await TestApp.start({ CORS_ORIGINS: 'http://shop.example' }, { routes: testRoutes });
  });
  after(async () => {
    await t?.close();
  });

  describe('success', () => {
    test('is {"success":true,"data":…} with dates as ISO-8601 UTC', async () => {
      const res = await t.call('GET', `${BASE}/ok`);
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.deepEqual(res.body, { success: true, data: { hello: 'world', at: '2026-02-17T10:00:00.000Z' } });
    });

    test('success without data leaves data out', async () => {
      const res = await t.call('GET', `${BASE}/empty`);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { success: true });
    });
  });

  describe('validation → 400 C002', () => {
    test('a valid body passes; an optional field given as null stays null (not 0)', async () => {
      const res = await t.call('POST', `${BASE}/orders`, {
        body: { ...validOrder(), userCouponId: null, memo: null },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.data, { ...validOrder(), userCouponId: null, memo: null });

      const absent = await t.call('POST', `${BASE}/orders`, { body: validOrder() });
      assert.equal(absent.status, 200);
      assert.deepEqual(absent.body.data, validOrder());
      assert.ok(!('userCouponId' in absent.body.data));

      const given = await t.call('POST', `${BASE}/orders`, { body: { ...validOrder(), userCouponId: 7 } });
      assert.equal(given.status, 200);
      assert.equal(given.body.data.userCouponId, 7);
    });

    test('a missing nested field: field path a.b, the x-messages text, no rejectedValue', async () => {
      const res = await t.call('POST', `${BASE}/orders`, {
        body: { shippingAddress: { zipCode: '06236' }, quantity: 1 },
      });
      assertErrorEnvelope(res, 400, 'C002', `${BASE}/orders`);
      assert.equal(res.body.error.message, 'Invalid Input Value');
      assert.deepEqual(res.body.error.details, [
        { field: 'shippingAddress.receiverName', message: 'Receiver name is required' },
      ]);
    });

    test('several bad fields: one detail each, with x-messages text and the rejected value', async () => {
      const res = await t.call('POST', `${BASE}/orders`, {
        body: { shippingAddress: { receiverName: '   ', zipCode: '123' }, quantity: 0 },
      });
      assertErrorEnvelope(res, 400, 'C002', `${BASE}/orders`);
      const byField = Object.fromEntries(res.body.error.details.map((d: { field: string }) => [d.field, d]));
      assert.deepEqual(Object.keys(byField).sort(), ['quantity', 'shippingAddress.receiverName', 'shippingAddress.zipCode']);
      assert.deepEqual(byField['shippingAddress.receiverName'], {
        field: 'shippingAddress.receiverName',
        message: 'Receiver name is required',
        rejectedValue: '   ',
      });
      assert.deepEqual(byField['shippingAddress.zipCode'], {
        field: 'shippingAddress.zipCode',
        message: 'Zip code must be 5 digits',
        rejectedValue: '123',
      });
      assert.deepEqual(byField.quantity, { field: 'quantity', message: 'Quantity must be at least 1', rejectedValue: 0 });
    });

    test('a required field sent as null: the "required" message, rejectedValue left out', async () => {
      const res = await t.call('POST', `${BASE}/orders`, { body: { ...validOrder(), quantity: null } });
      assertErrorEnvelope(res, 400, 'C002', `${BASE}/orders`);
      assert.deepEqual(res.body.error.details, [{ field: 'quantity', message: 'Quantity is required' }]);
    });

    test('null for a required string or object: the "required" message, never coerced to "" ', async () => {
      const name = await t.call('POST', `${BASE}/orders`, {
        body: { ...validOrder(), shippingAddress: { receiverName: null, zipCode: '06236' } },
      });
      assertErrorEnvelope(name, 400, 'C002', `${BASE}/orders`);
      assert.deepEqual(name.body.error.details, [
        { field: 'shippingAddress.receiverName', message: 'Receiver name is required' },
      ]);

      const address = await t.call('POST', `${BASE}/orders`, { body: { ...validOrder(), shippingAddress: null } });
      assertErrorEnvelope(address, 400, 'C002', `${BASE}/orders`);
      assert.deepEqual(address.body.error.details, [{ field: 'shippingAddress', message: 'Shipping address is required' }]);
    });

    test('null for an optional field that is not nullable means absent (not false / "")', async () => {
      const res = await t.call('POST', `${BASE}/orders`, {
        body: { ...validOrder(), giftWrap: null, tags: [{ label: 'a' }] },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.data, { ...validOrder(), tags: [{ label: 'a' }] });

      const nested = await t.call('POST', `${BASE}/orders`, { body: { ...validOrder(), tags: [{ label: null }] } });
      assertErrorEnvelope(nested, 400, 'C002', `${BASE}/orders`);
      assert.deepEqual(nested.body.error.details.map((d: { field: string }) => d.field), ['tags[0].label']);
      assert.ok(!('rejectedValue' in nested.body.error.details[0]));
    });

    test('a missing object: its own required message', async () => {
      const res = await t.call('POST', `${BASE}/orders`, { body: { quantity: 1 } });
      assertErrorEnvelope(res, 400, 'C002', `${BASE}/orders`);
      assert.deepEqual(res.body.error.details, [{ field: 'shippingAddress', message: 'Shipping address is required' }]);
    });

    test('too long a value: the maxLength message', async () => {
      const name = 'x'.repeat(21);
      const res = await t.call('POST', `${BASE}/orders`, {
        body: { ...validOrder(), shippingAddress: { receiverName: name, zipCode: '06236' } },
      });
      assertErrorEnvelope(res, 400, 'C002', `${BASE}/orders`);
      assert.deepEqual(res.body.error.details, [
        { field: 'shippingAddress.receiverName', message: 'Receiver name must be at most 20 characters', rejectedValue: name },
      ]);
    });

    test('an unknown field (top level or nested) is rejected', async () => {
      const top = await t.call('POST', `${BASE}/orders`, { body: { ...validOrder(), isAdmin: true } });
      assertErrorEnvelope(top, 400, 'C002', `${BASE}/orders`);
      assert.deepEqual(top.body.error.details, [{ field: 'isAdmin', message: 'Unknown field', rejectedValue: true }]);

      const nested = await t.call('POST', `${BASE}/orders`, {
        body: { ...validOrder(), shippingAddress: { receiverName: 'Kim', zipCode: '06236', floor: 3 } },
      });
      assertErrorEnvelope(nested, 400, 'C002', `${BASE}/orders`);
      assert.deepEqual(nested.body.error.details, [
        { field: 'shippingAddress.floor', message: 'Unknown field', rejectedValue: 3 },
      ]);
    });

    test('an unknown field sent as null: rejectedValue left out', async () => {
      const res = await t.call('POST', `${BASE}/orders`, { body: { ...validOrder(), extra: null } });
      assertErrorEnvelope(res, 400, 'C002', `${BASE}/orders`);
      assert.deepEqual(res.body.error.details, [{ field: 'extra', message: 'Unknown field' }]);
    });

    test('malformed JSON', async () => {
      const res = await t.call('POST', `${BASE}/orders`, {
        body: '{"quantity": 1, "shippingAddress": ',
        headers: { 'content-type': 'application/json' },
      });
      assertErrorEnvelope(res, 400, 'C002', `${BASE}/orders`);
      assert.ok(!('details' in res.body.error));
    });

    test('a JSON body that is not an object', async () => {
      const res = await t.call('POST', `${BASE}/orders`, {
        body: '[1,2]',
        headers: { 'content-type': 'application/json' },
      });
      assertErrorEnvelope(res, 400, 'C002', `${BASE}/orders`);
    });

    test('no body at all on a route that needs one', async () => {
      const res = await t.call('POST', `${BASE}/orders`, { headers: { 'content-type': 'application/json' } });
      assertErrorEnvelope(res, 400, 'C002', `${BASE}/orders`);
    });

    test('bad path and query parameters', async () => {
      const id = await t.call('GET', `${BASE}/items/abc`);
      assertErrorEnvelope(id, 400, 'C002', `${BASE}/items/abc`);
      assert.deepEqual(id.body.error.details.map((d: { field: string }) => d.field), ['itemId']);
      assert.equal(id.body.error.details[0].rejectedValue, 'abc');

      const page = await t.call('GET', `${BASE}/items/5`, { query: { page: -1, size: 3 } });
      assertErrorEnvelope(page, 400, 'C002', `${BASE}/items/5`);
      assert.deepEqual(page.body.error.details, [{ field: 'page', message: 'page must be at least 1', rejectedValue: -1 }]);

      const good = await t.call('GET', `${BASE}/items/5`, { query: { size: 3 } });
      assert.equal(good.status, 200);
      assert.deepEqual(good.body.data, { itemId: 5, page: 1, size: 3 });
    });
  });

  describe('routing and media type', () => {
    test('unknown route → 404 C003 (no token needed to learn that)', async () => {
      const res = await t.call('GET', '/no-such-thing', { token: null });
      assertErrorEnvelope(res, 404, 'C003', '/no-such-thing');
      assert.equal(res.body.error.message, 'Not Found');

      const outside = await t.call('GET', '/api/v2/whatever?x=1', { token: null });
      assertErrorEnvelope(outside, 404, 'C003', '/api/v2/whatever');
    });

    test('known path, wrong method → 405 C009 with Allow', async () => {
      const res = await t.call('DELETE', `${BASE}/orders`);
      assertErrorEnvelope(res, 405, 'C009', `${BASE}/orders`);
      assert.equal(res.body.error.message, 'Method not allowed');
      const allow = String(res.headers.allow).split(/,\s*/).sort();
      assert.deepEqual(allow, ['POST', 'PUT']);

      const param = await t.call('POST', `${BASE}/items/5`);
      assertErrorEnvelope(param, 405, 'C009', `${BASE}/items/5`);
      assert.match(String(param.headers.allow), /\bGET\b/);

      const health = await t.call('POST', '/health/live', { token: null });
      assertErrorEnvelope(health, 405, 'C009', '/health/live');
    });

    test('a text/plain body on a JSON route → 415 C010', async () => {
      const res = await t.call('POST', `${BASE}/orders`, {
        body: JSON.stringify(validOrder()),
        headers: { 'content-type': 'text/plain' },
      });
      assertErrorEnvelope(res, 415, 'C010', `${BASE}/orders`);
      assert.equal(res.body.error.message, 'Unsupported media type');
    });

    test('a form body on a JSON route → 415 C010', async () => {
      const res = await t.call('POST', `${BASE}/orders`, {
        body: 'quantity=1',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assertErrorEnvelope(res, 415, 'C010', `${BASE}/orders`);
    });
  });

  describe('unexpected failures', () => {
    test('a plain Error → 500 C001, fixed message, nothing internal in the body', async () => {
      const res = await t.call('GET', `${BASE}/boom`);
      assertErrorEnvelope(res, 500, 'C001', `${BASE}/boom`);
      assert.equal(res.body.error.message, 'Internal Server Error');
      const raw = JSON.stringify(res.body);
      for (const leak of ['hunter2', 'ECONNREFUSED', 'stack', 'envelope.test', '    at ']) {
        assert.ok(!raw.includes(leak), `body leaks "${leak}": ${raw}`);
      }
    });
  });

  describe('request id', () => {
    test('a given x-request-id is echoed, on success and on error', async () => {
      const res = await t.call('GET', `${BASE}/ok`, { headers: { 'x-request-id': 'req-abc.123' } });
      assert.equal(res.headers['x-request-id'], 'req-abc.123');
      const err = await t.call('GET', '/nope', { headers: { 'x-request-id': 'req-err-1' } });
      assert.equal(err.status, 404);
      assert.equal(err.headers['x-request-id'], 'req-err-1');
    });

    test('without one (or with an unsafe one) a fresh id is sent', async () => {
      const res = await t.call('GET', `${BASE}/ok`);
      assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/);
      const unsafe = await t.call('GET', `${BASE}/ok`, { headers: { 'x-request-id': 'evil\tvalue' } });
      assert.notEqual(unsafe.headers['x-request-id'], 'evil\tvalue');
      assert.match(String(unsafe.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    });
  });

  describe('CORS (CORS_ORIGINS=http://shop.example)', () => {
    const preflight = (origin: string) =>
      t.call('OPTIONS', `${BASE}/orders`, {
        token: null,
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,idempotency-key',
        },
      });

    test('a preflight from the listed origin is answered with that origin and credentials', async () => {
      const res = await preflight('http://shop.example');
      assert.ok(res.status === 204 || res.status === 200, `status ${res.status}`);
      assert.equal(res.headers['access-control-allow-origin'], 'http://shop.example');
      assert.equal(res.headers['access-control-allow-credentials'], 'true');
      const allowed = String(res.headers['access-control-allow-headers'])
        .split(',')
        .map((h) => h.trim().toLowerCase());
      for (const h of ['authorization', 'content-type', 'idempotency-key']) assert.ok(allowed.includes(h), `allows ${h}`);
      const methods = String(res.headers['access-control-allow-methods']);
      for (const m of ['GET', 'POST', 'PUT', 'DELETE']) assert.match(methods, new RegExp(`\\b${m}\\b`));
    });

    test('another origin gets no allow-origin', async () => {
      const res = await preflight('http://evil.example');
      assert.equal(res.headers['access-control-allow-origin'], undefined);
      const simple = await t.call('GET', `${BASE}/ok`, { headers: { origin: 'http://evil.example' } });
      assert.equal(simple.headers['access-control-allow-origin'], undefined);
    });

    test('actual requests (and their errors) carry the CORS headers for the listed origin', async () => {
      const res = await t.call('GET', `${BASE}/ok`, { headers: { origin: 'http://shop.example' } });
      assert.equal(res.status, 200);
      assert.equal(res.headers['access-control-allow-origin'], 'http://shop.example');
      assert.equal(res.headers['access-control-allow-credentials'], 'true');
      const denied = await t.call('GET', `${BASE}/ok`, { token: null, headers: { origin: 'http://shop.example' } });
      assert.equal(denied.status, 401);
      assert.equal(denied.headers['access-control-allow-origin'], 'http://shop.example');
    });
  });

  describe('operational endpoints, no token', () => {
    test('/health/live', async () => {
      const res = await t.call('GET', '/health/live', { token: null });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { status: 'UP' });
    });

    test('/health/ready checks MySQL, Redis, the search index and the event bus', async () => {
      const res = await t.call('GET', '/health/ready', { token: null });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { status: 'UP', components: { mysql: 'UP', redis: 'UP', search: 'UP', eventBus: 'UP' } });
    });

    test('/metrics has request durations and DB pool gauges', async () => {
      await t.call('GET', '/health/live', { token: null });
      const res = await t.call('GET', '/metrics', { token: null });
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
      const text = String(res.body);
      assert.match(text, /^http_request_duration_seconds_bucket\{.*route="\/health\/live".*\} \d+/m);
      assert.match(text, /^db_pool_connections\{state="total"\} \d+/m);
      assert.match(text, /^db_pool_connections\{state="idle"\} \d+/m);
    });

    test('/docs/json is an OpenAPI document with paths', async () => {
      const res = await t.call('GET', '/docs/json', { token: null });
      assert.equal(res.status, 200);
      assert.match(String(res.body.openapi), /^3\./);
      assert.ok(res.body.paths && typeof res.body.paths === 'object');
      assert.ok('/api/v1/auth/signup' in res.body.paths, Object.keys(res.body.paths).join(', '));
    });

    test('a bad token does not block them', async () => {
      for (const path of ['/health/live', '/health/ready', '/metrics', '/docs/json']) {
        const res = await t.call('GET', path, { token: 'garbage' });
        assert.equal(res.status, 200, path);
      }
    });
  });
});
