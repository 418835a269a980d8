import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestApp } from '../../../test/helpers';
import { rawRequest } from '../../../test/raw-http';
import { openSse } from '../../../test/sse';
import { loadConfig } from '../../config';
import { API_PREFIX } from './envelope';
import { Errors } from './errors';

const TIMEOUT_MS = 1000;

describe('request timeouts', () => {
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await TestApp.start({ REQUEST_TIMEOUT_MS: String(TIMEOUT_MS), HEADERS_TIMEOUT_MS: String(TIMEOUT_MS), SSE_HEARTBEAT_MS: '200' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
  });
  after(() => t.close());

  test('a body sent one byte per 100 ms gets 408 C017 (or a closed connection) within the timeout, not minutes', async () => {
    const body = JSON.stringify({ productId: 1, quantity: 1, pad: 'p'.repeat(200) });
    const res = await rawRequest(
      port,
      `POST ${API_PREFIX}/cart/items HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.userToken}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      { body: [...body], pauseMs: 100, timeoutMs: 15_000 },
    );
    // Sending it all would take over 20 s.
    assert.ok(res.elapsedMs < TIMEOUT_MS + 1500, `answered after ${res.elapsedMs} ms`);
    if (res.status !== 0) {
      assert.equal(res.status, 408, res.body);
      assert.equal(res.json?.success, false);
      assert.equal(res.json?.error?.code, Errors.REQUEST_TIMEOUT.code);
    }
  });

  test('headers sent slowly get 408 C017 within the timeout', async () => {
    const res = await rawRequest(port, `GET ${API_PREFIX}/products HTTP/1.1\r\n`, {
      body: Array.from({ length: 100 }, (_, i) => `X-Slow-${i}: 1\r\n`),
      pauseMs: 100,
      timeoutMs: 15_000,
    });
    assert.ok(res.elapsedMs < TIMEOUT_MS + 1500, `answered after ${res.elapsedMs} ms`);
    assert.equal(res.status, 408, res.body);
    assert.equal(res.json?.error?.code, Errors.REQUEST_TIMEOUT.code);
  });

  test('a request received in time is answered normally', async () => {
    const res = await rawRequest(port, `GET ${API_PREFIX}/products HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.equal(res.status, 200, res.body);
  });

  test('an SSE stream outlives the request timeout', async () => {
    const stream = await openSse(`http://127.0.0.1:${port}${API_PREFIX}/inventory/stream?productIds=1`);
    try {
      assert.equal(stream.res.statusCode, 200);
      await sleep(TIMEOUT_MS * 2.5);
      const before = stream.frames.length;
      await stream.next((f) => f.at > Date.now() - 50 || stream.frames.length > before, 2000);
      assert.ok(!stream.res.destroyed && !stream.res.complete, 'the stream is still open');
    } finally {
      stream.close();
    }
  });
});

test('timeout settings: headers never wait longer than the whole request', () => {
  const c = loadConfig({ REQUEST_TIMEOUT_MS: '2000', HEADERS_TIMEOUT_MS: '5000' });
  assert.equal(c.requestTimeoutMs, 2000);
  assert.equal(c.headersTimeoutMs, 2000);
  const d = loadConfig({});
  assert.deepEqual([d.requestTimeoutMs, d.headersTimeoutMs, d.keepAliveTimeoutMs, d.connectionTimeoutMs], [30_000, 10_000, 72_000, 120_000]);
  assert.throws(() => loadConfig({ REQUEST_TIMEOUT_MS: 'soon' }), /REQUEST_TIMEOUT_MS/);
});
