import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { inTransaction } from '../../platform/db/tx';
import { isAppError } from '../../platform/http/errors';
import { codeOf, TEST_USER_ID, TestApp } from '../../../test/helpers';

let t: TestApp;
let seq = 0;

before(async () => {
  t = await TestApp.start();
});
after(async () => {
  await t?.close();
});

/** A product (with its inventory row) through the product service. */
async function product(price: number, stock = 100, extra: { discountPrice?: number } = {}) {
  const p = await t.services.products.create({ name: `cart-test-${++seq}-${randomUUID()}`, price, stock, ...extra }, 'test');
  return p.id;
}

/** A product row written straight to the table: the product service would always add inventory. */
async function productWithoutInventory() {
  const inserted = await t.db
    .insertInto('products')
    .values({ name: `no-inventory-${randomUUID()}`, description: null, price: '10.00', discount_price: null, image_url: null, category: null })
    .executeTakeFirstOrThrow();
  return Number(inserted.insertId);
}

/** A token for a user nobody else in this file uses. */
async function freshUser() {
  const id = randomUUID();
  return { id, token: await t.token(id) };
}

const add = (token: string, productId: number, quantity: number) =>
  t.call('POST', '/cart/items', { token, body: { productId, quantity } });

async function cartRows(userId: string) {
  return t.db.selectFrom('carts').selectAll().where('user_id', '=', userId).orderBy('id').execute();
}

async function itemRows(cartId: number) {
  return t.db.selectFrom('cart_items').selectAll().where('cart_id', '=', cartId).orderBy('id').execute();
}

describe('GET /cart', () => {
  test('creates the ACTIVE cart on first use and returns the same one after', async () => {
    const u = await freshUser();
    assert.equal((await cartRows(u.id)).length, 0);

    const first = await t.call('GET', '/cart', { token: u.token });
    assert.equal(first.status, 200);
    assert.equal(first.body.success, true);
    const cart = first.body.data;
    assert.deepEqual(Object.keys(cart), [
      'id', 'userId', 'status', 'items', 'itemCount', 'totalQuantity', 'totalAmount', 'createdAt', 'updatedAt',
    ]);
    assert.equal(cart.userId, u.id);
    assert.equal(cart.status, 'ACTIVE');
    assert.deepEqual(cart.items, []);
    assert.equal(cart.itemCount, 0);
    assert.equal(cart.totalQuantity, 0);
    assert.equal(cart.totalAmount, 0);
    assert.match(cart.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const second = await t.call('GET', '/cart', { token: u.token });
    assert.equal(second.body.data.id, cart.id);
    const rows = await cartRows(u.id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].status, 'ACTIVE');
  });

  test('20 concurrent first calls create exactly one cart', async () => {
    const u = await freshUser();
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.call('GET', '/cart', { token: u.token })));
    assert.deepEqual(answers.map((a) => a.status), Array(20).fill(200));
    assert.equal(new Set(answers.map((a) => a.body.data.id)).size, 1);
    assert.equal((await cartRows(u.id)).length, 1);
  });

  test('without a token: 401 C005', async () => {
    const res = await t.call('GET', '/cart', { token: null });
    assert.equal(res.status, 401);
    assert.equal(codeOf(res), 'C005');
    const add = await t.call('POST', '/cart/items', { token: null, body: { productId: 1, quantity: 1 } });
    assert.equal(add.status, 401);
    assert.equal(codeOf(add), 'C005');
  });
});

