import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { codeOf, TestApp, type TestResponse } from '../../../test/helpers';
import { rawRequest } from '../../../test/raw-http';
import { MAX_JSON_DEPTH, withinDepth } from '../../app';
import { Errors } from './errors';
import { API_PREFIX, MAX_ECHO } from './envelope';

/** Error answers Fastify, its router and the raw HTTP parser give before any route runs. */

function assertEnvelope(body: any, status: number, actual: number, code: string) {
  assert.equal(actual, status, JSON.stringify(body)?.slice(0, 300));
  assert.equal(body?.success, false);
  assert.equal(body?.error?.code, code);
  assert.equal(typeof body?.error?.message, 'string');
}

describe('withinDepth', () => {
  test('counts nesting outside strings only', () => {
    assert.equal(withinDepth('[[[1]]]', 3), true);
    assert.equal(withinDepth('[[[[1]]]]', 3), false);
    assert.equal(withinDepth('{"a":"[[[[[[[[[[\\"[[[["}', 1), true);
    assert.equal(withinDepth('{"a":{"b":[]}}', 3), true);
  });
});

describe('errors before a route runs', () => {
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await TestApp.start();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
  });
  after(() => t.close());

  const inject = async (url: string, payload?: string): Promise<TestResponse> => {
    const res = await t.app.inject({
      method: payload === undefined ? 'GET' : 'POST',
      url,
      headers: { authorization: `Bearer ${t.userToken}`, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
      payload,
    });
    return { status: res.statusCode, headers: res.headers, body: res.json() };
  };

  test('bad percent-encoding → 400 C002', async () => {
    const res = await inject(`${API_PREFIX}/orders/%E0%A4%A`);
    assertEnvelope(res.body, 400, res.status, 'C002');
  });

  test('a path parameter over the router limit → 414 C015, the URL not echoed', async () => {
    const res = await inject(`${API_PREFIX}/orders/${'A'.repeat(5000)}`);
    assertEnvelope(res.body, 414, res.status, Errors.URI_TOO_LONG.code);
    assert.ok(!JSON.stringify(res.body).includes('AAAA'));
  });

  test('JSON nested 20,000 deep → 400 C002; the limit itself parses', async () => {
    const deep = '['.repeat(20_000) + ']'.repeat(20_000);
    const res = await inject(`${API_PREFIX}/cart/items`, deep);
    assertEnvelope(res.body, 400, res.status, 'C002');
    const objects = '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000);
    assertEnvelope((await inject(`${API_PREFIX}/cart/items`, objects)).body, 400, 400, 'C002');
    // At the limit the body reaches validation (C002 with details), not the parser's refusal.
    const atLimit = `{"productId":${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)},"quantity":1}`;
    const ok = await inject(`${API_PREFIX}/cart/items`, atLimit);
    assertEnvelope(ok.body, 400, ok.status, 'C002');
    assert.equal(ok.body.error.details?.[0]?.field, 'productId');
  });

  test('a rejected value is echoed cut short, and never as a nested structure', async () => {
    const huge = 'x'.repeat(900_000);
    const res = await t.call('POST', '/cart/items', { body: { productId: huge, quantity: [1, 2, { a: 'y'.repeat(1000) }] } });
    assertEnvelope(res.body, 400, res.status, 'C002');
    assert.ok(JSON.stringify(res.body).length < 2000, `answer of ${JSON.stringify(res.body).length} characters`);
    const byField = Object.fromEntries(res.body.error.details.map((d: { field: string }) => [d.field, d]));
    assert.equal(byField.productId.rejectedValue, `${'x'.repeat(MAX_ECHO)}…`);
    assert.ok(!('rejectedValue' in byField.quantity));
    assert.equal(codeOf(res), 'C002');
  });

  test('headers over 16 KiB → 431 C016 in the envelope, on the socket', async () => {
    const res = await rawRequest(port, `GET ${API_PREFIX}/products HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assertEnvelope(res.json, 431, res.status, Errors.REQUEST_HEADER_FIELDS_TOO_LARGE.code);
  });

  test('a URL over 16 KiB → 431 C016, the URL not echoed', async () => {
    const res = await rawRequest(port, `GET ${API_PREFIX}/products?q=${'b'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assertEnvelope(res.json, 431, res.status, Errors.REQUEST_HEADER_FIELDS_TOO_LARGE.code);
    assert.ok(!res.body.includes('bbbb'));
  });

  test('a request line the parser cannot read → 400 C002 in the envelope', async () => {
    const res = await rawRequest(port, `GET /\u0001bad HTTP/1.1\r\nHost: x\r\n\r\n`);
    assertEnvelope(res.json, 400, res.status, 'C002');
  });
});
