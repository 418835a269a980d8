import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TestApp } from './helpers';

let t: TestApp;
before(async () => {
  t = await TestApp.start();
  await t.services.search.start();
});
after(() => t.close());

async function search(keyword: string) {
  const res = await t.call('GET', `/search?keyword=${encodeURIComponent(keyword)}`, { token: null });
  assert.equal(res.status, 200);
  return res.body.data.results as { id: number; name: string; stock: number }[];
}

test('the index follows product create, update, stock and delete through the outbox', async () => {
  const created = await t.call('POST', '/admin/products', {
    token: t.adminToken,
    body: { name: '갤럭시 Z 플립6', description: '접는 스마트폰', price: 1480000, stock: 7, category: '스마트폰' },
  });
  assert.equal(created.status, 201);
  const id = created.body.data.id;
  await t.infra.eventing.relay.flush();
  assert.deepEqual((await search('플립')).map((r) => [r.id, r.stock]), [[id, 7]]);

  await t.call('PUT', `/admin/products/${id}`, {
    token: t.adminToken,
    body: { name: '갤럭시 Z 폴드6', description: '접는 스마트폰', price: 2230000, stock: 7, category: '스마트폰' },
  });
  await t.services.inventory.reserveBatch(undefined, [{ productId: id, quantity: 2 }], { type: 'ORDER', id: 'SYNC-1' });
  await t.infra.eventing.relay.flush();
  assert.deepEqual(await search('플립'), []);
  assert.deepEqual((await search('폴드')).map((r) => [r.id, r.stock]), [[id, 5]]);

  await t.call('DELETE', `/admin/products/${id}`, { token: t.adminToken });
  await t.infra.eventing.relay.flush();
  assert.deepEqual(await search('폴드'), []);
  // replaying the same events changes nothing
  await t.db.updateTable('outbox_events').set({ sent_at: null }).execute();
  await t.infra.eventing.relay.flush();
  assert.deepEqual(await search('폴드'), []);
});
