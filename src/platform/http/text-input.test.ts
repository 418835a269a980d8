import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { codeOf, TestApp, type TestResponse } from '../../../test/helpers';
import { MULTILINE_TEXT_PATTERN, SINGLE_LINE_TEXT_PATTERN } from './schema';

/**
 * Free text (`Text()` in schema.ts) and service-made codes (`CodeParam()`) as
 * the running app sees them: control characters and unpaired surrogates are
 * 400 C002 with a detail on the field; ordinary text in any script, emoji
 * included, passes and is stored trimmed.
 */

let t: TestApp;
before(async () => {
  t = await TestApp.start();
});
after(() => t.close());

const admin = () => ({ token: t.adminToken });

function assertRefused(res: TestResponse, field: string, message?: RegExp | string) {
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(codeOf(res), 'C002');
  const detail = res.body.error.details.find((d: { field: string }) => d.field === field);
  assert.ok(detail, `a detail on ${field}: ${JSON.stringify(res.body.error.details)}`);
  if (typeof message === 'string') assert.equal(detail.message, message);
  else if (message) assert.match(detail.message, message);
}

/** A JSON body sent as written, so `\ud800` travels as the six-character JSON escape. */
async function rawPost(path: string, json: string, token = t.adminToken) {
  return t.call('POST', path, { token, body: json, headers: { 'content-type': 'application/json' } });
}

let seq = 0;
const unique = (base: string) => `${base} ${Date.now()}-${seq++}`;

describe('the text patterns (compiled with the `u` flag, as ajv compiles them)', () => {
  const single = new RegExp(SINGLE_LINE_TEXT_PATTERN, 'u');
  const multi = new RegExp(MULTILINE_TEXT_PATTERN, 'u');

  test('ordinary text in any script, emoji (a surrogate pair) included, passes', () => {
    for (const text of ['Galaxy S24', '홍길동', 'Ünïcödé', 'sale 😀 50%', '', ' padded ']) {
      assert.ok(single.test(text), text);
      assert.ok(multi.test(text), text);
    }
  });

  test('C0, DEL and C1 controls and unpaired surrogates are refused on one line; tab and line breaks only where multiline', () => {
    for (const text of ['a\u0000b', 'a\u0007', '\u001b[31m', 'a\u007f', 'a\u0085', 'a\u009f', 'a\ud800', '\udc00a', 'a\udc00\ud800', 'a\u2028b']) {
      assert.equal(single.test(text), false, JSON.stringify(text));
    }
    for (const text of ['a\tb', 'line\nnext', 'a\r\nb']) {
      assert.equal(single.test(text), false, JSON.stringify(text));
      assert.ok(multi.test(text), JSON.stringify(text));
    }
    for (const text of ['a\u0000b', 'a\u000bb', 'a\u000cb', 'a\u0085', 'a\ud800', 'a\udfff']) {
      assert.equal(multi.test(text), false, JSON.stringify(text));
    }
  });
});

