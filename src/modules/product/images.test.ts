import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { loadConfig } from '../../config';
import { publicBase } from '../../platform/http/public-url';
import { codeOf, TestApp } from '../../../test/helpers';
import { absoluteUrl, captionLines, drawProductImage, parseImageFile, productImagePath, storedUrl } from './images';

describe('drawn pictures', () => {
  const phone = { name: '아이폰 15 프로 256GB', category: '스마트폰' };

  test('the same product and view always give the same bytes; views, names and categories differ', () => {
    const svg = drawProductImage(phone);
    assert.equal(drawProductImage({ ...phone }), svg);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="600" height="600" viewBox="0 0 600 600"/);
    assert.ok(svg.includes('>아이폰 15 프로 256GB</text>'), 'the name, in Korean, as the caption');
    assert.ok(svg.includes('>스마트폰</text>'), 'the category as a label');
    assert.notEqual(drawProductImage(phone, 2), svg);
    assert.notEqual(drawProductImage(phone, 2), drawProductImage(phone, 3));
    assert.notEqual(drawProductImage({ ...phone, name: '아이폰 15 128GB' }), svg);
    assert.notEqual(drawProductImage({ ...phone, category: '오디오' }).replace(/>[^<]*</g, '><'), svg.replace(/>[^<]*</g, '><'));
    // A category outside the demo's: a colour of its own and a shopping bag; none at all works too.
    assert.match(drawProductImage({ name: '캠핑 의자', category: '캠핑' }), /<text[^>]*>캠핑<\/text>/);
    assert.ok(!drawProductImage({ name: '캠핑 의자', category: null }).includes('rx="22" fill="#fff" opacity=".9"'));
  });

  test('names are text, never markup; characters XML cannot carry are dropped', () => {
    const svg = drawProductImage({ name: '<script>alert(1)</script> & "x" \'y\' \u0000\u0007\ud800 끝', category: '<b>' });
    assert.ok(!svg.includes('<script'));
    assert.ok(!svg.includes('<b>'));
    assert.ok(svg.includes('&lt;script&gt;'));
    assert.ok(svg.includes('&amp; &quot;x&quot; &apos;y&apos;'));
    assert.ok(!/[\u0000-\u0008\ud800-\udfff]/.test(svg));
    // Well-formed: every element that opens closes.
    const opened = (svg.match(/<[a-zA-Z][^>]*[^/]>/g) ?? []).length;
    const closed = (svg.match(/<\/[a-zA-Z]+>/g) ?? []).length;
    assert.equal(opened, closed);
  });

  test('captions wrap at spaces into at most three lines; a longer name ends with an ellipsis', () => {
    assert.deepEqual(captionLines('아이폰 15 프로 256GB'), ['아이폰 15 프로 256GB']);
    assert.deepEqual(captionLines('Sony WH-1000XM5 Wireless Headphones'), ['Sony WH-1000XM5', 'Wireless Headphones']);
    const long = captionLines('가'.repeat(100));
    assert.equal(long.length, 3);
    assert.ok(long[2].endsWith('…'));
    assert.ok(long.every((l) => [...l].length <= 14));
  });

  test('file names: {id}.svg and {id}-{2..20}.svg, nothing else', () => {
    assert.deepEqual(parseImageFile('12.svg'), { productId: 12, view: 1 });
    assert.deepEqual(parseImageFile('12-2.svg'), { productId: 12, view: 2 });
    assert.deepEqual(parseImageFile('12-20.svg'), { productId: 12, view: 20 });
    for (const bad of ['0.svg', '012.svg', '12-1.svg', '12-21.svg', '12.png', '12.svg.png', 'abc.svg', '12', '-1.svg', '1234567890123456.svg', '12-02.svg']) {
      assert.equal(parseImageFile(bad), null, bad);
    }
    assert.equal(productImagePath(12), '/images/products/12.svg');
    assert.equal(productImagePath(12, 3), '/images/products/12-3.svg');
  });

  test('a stored path on this service is answered absolute; other URLs stay as they are', () => {
    assert.equal(absoluteUrl('/images/products/1.svg', 'https://shop.example.com'), 'https://shop.example.com/images/products/1.svg');
    assert.equal(absoluteUrl('https://cdn.example.com/a.jpg', 'https://shop.example.com'), 'https://cdn.example.com/a.jpg');
    assert.equal(absoluteUrl('//cdn.example.com/a.jpg', 'https://shop.example.com'), '//cdn.example.com/a.jpg');
    assert.equal(storedUrl('https://shop.example.com/images/products/1.svg', 'https://shop.example.com'), '/images/products/1.svg');
    assert.equal(storedUrl('https://shop.example.com.evil.test/x.svg', 'https://shop.example.com'), 'https://shop.example.com.evil.test/x.svg');
    assert.equal(storedUrl('https://cdn.example.com/a.jpg', 'https://shop.example.com'), 'https://cdn.example.com/a.jpg');
  });
});

