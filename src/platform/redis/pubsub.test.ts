/**
 * The process's one subscriber connection across Redis restarts, on a private
 * redis-server that the test kills and starts again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Redis as IORedis } from 'ioredis';
import { until } from '../../../test/helpers';
import { startRedis, type PrivateServer } from '../../../test/servers';
import { createRedis, type Redis } from './index';
import { PubSub } from './pubsub';

describe('pub/sub across a Redis restart', () => {
  let server: PrivateServer;
  let publisher: Redis;
  let pubsub: PubSub;

  before(async () => {
    server = await startRedis();
    publisher = createRedis(server.url, '', 'test-publisher', { commandTimeoutMs: 1000 });
    publisher.on('error', () => undefined);
    pubsub = new PubSub(server.url, 'test:', publisher, { commandTimeoutMs: 1000 });
  });
  after(async () => {
    await pubsub?.close();
    publisher?.disconnect();
    await server?.dispose();
  });

  test('listeners hear their channels again; the connection lost again the moment it is ready leaves nothing unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const heard: string[] = [];
      await pubsub.subscribe(['news', 'deals'], (message) => heard.push(message));
      const hears = (message: string) =>
        until(
          async () => {
            await publisher.publish('test:news', message).catch(() => undefined);
            return heard.includes(message);
          },
          10_000,
          `"${message}" to be heard`,
        );
      await hears('before');

      await server.kill();
      // Redis dies again just as the reconnected subscriber's ready check is answered: the
      // connection is gone by the time the client turns ready and subscribes its channels again.
      const subscriber = (pubsub as unknown as { subscriber: IORedis }).subscriber;
      const info = subscriber.info.bind(subscriber);
      let cut = false;
      const readyCheck = (done: (err: Error | null, reply?: string) => void) =>
        info().then(
          (reply) => {
            if (!cut) subscriber.stream.destroy();
            cut = true;
            done(null, reply);
          },
          (err: Error) => done(err),
        );
      subscriber.info = readyCheck as unknown as IORedis['info'];
      await server.restart();
      await hears('after');
      assert.equal(cut, true);
      await new Promise((r) => setTimeout(r, 100)); // a rejection left unhandled surfaces by now
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
