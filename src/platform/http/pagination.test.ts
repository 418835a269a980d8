import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isAppError } from './errors';
import { MAX_PAGE, MAX_PAGE_SIZE, pageRequest } from './pagination';
import { codeOf, TestApp } from '../../../test/helpers';

describe('pageRequest', () => {
  test('page 0 and no page read as page 1', () => {
    assert.deepEqual(pageRequest(0, 10, 20), { page: 1, size: 10, offset: 0 });
    assert.deepEqual(pageRequest(undefined, undefined, 20), { page: 1, size: 20, offset: 0 });
    assert.deepEqual(pageRequest(MAX_PAGE, MAX_PAGE_SIZE, 20).offset, (MAX_PAGE - 1) * MAX_PAGE_SIZE);
  });

  test('a page beyond the bound, or not a whole number, is C002', () => {
    for (const page of [MAX_PAGE + 1, 1e21, 1e308, Infinity, Number.NaN, 1.5]) {
      assert.throws(() => pageRequest(page, 10, 20), (err) => isAppError(err, 'INVALID_INPUT_VALUE'), String(page));
    }
    for (const size of [0, MAX_PAGE_SIZE + 1, 2.5]) {
      assert.throws(() => pageRequest(1, size, 20), (err) => isAppError(err, 'INVALID_INPUT_VALUE'), String(size));
    }
  });
});

describe('list routes', () => {
  let t: TestApp;
  before(async () => {
    t = await TestApp.start();
  });
  after(() => t.close());

  test('huge or fractional page numbers are 400 C002, never a 500', async () => {
    for (const path of ['/products', '/orders', '/admin/orders', '/admin/coupons', '/admin/inventory/1/movements']) {
      for (const page of ['99999999999999999999', '1e308', '1.5', String(MAX_PAGE + 1), 'Infinity', '-1']) {
        const res = await t.call('GET', path, { token: t.adminToken, query: { page } });
        assert.equal(res.status, 400, `${path}?page=${page}: ${JSON.stringify(res.body)}`);
        assert.equal(codeOf(res), 'C002');
      }
    }
  });

  test('a page past the last one is an empty page', async () => {
    for (const path of ['/products', '/orders', '/admin/orders']) {
      const res = await t.call('GET', path, { token: t.adminToken, query: { page: MAX_PAGE, size: 10 } });
      assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
      assert.deepEqual(res.body.data.items, []);
      assert.equal(res.body.data.page, MAX_PAGE);
    }
  });
});
