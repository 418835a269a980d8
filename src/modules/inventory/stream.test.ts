import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { codeOf, TestApp } from '../../../test/helpers';
import { openSse } from '../../../test/sse';

let t: TestApp;
let base: string;
before(async () => {
  t = await TestApp.start({ SSE_HEARTBEAT_MS: '200', CORS_ORIGINS: 'http://shop.example' });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
after(() => t.close());

/** Opens an SSE stream on this app and collects its frames as they arrive. */
const open = (path: string, headers: Record<string, string> = {}) => openSse(`${base}/api/v1/shopping${path}`, headers);

test('the stream sends current levels, then every committed change, then heartbeats', async () => {
  const a = (await t.services.products.create({ name: '갤럭시 S24 울트라', price: 1698400, stock: 30 }, 'test')).id;
  const b = (await t.services.products.create({ name: '갤럭시 버즈3 프로', price: 319000, stock: 5 }, 'test')).id;
  const s = await open(`/inventory/stream?productIds=${a},${b}`, { origin: 'http://shop.example' });
  try {
    assert.equal(s.res.statusCode, 200);
    assert.match(String(s.res.headers['content-type']), /^text\/event-stream/);
    assert.equal(s.res.headers['access-control-allow-origin'], 'http://shop.example');

    const first = await s.next((f) => f.event === 'inventory-update' && f.data.data.productId === a);
    assert.equal(first.id, String(a));
    assert.equal(first.data.type, 'inventory-update');
    assert.equal(first.data.data.available, 30);
    assert.equal(first.data.data.reserved, 0);
    assert.match(first.data.timestamp, /Z$/);
    await s.next((f) => f.event === 'inventory-update' && f.data.data.productId === b);

    await t.services.inventory.reserveBatch(undefined, [{ productId: a, quantity: 3 }], { type: 'ORDER', id: 'S-1' });
    const update = await s.next((f) => f.event === 'inventory-update' && f.data.data.productId === a && f.data.data.available === 27);
    assert.equal(update.data.data.reserved, 3);

    const beat = await s.next((f) => f.comment === 'heartbeat');
    assert.equal(beat.event, undefined);
    assert.deepEqual({ type: beat.data.type, data: beat.data.data }, { type: 'heartbeat', data: null });
  } finally {
    s.close();
  }
});

test('a rolled-back change is never announced', async () => {
  const a = (await t.services.products.create({ name: '아이패드 에어 11', price: 899000, stock: 1 }, 'test')).id;
  const s = await open(`/inventory/stream?productIds=${a}`);
  try {
    await s.next((f) => f.event === 'inventory-update');
    await assert.rejects(t.services.inventory.reserveBatch(undefined, [{ productId: a, quantity: 2 }], { type: 'ORDER', id: 'S-2' }));
    await t.services.inventory.inbound(undefined, a, 1);
    const next = await s.next((f) => f.event === 'inventory-update' && f.data.data.available !== 1);
    assert.equal(next.data.data.available, 2);
    assert.equal(s.frames.filter((f) => f.event === 'inventory-update').length, 2);
  } finally {
    s.close();
  }
});

test('stream parameters are validated before the stream opens', async () => {
  const missing = await t.call('GET', '/inventory/stream', { token: null });
  assert.equal(missing.status, 400);
  assert.equal(codeOf(missing), 'C002');
  const bad = await t.call('GET', '/inventory/stream?productIds=1,abc', { token: null });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.details[0].field, /^productIds/);
});

test('closed streams release their subscriptions', async () => {
  const a = (await t.services.products.create({ name: '에어팟 프로 2', price: 359000, stock: 4 }, 'test')).id;
  const streams = await Promise.all(Array.from({ length: 5 }, () => open(`/inventory/stream?productIds=${a}`)));
  await Promise.all(streams.map((s) => s.next((f) => f.event === 'inventory-update')));
  assert.equal(t.infra.sse.size, 5);
  for (const s of streams) s.close();
  for (let i = 0; i < 50 && t.infra.sse.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(t.infra.sse.size, 0);
  const subs = (await t.redis.pubsub('NUMSUB', `${t.config.redisKeyPrefix}inventory:${a}`)) as [string, number];
  assert.equal(Number(subs[1]), 0);
});