describe('POST /cart/items', () => {
  test('snapshots name and price (not discountPrice) and sums totals exactly', async () => {
    const u = await freshUser();
    const expensive = await product(19900.5, 10, { discountPrice: 15000 });
    const dime = await product(0.1);
    const twenty = await product(0.2);

    const r1 = await add(u.token, expensive, 3);
    assert.equal(r1.status, 200);
    const line = r1.body.data.items[0];
    assert.deepEqual(Object.keys(line), ['id', 'productId', 'productName', 'price', 'quantity', 'subtotal', 'addedAt']);
    assert.equal(line.productId, expensive);
    assert.match(line.productName, /^cart-test-/);
    assert.equal(line.price, 19900.5);
    assert.equal(line.subtotal, 59701.5);
    assert.equal(line.quantity, 3);

    assert.equal((await add(u.token, dime, 1)).status, 200);
    const last = await add(u.token, twenty, 1);
    assert.equal(last.status, 200);
    const cart = last.body.data;
    assert.equal(cart.itemCount, 3);
    assert.equal(cart.totalQuantity, 5);
    // 59701.5 + 0.1 + 0.2 in binary floats is 59701.799999999996.
    assert.equal(cart.totalAmount, 59701.8);
    assert.deepEqual(cart.items.map((i: { subtotal: number }) => i.subtotal), [59701.5, 0.1, 0.2]);

    const rows = await itemRows(cart.id);
    assert.deepEqual(rows.map((r) => [r.product_id, r.price, r.quantity]), [
      [expensive, '19900.50', 3],
      [dime, '0.10', 1],
      [twenty, '0.20', 1],
    ]);
  });

  test('the same product again: 409 S106, nothing merged', async () => {
    const u = await freshUser();
    const p = await product(1000);
    assert.equal((await add(u.token, p, 2)).status, 200);
    const dup = await add(u.token, p, 1);
    assert.equal(dup.status, 409);
    assert.equal(codeOf(dup), 'S106');
    assert.equal(dup.body.error.message, 'Product already exists in cart');
    const [cart] = await cartRows(u.id);
    const rows = await itemRows(cart.id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].quantity, 2);
  });

  test('50 concurrent adds of one product: one success, 49 S106, one row', async () => {
    const u = await freshUser();
    const p = await product(500, 1000);
    const answers = await Promise.all(Array.from({ length: 50 }, () => add(u.token, p, 1)));
    assert.equal(answers.filter((a) => a.status === 200).length, 1);
    const rest = answers.filter((a) => a.status !== 200);
    assert.equal(rest.length, 49);
    assert.ok(rest.every((a) => a.status === 409 && codeOf(a) === 'S106'));
    const carts = await cartRows(u.id);
    assert.equal(carts.length, 1);
    assert.equal((await itemRows(carts[0].id)).length, 1);
  });

  test('unknown or deleted product: 404 S001', async () => {
    const u = await freshUser();
    const missing = await add(u.token, 987654321, 1);
    assert.equal(missing.status, 404);
    assert.equal(codeOf(missing), 'S001');

    const p = await product(100);
    await t.services.products.delete(p);
    const deleted = await add(u.token, p, 1);
    assert.equal(deleted.status, 404);
    assert.equal(codeOf(deleted), 'S001');
    const carts = await cartRows(u.id);
    assert.equal(carts.length, 0);
  });

  test('more than available: 400 S105; exactly the available quantity is fine', async () => {
    const u = await freshUser();
    const p = await product(100, 5);
    const over = await add(u.token, p, 6);
    assert.equal(over.status, 400);
    assert.equal(codeOf(over), 'S105');
    assert.equal((await cartRows(u.id)).length, 0);

    const exact = await add(u.token, p, 5);
    assert.equal(exact.status, 200);
    assert.equal(exact.body.data.totalQuantity, 5);
  });

  test('a product without an inventory row: 404 S401', async () => {
    // The product service always creates the inventory row; only a row written straight
    // to the table (as an import or old data would be) has none.
    const u = await freshUser();
    const res = await add(u.token, await productWithoutInventory(), 1);
    assert.equal(res.status, 404);
    assert.equal(codeOf(res), 'S401');
  });

  test('validation: C002 with the contract messages', async () => {
    const u = await freshUser();
    const p = await product(100);
    const detailsOf = (res: { body: any }) =>
      res.body.error.details.map((d: { field: string; message: string }) => [d.field, d.message]);

    const noProduct = await t.call('POST', '/cart/items', { token: u.token, body: { quantity: 1 } });
    assert.equal(noProduct.status, 400);
    assert.equal(codeOf(noProduct), 'C002');
    assert.deepEqual(detailsOf(noProduct), [['productId', 'Product ID is required']]);

    const nulls = await t.call('POST', '/cart/items', { token: u.token, body: { productId: null, quantity: null } });
    assert.equal(codeOf(nulls), 'C002');
    assert.deepEqual(detailsOf(nulls), [
      ['productId', 'Product ID is required'],
      ['quantity', 'Quantity is required'],
    ]);

    const noQuantity = await t.call('POST', '/cart/items', { token: u.token, body: { productId: p } });
    assert.deepEqual(detailsOf(noQuantity), [['quantity', 'Quantity is required']]);

    const zero = await add(u.token, p, 0);
    assert.equal(zero.status, 400);
    assert.equal(codeOf(zero), 'C002');
    assert.deepEqual(detailsOf(zero), [['quantity', 'Quantity must be at least 1']]);

    const huge = await add(u.token, p, 10_001);
    assert.deepEqual(detailsOf(huge), [['quantity', 'Quantity must be at most 10000']]);

    const fraction = await add(u.token, p, 1.5);
    assert.equal(codeOf(fraction), 'C002');

    const unknown = await t.call('POST', '/cart/items', { token: u.token, body: { productId: p, quantity: 1, price: 1 } });
    assert.equal(unknown.status, 400);
    assert.equal(codeOf(unknown), 'C002');
    assert.deepEqual(detailsOf(unknown), [['price', 'Unknown field']]);

    const noBody = await t.call('POST', '/cart/items', { token: u.token });
    assert.equal(noBody.status, 400);
    assert.equal(codeOf(noBody), 'C002');

    // Nothing was written by any of these.
    assert.equal((await cartRows(u.id)).length, 0);
  });
});

