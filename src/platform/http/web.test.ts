import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { codeOf, TestApp } from '../../../test/helpers';
import { envelopePlugin } from './envelope';
import { webPlugin } from './web';

const SHOP = '<!doctype html><html><head><script type="module" src="/assets/shop-abc123.js"></script></head><body><div id="root"></div></body></html>';
const PAGE = '<!doctype html><html><head><script type="module" src="/assets/admin-abc123.js"></script></head><body><div id="root"></div></body></html>';

/** A build folder shaped like `npm run build:web`'s output. */
async function fakeBuild(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'web-build-'));
  await mkdir(join(root, 'admin'));
  await mkdir(join(root, 'assets'));
  await writeFile(join(root, 'admin', 'index.html'), PAGE);
  await writeFile(join(root, 'index.html'), SHOP);
  await writeFile(join(root, 'assets', 'admin-abc123.js'), 'console.log("console")');
  return root;
}

describe('web apps served by the service (a build present)', () => {
  let t: TestApp;
  let root: string;
  before(async () => {
    root = await fakeBuild();
    t = await TestApp.start({ WEB_ROOT: root });
  });
  after(async () => {
    await t?.close();
    await rm(root, { recursive: true, force: true });
  });
  // `t.call` puts relative paths under the API prefix; pages live outside it.
  const get = async (url: string, method: 'GET' | 'POST' = 'GET') => {
    const res = await t.app.inject({ method, url });
    const json = String(res.headers['content-type']).includes('json');
    return { status: res.statusCode, headers: res.headers, body: json ? res.json() : res.body };
  };

  for (const path of ['/admin', '/admin/', '/admin/coupons', '/admin/orders/ORD-1?tab=saga']) {
    test(`GET ${path}: the console's page, revalidated on every load, under the CSP`, async () => {
      const res = await get(path);
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.equal(res.body, PAGE);
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
    });
  }

  for (const path of ['/', '/products', '/products/12', '/search?q=%EC%95%84%EC%9D%B4%ED%8F%B0', '/cart', '/checkout', '/orders/ORD-1', '/coupons', '/deals/3', '/queue/TIMEDEAL/3?next=%2Fdeals%2F3', '/login?next=%2Fcart', '/signup']) {
    test(`GET ${path}: the shop's page, revalidated on every load`, async () => {
      const res = await get(path);
      assert.equal(res.status, 200);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.equal(res.body, SHOP);
      assert.equal(res.headers['cache-control'], 'no-cache');
    });
  }

  test('the service\'s own paths keep their answers next to the shop', async () => {
    assert.equal((await get('/health/live')).status, 200);
    assert.match(String((await get('/metrics')).headers['content-type']), /^text\/plain/);
    const image = await get('/images/products/999999.svg');
    assert.equal(image.status, 404);
    assert.equal(codeOf(image), 'C003');
    assert.equal((await get('/productsX')).status, 404);
  });

  test('a hashed asset is cached for good; a missing one is 404 C003 in the envelope', async () => {
    const res = await get('/assets/admin-abc123.js');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /javascript/);
    assert.match(String(res.headers['cache-control']), /immutable/);
    const missing = await get('/assets/nope.js');
    assert.equal(missing.status, 404);
    assert.equal(codeOf(missing), 'C003');
  });

  test('unknown /api paths still answer 404 C003, whatever the method; page paths never fall back there', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const res = await get('/api/v1/shopping/no-such-thing', method);
      assert.equal(res.status, 404, method);
      assert.equal(codeOf(res), 'C003');
    }
    const other = await get('/not-an-app');
    assert.equal(other.status, 404);
    assert.equal(codeOf(other), 'C003');
  });

  test('the pages are not in the OpenAPI document', async () => {
    const doc = t.app.swagger() as { paths: Record<string, unknown> };
    assert.ok(!Object.keys(doc.paths).some((p) => p.startsWith('/admin') || p.startsWith('/assets')));
  });
});

describe('web apps not built', () => {
  test('the API runs alone, /admin is 404 C003, and the log says so once', async () => {
    const root = await mkdtemp(join(tmpdir(), 'web-empty-'));
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const app = Fastify({ logger: { level: 'info', stream } });
    try {
      await app.register(envelopePlugin, {});
      await app.register(webPlugin, { root });
      app.get('/api/ping', async () => ({ ok: true }));
      await app.ready();
      assert.equal((await app.inject('/api/ping')).statusCode, 200);
      const page = await app.inject('/admin');
      assert.equal(page.statusCode, 404);
      assert.equal(page.json().error.code, 'C003');
      const notes = lines.filter((l) => String(l.msg).includes('npm run build:web'));
      assert.equal(notes.length, 1);
      assert.equal(notes[0].level, 40, 'a warning');
    } finally {
      await app.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
