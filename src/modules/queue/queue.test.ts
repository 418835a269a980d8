import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { codeOf, OTHER_USER_ID, TEST_USER_ID, type TestApp } from '../../../test/helpers';
import { isAppError } from '../../platform/http/errors';
import { Scheduler } from '../../platform/scheduler';
import { QueueRedis, queueKeys } from './redis';
import { EVENT_TYPE_PATTERN } from './schemas';
import type { QueueService } from './service';
import { startQueueApp } from './test-support';

let t: TestApp;
let queue: QueueService;
let another: () => QueueService;

before(async () => {
  // One test user sends many entries here: the per-user limit (tested on its own) would answer 429.
  const app = await startQueueApp({ reconcileMs: 3_600_000 }, { RATE_LIMIT_ENABLED: 'false' });
  t = app.t;
  queue = app.queue;
  another = () => app.another({ reconcileMs: 3_600_000 });
});
after(() => t.close());

let nextEvent = 1000;
/** A fresh event id per test, so tests never share a queue. */
const freshEvent = () => nextEvent++;
const user = (n: number) => `user-${String(n).padStart(5, '0')}`;

async function activate(type: string, id: number, body: Record<string, unknown>) {
  const res = await t.call('POST', `/admin/queue/${type}/${id}/activate`, { token: t.adminToken, body });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body, { success: true });
}

async function dbEntries(queueType: string, eventId: number) {
  return t.db
    .selectFrom('queue_entries as e')
    .innerJoin('waiting_queues as q', 'q.id', 'e.queue_id')
    .select(['e.id', 'e.user_id', 'e.entry_token', 'e.status', 'e.entered_at', 'e.expires_at'])
    .where('q.event_type', '=', queueType)
    .where('q.event_id', '=', eventId)
    .orderBy('e.id')
    .execute();
}

async function expectCode(p: Promise<unknown>, code: string) {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isAppError(err), String(err));
    assert.equal((err as { def: { code: string } }).def.code, code);
    return true;
  });
}

test('activate: admin only, the contract messages, the ttl default and re-activation with new settings', async () => {
  const id = freshEvent();
  const userTry = await t.call('POST', `/admin/queue/TIMEDEAL/${id}/activate`, {
    body: { maxCapacity: 1, entryBatchSize: 1, entryIntervalSeconds: 1 },
  });
  assert.equal(userTry.status, 403);
  assert.equal(codeOf(userTry), 'C004');

  const empty = await t.call('POST', `/admin/queue/TIMEDEAL/${id}/activate`, { token: t.adminToken, body: {} });
  assert.equal(empty.status, 400);
  assert.equal(codeOf(empty), 'C002');
  assert.deepEqual(
    empty.body.error.details.map((d: { field: string; message: string }) => [d.field, d.message]).sort(),
    [
      ['entryBatchSize', 'Entry batch size is required'],
      ['entryIntervalSeconds', 'Entry interval is required'],
      ['maxCapacity', 'Max capacity is required'],
    ],
  );
  const low = await t.call('POST', `/admin/queue/TIMEDEAL/${id}/activate`, {
    token: t.adminToken,
    body: { maxCapacity: 0, entryBatchSize: 0, entryIntervalSeconds: 0, entryTtlSeconds: 0 },
  });
  assert.deepEqual(
    low.body.error.details.map((d: { field: string; message: string }) => [d.field, d.message]).sort(),
    [
      ['entryBatchSize', 'Entry batch size must be at least 1'],
      ['entryIntervalSeconds', 'Entry interval must be at least 1 second'],
      ['entryTtlSeconds', 'Entry TTL must be at least 1 second'],
      ['maxCapacity', 'Max capacity must be at least 1'],
    ],
  );
  const unknown = await t.call('POST', `/admin/queue/TIMEDEAL/${id}/activate`, {
    token: t.adminToken,
    body: { maxCapacity: 1, entryBatchSize: 1, entryIntervalSeconds: 1, extra: 1 },
  });
  assert.equal(unknown.status, 400);

  await activate('TIMEDEAL', id, { maxCapacity: 10, entryBatchSize: 2, entryIntervalSeconds: 3, entryTtlSeconds: null });
  let row = await t.db.selectFrom('waiting_queues').selectAll().where('event_id', '=', id).executeTakeFirstOrThrow();
  assert.equal(row.entry_ttl_seconds, 600);
  assert.equal(row.is_active, 1);

  // Again (active): never 409, and the new settings win.
  await activate('TIMEDEAL', id, { maxCapacity: 20, entryBatchSize: 5, entryIntervalSeconds: 7, entryTtlSeconds: 30 });
  row = await t.db.selectFrom('waiting_queues').selectAll().where('event_id', '=', id).executeTakeFirstOrThrow();
  assert.deepEqual(
    [row.max_capacity, row.entry_batch_size, row.entry_interval_seconds, row.entry_ttl_seconds],
    [20, 5, 7, 30],
  );
  const meta = await t.redis.hgetall(queueKeys('TIMEDEAL', id).meta);
  assert.equal(meta.entryBatchSize, '5');
  assert.equal(meta.id, String(row.id));

  const count = await t.db.selectFrom('waiting_queues').select((eb) => eb.fn.countAll<number>().as('n')).where('event_id', '=', id).executeTakeFirstOrThrow();
  assert.equal(Number(count.n), 1);

  // Two first activations at once end as one queue.
  const twin = freshEvent();
  await Promise.all([
    queue.activate('TWIN', twin, { maxCapacity: 1, entryBatchSize: 1, entryIntervalSeconds: 1 }),
    queue.activate('TWIN', twin, { maxCapacity: 2, entryBatchSize: 1, entryIntervalSeconds: 1 }),
  ]);
  const twins = await t.db.selectFrom('waiting_queues').select('id').where('event_type', '=', 'TWIN').where('event_id', '=', twin).execute();
  assert.equal(twins.length, 1);
});

