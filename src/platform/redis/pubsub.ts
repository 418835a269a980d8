import { DependencyUnavailable } from '../dependencies';
import { connectRedis, failFastOnceReady, failFastOptions, isCluster, type Redis, type RedisConnection, type RedisTimeouts } from './index';

type Listener = (message: string) => void;

/**
 * Redis pub/sub for the whole process: one subscriber connection, with local
 * fan-out to any number of listeners, so a thousand SSE clients cost one
 * SUBSCRIBE per channel, not one connection each. Channel names get the key prefix.
 * On a Redis Cluster a PUBLISH on any node reaches subscribers on every node, so
 * the one subscriber connection (to a node the client picks, another when that
 * one goes) hears every instance's messages.
 */
export class PubSub {
  private subscriber?: Redis;
  private readonly listeners = new Map<string, Set<Listener>>();
  /** Channel → its SUBSCRIBE in flight, so a second listener also waits for Redis' confirmation. */
  private readonly confirmed = new Map<string, Promise<unknown>>();

  constructor(
    private readonly conn: RedisConnection | string,
    private readonly prefix: string,
    private readonly publisher: Redis,
    private readonly timeouts: RedisTimeouts = {},
  ) {}

  private connection(): Redis {
    if (!this.subscriber) {
      // Once connected, a SUBSCRIBE while Redis is down fails at once (503 for the stream that
      // asked). Unlike the main client, commands in flight are kept for the next connection and
      // have no timeout. The channels are subscribed again here after a reconnect, not by ioredis:
      // its own re-subscribe is a command nobody awaits, so Redis gone again at that moment made
      // it an unhandled rejection. (A Cluster's subscriber connection is ioredis' own, and does
      // handle its re-subscribe.)
      const client = failFastOnceReady(
        connectRedis(this.conn, {
          ...failFastOptions(this.timeouts),
          maxRetriesPerRequest: null,
          commandTimeout: undefined,
          connectionName: 'shop-subscriber',
          autoResubscribe: false,
        }),
      );
      if (!isCluster(client)) {
        let readyBefore = false;
        client.on('ready', () => {
          const channels = [...this.listeners.keys()];
          if (readyBefore && channels.length > 0) {
            // Failing means the connection went again: the next 'ready' tries again.
            client.subscribe(...channels).catch(() => undefined);
          }
          readyBefore = true;
        });
      }
      this.subscriber = client;
      this.subscriber.on('message', (channel: string, message: string) => {
        const set = this.listeners.get(channel);
        if (!set) return;
        for (const listener of set) listener(message);
      });
      this.subscriber.on('error', () => undefined); // ioredis reconnects by itself; the main client logs the outage
    }
    return this.subscriber;
  }

  async publish(name: string, message: string): Promise<void> {
    await this.publisher.publish(this.prefix + name, message);
  }

  /** Resolves once Redis confirmed the subscription; returns the unsubscribe function. */
  async subscribe(names: string[], listener: Listener): Promise<() => void> {
    const fresh: string[] = [];
    for (const name of names) {
      const channel = this.prefix + name;
      let set = this.listeners.get(channel);
      if (!set) {
        set = new Set();
        this.listeners.set(channel, set);
        fresh.push(channel);
      }
      set.add(listener);
    }
    if (fresh.length > 0) {
      const done = this.connection().subscribe(...fresh);
      for (const channel of fresh) this.confirmed.set(channel, done);
    }
    let timer: NodeJS.Timeout | undefined;
    const waitMs = this.timeouts.commandTimeoutMs ?? 3000;
    try {
      await Promise.race([
        Promise.all(names.map((name) => this.confirmed.get(this.prefix + name))),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new DependencyUnavailable('redis', `no SUBSCRIBE confirmation within ${waitMs} ms`)), waitMs);
        }),
      ]);
    } catch (err) {
      // Not subscribed: forget the channels, so the next listener sends SUBSCRIBE again.
      for (const name of names) {
        const channel = this.prefix + name;
        this.listeners.get(channel)?.delete(listener);
        if (this.listeners.get(channel)?.size === 0) this.listeners.delete(channel);
        this.confirmed.delete(channel);
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return () => {
      const gone: string[] = [];
      for (const name of names) {
        const channel = this.prefix + name;
        const set = this.listeners.get(channel);
        if (!set) continue;
        set.delete(listener);
        if (set.size === 0) {
          this.listeners.delete(channel);
          this.confirmed.delete(channel);
          gone.push(channel);
        }
      }
      if (gone.length > 0 && this.subscriber) this.subscriber.unsubscribe(...gone).catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.confirmed.clear();
    if (this.subscriber) {
      this.subscriber.disconnect();
      this.subscriber = undefined;
    }
  }
}