describe('public base URL', () => {
  test('PUBLIC_BASE_URL: an http(s) URL, trailing slash dropped, a path prefix kept; anything else refused at start-up', () => {
    assert.equal(loadConfig({}).publicBaseUrl, undefined);
    assert.equal(loadConfig({ PUBLIC_BASE_URL: 'https://shop.example.com/' }).publicBaseUrl, 'https://shop.example.com');
    assert.equal(loadConfig({ PUBLIC_BASE_URL: 'http://10.0.0.5:8080/shop/' }).publicBaseUrl, 'http://10.0.0.5:8080/shop');
    for (const bad of ['shop.example.com', 'ftp://shop.example.com', 'https://shop.example.com/?a=1', 'https://shop.example.com/#x', 'https://u:p@shop.example.com']) {
      assert.throws(() => loadConfig({ PUBLIC_BASE_URL: bad }), /PUBLIC_BASE_URL/, bad);
    }
  });

  test('unset: the origin the request came to; a Host that is not a host name falls back to localhost', () => {
    const req = (host: string | undefined, protocol = 'http') => ({ host, protocol, socket: { localPort: 8080 } }) as unknown as FastifyRequest;
    assert.equal(publicBase(req('shop.test:8443', 'https'), undefined), 'https://shop.test:8443');
    assert.equal(publicBase(req('127.0.0.1:8080'), undefined), 'http://127.0.0.1:8080');
    assert.equal(publicBase(req('[::1]:8080'), undefined), 'http://[::1]:8080');
    assert.equal(publicBase(req('evil.test/"><x'), undefined), 'http://localhost:8080');
    assert.equal(publicBase(req(undefined), undefined), 'http://localhost:8080');
    assert.equal(publicBase(req('shop.test'), 'https://cdn.shop.test'), 'https://cdn.shop.test');
  });
});

describe('GET /images/products/{file}', () => {
  let t: TestApp;
  let id: number;
  before(async () => {
    t = await TestApp.start();
    id = (await t.services.products.create({ name: '갤럭시 S24 울트라 512GB', price: 1_800_000, stock: 5, category: '스마트폰' }, 'test')).id;
  });
  after(() => t.close());

  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

  test('a live product\'s picture: SVG, cacheable with an ETag, public, under the security headers', async () => {
    const res = await get(`/images/products/${id}.svg`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'image/svg+xml; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'public, max-age=3600');
    assert.match(String(res.headers.etag), /^"[\w-]{27}"$/);
    assert.equal(res.body, drawProductImage({ name: '갤럭시 S24 울트라 512GB', category: '스마트폰' }));
    assert.ok(res.body.includes('갤럭시 S24 울트라 512GB'));
    // The strict headers every answer carries: nosniff with the right type, other origins may load it, no framing elsewhere.
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['cross-origin-resource-policy'], 'cross-origin');
    assert.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
    assert.match(String(res.headers['content-security-policy']), /default-src 'self'.*script-src 'self'/);
    // Public: a token is not needed, and a bad one is ignored.
    assert.equal((await get(`/images/products/${id}.svg`, { authorization: 'Bearer nonsense' })).statusCode, 200);

    const view = await get(`/images/products/${id}-3.svg`);
    assert.equal(view.statusCode, 200);
    assert.notEqual(view.body, res.body);
    assert.notEqual(view.headers.etag, res.headers.etag);

    const head = await t.app.inject({ method: 'HEAD', url: `/images/products/${id}.svg` });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['content-type'], 'image/svg+xml; charset=utf-8');
    assert.equal(head.body, '');
  });

  test('a current copy (If-None-Match) gets 304 without a body; a renamed product gets a new picture', async () => {
    const first = await get(`/images/products/${id}.svg`);
    const etag = String(first.headers.etag);
    const again = await get(`/images/products/${id}.svg`, { 'if-none-match': etag });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
    assert.equal(again.headers.etag, etag);
    assert.equal((await get(`/images/products/${id}.svg`, { 'if-none-match': `"other", W/${etag}` })).statusCode, 304);
    assert.equal((await get(`/images/products/${id}.svg`, { 'if-none-match': '"other"' })).statusCode, 200);
    assert.equal((await get(`/images/products/${id}.svg`, { 'if-none-match': '*' })).statusCode, 304);

    const other = (await t.services.products.create({ name: '이름 바뀔 상품', price: 1000, stock: 1, category: '가전' }, 'test')).id;
    const before = await get(`/images/products/${other}.svg`);
    await t.services.products.update(other, { name: '이름 바뀐 상품', price: 1000, stock: 1, category: '가전' }, 'test');
    const after = await get(`/images/products/${other}.svg`, { 'if-none-match': String(before.headers.etag) });
    assert.equal(after.statusCode, 200);
    assert.ok(after.body.includes('이름 바뀐 상품'));
  });

  test('unknown pictures: 404 C003 in the envelope (no such product, a deleted one, a name that is no picture)', async () => {
    const gone = (await t.services.products.create({ name: '삭제될 상품', price: 1000, stock: 1 }, 'test')).id;
    assert.equal((await get(`/images/products/${gone}.svg`)).statusCode, 200);
    await t.services.products.delete(gone);
    await assert.rejects(t.services.products.setImages(gone, null, []), /Product not found/);
    for (const file of [`${gone}.svg`, '999999.svg', `${id}-1.svg`, `${id}-21.svg`, `${id}.png`, 'abc.svg', '0.svg', '%00.svg', `${id}.svg.svg`]) {
      const res = await get(`/images/products/${file}`);
      assert.equal(res.statusCode, 404, file);
      assert.match(String(res.headers['content-type']), /^application\/json/, file);
      const body = res.json();
      assert.equal(body.success, false);
      assert.equal(body.error.code, 'C003', file);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
    }
    assert.equal((await get('/images/products/')).statusCode, 404);
    const post = await t.app.inject({ method: 'POST', url: `/images/products/${id}.svg` });
    assert.equal(post.statusCode, 405);
    assert.equal(post.json().error.code, 'C009');
  });

  test('product answers give the pictures the service serves as absolute URLs on the origin asked (PUBLIC_BASE_URL unset)', async () => {
    const p = await t.services.products.create(
      {
        name: '그림 있는 상품',
        price: 5000,
        stock: 3,
        category: '패션',
        imageUrl: '/images/products/1.svg',
        images: ['/images/products/1.svg', 'https://cdn.example.com/p/2.jpg'],
      },
      'test',
    );
    // Stored as given: the base is added when answering, so a new address needs no data change.
    const row = await t.db.selectFrom('products').select('image_url').where('id', '=', p.id).executeTakeFirstOrThrow();
    assert.equal(row.image_url, '/images/products/1.svg');

    const detail = await t.call('GET', `/products/${p.id}`, { token: null, headers: { host: 'shop.test:8443' } });
    assert.equal(detail.body.data.imageUrl, 'http://shop.test:8443/images/products/1.svg');
    assert.deepEqual(detail.body.data.images, ['http://shop.test:8443/images/products/1.svg', 'https://cdn.example.com/p/2.jpg']);
    const reviews = await t.call('GET', `/products/${p.id}/with-reviews`, { token: null, headers: { host: 'shop.test:8443' } });
    assert.equal(reviews.body.data.imageUrl, 'http://shop.test:8443/images/products/1.svg');
    const list = await t.call('GET', '/products', { token: null, query: { category: '패션' }, headers: { host: '127.0.0.1:9000' } });
    assert.equal(list.body.data.items[0].imageUrl, 'http://127.0.0.1:9000/images/products/1.svg');
    const admin = await t.call('PATCH', `/admin/products/${p.id}/stock`, { token: t.adminToken, body: { stock: 4 }, headers: { host: 'admin.test' } });
    assert.equal(admin.body.data.imageUrl, 'http://admin.test/images/products/1.svg');
    // A product without a picture stays without one.
    const bare = await t.call('GET', `/products/${id}`, { token: null });
    assert.equal(bare.body.data.imageUrl, null);
    assert.deepEqual(bare.body.data.images, []);
    assert.equal(codeOf(await t.call('GET', '/products/999999', { token: null })), 'S001');
  });
});

