import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { codeOf, TestApp } from '../../../test/helpers';

let t: TestApp;
before(async () => {
  t = await TestApp.start();
});
after(() => t.close());

const admin = () => ({ token: t.adminToken });

async function create(body: Record<string, unknown>) {
  const res = await t.call('POST', '/admin/products', { ...admin(), body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.data;
}

describe('catalog reads', () => {
  let phones: number[] = [];
  before(async () => {
    phones = [];
    for (let i = 1; i <= 5; i++) {
      phones.push((await create({ name: `Phone ${i}`, price: 100000 * i, stock: i, category: 'Smartphones' })).id);
    }
    for (let i = 1; i <= 3; i++) await create({ name: `Earbuds ${i}`, price: 50000, stock: 9, category: 'Audio' });
  });

  test('pages are 1-based, stable (id order) and never overlap', async () => {
    const seen: number[] = [];
    for (let page = 1; page <= 3; page++) {
      const res = await t.call('GET', `/products?page=${page}&size=3`, { token: null });
      assert.equal(res.status, 200);
      assert.equal(res.body.data.page, page);
      assert.equal(res.body.data.size, 3);
      assert.ok(res.body.data.totalElements >= 8);
      seen.push(...res.body.data.items.map((p: { id: number }) => p.id));
    }
    assert.deepEqual(seen, [...seen].sort((a, b) => a - b));
    assert.equal(new Set(seen).size, seen.length);
  });

  test('category filter is an exact match; defaults page 1 size 12', async () => {
    const res = await t.call('GET', '/products?category=Smartphones', { token: null });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data.items.map((p: { id: number }) => p.id), phones);
    assert.equal(res.body.data.totalElements, 5);
    assert.equal(res.body.data.totalPages, 1);
    assert.equal(res.body.data.size, 12);
    const none = await t.call('GET', '/products?category=smart', { token: null });
    assert.equal(none.body.data.totalElements, 0);
  });

  test('page=0 or size=0 is 400 C002', async () => {
    for (const q of ['page=0', 'size=0', 'page=x']) {
      const res = await t.call('GET', `/products?${q}`, { token: null });
      assert.equal(res.status, 400, q);
      assert.equal(codeOf(res), 'C002');
    }
  });

  test('a product has every ProductResponse field in order; unknown id S001', async () => {
    const res = await t.call('GET', `/products/${phones[1]}`, { token: null });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body.data), [
      'id', 'name', 'description', 'price', 'discountPrice', 'stock', 'imageUrl', 'category', 'featured', 'images',
      'averageRating', 'reviewCount', 'createdAt', 'updatedAt',
    ]);
    assert.equal(res.body.data.price, 200000);
    assert.equal(res.body.data.stock, 2);
    assert.equal(res.body.data.averageRating, null);
    const missing = await t.call('GET', '/products/987654', { token: null });
    assert.equal(missing.status, 404);
    assert.equal(codeOf(missing), 'S001');
  });

  test('with-reviews is flat with an empty review list', async () => {
    const res = await t.call('GET', `/products/${phones[0]}/with-reviews`, { token: null });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body.data), ['id', 'name', 'description', 'price', 'stock', 'imageUrl', 'category', 'reviews']);
    assert.deepEqual(res.body.data.reviews, []);
  });

  test('stock is the inventory available quantity', async () => {
    await t.services.inventory.reserveBatch(undefined, [{ productId: phones[4], quantity: 2 }], { type: 'ORDER', id: 'P-1' });
    const res = await t.call('GET', `/products/${phones[4]}`, { token: null });
    assert.equal(res.body.data.stock, 3);
    const list = await t.call('GET', '/products?category=Smartphones', { token: null });
    assert.equal(list.body.data.items.find((p: { id: number }) => p.id === phones[4]).stock, 3);
  });
});