test('enter: S801 without an active queue, then the §3.2 values; a second enter returns the same entry', async () => {
  const id = freshEvent();
  const none = await t.call('POST', `/queue/TIMEDEAL/${id}/enter`);
  assert.equal(none.status, 404);
  assert.equal(codeOf(none), 'S801');
  const noAuth = await t.call('POST', `/queue/TIMEDEAL/${id}/enter`, { token: null });
  assert.equal(noAuth.status, 401);

  await activate('TIMEDEAL', id, { maxCapacity: 100, entryBatchSize: 2, entryIntervalSeconds: 5 });
  for (let i = 1; i <= 3; i++) await queue.enter(user(i), 'TIMEDEAL', id);

  const mine = await t.call('POST', `/queue/TIMEDEAL/${id}/enter`);
  assert.equal(mine.status, 200);
  const data = mine.body.data;
  assert.deepEqual(Object.keys(data), ['entryToken', 'status', 'position', 'estimatedWaitSeconds', 'totalWaiting', 'message']);
  assert.match(data.entryToken, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(data.status, 'WAITING');
  assert.equal(data.position, 4);
  // ((rank+1) / batch) * interval with integer division: (4 / 2) * 5
  assert.equal(data.estimatedWaitSeconds, 10);
  assert.equal(data.totalWaiting, 4);
  assert.equal(data.message, '현재 4번째 대기 중입니다. 예상 대기 시간: 10초');

  const again = await t.call('POST', `/queue/TIMEDEAL/${id}/enter`);
  assert.equal(again.status, 200);
  assert.equal(again.body.data.entryToken, data.entryToken);
  assert.equal(again.body.data.position, 4);

  // Duplicate enters racing: one live entry (the DB unique key), everyone gets the same token.
  const racers = await Promise.all(Array.from({ length: 8 }, () => queue.enter('racer', 'TIMEDEAL', id)));
  assert.equal(new Set(racers.map((r) => r.entryToken)).size, 1);
  const rows = (await dbEntries('TIMEDEAL', id)).filter((r) => r.user_id === 'racer');
  assert.equal(rows.length, 1);

  const status = await t.call('GET', `/queue/TIMEDEAL/${id}/status`);
  assert.equal(status.status, 200);
  assert.deepEqual(status.body.data, { ...data, totalWaiting: 5 });
  const other = await t.call('GET', `/queue/TIMEDEAL/${id}/status`, { token: t.otherToken });
  assert.equal(codeOf(other), 'S803');
  assert.equal(other.status, 404);

  const first = await t.call('GET', `/queue/TIMEDEAL/${id}/status`, { token: await t.token(user(1)) });
  assert.equal(first.body.data.position, 1);
  assert.equal(first.body.data.estimatedWaitSeconds, 0); // (1 / 2) * 5 = 0 with integer division
});

test('eventType is case-sensitive free text; eventId a positive integer', async () => {
  const id = freshEvent();
  await activate('TimeDeal', id, { maxCapacity: 1, entryBatchSize: 1, entryIntervalSeconds: 1 });
  const wrongCase = await t.call('POST', `/queue/TIMEDEAL/${id}/enter`);
  assert.equal(codeOf(wrongCase), 'S801');
  const ok = await t.call('POST', `/queue/TimeDeal/${id}/enter`);
  assert.equal(ok.status, 200);
  const korean = await t.call('POST', `/admin/queue/${encodeURIComponent('타임딜')}/${id}/activate`, {
    token: t.adminToken,
    body: { maxCapacity: 1, entryBatchSize: 1, entryIntervalSeconds: 1 },
  });
  assert.equal(korean.status, 200);
  const enterKorean = await t.call('POST', `/queue/${encodeURIComponent('타임딜')}/${id}/enter`);
  assert.equal(enterKorean.status, 200);
  for (const bad of ['0', '-1', 'abc', '1.5']) {
    const res = await t.call('POST', `/queue/TIMEDEAL/${bad}/enter`);
    assert.equal(res.status, 400, bad);
    assert.equal(codeOf(res), 'C002');
  }
});

test('FIFO: 1,000 users who enter in a known order are admitted in exactly that order across batches', async () => {
  const id = freshEvent();
  await activate('FIFO', id, { maxCapacity: 1000, entryBatchSize: 37, entryIntervalSeconds: 1 });
  const order: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const res = await queue.enter(user(i), 'FIFO', id);
    assert.equal(res.position, i + 1);
    order.push(res.entryToken);
  }
  const admitted: string[] = [];
  for (;;) {
    const batch = await queue.process('FIFO', id);
    if (batch.admitted.length === 0) break;
    assert.ok(batch.admitted.length <= 37);
    admitted.push(...batch.admitted);
  }
  assert.deepEqual(admitted, order);
  const rows = await dbEntries('FIFO', id);
  assert.ok(rows.every((r) => r.status === 'ENTERED' && r.entered_at && r.expires_at));
  // entered_at follows the order too (batch after batch).
  const byToken = new Map(rows.map((r) => [r.entry_token, r]));
  for (let i = 1; i < order.length; i++) {
    assert.ok(byToken.get(order[i])!.entered_at!.getTime() >= byToken.get(order[i - 1])!.entered_at!.getTime());
  }
});