describe('PUT and DELETE /cart/items/{itemId}', () => {
  test('changes the quantity and the totals', async () => {
    const u = await freshUser();
    const p = await product(1234.56, 10);
    const itemId = (await add(u.token, p, 1)).body.data.items[0].id;

    const res = await t.call('PUT', `/cart/items/${itemId}`, { token: u.token, body: { quantity: 4 } });
    assert.equal(res.status, 200);
    assert.equal(res.body.data.items[0].quantity, 4);
    assert.equal(res.body.data.items[0].subtotal, 4938.24);
    assert.equal(res.body.data.totalAmount, 4938.24);
    assert.equal(res.body.data.totalQuantity, 4);

    // The same quantity again is not "item not found".
    const same = await t.call('PUT', `/cart/items/${itemId}`, { token: u.token, body: { quantity: 4 } });
    assert.equal(same.status, 200);

    const [row] = await itemRows(res.body.data.id);
    assert.equal(row.quantity, 4);
  });

  test('S105 above stock, S102 for unknown and other users\' items, S101 without an ACTIVE cart, C002 for 0', async () => {
    const owner = await freshUser();
    const other = await freshUser();
    const p = await product(10, 3);
    const itemId = (await add(owner.token, p, 1)).body.data.items[0].id;

    const over = await t.call('PUT', `/cart/items/${itemId}`, { token: owner.token, body: { quantity: 4 } });
    assert.equal(over.status, 400);
    assert.equal(codeOf(over), 'S105');

    const zero = await t.call('PUT', `/cart/items/${itemId}`, { token: owner.token, body: { quantity: 0 } });
    assert.equal(codeOf(zero), 'C002');
    assert.equal(zero.body.error.details[0].message, 'Quantity must be at least 1');

    // No ACTIVE cart yet for the other user.
    const noCart = await t.call('PUT', `/cart/items/${itemId}`, { token: other.token, body: { quantity: 1 } });
    assert.equal(noCart.status, 404);
    assert.equal(codeOf(noCart), 'S101');
    const noCartDelete = await t.call('DELETE', `/cart/items/${itemId}`, { token: other.token });
    assert.equal(codeOf(noCartDelete), 'S101');

    await t.call('GET', '/cart', { token: other.token });
    const foreign = await t.call('PUT', `/cart/items/${itemId}`, { token: other.token, body: { quantity: 1 } });
    assert.equal(foreign.status, 404);
    assert.equal(codeOf(foreign), 'S102');
    const foreignDelete = await t.call('DELETE', `/cart/items/${itemId}`, { token: other.token });
    assert.equal(foreignDelete.status, 404);
    assert.equal(codeOf(foreignDelete), 'S102');

    const unknown = await t.call('PUT', '/cart/items/999999999', { token: owner.token, body: { quantity: 1 } });
    assert.equal(codeOf(unknown), 'S102');

    const badId = await t.call('DELETE', '/cart/items/abc', { token: owner.token });
    assert.equal(badId.status, 400);
    assert.equal(codeOf(badId), 'C002');

    // The owner's item is untouched by all of the above.
    const [cart] = await cartRows(owner.id);
    const rows = await itemRows(cart.id);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].quantity, 1);
  });

  test('DELETE removes the item; a second DELETE is S102', async () => {
    const u = await freshUser();
    const a = await product(100);
    const b = await product(200);
    await add(u.token, a, 1);
    const itemId = (await add(u.token, b, 2)).body.data.items[1].id;

    const res = await t.call('DELETE', `/cart/items/${itemId}`, { token: u.token });
    assert.equal(res.status, 200);
    assert.equal(res.body.data.itemCount, 1);
    assert.equal(res.body.data.totalAmount, 100);
    assert.deepEqual((await itemRows(res.body.data.id)).map((r) => r.product_id), [a]);

    const again = await t.call('DELETE', `/cart/items/${itemId}`, { token: u.token });
    assert.equal(again.status, 404);
    assert.equal(codeOf(again), 'S102');
  });
});

