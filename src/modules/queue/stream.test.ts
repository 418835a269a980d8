import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { after, before, test } from 'node:test';
import { until, type TestApp } from '../../../test/helpers';
import { openSse, type SseFrame, type SseStream } from '../../../test/sse';
import { QueueRedis, queueKeys } from './redis';
import type { QueueOptions, QueueService } from './service';
import { startQueueApp } from './test-support';

const TICK_MS = 100;
let t: TestApp;
let queue: QueueService;
let another: (options?: QueueOptions) => QueueService;
let base: string;

before(async () => {
  const app = await startQueueApp({ tickMs: TICK_MS, heartbeatMs: 600, maxStreamMs: 60_000, missingGraceMs: 300, reconcileMs: 3_600_000 });
  t = app.t;
  queue = app.queue;
  another = (options) => app.another(options ?? { tickMs: TICK_MS, heartbeatMs: 600, maxStreamMs: 60_000, missingGraceMs: 300 });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
after(() => t.close());

/** Opens an SSE stream on this app (non-2xx answers: `frames` stays empty, body in `error`). */
function open(path: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return openSse(`${base}/api/v1/shopping${path}`, headers);
}

function openAt(prefix: string, path: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return openSse(`${prefix}${path}`, headers);
}

/**
 * Another app instance: a bare HTTP server whose one route opens streams
 * through the given QueueService (same MySQL, Redis and pub/sub, its own tickers).
 */
async function instance(service: QueueService) {
  const app = Fastify();
  app.get('/sub/:type/:id/:token', async (request, reply) => {
    const p = request.params as { type: string; id: string; token: string };
    await service.subscribe(request, reply, p.type, Number(p.id), p.token, undefined);
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    close: async () => {
      await service.close();
      await app.close();
    },
  };
}

let nextEvent = 5000;
const freshEvent = () => nextEvent++;
const user = (n: number) => `sse-user-${n}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function line(id: number, n: number, settings = { maxCapacity: 100, entryBatchSize: 1, entryIntervalSeconds: 2 }) {
  await queue.activate('TIMEDEAL', id, settings);
  const tokens: string[] = [];
  for (let i = 1; i <= n; i++) tokens.push((await queue.enter(user(i), 'TIMEDEAL', id)).entryToken);
  return tokens;
}

const isStatus = (position: number) => (f: SseFrame) => f.event === 'queue-status' && f.data.data.position === position;

/**
 * A settled stream's last two frames: a `queue-status` with the settled status
 * (what clients that listen only for `queue-status` act on), then the terminal
 * event with the same data.
 */
function assertSettledEnd(frames: SseFrame[], event: string, status: string): void {
  const [status1, terminal] = frames.slice(-2);
  assert.equal(status1.event, 'queue-status');
  assert.equal(status1.data.type, 'queue-status');
  assert.equal(status1.data.data.status, status);
  assert.equal(terminal.event, event);
  assert.equal(terminal.data.type, event);
  assert.deepEqual(terminal.data.data, status1.data.data);
}

test('on connect one queue-status, then a push each time the position changes, then queue-status ENTERED, queue-entered and the stream closes', async () => {
  const id = freshEvent();
  const tokens = await line(id, 4);
  const s = await open(`/queue/TIMEDEAL/${id}/subscribe/${tokens[3]}`);
  try {
    assert.equal(s.res.statusCode, 200);
    assert.match(String(s.res.headers['content-type']), /^text\/event-stream/);
    const first = await s.next((f) => f.event === 'queue-status');
    assert.deepEqual(first.data.data, {
      entryToken: tokens[3],
      status: 'WAITING',
      position: 4,
      estimatedWaitSeconds: 8,
      totalWaiting: 4,
      message: '현재 4번째 대기 중입니다. 예상 대기 시간: 8초',
    });
    assert.equal(first.data.type, 'queue-status');
    assert.match(first.data.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(Object.keys(first.data), ['type', 'data', 'timestamp']);

    // People ahead leave mid-line and at the head: positions follow.
    await queue.leave(user(2), 'TIMEDEAL', id);
    const three = await s.next(isStatus(3));
    assert.equal(three.data.data.totalWaiting, 3);
    assert.equal(three.data.data.estimatedWaitSeconds, 6);
    await queue.process('TIMEDEAL', id); // user 1 in
    await s.next(isStatus(2));
    await queue.process('TIMEDEAL', id); // user 3 in
    await s.next(isStatus(1));
    // One push per change (heartbeats repeat a position; nothing else is sent).
    const positions = s.frames.filter((f) => f.event === 'queue-status').map((f) => f.data.data.position);
    assert.deepEqual(positions.filter((p, i) => p !== positions[i - 1]), [4, 3, 2, 1]);

    const admitted = await queue.process('TIMEDEAL', id);
    assert.deepEqual(admitted.admitted, [tokens[3]]);
    const entered = await s.next((f) => f.event === 'queue-entered');
    assert.ok(entered.at - admitted.movedAt < 1000);
    assert.deepEqual(entered.data.data, {
      entryToken: tokens[3],
      status: 'ENTERED',
      position: 0,
      estimatedWaitSeconds: 0,
      totalWaiting: 0,
      message: '입장이 완료되었습니다.',
    });
    assert.equal(entered.data.type, 'queue-entered');
    await s.ended;
    assert.equal(s.frames.at(-1), entered);
    // Right before it, a queue-status with the same data: a client listening only for queue-status moves on too.
    assertSettledEnd(s.frames, 'queue-entered', 'ENTERED');
    assert.ok(s.frames.slice(0, -2).every((f) => f.event === 'queue-status' && f.data.data.status === 'WAITING'));
  } finally {
    s.close();
  }
});

test('heartbeats: an unchanged position is sent again at least every heartbeat period', async () => {
  const id = freshEvent();
  const tokens = await line(id, 2);
  const s = await open(`/queue/TIMEDEAL/${id}/subscribe/${tokens[1]}`);
  try {
    await s.next(isStatus(2));
    const since = Date.now();
    // A second, unchanged status arrives by the heartbeat (600 ms), never a flood of them.
    await s.next((f) => f.event === 'queue-status' && s.frames.filter((x) => x.event === 'queue-status').length >= 2);
    await sleep(1200);
    const statuses = s.frames.filter((f) => f.event === 'queue-status');
    const elapsed = Date.now() - since;
    assert.ok(statuses.length >= 2, `${statuses.length} frames`);
    assert.ok(statuses.length <= Math.ceil(elapsed / 600) + 2, `${statuses.length} frames in ${elapsed} ms`);
    assert.ok(statuses.every((f) => f.data.data.position === 2));
  } finally {
    s.close();
  }
});

test('the same token subscribing again closes the first stream', async () => {
  const id = freshEvent();
  const tokens = await line(id, 2);
  const first = await open(`/queue/TIMEDEAL/${id}/subscribe/${tokens[0]}`);
  await first.next(isStatus(1));
  const second = await open(`/queue/TIMEDEAL/${id}/subscribe/${tokens[0]}`);
  let other: Awaited<ReturnType<typeof instance>> | undefined;
  try {
    await second.next(isStatus(1));
    await first.ended;
    assert.equal(first.frames.filter((f) => f.event !== 'queue-status').length, 0);
    // …also when the new stream is opened on another instance.
    other = await instance(another());
    const third = await openAt(other.url, `/sub/TIMEDEAL/${id}/${tokens[1]}`);
    const fourth = await openAt(other.url, `/sub/TIMEDEAL/${id}/${tokens[1]}`);
    await fourth.next(isStatus(2));
    await third.ended;
    const mine = await open(`/queue/TIMEDEAL/${id}/subscribe/${tokens[1]}`);
    await mine.next(isStatus(2));
    await fourth.ended;
    mine.close();
    await other.close();
    other = undefined;
    await queue.process('TIMEDEAL', id);
    const entered = await second.next((f) => f.event === 'queue-entered');
    assert.equal(entered.data.data.entryToken, tokens[0]);
    await second.ended;
  } finally {
    first.close();
    second.close();
    await other?.close();
  }
});

test('a replace notice that arrives late (its stream opened before this one) leaves the stream open; a newer one closes it', async () => {
  const id = freshEvent();
  const [token] = await line(id, 1);
  const mine = await open(`/queue/TIMEDEAL/${id}/subscribe/${token}`);
  try {
    await mine.next(isStatus(1));
    const channel = (t.redis.options.keyPrefix ?? '') + queueKeys('TIMEDEAL', id).channel;
    const [sec, usec] = await t.redis.time();
    const now = Number(sec) * 1_000_000 + Number(usec); // Redis' clock, as the notices are stamped
    const notice = (opened: number) => t.redis.publish(channel, JSON.stringify({ replace: token, by: 'another-instance', opened: String(opened) }));
    const stillOpen = () => Promise.race([mine.ended.then(() => false), sleep(300).then(() => true)]);
    await notice(now - 2_000_000); // a stream opened 2 s earlier elsewhere, heard only now
    assert.equal(await stillOpen(), true);
    await notice(now + 1);
    await mine.ended;
  } finally {
    mine.close();
  }
});

test('before the stream opens: S803 for an unknown token or another queue\'s, S807 for another user\'s JWT, C005 for a bad one', async () => {
  const id = freshEvent();
  const tokens = await line(id, 1);
  const unknown = await open(`/queue/TIMEDEAL/${id}/subscribe/f47ac10b-58cc-4372-a567-0e02b2c3d479`);
  assert.equal(unknown.res.statusCode, 404);
  assert.equal(unknown.error.error.code, 'S803');
  const elsewhere = await open(`/queue/TIMEDEAL/${id + 1}/subscribe/${tokens[0]}`);
  assert.equal(elsewhere.error.error.code, 'S803');
  const stranger = await open(`/queue/TIMEDEAL/${id}/subscribe/${tokens[0]}`, { authorization: `Bearer ${t.otherToken}` });
  assert.equal(stranger.res.statusCode, 403);
  assert.equal(stranger.error.error.code, 'S807');
  const bad = await open(`/queue/TIMEDEAL/${id}/subscribe/${tokens[0]}`, { authorization: 'Bearer nonsense' });
  assert.equal(bad.res.statusCode, 401);
  assert.equal(bad.error.error.code, 'C005');

  const owner = await open(`/queue/TIMEDEAL/${id}/subscribe/${tokens[0]}`, { authorization: `Bearer ${await t.token(user(1))}` });
  try {
    await owner.next(isStatus(1));
  } finally {
    owner.close();
  }
});

test('an entry that is no longer WAITING gets a queue-status with its status and its terminal event right away, then the stream closes', async () => {
  const id = freshEvent();
  const tokens = await line(id, 3);
  await queue.process('TIMEDEAL', id); // user 1 ENTERED
  await queue.leave(user(2), 'TIMEDEAL', id); // user 2 LEFT
  await queue.consume(user(1), 'TIMEDEAL', id); // user 1 EXPIRED
  const cases: [string, string, string][] = [
    [tokens[0], 'queue-expired', 'EXPIRED'],
    [tokens[1], 'queue-left', 'LEFT'],
  ];
  for (const [token, event, status] of cases) {
    const s = await open(`/queue/TIMEDEAL/${id}/subscribe/${token}`);
    await s.ended;
    assert.equal(s.frames.length, 2);
    assertSettledEnd(s.frames, event, status);
  }
  // Admitted between two connects (the buyer's EventSource reconnecting): the next connect tells them at once.
  await queue.process('TIMEDEAL', id); // user 3 ENTERED
  const s = await open(`/queue/TIMEDEAL/${id}/subscribe/${tokens[2]}`);
  await s.ended;
  assert.deepEqual(s.frames.map((f) => f.event), ['queue-status', 'queue-entered']);
  assertSettledEnd(s.frames, 'queue-entered', 'ENTERED');
  assert.deepEqual(s.frames[0].data.data, {
    entryToken: tokens[2],
    status: 'ENTERED',
    position: 0,
    estimatedWaitSeconds: 0,
    totalWaiting: 0,
    message: '입장이 완료되었습니다.',
  });
});

test('leaving ends the stream with queue-left; deactivation ends every stream of the queue', async () => {
  const id = freshEvent();
  const tokens = await line(id, 3);
  const streams = await Promise.all(tokens.map((tk) => open(`/queue/TIMEDEAL/${id}/subscribe/${tk}`)));
  try {
    await Promise.all(streams.map((s, i) => s.next(isStatus(i + 1))));
    await queue.leave(user(1), 'TIMEDEAL', id);
    const left = await streams[0].next((f) => f.event === 'queue-left');
    assert.equal(left.data.data.message, '대기열에서 나갔습니다.');
    await streams[0].ended;
    assertSettledEnd(streams[0].frames, 'queue-left', 'LEFT');
    await streams[2].next(isStatus(2));
    await queue.deactivate('TIMEDEAL', id);
    for (const s of streams.slice(1)) {
      await s.next((f) => f.event === 'queue-left');
      await s.ended;
      assertSettledEnd(s.frames, 'queue-left', 'LEFT');
    }
  } finally {
    for (const s of streams) s.close();
  }
});

test('admissions by another instance reach this instance\'s streams through pub/sub, sub-second', async () => {
  const id = freshEvent();
  const tokens = await line(id, 30, { maxCapacity: 100, entryBatchSize: 10, entryIntervalSeconds: 1 });
  const streams = await Promise.all(tokens.map((tk) => open(`/queue/TIMEDEAL/${id}/subscribe/${tk}`)));
  try {
    await Promise.all(streams.map((s, i) => s.next(isStatus(i + 1))));
    // One ticker for the whole queue, however many streams (earlier tests' queues stop theirs within a tick).
    await until(() => queue.streams.tickers === 1, 2000, 'one ticker');
    assert.equal(queue.streams.size, 30);
    const other = another();
    const batch = await other.process('TIMEDEAL', id);
    assert.equal(batch.admitted.length, 10);
    for (const s of streams.slice(0, 10)) {
      const f = await s.next((fr) => fr.event === 'queue-entered');
      assert.ok(f.at - batch.movedAt < 1000, `${f.at - batch.movedAt} ms`);
      assertSettledEnd(s.frames, 'queue-entered', 'ENTERED');
    }
    await Promise.all(streams.slice(10).map((s, i) => s.next(isStatus(i + 1))));
    // The job on the other instance, too.
    await sleep(1000);
    await other.runDueAdmissions();
    for (const s of streams.slice(10, 20)) await s.next((fr) => fr.event === 'queue-entered');
  } finally {
    for (const s of streams) s.close();
  }
  for (let i = 0; i < 50 && queue.streams.size > 0; i++) await sleep(20);
  assert.equal(queue.streams.size, 0);
  // With no local subscriber left, the ticker stops and the channel is released.
  for (let i = 0; i < 50 && queue.streams.tickers > 0; i++) await sleep(20);
  assert.equal(queue.streams.tickers, 0);
});

test('a missed admission notice is caught by the ticker from MySQL', async () => {
  const id = freshEvent();
  const tokens = await line(id, 2);
  const s = await open(`/queue/TIMEDEAL/${id}/subscribe/${tokens[0]}`);
  try {
    await s.next(isStatus(1));
    // Admit behind the streams' back: Redis move + MySQL update, no pub/sub message.
    await new QueueRedis(t.redis).admit(queueKeys('TIMEDEAL', id), Date.now(), 60_000, 100, 1);
    await t.db.updateTable('queue_entries').set({ status: 'ENTERED', entered_at: new Date(), expires_at: new Date(Date.now() + 60_000) }).where('entry_token', '=', tokens[0]).execute();
    await s.next((f) => f.event === 'queue-entered', 3000);
    await s.ended;
    assertSettledEnd(s.frames, 'queue-entered', 'ENTERED');
  } finally {
    s.close();
  }
});

test('streams end at the time limit with a last queue-status', async () => {
  const id = freshEvent();
  const tokens = await line(id, 1);
  const limited = await instance(another({ tickMs: TICK_MS, heartbeatMs: 10_000, maxStreamMs: 400 }));
  try {
    const s = await openAt(limited.url, `/sub/TIMEDEAL/${id}/${tokens[0]}`);
    await s.ended;
    assert.deepEqual(
      s.frames.map((f) => [f.event, f.data.data.position]),
      [
        ['queue-status', 1],
        ['queue-status', 1],
      ],
    );
    assert.ok(s.frames[1].at - s.frames[0].at >= 380);
  } finally {
    await limited.close();
  }
});

test('on shutdown every stream gets a final queue-status, then closes', async () => {
  const id = freshEvent();
  const tokens = await line(id, 2);
  const streams = await Promise.all(tokens.map((tk) => open(`/queue/TIMEDEAL/${id}/subscribe/${tk}`)));
  await Promise.all(streams.map((s, i) => s.next(isStatus(i + 1))));
  const before = streams.map((s) => s.frames.length);
  t.infra.sse.closeAll();
  for (const [i, s] of streams.entries()) {
    await s.ended;
    assert.equal(s.frames.length, before[i] + 1);
    const last = s.frames.at(-1)!;
    assert.equal(last.event, 'queue-status');
    assert.equal(last.data.data.position, i + 1);
  }
});