test('capacity is never exceeded with two instances admitting at once', async () => {
  const id = freshEvent();
  const capacity = 50;
  await activate('CAP', id, { maxCapacity: capacity, entryBatchSize: 7, entryIntervalSeconds: 1 });
  await Promise.all(Array.from({ length: 300 }, (_, i) => queue.enter(user(i), 'CAP', id)));
  const second = another();
  const schedulerA = new Scheduler(t.redis, t.infra.log);
  const schedulerB = new Scheduler(t.redis, t.infra.log);
  const jobA = queue.admissionJob();
  const jobB = second.admissionJob();
  const keys = queueKeys('CAP', id);
  let maxSeen = 0;
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      maxSeen = Math.max(maxSeen, await t.redis.zcard(keys.entered));
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  const ignoreBusy = (err: unknown) => {
    if (!isAppError(err, 'CONCURRENT_STOCK_MODIFICATION')) throw err;
  };
  for (let round = 0; round < 15; round++) {
    await Promise.all([
      queue.process('CAP', id).catch(ignoreBusy),
      second.process('CAP', id).catch(ignoreBusy),
      schedulerA.runOnce(jobA),
      schedulerB.runOnce(jobB),
      second.runDueAdmissions(),
      queue.runDueAdmissions(),
    ]);
  }
  watching = false;
  await watcher;
  assert.ok(maxSeen <= capacity, `saw ${maxSeen} admitted`);
  const rows = await dbEntries('CAP', id);
  assert.equal(rows.filter((r) => r.status === 'ENTERED').length, capacity);
  assert.equal(rows.filter((r) => r.status === 'WAITING').length, 300 - capacity);
  assert.equal(await t.redis.zcard(keys.entered), capacity);
  assert.equal(await t.redis.zcard(keys.waiting), 300 - capacity);
});