describe('DELETE /cart', () => {
  test('clears the items; a second call answers 200 with the empty cart', async () => {
    const u = await freshUser();
    await add(u.token, await product(100), 1);
    await add(u.token, await product(200), 1);

    const first = await t.call('DELETE', '/cart', { token: u.token });
    assert.equal(first.status, 200);
    assert.deepEqual(first.body.data.items, []);
    assert.equal(first.body.data.totalAmount, 0);
    assert.equal((await itemRows(first.body.data.id)).length, 0);

    const second = await t.call('DELETE', '/cart', { token: u.token });
    assert.equal(second.status, 200);
    assert.equal(second.body.data.id, first.body.data.id);
    assert.deepEqual(second.body.data.items, []);
    assert.equal((await cartRows(u.id)).length, 1);
  });

  test('with no ACTIVE cart (after checkout): 200 with an empty cart, the checked-out one untouched', async () => {
    const u = await freshUser();
    const p = await product(100);
    const checkedOutId = (await add(u.token, p, 2)).body.data.id;
    assert.equal((await t.call('POST', '/cart/checkout', { token: u.token })).status, 200);

    const res = await t.call('DELETE', '/cart', { token: u.token });
    assert.equal(res.status, 200);
    assert.equal(res.body.data.status, 'ACTIVE');
    assert.deepEqual(res.body.data.items, []);
    assert.notEqual(res.body.data.id, checkedOutId);
    assert.equal((await itemRows(checkedOutId)).length, 1);
  });
});

describe('POST /cart/checkout', () => {
  test('moves the cart to CHECKED_OUT; the next GET /cart is a new ACTIVE cart', async () => {
    const u = await freshUser();
    const p = await product(19900.5, 10);
    const q = await product(0.1, 10);
    await add(u.token, p, 3);
    const cartId = (await add(u.token, q, 2)).body.data.id;

    const res = await t.call('POST', '/cart/checkout', { token: u.token });
    assert.equal(res.status, 200);
    assert.equal(res.body.data.id, cartId);
    assert.equal(res.body.data.status, 'CHECKED_OUT');
    assert.equal(res.body.data.totalAmount, 59701.7);
    const [row] = await cartRows(u.id);
    assert.equal(row.status, 'CHECKED_OUT');

    const next = await t.call('GET', '/cart', { token: u.token });
    assert.equal(next.body.data.status, 'ACTIVE');
    assert.notEqual(next.body.data.id, cartId);
    assert.deepEqual((await cartRows(u.id)).map((c) => c.status), ['CHECKED_OUT', 'ACTIVE']);

    // Item changes go to the new cart, never the checked-out one.
    const again = await add(u.token, p, 1);
    assert.equal(again.body.data.id, next.body.data.id);
    assert.equal((await itemRows(cartId)).length, 2);
  });

  test('S101 without an ACTIVE cart, S104 on an empty one', async () => {
    const u = await freshUser();
    const none = await t.call('POST', '/cart/checkout', { token: u.token });
    assert.equal(none.status, 404);
    assert.equal(codeOf(none), 'S101');

    await t.call('GET', '/cart', { token: u.token });
    const empty = await t.call('POST', '/cart/checkout', { token: u.token });
    assert.equal(empty.status, 400);
    assert.equal(codeOf(empty), 'S104');
    assert.equal((await cartRows(u.id))[0].status, 'ACTIVE');
  });

  test('S105 when stock dropped below an item\'s quantity; the cart stays ACTIVE', async () => {
    const u = await freshUser();
    const p = await product(100, 10);
    await add(u.token, p, 5);
    await t.services.inventory.adjust(undefined, p, 4, { actor: 'test', reason: 'shrinkage' });

    const res = await t.call('POST', '/cart/checkout', { token: u.token });
    assert.equal(res.status, 400);
    assert.equal(codeOf(res), 'S105');
    assert.equal((await cartRows(u.id))[0].status, 'ACTIVE');
  });

  test('S401 when an item\'s product has no inventory row', async () => {
    const u = await freshUser();
    await add(u.token, await product(100, 10), 1);
    // As in the S401 add test, only direct writes give this state: a product row
    // without inventory, and its line in the cart.
    const bare = await productWithoutInventory();
    const [cart] = await cartRows(u.id);
    await t.db
      .insertInto('cart_items')
      .values({ cart_id: cart.id, product_id: bare, product_name: 'bare', price: '10.00', quantity: 1 })
      .execute();

    const res = await t.call('POST', '/cart/checkout', { token: u.token });
    assert.equal(res.status, 404);
    assert.equal(codeOf(res), 'S401');
    assert.equal((await cartRows(u.id))[0].status, 'ACTIVE');
  });
});

