import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { seedDemo } from '../scripts/load-demo';
import { DEMO_COUPONS, DEMO_TIME_DEALS, demoGalleries, demoProducts, LEGACY_IMAGE_BASE_URL } from '../scripts/seed-data';
import { codeOf, TestApp, TEST_USER_ID } from './helpers';

/** `db:seed` (its steps, on a test database): what a shop in the browser finds. */
let t: TestApp;
const lines: string[] = [];

before(async () => {
  t = await TestApp.start();
  await seedDemo(t.db, t.services, (line) => lines.push(line));
});
after(() => t.close());

/** Every product, as the storefront lists them (the Host of an in-process request is localhost:80). */
async function allProducts(): Promise<any[]> {
  const out: any[] = [];
  for (let page = 1; ; page++) {
    const res = await t.call('GET', '/products', { token: null, query: { page, size: 100 } });
    out.push(...res.body.data.items);
    if (page >= res.body.data.totalPages) return out;
  }
}

describe('demo catalog pictures', () => {
  test('every demo product shows a picture the service draws, as an absolute URL, with its gallery views', async () => {
    const products = await allProducts();
    assert.equal(products.length, demoProducts().length);
    const galleries = demoGalleries();
    assert.ok(galleries.size > 0);
    for (const p of products) {
      const main = `http://localhost:80/images/products/${p.id}.svg`;
      assert.equal(p.imageUrl, main, p.name);
      const gallery = galleries.get(p.name) ?? 0;
      const views = Array.from({ length: gallery }, (_, i) => `http://localhost:80/images/products/${p.id}-${i + 2}.svg`);
      assert.deepEqual(p.images, gallery > 0 ? [main, ...views] : [], p.name);
    }
    // Stored as paths: the address is added per answer.
    const row = await t.db.selectFrom('products').select(['id', 'image_url']).where('id', '=', products[0].id).executeTakeFirstOrThrow();
    assert.equal(row.image_url, `/images/products/${row.id}.svg`);
  });

  test('the pictures answer from the service itself: SVG with the product\'s name and category', async () => {
    const products = await allProducts();
    const phone = products.find((p) => p.name === '아이폰 15 프로 256GB')!;
    for (const url of [phone.imageUrl, ...phone.images]) {
      const res = await t.app.inject({ method: 'GET', url: new URL(url).pathname });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.headers['content-type'], 'image/svg+xml; charset=utf-8');
      assert.ok(res.body.includes('아이폰 15 프로 256GB'));
      assert.ok(res.body.includes('스마트폰'));
    }
    const distinct = new Set(await Promise.all(phone.images.map(async (url: string) => (await t.app.inject({ method: 'GET', url: new URL(url).pathname })).body)));
    assert.equal(distinct.size, phone.images.length, 'each gallery view is its own picture');
  });
});

describe('demo coupons', () => {
  test('the test user holds the first three; the others are left to claim, with the exact reasons when a claim fails', async () => {
    const listed = (await t.call('GET', '/coupons')).body.data as { id: number; code: string }[];
    assert.deepEqual(listed.map((c) => c.code).sort(), DEMO_COUPONS.map((c) => c.code).sort());
    const mine = (await t.call('GET', '/coupons/my')).body.data as { couponCode: string }[];
    const held = DEMO_COUPONS.filter((c) => c.issuedToTestUser).map((c) => c.code);
    assert.deepEqual(mine.map((c) => c.couponCode).sort(), held);
    assert.ok(held.length > 0 && held.length < DEMO_COUPONS.length);
    const available = (await t.call('GET', '/coupons/my/available')).body.data as unknown[];
    assert.equal(available.length, held.length);

    const byCode = new Map(listed.map((c) => [c.code, c.id]));
    const claimable = DEMO_COUPONS.filter((c) => !c.issuedToTestUser);
    const claimed = await t.call('POST', `/coupons/${byCode.get(claimable[0].code)}/issue`);
    assert.equal(claimed.status, 201, JSON.stringify(claimed.body));
    assert.equal(claimed.body.data.couponCode, claimable[0].code);
    assert.equal(codeOf(await t.call('POST', `/coupons/${byCode.get(held[0])}/issue`)), 'S604');

    // The small one sells out.
    const small = DEMO_COUPONS.find((c) => c.totalQuantity <= 3)!;
    for (let i = 0; i < small.totalQuantity; i++) {
      assert.equal((await t.call('POST', `/coupons/${byCode.get(small.code)}/issue`, { token: await t.token(randomUUID()) })).status, 201);
    }
    assert.equal(codeOf(await t.call('POST', `/coupons/${byCode.get(small.code)}/issue`)), 'S602');
  });
});