test('the job admits each queue once per entryIntervalSeconds slot', async () => {
  const id = freshEvent();
  await activate('SLOT', id, { maxCapacity: 100, entryBatchSize: 2, entryIntervalSeconds: 3600 });
  for (let i = 0; i < 10; i++) await queue.enter(user(i), 'SLOT', id);
  await queue.runDueAdmissions();
  await queue.runDueAdmissions();
  await another().runDueAdmissions();
  const rows = await dbEntries('SLOT', id);
  assert.equal(rows.filter((r) => r.status === 'ENTERED').length, 2);
});

test('expiry and a purchase (consume) free capacity, and the line moves again', async () => {
  const id = freshEvent();
  await activate('TIMEDEAL', id, { maxCapacity: 2, entryBatchSize: 5, entryIntervalSeconds: 1, entryTtlSeconds: 1 });
  const tokens: string[] = [];
  for (let i = 1; i <= 5; i++) tokens.push((await queue.enter(user(i), 'TIMEDEAL', id)).entryToken);

  assert.deepEqual((await queue.process('TIMEDEAL', id)).admitted, tokens.slice(0, 2));
  assert.deepEqual((await queue.process('TIMEDEAL', id)).admitted, [], 'full');

  // user 1 buys: capacity freed, the entry is over (EXPIRED).
  assert.equal(await queue.consume(user(1), 'TIMEDEAL', id), true);
  assert.equal(await queue.consume(user(1), 'TIMEDEAL', id), false, 'nothing left to consume');
  assert.equal(await queue.consume(user(3), 'TIMEDEAL', id), false, 'waiting entries are not consumed');
  assert.deepEqual((await queue.process('TIMEDEAL', id)).admitted, [tokens[2]]);
  let rows = await dbEntries('TIMEDEAL', id);
  assert.deepEqual(rows.map((r) => r.status), ['EXPIRED', 'ENTERED', 'ENTERED', 'WAITING', 'WAITING']);
  const mine = await t.call('GET', `/queue/token/${tokens[0]}`, { token: await t.token(user(1)) });
  assert.deepEqual(mine.body.data, {
    entryToken: tokens[0],
    status: 'EXPIRED',
    position: 0,
    estimatedWaitSeconds: 0,
    totalWaiting: 0,
    message: '대기열이 만료되었습니다.',
  });

  // The 1-second admissions run out.
  await new Promise((r) => setTimeout(r, 1100));
  const batch = await queue.process('TIMEDEAL', id);
  assert.deepEqual(batch.expired.sort(), [tokens[1], tokens[2]].sort());
  assert.deepEqual(batch.admitted, [tokens[3], tokens[4]]);
  rows = await dbEntries('TIMEDEAL', id);
  assert.deepEqual(rows.map((r) => r.status), ['EXPIRED', 'EXPIRED', 'EXPIRED', 'ENTERED', 'ENTERED']);

  // An expired user may enter again (a new live entry, a new token).
  const back = await queue.enter(user(2), 'TIMEDEAL', id);
  assert.notEqual(back.entryToken, tokens[1]);
  assert.equal(back.status, 'WAITING');
});