describe('for the order module', () => {
  test('findOrderableCart, markOrdered and reopen', async () => {
    const cart = t.services.cart;
    const u = await freshUser();
    assert.equal(await cart.findOrderableCart(u.id), undefined);

    const p = await product(19900.5, 10);
    const activeId = (await add(u.token, p, 2)).body.data.id;
    const found = await cart.findOrderableCart(u.id);
    assert.deepEqual(found, { cartId: activeId, status: 'ACTIVE' });

    await t.call('POST', '/cart/checkout', { token: u.token });
    // A new, empty ACTIVE cart is newer but empty: the checked-out one is still the orderable one.
    const emptyId = (await t.call('GET', '/cart', { token: u.token })).body.data.id;
    assert.equal((await cart.findOrderableCart(u.id))?.cartId, activeId);
    assert.equal((await cart.findOrderableCart(u.id))?.status, 'CHECKED_OUT');
    // An explicit cart id: returned even when empty (markOrdered then finds no lines: S104), never someone else's.
    assert.deepEqual(await cart.findOrderableCart(u.id, emptyId), { cartId: emptyId, status: 'ACTIVE' });
    assert.equal(await cart.findOrderableCart(TEST_USER_ID, emptyId), undefined);

    // A cart yields one order: the second mark fails, and an ordered cart is no longer orderable.
    assert.deepEqual(
      (await inTransaction(t.db, (trx) => cart.markOrdered(trx, activeId, u.id)))?.map((i) => [i.productId, i.price, i.quantity]),
      [[p, 1990050, 2]],
    );
    assert.equal(await inTransaction(t.db, (trx) => cart.markOrdered(trx, activeId, u.id)), null);
    assert.equal(await inTransaction(t.db, (trx) => cart.markOrdered(trx, emptyId, TEST_USER_ID)), null);
    assert.equal(await cart.findOrderableCart(u.id), undefined);
    // Named by id, the user's cart that already has its order is S103; without an id it is just not a candidate.
    await assert.rejects(cart.findOrderableCart(u.id, activeId), (err: unknown) => isAppError(err, 'CART_ALREADY_CHECKED_OUT'));

    // Reopened while the user has another ACTIVE cart: it stays CHECKED_OUT but is orderable again.
    await cart.reopen(undefined, activeId);
    assert.equal((await cart.findOrderableCart(u.id))?.cartId, activeId);
    assert.deepEqual((await cartRows(u.id)).map((c) => c.status), ['CHECKED_OUT', 'ACTIVE']);

    // Reopened with no other ACTIVE cart: ACTIVE again.
    await add(u.token, p, 1);
    assert.notEqual(await inTransaction(t.db, (trx) => cart.markOrdered(trx, emptyId, u.id)), null);
    await inTransaction(t.db, (trx) => cart.markOrdered(trx, activeId, u.id));
    await cart.reopen(undefined, activeId);
    assert.deepEqual((await cartRows(u.id)).map((c) => c.status), ['ACTIVE', 'CHECKED_OUT']);
  });
});
