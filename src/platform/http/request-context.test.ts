import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { TestApp } from '../../../test/helpers';
import { baseLogger, ContextLogger, currentWork, outgoingTraceHeaders, parseTraceparent, runInContext } from '../context';
import { inTransaction } from '../db/tx';
import { emit, Topics } from '../events/outbox';
import { requestContextPlugin, requestLogger } from './request-context';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** A service as the app builds them: it holds the process logger and is never handed a request. */
class Service {
  constructor(private readonly log: FastifyBaseLogger) {}

  async work(n: number): Promise<void> {
    await sleep(5 + (n % 3) * 5); // interleave the concurrent requests
    await new Promise((resolve) => setImmediate(resolve));
    this.log.info({ n }, 'service line');
    this.log.child({ part: 'inner' }).info({ n }, 'child line');
  }
}

function slowBody(text: string): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async pull(controller) {
      await sleep(20);
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });
}

function capture() {
  const lines: Record<string, any>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, log: new ContextLogger(pino({ level: 'info' }, stream)) };
}

test('every line a service logs while serving a request carries its request id and trace id, body or not', async () => {
  const { lines, log } = capture();
  const service = new Service(log);
  const app = Fastify({
    loggerInstance: baseLogger(log),
    childLoggerFactory: requestLogger,
    genReqId: (req) => String(req.headers['x-request-id']),
  });
  await app.register(requestContextPlugin);
  // An async hook before the handler logs through the same logger.
  app.addHook('preHandler', async () => log.info('hook line'));
  app.post('/work/:n', async (request) => {
    await service.work(Number((request.params as { n: string }).n));
    return { body: request.body };
  });
  app.get('/work/:n', async (request) => {
    await service.work(Number((request.params as { n: string }).n));
    return {};
  });

  log.info('outside any request');
  // Over real sockets: a body arrives in the socket's async context, not the request's.
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        fetch(`${base}/work/${n}`, {
          method: n % 2 ? 'POST' : 'GET',
          headers: {
            'x-request-id': `req-${n}`,
            ...(n === 7 ? { traceparent: TRACEPARENT } : {}),
            ...(n % 2 ? { 'content-type': 'application/json' } : {}),
          },
          // The body comes after the headers, in a later packet.
          ...(n % 2 ? { body: slowBody(JSON.stringify({ n })), duplex: 'half' } : {}),
        } as RequestInit),
      ),
    );
    for (const res of responses) assert.equal(res.status, 200);
  } finally {
    await app.close();
  }

  assert.equal(lines.find((l) => l.msg === 'outside any request')?.reqId, undefined);
  for (const msg of ['service line', 'child line', 'hook line']) {
    const mine = lines.filter((l) => l.msg === msg);
    assert.equal(mine.length, 30, msg);
    for (const line of mine) assert.match(line.traceId, /^[0-9a-f]{32}$/);
  }
  for (const line of lines.filter((l) => l.msg === 'service line' || l.msg === 'child line')) {
    assert.equal(line.reqId, `req-${line.n}`, `line of request ${line.n} (${line.msg})`);
  }
  assert.ok(lines.filter((l) => l.msg === 'child line').every((l) => l.part === 'inner'));
  // The caller's trace is continued; requests without one get a trace each.
  const traced = lines.filter((l) => l.msg === 'service line');
  assert.equal(traced.find((l) => l.n === 7)!.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
  assert.equal(new Set(traced.map((l) => l.traceId)).size, 30);
});

test('traceparent: valid ones are taken, malformed ones ignored', () => {
  assert.equal(parseTraceparent(TRACEPARENT), TRACEPARENT);
  assert.equal(parseTraceparent(` ${TRACEPARENT} `), TRACEPARENT);
  // A later version is read by its first four fields.
  assert.equal(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra'), TRACEPARENT);
  for (const bad of [
    undefined,
    '',
    'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
    '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra',
    '00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01',
  ]) {
    assert.equal(parseTraceparent(bad), undefined, String(bad));
  }
  assert.equal(currentWork(), undefined);
  assert.equal(outgoingTraceHeaders(), undefined);
});

let t: TestApp;
before(async () => {
  t = await TestApp.start();
});
after(() => t.close());

test("a request's traceparent goes into the headers of the events it emits, and on to their consumers", async () => {
  const res = await t.call('POST', '/admin/products', {
    token: t.adminToken,
    headers: { traceparent: TRACEPARENT },
    body: { name: '추적 테스트 상품', price: 1000, stock: 5 },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const rows = await t.db.selectFrom('outbox_events').select(['topic', 'headers']).execute();
  assert.ok(rows.length > 0);
  for (const row of rows) assert.deepEqual(JSON.parse(row.headers!), { traceparent: TRACEPARENT }, row.topic);

  // Without a traceparent the request's own new trace is handed on.
  const before = rows.length;
  const other = await t.call('POST', '/admin/products', { token: t.adminToken, body: { name: '두 번째 상품', price: 2000, stock: 1 } });
  assert.equal(other.status, 201);
  const fresh = (await t.db.selectFrom('outbox_events').select(['headers', 'id']).orderBy('id').execute()).slice(before);
  assert.ok(fresh.length > 0);
  const traceIds = new Set(fresh.map((r) => parseTraceparent(JSON.parse(r.headers!).traceparent)!.slice(3, 35)));
  assert.equal(traceIds.size, 1);
  assert.ok(!traceIds.has('4bf92f3577b34da6a3ce929d0e0e4736'));

  // The relay hands the headers to the broker with the event; the consumer runs in that trace.
  const seen: { header?: string; work?: string }[] = [];
  t.infra.eventing.register({
    name: 'trace-probe',
    topics: ['shopping.product.changed'],
    handle: async (_trx, event) => void seen.push({ header: event.headers?.traceparent, work: currentWork()?.traceparent }),
  });
  await t.infra.eventing.relay.flush();
  assert.ok(seen.some((s) => s.header === TRACEPARENT), JSON.stringify(seen));

  // An event delivered on its own: its consumer's work continues the event's trace (and so would its events).
  seen.length = 0;
  const single = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  await runInContext({ log: t.infra.log, traceparent: single }, () =>
    inTransaction(t.db, (trx) => emit(trx, Topics.PRODUCT_CHANGED, '999', { productId: 999, change: 'DELETED' })),
  );
  await t.infra.eventing.relay.flush();
  assert.deepEqual(seen, [{ header: single, work: single }]);
});

test('a scheduled job runs as work of its own: its lines name the job, its events carry a trace', async () => {
  let work: ReturnType<typeof currentWork>;
  const ran = await t.infra.scheduler.runOnce({
    name: 'trace-probe-job',
    intervalMs: 60_000,
    run: async () => {
      work = currentWork();
      await inTransaction(t.db, (trx) => emit(trx, Topics.PRODUCT_CHANGED, '998', { productId: 998, change: 'DELETED' }));
    },
  });
  assert.equal(ran, true);
  assert.ok(work);
  const bindings = (work.log as unknown as { bindings(): Record<string, unknown> }).bindings();
  assert.equal(bindings.job, 'trace-probe-job');
  assert.equal(bindings.traceId, parseTraceparent(work.traceparent)!.slice(3, 35));
  const row = await t.db.selectFrom('outbox_events').select('headers').where('event_key', '=', '998').executeTakeFirstOrThrow();
  assert.deepEqual(JSON.parse(row.headers!), { traceparent: work.traceparent });
});