test('leave: WAITING and ENTERED entries, by queue and by token; re-entry after LEFT', async () => {
  const id = freshEvent();
  const missing = await t.call('DELETE', `/queue/NOPE/${id}/leave`);
  assert.equal(codeOf(missing), 'S801');
  await activate('TIMEDEAL', id, { maxCapacity: 1, entryBatchSize: 1, entryIntervalSeconds: 1 });
  const nothing = await t.call('DELETE', `/queue/TIMEDEAL/${id}/leave`);
  assert.equal(codeOf(nothing), 'S803');

  const a = await queue.enter(user(1), 'TIMEDEAL', id);
  const me = await t.call('POST', `/queue/TIMEDEAL/${id}/enter`);
  const c = await queue.enter(user(3), 'TIMEDEAL', id);
  assert.equal(me.body.data.position, 2);

  // user 1 is admitted, then gives the admission up: capacity frees for the next.
  assert.deepEqual((await queue.process('TIMEDEAL', id)).admitted, [a.entryToken]);
  await queue.leave(user(1), 'TIMEDEAL', id);
  const afterAdmitLeave = await t.call('GET', `/queue/token/${a.entryToken}`, { token: await t.token(user(1)) });
  assert.equal(afterAdmitLeave.body.data.status, 'LEFT');
  assert.equal(afterAdmitLeave.body.data.message, '대기열에서 나갔습니다.');

  // I leave mid-line: the one behind moves up.
  const left = await t.call('DELETE', `/queue/TIMEDEAL/${id}/leave`);
  assert.equal(left.status, 200);
  assert.deepEqual(left.body, { success: true });
  const cStatus = await queue.tokenStatus(user(3), c.entryToken);
  assert.equal(cStatus.position, 1);
  assert.equal(cStatus.totalWaiting, 1);
  const twice = await t.call('DELETE', `/queue/TIMEDEAL/${id}/leave`);
  assert.equal(codeOf(twice), 'S803');
  // By token, an entry already over stays as it is.
  const byTokenAgain = await t.call('DELETE', `/queue/token/${me.body.data.entryToken}`);
  assert.equal(byTokenAgain.status, 200);

  assert.deepEqual((await queue.process('TIMEDEAL', id)).admitted, [c.entryToken]);

  // Re-entry after LEFT: a new entry at the end of the line.
  const again = await t.call('POST', `/queue/TIMEDEAL/${id}/enter`);
  assert.equal(again.status, 200);
  assert.notEqual(again.body.data.entryToken, me.body.data.entryToken);
  assert.equal(again.body.data.position, 1);
  const byToken = await t.call('DELETE', `/queue/token/${again.body.data.entryToken}`);
  assert.equal(byToken.status, 200);
  const rows = await dbEntries('TIMEDEAL', id);
  assert.deepEqual(
    rows.map((r) => [r.user_id, r.status]),
    [
      [user(1), 'LEFT'],
      [TEST_USER_ID, 'LEFT'],
      [user(3), 'ENTERED'],
      [TEST_USER_ID, 'LEFT'],
    ],
  );
});

test('tokens belong to their owner: S807 for someone else, S803 for an unknown token', async () => {
  const id = freshEvent();
  await activate('TIMEDEAL', id, { maxCapacity: 1, entryBatchSize: 1, entryIntervalSeconds: 1 });
  const mine = (await t.call('POST', `/queue/TIMEDEAL/${id}/enter`)).body.data.entryToken;
  const read = await t.call('GET', `/queue/token/${mine}`, { token: t.otherToken });
  assert.equal(read.status, 403);
  assert.equal(codeOf(read), 'S807');
  const del = await t.call('DELETE', `/queue/token/${mine}`, { token: t.otherToken });
  assert.equal(codeOf(del), 'S807');
  const unknown = await t.call('GET', '/queue/token/f47ac10b-58cc-4372-a567-0e02b2c3d479');
  assert.equal(unknown.status, 404);
  assert.equal(codeOf(unknown), 'S803');
  const own = await t.call('GET', `/queue/token/${mine}`);
  assert.equal(own.body.data.position, 1);
  assert.equal(own.body.data.status, 'WAITING');
});