describe('with PUBLIC_BASE_URL', () => {
  let t: TestApp;
  before(async () => {
    t = await TestApp.start({ PUBLIC_BASE_URL: 'https://shop.example.com/' });
  });
  after(() => t.close());

  test('answers use the configured base whatever the Host', async () => {
    const p = await t.services.products.create({ name: '기준 주소 상품', price: 5000, stock: 3, imageUrl: '/images/products/7.svg' }, 'test');
    const res = await t.call('GET', `/products/${p.id}`, { token: null, headers: { host: 'elsewhere.test' } });
    assert.equal(res.body.data.imageUrl, 'https://shop.example.com/images/products/7.svg');
    const created = await t.call('POST', '/admin/products', {
      token: t.adminToken,
      body: { name: '관리자 상품', price: 1000, stock: 1, imageUrl: '/images/products/8.svg' },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.data.imageUrl, 'https://shop.example.com/images/products/8.svg');

    // An editor sends back what it was given: URLs on the base are stored as paths again, others as sent.
    const { id, name, price, stock } = created.body.data;
    const put = await t.call('PUT', `/admin/products/${id}`, {
      token: t.adminToken,
      body: { name, price, stock, imageUrl: 'https://shop.example.com/images/products/8.svg', images: ['https://shop.example.com/images/products/8-2.svg', 'https://cdn.example.com/x.jpg'] },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.deepEqual(put.body.data.images, ['https://shop.example.com/images/products/8-2.svg', 'https://cdn.example.com/x.jpg']);
    const row = await t.db.selectFrom('products').select('image_url').where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.image_url, '/images/products/8.svg');
    const stored = await t.db.selectFrom('product_images').select('image_url').where('product_id', '=', id).orderBy('sort_order').execute();
    assert.deepEqual(stored.map((r) => r.image_url), ['/images/products/8-2.svg', 'https://cdn.example.com/x.jpg']);
  });
});