describe('products', () => {
  test('a name with a control character, a line break or a lone surrogate is 400 C002; one with emoji passes, trimmed', async () => {
    for (const name of ['Phone\u0000X', 'Phone\u001bX', 'Phone\nX', 'Phone\tX', 'Phone\u0085']) {
      const res = await t.call('POST', '/admin/products', { ...admin(), body: { name, price: 1000, stock: 1 } });
      assertRefused(res, 'name', 'Product name must not contain control characters, line breaks or unpaired surrogates');
    }
    const lone = await rawPost('/admin/products', '{"name":"Phone \\ud800","price":1000,"stock":1}');
    assertRefused(lone, 'name', /unpaired surrogates/);
    const reversed = await rawPost('/admin/products', '{"name":"Phone \\udc00\\ud83d","price":1000,"stock":1}');
    assertRefused(reversed, 'name', /unpaired surrogates/);

    const name = unique('폰 😀');
    const created = await t.call('POST', '/admin/products', {
      ...admin(),
      body: { name: `  ${name}  `, description: ' line one\n\tline two ', category: ' Phones ', price: 1000, stock: 1 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.data.name, name);
    assert.equal(created.body.data.description, 'line one\n\tline two');
    assert.equal(created.body.data.category, 'Phones');
  });

  test('blank or missing names keep their contract message; a description refuses controls other than tab and line breaks', async () => {
    for (const body of [{ name: '   ', price: 1, stock: 1 }, { price: 1, stock: 1 }, { name: '', price: 1, stock: 1 }]) {
      assertRefused(await t.call('POST', '/admin/products', { ...admin(), body }), 'name', 'Product name is required');
    }
    const res = await t.call('POST', '/admin/products', {
      ...admin(),
      body: { name: unique('Desc'), description: 'bell\u0007', price: 1, stock: 1 },
    });
    assertRefused(res, 'description', 'Product description must not contain control characters (other than tab and line breaks) or unpaired surrogates');
    const query = await t.call('GET', `/products?category=${encodeURIComponent('a\u0000')}`, { token: null });
    assertRefused(query, 'category');
  });
});

describe('signup', () => {
  test('a nickname with a lone surrogate or a control character is 400 C002 and no account is made', async () => {
    const email = `text${Date.now()}@example.com`;
    const lone = await rawPost('/api/v1/auth/signup', `{"email":"${email}","password":"password123","nickname":"nick\\ud800"}`, '');
    assertRefused(lone, 'nickname', 'Nickname must not contain control characters, line breaks or unpaired surrogates');
    const nul = await t.call('POST', '/api/v1/auth/signup', { token: null, body: { email, password: 'password123', nickname: 'ni\u0000ck' } });
    assertRefused(nul, 'nickname');
    const blank = await t.call('POST', '/api/v1/auth/signup', { token: null, body: { email, password: 'password123', nickname: ' \t ' } });
    assertRefused(blank, 'nickname', 'Nickname is required');
    const login = await t.call('POST', '/api/v1/auth/login', { token: null, body: { email, password: 'password123' } });
    assert.equal(login.status, 401, 'none of those made an account');
  });
});

describe('orders, payments and deliveries', () => {
  const address = { receiverName: '홍길동', receiverPhone: '010-0000-0000', zipCode: '12345', address1: 'Seoul' };

  test('address fields and the cancel reason refuse control characters before any lookup', async () => {
    const res = await t.call('POST', '/orders', { body: { shippingAddress: { ...address, receiverName: 'Hong\u0000' } } });
    assertRefused(res, 'shippingAddress.receiverName', /control characters/);
    const lone = await rawPost(
      '/orders',
      '{"shippingAddress":{"receiverName":"a","receiverPhone":"1","zipCode":"1","address1":"x\\udfff"}}',
      t.userToken,
    );
    assertRefused(lone, 'shippingAddress.address1', /unpaired surrogates/);
    const reason = await t.call('PUT', '/orders/ORD-20260101-00000001/cancel', { body: { reason: 'changed\u0000mind' } });
    assertRefused(reason, 'reason', /control characters/);
    // A multi-line reason is fine as text; the unknown order is then the answer.
    const multiline = await t.call('PUT', '/orders/ORD-20260101-00000001/cancel', { body: { reason: 'changed\nmy mind' } });
    assert.equal(codeOf(multiline), 'S201');
  });

  test('order, payment and tracking numbers outside letters, digits, - and _ are 400 C002; well-formed unknown ones keep their not-found code', async () => {
    const bad = [encodeURIComponent('ORD-주문'), encodeURIComponent('ORD\u0000'), encodeURIComponent('ORD 1'), 'A'.repeat(31), '%F0%9F%98%80'];
    for (const n of bad) {
      assertRefused(await t.call('GET', `/orders/${n}`), 'orderNumber');
      assertRefused(await t.call('GET', `/deliveries/order/${n}`), 'orderNumber');
      assertRefused(await t.call('GET', `/payments/${n}`), 'paymentNumber');
      assertRefused(await t.call('GET', `/deliveries/${n}`), 'trackingNumber');
    }
    assert.equal(codeOf(await t.call('GET', '/orders/ORD-20260101-00000001')), 'S201');
    assert.equal(codeOf(await t.call('GET', '/payments/PAY-00000001')), 'S301');
    assert.equal(codeOf(await t.call('GET', '/deliveries/TRK-000000000000')), 'S501');
    const admin = await t.call('GET', `/admin/orders?keyword=${encodeURIComponent('ORD\u0000')}`, { token: t.adminToken });
    assertRefused(admin, 'keyword');
  });
});

describe('search', () => {
  test('keywords with control characters are 400 C002 on every keyword parameter', async () => {
    const kw = encodeURIComponent('phone\u0000');
    assertRefused(await t.call('GET', `/search?keyword=${kw}`, { token: null }), 'keyword');
    assertRefused(await t.call('GET', `/search/suggest?keyword=${kw}`, { token: null }), 'keyword');
    assertRefused(await t.call('POST', `/search/recent?keyword=${kw}`), 'keyword');
    assertRefused(await t.call('DELETE', `/search/recent/${kw}`), 'keyword');
    const fine = await t.call('GET', `/search?keyword=${encodeURIComponent('폰 😀')}`, { token: null });
    assert.equal(fine.status, 200);
  });
});