test('a token that is not a lowercase UUID is 400 C002 on every token route and never reaches a query', async () => {
  const id = freshEvent();
  await activate('TIMEDEAL', id, { maxCapacity: 1, entryBatchSize: 1, entryIntervalSeconds: 1 });
  const mine: string = (await t.call('POST', `/queue/TIMEDEAL/${id}/enter`)).body.data.entryToken;
  const malformed = [
    'not-a-token',
    encodeURIComponent('토큰'),
    encodeURIComponent('f47ac10b-58cc-4372-a567-0e02b2c3d47é'),
    mine.toUpperCase(),
    `${mine}0`,
    mine.slice(0, 35),
    '%00',
  ];
  for (const token of malformed) {
    for (const [method, path] of [
      ['GET', `/queue/token/${token}`],
      ['DELETE', `/queue/token/${token}`],
      ['GET', `/queue/TIMEDEAL/${id}/subscribe/${token}`],
    ] as const) {
      const res = await t.call(method, path);
      assert.equal(res.status, 400, `${method} ${path}: ${JSON.stringify(res.body)}`);
      assert.equal(codeOf(res), 'C002', `${method} ${path}`);
      assert.equal(res.body.error.details[0].field, 'entryToken');
      assert.equal(res.body.error.details[0].message, 'Entry token must be a lowercase UUID');
    }
  }
  // The entry is untouched by all of that.
  const own = await t.call('GET', `/queue/token/${mine}`);
  assert.equal(own.status, 200);
  assert.equal(own.body.data.status, 'WAITING');
});

test('eventType: letters and digits of any script joined by single _ . -; control characters, emoji, white space, `..` and key separators are 400 C002', async () => {
  const id = freshEvent();
  const body = { maxCapacity: 1, entryBatchSize: 1, entryIntervalSeconds: 1 };
  for (const good of ['TIMEDEAL', 'flash-sale.2026_03', '타임딜', 'A']) {
    const res = await t.call('POST', `/admin/queue/${encodeURIComponent(good)}/${id}/activate`, { token: t.adminToken, body });
    assert.equal(res.status, 200, `${good}: ${JSON.stringify(res.body)}`);
  }
  const bad = ['A\u0000B', '\u0000', 'A\tB', 'sale😀', '😀', 'a..b', '.a', 'a-', 'A B', ' A', 'a:b', 'a{b}', 'a/b', 'x'.repeat(51)];
  for (const type of bad) {
    // Dots escaped too, or a client would resolve a `..` segment before sending.
    const seg = encodeURIComponent(type).replace(/\./g, '%2E');
    for (const [method, path, opts] of [
      ['POST', `/admin/queue/${seg}/${id}/activate`, { token: t.adminToken, body }],
      ['POST', `/queue/${seg}/${id}/enter`, {}],
      ['GET', `/queue/${seg}/${id}/status`, {}],
    ] as const) {
      const res = await t.call(method, path, opts);
      assert.equal(res.status, 400, `${JSON.stringify(type)} ${method} ${path}: ${JSON.stringify(res.body)}`);
      assert.equal(codeOf(res), 'C002');
      assert.equal(res.body.error.details[0].field, 'eventType');
    }
  }
  const rows = await t.db.selectFrom('waiting_queues').select('event_type').where('event_id', '=', id).execute();
  assert.deepEqual(rows.map((r) => r.event_type).sort(), ['A', 'TIMEDEAL', 'flash-sale.2026_03', '타임딜'].sort());
  // A bare `..` or `.` segment is resolved by URL parsers before routing; raw
  // clients can still send one, and the pattern (compiled with `u`, as ajv does) refuses it.
  const pattern = new RegExp(EVENT_TYPE_PATTERN, 'u');
  for (const type of ['..', '.', '...']) assert.equal(pattern.test(type), false, type);
  assert.equal(pattern.test('타임딜'), true);
});

