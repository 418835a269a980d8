import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { codeOf, TestApp } from '../../../test/helpers';

/** `default-src 'self'; img-src 'self' data:` → { 'default-src': ["'self'"], 'img-src': ["'self'", 'data:'] } */
function parseCsp(header: unknown): Record<string, string[]> {
  assert.equal(typeof header, 'string', 'a Content-Security-Policy header');
  return Object.fromEntries(
    (header as string)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name, values]),
  );
}

describe('security headers (defaults: docs and metrics on, plain HTTP)', () => {
  let t: TestApp;
  before(async () => {
    t = await TestApp.start();
  });
  after(async () => {
    await t?.close();
  });

  test('the product list: CORP cross-origin (a storefront elsewhere may load it), nosniff, a CSP, no HSTS or upgrade over plain HTTP', async () => {
    const res = await t.call('GET', '/products', { token: null });
    assert.equal(res.status, 200);
    assert.equal(res.headers['cross-origin-resource-policy'], 'cross-origin');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
    assert.equal(res.headers['strict-transport-security'], undefined);
    const csp = parseCsp(res.headers['content-security-policy']);
    assert.deepEqual(csp['default-src'], ["'self'"]);
    assert.ok(!('upgrade-insecure-requests' in csp), 'no upgrade-insecure-requests without HTTPS');
    assert.ok(csp['img-src'].includes('https:'), 'product images from a CDN');
  });

  test('GET /docs: 200, and the CSP admits every script and stylesheet the page loads (all from its own origin, none inline)', async () => {
    const res = await t.call('GET', '/docs', { token: null });
    assert.equal(res.status, 200);
    const html = String(res.body);
    const csp = parseCsp(res.headers['content-security-policy']);
    assert.deepEqual(csp['script-src'], ["'self'"]);

    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length > 0);
    for (const [, attrs, body] of scripts) {
      assert.match(attrs, /src="[^":]+"/, 'a same-origin script file');
      assert.equal(body.trim(), '', 'no inline script');
    }
    const styles = [...html.matchAll(/<link rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(styles.length > 0);
    for (const href of styles) {
      assert.ok(!href.includes(':'), `same-origin stylesheet ${href}`);
      const sheet = await t.app.inject({ method: 'GET', url: href.startsWith('/') ? href : `/docs/${href}` });
      assert.equal(sheet.statusCode, 200, href);
    }
    assert.ok(csp['style-src'].includes("'self'"));
    assert.ok(csp['style-src'].includes("'unsafe-inline'"), 'Swagger UI sets inline styles');
    const spec = await t.call('GET', '/docs/json', { token: null });
    assert.equal(spec.status, 200);
  });

  test('/metrics answers without a token when none is configured', async () => {
    const res = await t.call('GET', '/metrics', { token: null });
    assert.equal(res.status, 200);
    assert.match(String(res.body), /http_request_duration_seconds/);
  });
});

describe('production switches: HTTPS_ONLY, DOCS_ENABLED=false, METRICS_TOKEN', () => {
  let t: TestApp;
  const METRICS_TOKEN = 'metrics-secret-for-the-scraper';
  before(async () => {
    t = await TestApp.start({ HTTPS_ONLY: 'true', DOCS_ENABLED: 'false', METRICS_TOKEN });
  });
  after(async () => {
    await t?.close();
  });

  test('over HTTPS: HSTS and upgrade-insecure-requests', async () => {
    const res = await t.call('GET', '/products', { token: null });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['strict-transport-security']), /^max-age=31536000; includeSubDomains$/);
    assert.ok('upgrade-insecure-requests' in parseCsp(res.headers['content-security-policy']));
  });

  test('/docs and /docs/json are not served (404 C003)', async () => {
    for (const path of ['/docs', '/docs/json']) {
      const res = await t.call('GET', path, { token: null });
      assert.equal(res.status, 404, path);
      assert.equal(codeOf(res), 'C003');
    }
  });

  test('/metrics needs its bearer token: none or a wrong one → 401 C005', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${METRICS_TOKEN}x` }, { authorization: METRICS_TOKEN }];
    for (const headers of attempts) {
      const res = await t.call('GET', '/metrics', { token: null, headers });
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(codeOf(res), 'C005');
      assert.equal(res.headers['www-authenticate'], 'Bearer');
    }
    const ok = await t.call('GET', '/metrics', { token: null, headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(ok.status, 200);
    assert.match(String(ok.body), /http_request_duration_seconds/);
  });
});

describe('METRICS_ENABLED=false', () => {
  let t: TestApp;
  before(async () => {
    t = await TestApp.start({ METRICS_ENABLED: 'false' });
  });
  after(async () => {
    await t?.close();
  });

  test('/metrics is not served (404 C003); the API is unaffected', async () => {
    const res = await t.call('GET', '/metrics', { token: null });
    assert.equal(res.status, 404);
    assert.equal(codeOf(res), 'C003');
    assert.equal((await t.call('GET', '/products', { token: null })).status, 200);
  });
});