describe('admin product CRUD', () => {
  test('create makes the inventory row; images keep their order; money is exact', async () => {
    const p = await create({
      name: '아이폰 15 프로 256GB',
      description: '티타늄 디자인, A17 Pro 칩',
      price: 1550000.5,
      discountPrice: 1450000,
      stock: 12,
      imageUrl: 'https://images.example.com/iphone15pro.jpg',
      category: '스마트폰',
      featured: true,
      images: ['b.jpg', 'a.jpg'],
      // the storefront sends nulls for what it leaves empty
    });
    assert.equal(p.price, 1550000.5);
    assert.equal(p.discountPrice, 1450000);
    assert.deepEqual(p.images, ['b.jpg', 'a.jpg']);
    assert.equal(p.featured, true);
    const inv = await t.call('GET', `/inventory/${p.id}`, { token: null });
    assert.equal(inv.body.data.availableQuantity, 12);
    const moves = await t.db.selectFrom('stock_movements').selectAll().where('product_id', '=', p.id).execute();
    assert.deepEqual(moves.map((m) => [m.movement_type, m.quantity]), [['INITIAL', 12]]);

    const nulls = await create({ name: 'Null fields', price: 1000, stock: 0, description: null, discountPrice: null, imageUrl: null, category: null, featured: null, images: null });
    assert.equal(nulls.description, null);
    assert.equal(nulls.featured, false);
  });

  test('products with images can be created in parallel', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.call('POST', '/admin/products', { ...admin(), body: { name: `동시 생성 ${i}`, price: 1000, stock: 1, images: [`${i}-a.jpg`, `${i}-b.jpg`] } }),
      ),
    );
    assert.deepEqual(results.map((r) => r.status), Array(20).fill(201));
    assert.deepEqual(results[7].body.data.images, ['7-a.jpg', '7-b.jpg']);
  });

  test('validation messages follow the contract', async () => {
    const res = await t.call('POST', '/admin/products', { ...admin(), body: { name: '', description: 'x'.repeat(2001) } });
    assert.equal(res.status, 400);
    const byField = Object.fromEntries(res.body.error.details.map((d: { field: string; message: string }) => [d.field, d.message]));
    assert.equal(byField.name, 'Product name is required');
    assert.equal(byField.description, 'Product description must not exceed 2000 characters');
    assert.equal(byField.price, 'Product price is required');
    assert.equal(byField.stock, 'Product stock is required');
    const cents = await t.call('POST', '/admin/products', { ...admin(), body: { name: 'Cents', price: 10.005, stock: 1 } });
    assert.equal(codeOf(cents), 'C002');
    const discount = await t.call('POST', '/admin/products', { ...admin(), body: { name: 'Disc', price: 10, discountPrice: 11, stock: 1 } });
    assert.equal(discount.body.error.details[0].field, 'discountPrice');
  });

  test('a taken name is S008 on create and update; a deleted product frees its name', async () => {
    const a = await create({ name: 'LG 그램 16', price: 1890000, stock: 1 });
    const b = await create({ name: 'LG 그램 14', price: 1590000, stock: 1 });
    const dup = await t.call('POST', '/admin/products', { ...admin(), body: { name: 'LG 그램 16', price: 1, stock: 1 } });
    assert.equal(dup.status, 409);
    assert.equal(codeOf(dup), 'S008');
    const rename = await t.call('PUT', `/admin/products/${b.id}`, { ...admin(), body: { name: 'LG 그램 16', price: 1, stock: 1 } });
    assert.equal(codeOf(rename), 'S008');

    const del = await t.call('DELETE', `/admin/products/${a.id}`, admin());
    assert.equal(del.status, 200);
    assert.deepEqual(del.body, { success: true });
    assert.equal(codeOf(await t.call('GET', `/products/${a.id}`, { token: null })), 'S001');
    assert.equal(codeOf(await t.call('DELETE', `/admin/products/${a.id}`, admin())), 'S001');
    const list = await t.call('GET', '/products?size=100', { token: null });
    assert.ok(!list.body.data.items.some((p: { id: number }) => p.id === a.id));
    // the row stays for the orders that name it
    const row = await t.db.selectFrom('products').select('deleted_at').where('id', '=', a.id).executeTakeFirstOrThrow();
    assert.ok(row.deleted_at instanceof Date);
    await create({ name: 'LG 그램 16', price: 1890000, stock: 1 });
  });

  test('update replaces fields; a new stock is an ADJUSTMENT; PATCH stock too', async () => {
    const p = await create({ name: '다이슨 에어랩', price: 699000, stock: 10 });
    const res = await t.call('PUT', `/admin/products/${p.id}`, {
      ...admin(),
      body: { name: '다이슨 에어랩 멀티 스타일러', price: 749000, stock: 4, category: '뷰티' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.data.name, '다이슨 에어랩 멀티 스타일러');
    assert.equal(res.body.data.price, 749000);
    assert.equal(res.body.data.stock, 4);
    const patch = await t.call('PATCH', `/admin/products/${p.id}/stock`, { ...admin(), body: { stock: 20 } });
    assert.equal(patch.status, 200);
    assert.equal(patch.body.data.stock, 20);
    const negative = await t.call('PATCH', `/admin/products/${p.id}/stock`, { ...admin(), body: { stock: -1 } });
    assert.equal(negative.body.error.details[0].message, 'Stock quantity must be non-negative');
    const moves = await t.db.selectFrom('stock_movements').selectAll().where('product_id', '=', p.id).orderBy('id').execute();
    assert.deepEqual(moves.map((m) => [m.movement_type, m.quantity, m.after_available]), [
      ['INITIAL', 10, 10],
      ['ADJUSTMENT', -6, 4],
      ['ADJUSTMENT', 16, 20],
    ]);
    assert.equal(codeOf(await t.call('PUT', '/admin/products/987654', { ...admin(), body: { name: 'x', price: 1, stock: 1 } })), 'S001');
  });

  test('admin routes need an admin token', async () => {
    const anon = await t.call('POST', '/admin/products', { token: null, body: { name: 'x', price: 1, stock: 1 } });
    assert.equal(anon.status, 401);
    assert.equal(codeOf(anon), 'C005');
    const user = await t.call('POST', '/admin/products', { body: { name: 'x', price: 1, stock: 1 } });
    assert.equal(user.status, 403);
    assert.equal(codeOf(user), 'C004');
  });
});