test('gating: S806 without an entry, S805 while waiting, pass when admitted or without an active queue', async () => {
  const id = freshEvent();
  await queue.assertAdmitted(TEST_USER_ID, 'TIMEDEAL', id); // no queue
  await activate('TIMEDEAL', id, { maxCapacity: 1, entryBatchSize: 1, entryIntervalSeconds: 1 });
  await expectCode(queue.assertAdmitted(TEST_USER_ID, 'TIMEDEAL', id), 'S806');
  await queue.enter(OTHER_USER_ID, 'TIMEDEAL', id);
  await queue.enter(TEST_USER_ID, 'TIMEDEAL', id);
  await expectCode(queue.assertAdmitted(TEST_USER_ID, 'TIMEDEAL', id), 'S805');
  await queue.process('TIMEDEAL', id); // admits OTHER
  await queue.assertAdmitted(OTHER_USER_ID, 'TIMEDEAL', id);
  await expectCode(queue.assertAdmitted(TEST_USER_ID, 'TIMEDEAL', id), 'S805');
  await queue.consume(OTHER_USER_ID, 'TIMEDEAL', id);
  await expectCode(queue.assertAdmitted(OTHER_USER_ID, 'TIMEDEAL', id), 'S806');
  await queue.process('TIMEDEAL', id); // admits TEST
  await queue.assertAdmitted(TEST_USER_ID, 'TIMEDEAL', id);
  // Another event's queue is another gate.
  await queue.assertAdmitted(TEST_USER_ID, 'TIMEDEAL', id + 100_000);
  await expectCode(queue.assertAdmitted(OTHER_USER_ID, 'TIMEDEAL', id), 'S806');
  await t.call('POST', `/admin/queue/TIMEDEAL/${id}/deactivate`, { token: t.adminToken });
  await queue.assertAdmitted(OTHER_USER_ID, 'TIMEDEAL', id);
});

test('deactivate: S801 for an unknown queue; WAITING → LEFT, ENTERED → EXPIRED, Redis keys gone; process is a no-op', async () => {
  const id = freshEvent();
  const unknown = await t.call('POST', `/admin/queue/TIMEDEAL/${id}/deactivate`, { token: t.adminToken });
  assert.equal(unknown.status, 404);
  assert.equal(codeOf(unknown), 'S801');
  assert.equal(codeOf(await t.call('POST', `/admin/queue/TIMEDEAL/${id}/process`, { token: t.adminToken })), 'S801');

  await activate('TIMEDEAL', id, { maxCapacity: 1, entryBatchSize: 1, entryIntervalSeconds: 1 });
  for (let i = 1; i <= 3; i++) await queue.enter(user(i), 'TIMEDEAL', id);
  const processed = await t.call('POST', `/admin/queue/TIMEDEAL/${id}/process`, { token: t.adminToken });
  assert.deepEqual(processed.body, { success: true });
  const off = await t.call('POST', `/admin/queue/TIMEDEAL/${id}/deactivate`, { token: t.adminToken });
  assert.equal(off.status, 200);
  assert.deepEqual((await dbEntries('TIMEDEAL', id)).map((r) => r.status), ['EXPIRED', 'LEFT', 'LEFT']);
  const keys = queueKeys('TIMEDEAL', id);
  assert.equal(await t.redis.exists(keys.waiting, keys.entered, keys.meta, keys.users), 0);
  assert.equal(codeOf(await t.call('POST', `/queue/TIMEDEAL/${id}/enter`)), 'S801');
  assert.equal(codeOf(await t.call('GET', `/queue/TIMEDEAL/${id}/status`)), 'S801');
  const noop = await t.call('POST', `/admin/queue/TIMEDEAL/${id}/process`, { token: t.adminToken });
  assert.equal(noop.status, 200);
  assert.equal((await t.call('POST', `/admin/queue/TIMEDEAL/${id}/deactivate`, { token: t.adminToken })).status, 200);

  // Re-activated: everyone may enter again.
  await activate('TIMEDEAL', id, { maxCapacity: 1, entryBatchSize: 1, entryIntervalSeconds: 1 });
  assert.equal((await queue.enter(user(2), 'TIMEDEAL', id)).position, 1);
});