describe('demo time deals', () => {
  test('two running deals: one open to anyone, one behind a waiting room that admits buyers', async () => {
    const running = (await t.call('GET', '/time-deals', { token: null })).body.data as any[];
    const gatedSeed = DEMO_TIME_DEALS.find((d) => d.waitingRoom)!;
    const openSeed = DEMO_TIME_DEALS.find((d) => !d.waitingRoom && d.startsInHours < 0)!;
    assert.deepEqual(running.map((d) => d.name).sort(), [gatedSeed.name, openSeed.name].sort());
    const open = running.find((d) => d.name === openSeed.name);
    const gated = running.find((d) => d.name === gatedSeed.name);
    const scheduled = await t.db.selectFrom('time_deals').select('status').where('name', 'not in', [openSeed.name, gatedSeed.name]).execute();
    assert.deepEqual(scheduled.map((d) => d.status), ['SCHEDULED']);

    // The open deal: any signed-in buyer buys at once.
    const bought = await t.call('POST', '/time-deals/purchase', { body: { timeDealProductId: open.products[0].id, quantity: 1 } });
    assert.equal(bought.status, 201, JSON.stringify(bought.body));
    assert.ok(bought.body.data.paymentDueAt);

    // The gated one: the waiting room first (S806 without an entry, S805 while waiting).
    const queue = await t.db.selectFrom('waiting_queues').selectAll().where('event_type', '=', 'TIMEDEAL').where('event_id', '=', gated.id).executeTakeFirstOrThrow();
    assert.equal(queue.is_active, 1);
    assert.deepEqual([queue.max_capacity, queue.entry_batch_size, queue.entry_interval_seconds, queue.entry_ttl_seconds], [
      gatedSeed.waitingRoom!.maxCapacity,
      gatedSeed.waitingRoom!.entryBatchSize,
      gatedSeed.waitingRoom!.entryIntervalSeconds,
      gatedSeed.waitingRoom!.entryTtlSeconds,
    ]);
    const buy = () => t.call('POST', '/time-deals/purchase', { body: { timeDealProductId: gated.products[0].id, quantity: 1 } });
    assert.equal(codeOf(await buy()), 'S806');
    const entered = await t.call('POST', `/queue/TIMEDEAL/${gated.id}/enter`);
    assert.equal(entered.status, 200, JSON.stringify(entered.body));
    assert.equal(entered.body.data.status, 'WAITING');
    assert.equal(codeOf(await buy()), 'S805');
    const admitted = await t.services.queue.process('TIMEDEAL', gated.id);
    assert.deepEqual(admitted.admitted, [entered.body.data.entryToken]);
    const gatedBuy = await buy();
    assert.equal(gatedBuy.status, 201, JSON.stringify(gatedBuy.body));
    assert.equal(gatedBuy.body.data.productName, gatedSeed.products[0].productName);
  });
});

describe('running the seed again', () => {
  test('changes nothing that exists; demo products on the old picture host move to drawn pictures, others keep theirs', async () => {
    const count = async (table: 'products' | 'coupons' | 'time_deals' | 'waiting_queues' | 'user_coupons') =>
      Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = { products: await count('products'), coupons: await count('coupons'), deals: await count('time_deals'), queues: await count('waiting_queues'), held: await count('user_coupons') };

    const [legacy, custom] = await t.db.selectFrom('products').select(['id', 'name']).orderBy('id').limit(2).execute();
    await t.db.updateTable('products').set({ image_url: `${LEGACY_IMAGE_BASE_URL}products/old.jpg` }).where('id', '=', legacy.id).execute();
    await t.services.products.setImages(custom.id, 'https://cdn.example.com/mine.jpg', []);

    const again: string[] = [];
    await seedDemo(t.db, t.services, (line) => again.push(line));
    assert.deepEqual(
      { products: await count('products'), coupons: await count('coupons'), deals: await count('time_deals'), queues: await count('waiting_queues'), held: await count('user_coupons') },
      before,
    );
    assert.ok(again.some((l) => /^1 demo products now show pictures/.test(l)), again.join('\n'));
    assert.ok(again.some((l) => /\(0 new, 0 started now\)$/.test(l)), again.join('\n'));
    assert.ok(!again.some((l) => l.includes('waiting room opened')), again.join('\n'));

    const rows = new Map((await t.db.selectFrom('products').select(['id', 'image_url']).where('id', 'in', [legacy.id, custom.id]).execute()).map((r) => [r.id, r.image_url]));
    assert.equal(rows.get(legacy.id), `/images/products/${legacy.id}.svg`);
    assert.equal(rows.get(custom.id), 'https://cdn.example.com/mine.jpg');
    // The first run's lines, for the record: the catalog, the pictures, coupons, deals and the waiting room.
    assert.ok(lines.some((l) => /^created \d+ products in 8 categories/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes('waiting room opened for TIMEDEAL/')), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes(`issued to ${TEST_USER_ID}`)), lines.join('\n'));
  });
});
