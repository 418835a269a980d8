import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { TestApp, until } from '../../../test/helpers';
import { KafkaMockCluster } from '../../../test/kafka/mock-cluster';
import { ancestors, startTracedApp, statementOf, type SpanRecord, type TracedApp } from '../../../test/traces';
import { API_PREFIX } from '../http/envelope';

/**
 * Tracing across Kafka (librdkafka's mock cluster, the traced child app with
 * its relay and consumers running): an order's event leaves in a send span
 * and is handled in a consumer span of the same trace, which reaches back to
 * the checkout through a link.
 */
const PRODUCER = 3;
const CONSUMER = 4;
const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const ADDRESS = { receiverName: '박카프카', receiverPhone: '010-2222-3333', zipCode: '13529', address1: '경기 성남시 분당구 판교역로 1' };

let cluster: KafkaMockCluster;
let t: TestApp;
let traced: TracedApp;

before(async () => {
  cluster = await KafkaMockCluster.start();
  t = await TestApp.start();
  traced = await startTracedApp({
    NODE_ENV: 'test',
    DATABASE_URL: t.config.databaseUrl,
    REDIS_KEY_PREFIX: t.config.redisKeyPrefix,
    PG_SUCCESS_RATE: '1',
    EVENT_BUS: 'kafka',
    KAFKA_BROKERS: cluster.brokers.join(','),
    KAFKA_GROUP_PREFIX: `test-${randomBytes(4).toString('hex')}.`,
    OUTBOX_POLL_MS: '100',
    CHILD_EVENTING: '1',
  });
});

after(async () => {
  await traced?.app.stop();
  await t?.close();
  await cluster?.stop();
});

test('an event sent through Kafka is consumed in a span under its send span, linked back to the checkout', async () => {
  const productId = (await t.services.products.create({ name: '카프카 스피커', price: 59000, stock: 5 }, 'test')).id;
  assert.equal((await t.call('POST', '/cart/items', { body: { productId, quantity: 1 } })).status, 200);
  const res = await fetch(`${traced.app.base}${API_PREFIX}/orders`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${t.userToken}`,
      'content-type': 'application/json',
      traceparent: `00-${CALLER_TRACE}-b7ad6b7169203331-01`,
    },
    body: JSON.stringify({ shippingAddress: ADDRESS }),
  });
  assert.equal(res.status, 201, await res.text());

  // The notification consumer handles order.created: wait for its span.
  const handled = (s: SpanRecord) => s.scope === 'shopping-service' && s.name === 'process shopping.order.created' && s.attributes['messaging.consumer.group.name'] === 'notification';
  let all: SpanRecord[] = [];
  await until(async () => (all = await traced.spans()).some(handled), 60_000, 'the notification consumer span');

  const checkout = all.filter((s) => s.traceId === CALLER_TRACE);
  const checkoutIds = new Set(checkout.map((s) => s.spanId));
  const publish = all.filter((s) => s.name === 'outbox publish' && s.links.some((l) => l.traceId === CALLER_TRACE));
  assert.equal(publish.length >= 1, true, 'a relay pass linked to the checkout');
  for (const p of publish) for (const l of p.links.filter((x) => x.traceId === CALLER_TRACE)) assert.ok(checkoutIds.has(l.spanId), 'the link names a span of the checkout');

  const process = all.find(handled)!;
  const chain = ancestors(process, all);
  const kafkaProcess = chain[0];
  assert.equal(kafkaProcess?.kind, CONSUMER, 'under the Kafka instrumentation’s process span');
  assert.equal(kafkaProcess?.name, 'process shopping.order.created');
  const send = chain.find((s) => s.kind === PRODUCER);
  assert.equal(send?.name, 'send shopping.order.created', 'which continues the send span');
  assert.ok(chain.some((s) => publish.includes(s)), 'which is part of the relay pass linked to the checkout');
  assert.equal(process.traceId, send!.traceId);

  // The consumer's SQL runs under its span.
  const sql = all.filter((s) => s.scope === '@opentelemetry/instrumentation-mysql2' && ancestors(s, all).includes(process));
  assert.ok(sql.some((s) => /insert into `notifications`/i.test(statementOf(s))), 'the notification INSERT under the consumer span');
});