test('repair rebuilds Redis from MySQL after the keys are wiped, and undoes an admission MySQL never saw', async () => {
  const id = freshEvent();
  await activate('REPAIR', id, { maxCapacity: 3, entryBatchSize: 2, entryIntervalSeconds: 1, entryTtlSeconds: 120 });
  const tokens: string[] = [];
  for (let i = 0; i < 6; i++) tokens.push((await queue.enter(user(i), 'REPAIR', id)).entryToken);
  await queue.process('REPAIR', id); // 0, 1 admitted
  await queue.leave(user(3), 'REPAIR', id);
  const keys = queueKeys('REPAIR', id);
  const enteredBefore = await t.redis.zrange(keys.entered, 0, -1, 'WITHSCORES');

  await t.redis.del(keys.waiting, keys.entered, keys.users, keys.meta, keys.ver);
  await queue.assertAdmitted(user(4), 'REPAIR', id); // fails open until repaired (documented)
  const [result] = (await queue.repair()).filter((r) => r.waitingAdded + r.enteredAdded > 0);
  assert.equal(result.waitingAdded, 3);
  assert.equal(result.enteredAdded, 2);
  assert.deepEqual(await t.redis.zrange(keys.waiting, 0, -1), [tokens[2], tokens[4], tokens[5]]);
  assert.deepEqual(await t.redis.zrange(keys.entered, 0, -1, 'WITHSCORES'), enteredBefore);
  await expectCode(queue.assertAdmitted(user(4), 'REPAIR', id), 'S805');
  await queue.assertAdmitted(user(0), 'REPAIR', id);
  assert.equal((await queue.tokenStatus(user(5), tokens[5])).position, 3);

  // A crash right after admit.lua: Redis admitted user 2, MySQL still says WAITING. MySQL wins.
  const { moved } = await new QueueRedis(t.redis).admit(keys, Date.now(), 120_000, 3, 1);
  assert.equal(moved[0].token, tokens[2]);
  const [fix] = (await queue.repair()).filter((r) => r.revertedToWaiting > 0);
  assert.equal(fix.revertedToWaiting, 1);
  assert.deepEqual(await t.redis.zrange(keys.waiting, 0, -1), [tokens[2], tokens[4], tokens[5]]);
  assert.equal(await t.redis.zcard(keys.entered), 2);
  // …and the next batch admits them again, in order.
  assert.deepEqual((await queue.process('REPAIR', id)).admitted, [tokens[2]]);

  // The job notices a queue whose keys are gone and reconciles it before admitting.
  await t.redis.del(keys.waiting, keys.entered, keys.users, keys.meta, keys.ver);
  await queue.runDueAdmissions();
  assert.deepEqual(await t.redis.zrange(keys.waiting, 0, -1), [tokens[4], tokens[5]]);
  assert.equal(await t.redis.zcard(keys.entered), 3);
});

test('a failed MySQL write after admit.lua puts the tokens back at the head of the line', async () => {
  const id = freshEvent();
  await activate('COMP', id, { maxCapacity: 5, entryBatchSize: 2, entryIntervalSeconds: 1 });
  const tokens: string[] = [];
  for (let i = 0; i < 3; i++) tokens.push((await queue.enter(user(i), 'COMP', id)).entryToken);
  const repo = (queue as unknown as { repo: { markEntered: (...a: unknown[]) => Promise<number> } }).repo;
  const original = repo.markEntered;
  repo.markEntered = async () => {
    throw new Error('database went away');
  };
  try {
    await assert.rejects(queue.process('COMP', id), /database went away/);
  } finally {
    repo.markEntered = original;
  }
  const keys = queueKeys('COMP', id);
  assert.deepEqual(await t.redis.zrange(keys.waiting, 0, -1), tokens);
  assert.equal(await t.redis.zcard(keys.entered), 0);
  assert.deepEqual((await queue.process('COMP', id)).admitted, tokens.slice(0, 2));
});

test('a reconcile that raced a deactivation does not bring the queue back', async () => {
  const id = freshEvent();
  await activate('RACE', id, { maxCapacity: 1, entryBatchSize: 1, entryIntervalSeconds: 1 });
  await queue.enter(user(1), 'RACE', id);
  const stale = await t.db.selectFrom('waiting_queues').selectAll().where('event_type', '=', 'RACE').where('event_id', '=', id).executeTakeFirstOrThrow();
  await queue.deactivate('RACE', id);
  // The job listed the queue as active just before; its reconcile runs after the deactivation.
  const resync = (queue as unknown as { resync(q: unknown, waitMs: number): Promise<unknown> }).resync.bind(queue);
  await resync(stale, 0);
  const keys = queueKeys('RACE', id);
  assert.equal(await t.redis.exists(keys.meta), 0);
  await queue.assertAdmitted(user(2), 'RACE', id); // no active queue: the gate stays open
});
