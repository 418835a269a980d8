import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { codeOf, TestApp } from '../../../test/helpers';
import { buyers } from '../coupon/test-support';

let t: TestApp;
before(async () => {
  t = await TestApp.start({ RATE_LIMIT_ENABLED: 'false' });
});
after(() => t.close());

const admin = (method: 'GET' | 'POST', path: string, body?: unknown) => t.call(method, path, { token: t.adminToken, body });

test('GET /admin/queues: active rooms first with settings, line length and admitted entries; closed rooms show 0', async () => {
  assert.equal((await admin('POST', '/admin/queue/LIST_A/1/activate', { maxCapacity: 2, entryBatchSize: 2, entryIntervalSeconds: 3 })).status, 200);
  assert.equal((await admin('POST', '/admin/queue/LIST_B/2/activate', { maxCapacity: 5, entryBatchSize: 1, entryIntervalSeconds: 1, entryTtlSeconds: 60 })).status, 200);
  const users = await buyers(t, 5);
  for (const u of users) assert.equal((await t.call('POST', '/queue/LIST_A/1/enter', { token: u.token })).status, 200);
  await admin('POST', '/admin/queue/LIST_A/1/process');
  assert.equal((await t.call('POST', '/queue/LIST_B/2/enter', { token: users[0].token })).status, 200);
  assert.equal((await admin('POST', '/admin/queue/LIST_B/2/deactivate')).status, 200);

  const res = await admin('GET', '/admin/queues');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const page = res.body.data;
  assert.equal(page.totalElements, 2);
  assert.deepEqual(
    page.items.map((q: any) => ({ ...q, id: undefined, createdAt: undefined, activatedAt: undefined, deactivatedAt: undefined })),
    [
      {
        id: undefined,
        eventType: 'LIST_A',
        eventId: 1,
        active: true,
        maxCapacity: 2,
        entryBatchSize: 2,
        entryIntervalSeconds: 3,
        entryTtlSeconds: 600,
        waiting: 3,
        admitted: 2,
        createdAt: undefined,
        activatedAt: undefined,
        deactivatedAt: undefined,
      },
      {
        id: undefined,
        eventType: 'LIST_B',
        eventId: 2,
        active: false,
        maxCapacity: 5,
        entryBatchSize: 1,
        entryIntervalSeconds: 1,
        entryTtlSeconds: 60,
        waiting: 0,
        admitted: 0,
        createdAt: undefined,
        activatedAt: undefined,
        deactivatedAt: undefined,
      },
    ],
  );
  assert.match(page.items[1].deactivatedAt, /Z$/);
  assert.equal(page.items[0].deactivatedAt, null);

  const active = await admin('GET', '/admin/queues?active=true');
  assert.deepEqual(active.body.data.items.map((q: any) => q.eventType), ['LIST_A']);
  const closed = await admin('GET', '/admin/queues?active=false&size=1');
  assert.deepEqual(closed.body.data.items.map((q: any) => q.eventType), ['LIST_B']);
  assert.equal(closed.body.data.size, 1);

  const one = await admin('GET', '/admin/queue/LIST_A/1');
  assert.equal(one.status, 200);
  assert.deepEqual({ waiting: one.body.data.waiting, admitted: one.body.data.admitted, active: one.body.data.active }, { waiting: 3, admitted: 2, active: true });
});

test('admin only, bad filters and unknown rooms answer in the envelope', async () => {
  const user = await t.call('GET', '/admin/queues');
  assert.equal(user.status, 403);
  assert.equal(user.body.success, false);
  assert.equal((await t.call('GET', '/admin/queues', { token: null })).status, 401);
  const bad = await admin('GET', '/admin/queues?active=maybe');
  assert.equal(bad.status, 400);
  assert.equal(codeOf(bad), 'C002');
  const missing = await admin('GET', '/admin/queue/NOPE/1');
  assert.equal(missing.status, 404);
  assert.equal(codeOf(missing), 'S801');
  const badType = await admin('GET', '/admin/queue/a%20b/1');
  assert.equal(codeOf(badType), 'C002');
});
