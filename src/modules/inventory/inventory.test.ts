import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { codeOf, TestApp } from '../../../test/helpers';
import { isAppError } from '../../platform/http/errors';

let t: TestApp;
before(async () => {
  t = await TestApp.start();
});
after(() => t.close());

let seq = 0;
async function product(stock: number): Promise<number> {
  const p = await t.services.products.create({ name: `재고 테스트 상품 ${++seq}`, price: 10000, stock }, 'test');
  return p.id;
}

async function levels(productId: number) {
  return t.db.selectFrom('inventory').selectAll().where('product_id', '=', productId).executeTakeFirstOrThrow();
}

async function movementSums(productId: number) {
  const rows = await t.db
    .selectFrom('stock_movements')
    .select(['movement_type', sql<number>`SUM(quantity)`.as('q'), sql<number>`COUNT(*)`.as('n')])
    .where('product_id', '=', productId)
    .groupBy('movement_type')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.movement_type, { q: Number(r.q), n: Number(r.n) }]));
}

describe('reads', () => {
  test('GET /inventory/{id} is public and answers S401 for an unknown product', async () => {
    const id = await product(7);
    const res = await t.call('GET', `/inventory/${id}`, { token: null });
    assert.equal(res.status, 200);
    assert.deepEqual(
      { ...res.body.data, id: undefined, createdAt: undefined, updatedAt: undefined },
      { id: undefined, productId: id, availableQuantity: 7, reservedQuantity: 0, totalQuantity: 7, createdAt: undefined, updatedAt: undefined },
    );
    assert.match(res.body.data.createdAt, /Z$/);
    const missing = await t.call('GET', '/inventory/999999', { token: null });
    assert.equal(missing.status, 404);
    assert.equal(codeOf(missing), 'S401');
  });

  test('POST /inventory/batch leaves unknown ids out and validates the list', async () => {
    const a = await product(1);
    const b = await product(2);
    const res = await t.call('POST', '/inventory/batch', { token: null, body: { productIds: [a, 999999, b, a] } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.data.map((r: { productId: number }) => r.productId).sort(), [a, b].sort());
    const empty = await t.call('POST', '/inventory/batch', { token: null, body: { productIds: [] } });
    assert.equal(empty.status, 400);
    assert.equal(codeOf(empty), 'C002');
    assert.equal(empty.body.error.details[0].message, '상품 ID 목록은 필수입니다');
  });
});

describe('batch operations', () => {
  test('reserve → deduct, reserve → release, return keep available + reserved = total and write one movement each', async () => {
    const id = await product(10);
    const ref = { type: 'ORDER', id: 'ORD-TEST-1' };
    await t.services.inventory.reserveBatch(undefined, [{ productId: id, quantity: 4 }], ref, { actor: 'u1' });
    assert.deepEqual(pick(await levels(id)), [6, 4, 10]);
    await t.services.inventory.deductBatch(undefined, [{ productId: id, quantity: 3 }], ref);
    assert.deepEqual(pick(await levels(id)), [6, 1, 7]);
    await t.services.inventory.releaseBatch(undefined, [{ productId: id, quantity: 1 }], ref);
    assert.deepEqual(pick(await levels(id)), [7, 0, 7]);
    await t.services.inventory.returnBatch(undefined, [{ productId: id, quantity: 3 }], ref);
    assert.deepEqual(pick(await levels(id)), [10, 0, 10]);

    const moves = await t.db.selectFrom('stock_movements').selectAll().where('product_id', '=', id).orderBy('id').execute();
    assert.deepEqual(
      moves.map((m) => [m.movement_type, m.quantity, m.previous_available, m.after_available, m.previous_reserved, m.after_reserved]),
      [
        ['INITIAL', 10, 0, 10, 0, 0],
        ['RESERVE', 4, 10, 6, 0, 4],
        ['DEDUCT', 3, 6, 6, 4, 1],
        ['RELEASE', 1, 6, 7, 1, 0],
        ['RETURN', 3, 7, 10, 0, 0],
      ],
    );
    assert.equal(moves[1].reference_type, 'ORDER');
    assert.equal(moves[1].reference_id, 'ORD-TEST-1');
    assert.equal(moves[1].performed_by, 'u1');
  });

  test('a batch with one short line changes nothing (S402) and unknown products give S401', async () => {
    const a = await product(5);
    const b = await product(1);
    await assert.rejects(
      t.services.inventory.reserveBatch(
        undefined,
        [
          { productId: a, quantity: 2 },
          { productId: b, quantity: 2 },
        ],
        { type: 'ORDER', id: 'X' },
      ),
      (err) => isAppError(err, 'INSUFFICIENT_STOCK'),
    );
    assert.deepEqual(pick(await levels(a)), [5, 0, 5]);
    assert.deepEqual(pick(await levels(b)), [1, 0, 1]);
    assert.equal(Object.keys(await movementSums(a)).join(), 'INITIAL');
    await assert.rejects(
      t.services.inventory.reserveBatch(undefined, [{ productId: 999999, quantity: 1 }], { type: 'ORDER', id: 'X' }),
      (err) => isAppError(err, 'INVENTORY_NOT_FOUND'),
    );
    await assert.rejects(
      t.services.inventory.deductBatch(undefined, [{ productId: a, quantity: 1 }], { type: 'ORDER', id: 'X' }),
      (err) => isAppError(err, 'STOCK_DEDUCTION_FAILED'),
    );
  });

  test('200 parallel single-unit reservations against stock 50: exactly 50 succeed', async () => {
    const id = await product(50);
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        t.services.inventory.reserveBatch(undefined, [{ productId: id, quantity: 1 }], { type: 'ORDER', id: `R-${i}` }),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const short = results.filter((r) => r.status === 'rejected' && isAppError(r.reason, 'INSUFFICIENT_STOCK')).length;
    assert.equal(ok, 50);
    assert.equal(short, 150);

    // Half of the winners pay (deduct), so available + reserved + sold must equal the initial 50.
    for (let i = 0; i < 25; i++) {
      await t.services.inventory.deductBatch(undefined, [{ productId: id, quantity: 1 }], { type: 'ORDER', id: `D-${i}` });
    }
    const inv = await levels(id);
    const sums = await movementSums(id);
    const sold = sums.DEDUCT.q;
    assert.deepEqual(pick(inv), [0, 25, 25]);
    assert.equal(inv.available_quantity + inv.reserved_quantity + sold, 50);
    assert.equal(sums.RESERVE.n, 50);
    assert.equal(sums.RESERVE.q, 50);
    assert.equal(sums.INITIAL.q - sums.RESERVE.q, inv.available_quantity);
  });

  test('batches over the same products in opposite orders, in parallel, never deadlock', async () => {
    const a = await product(1000);
    const b = await product(1000);
    const c = await product(1000);
    const orders = [
      [a, b, c],
      [c, b, a],
      [b, a, c],
      [c, a, b],
    ];
    const results = await Promise.allSettled(
      Array.from({ length: 120 }, (_, i) =>
        t.services.inventory.reserveBatch(
          undefined,
          orders[i % orders.length].map((productId) => ({ productId, quantity: 1 })),
          { type: 'ORDER', id: `DL-${i}` },
        ),
      ),
    );
    const failures = results.filter((r) => r.status === 'rejected');
    assert.deepEqual(failures.map((f) => String((f as PromiseRejectedResult).reason)), []);
    for (const id of [a, b, c]) assert.deepEqual(pick(await levels(id)), [880, 120, 1000]);
  });
});

describe('admin', () => {
  test('inbound, adjust and movements (camelCase columns of stock_movements), admins only', async () => {
    const id = await product(3);
    const denied = await t.call('POST', `/admin/inventory/${id}/inbound`, { body: { quantity: 5 } });
    assert.equal(denied.status, 403);
    assert.equal(codeOf(denied), 'C004');

    const inbound = await t.call('POST', `/admin/inventory/${id}/inbound`, {
      token: t.adminToken,
      body: { quantity: 5, reason: '입고' },
    });
    assert.equal(inbound.status, 200);
    assert.equal(inbound.body.data.availableQuantity, 8);
    assert.equal(inbound.body.data.totalQuantity, 8);

    await t.services.inventory.reserveBatch(undefined, [{ productId: id, quantity: 2 }], { type: 'ORDER', id: 'A-1' });
    const adjust = await t.call('PUT', `/admin/inventory/${id}/adjust`, {
      token: t.adminToken,
      body: { availableQuantity: 1, reason: '실사' },
    });
    assert.equal(adjust.status, 200);
    assert.deepEqual([adjust.body.data.availableQuantity, adjust.body.data.reservedQuantity, adjust.body.data.totalQuantity], [1, 2, 3]);

    const negative = await t.call('PUT', `/admin/inventory/${id}/adjust`, { token: t.adminToken, body: { availableQuantity: -1 } });
    assert.equal(negative.status, 400);
    assert.equal(negative.body.error.details[0].field, 'availableQuantity');

    const moves = await t.call('GET', `/admin/inventory/${id}/movements?page=1&size=2`, { token: t.adminToken });
    assert.equal(moves.status, 200);
    assert.equal(moves.body.data.totalElements, 4);
    assert.equal(moves.body.data.totalPages, 2);
    const [latest] = moves.body.data.items;
    assert.deepEqual(Object.keys(latest), [
      'id', 'inventoryId', 'productId', 'movementType', 'quantity', 'previousAvailable', 'afterAvailable',
      'previousReserved', 'afterReserved', 'referenceType', 'referenceId', 'reason', 'performedBy', 'createdAt',
    ]);
    assert.equal(latest.movementType, 'ADJUSTMENT');
    assert.equal(latest.quantity, -5);
    assert.equal(latest.previousAvailable, 6);
    assert.equal(latest.afterAvailable, 1);
    assert.equal(latest.reason, '실사');
    assert.equal(latest.performedBy, '00000000-0000-0000-0000-0000000000ad');

    const unknown = await t.call('GET', '/admin/inventory/999999/movements', { token: t.adminToken });
    assert.equal(codeOf(unknown), 'S401');
  });
});

function pick(row: { available_quantity: number; reserved_quantity: number; total_quantity: number }) {
  return [row.available_quantity, row.reserved_quantity, row.total_quantity];
}
