import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { codeOf, TestApp } from '../../../test/helpers';

/** Bodies are JSON and validated as sent; query and path strings are still read as numbers. */
describe('strict bodies, coerced query and path', () => {
  let t: TestApp;
  before(async () => {
    t = await TestApp.start();
  });
  after(() => t.close());

  test('true, [1], "1", "" and " " are not numbers in a body', async () => {
    for (const productId of [true, [1], '1', '', ' ', false]) {
      const res = await t.call('POST', '/cart/items', { body: { productId, quantity: 1 } });
      assert.equal(res.status, 400, `${JSON.stringify(productId)}: ${JSON.stringify(res.body)}`);
      assert.equal(codeOf(res), 'C002');
      assert.deepEqual(res.body.error.details.map((d: { field: string }) => d.field), ['productId']);
    }
    for (const quantity of ['2', [2], true]) {
      const res = await t.call('POST', '/cart/items', { body: { productId: 1, quantity } });
      assert.equal(res.status, 400, JSON.stringify(quantity));
      assert.deepEqual(res.body.error.details.map((d: { field: string }) => d.field), ['quantity']);
    }
  });

  test('a number where a body wants a string is refused too', async () => {
    const res = await t.call('POST', '/orders', { body: { shippingAddress: 12345 } });
    assert.equal(res.status, 400);
    assert.equal(codeOf(res), 'C002');
  });

  test('query and path parameters are still coerced from their strings', async () => {
    const page = await t.call('GET', '/products', { token: null, query: { page: '2', size: '5' } });
    assert.equal(page.status, 200, JSON.stringify(page.body));
    assert.equal(page.body.data.page, 2);
    assert.equal(page.body.data.size, 5);
    const id = await t.call('GET', '/products/999999', { token: null });
    assert.equal(id.status, 404);
    assert.equal(codeOf(id), 'S001');
    const bad = await t.call('GET', '/products', { token: null, query: { page: 'abc' } });
    assert.equal(bad.status, 400);
    assert.equal(codeOf(bad), 'C002');
  });
});
