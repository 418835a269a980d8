import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';

export type { Redis } from 'ioredis';

/** How long a Redis client waits before it calls the server unreachable. */
export interface RedisTimeouts {
  /** TCP connect (and each reconnect attempt). */
  connectTimeoutMs?: number;
  /** A command's reply (a server that accepts but does not answer). */
  commandTimeoutMs?: number;
}

/**
 * Options that make a client fail fast while Redis is down, instead of holding
 * commands until some other timeout fires: no command is retried on a new
 * connection (those in flight when it drops fail at once: a Lua step is
 * never applied twice), and once the client has been connected a command
 * sent while it is disconnected fails at once (see `failFastOnceReady`).
 * Reconnects are tried every 100 ms…1 s, forever.
 */
export function failFastOptions(timeouts: RedisTimeouts = {}): RedisOptions {
  return {
    connectTimeout: timeouts.connectTimeoutMs ?? 3000,
    commandTimeout: timeouts.commandTimeoutMs ?? 3000,
    maxRetriesPerRequest: 0,
    // Queued only until the first connection: commands sent at start-up wait for it.
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 100, 1000),
  };
}

/** After the client's first `ready`, commands sent while it is disconnected are rejected instead of queued. */
export function failFastOnceReady(client: Redis): Redis {
  client.once('ready', () => {
    client.options.enableOfflineQueue = false;
  });
  return client;
}

/**
 * One ioredis client. `keyPrefix` is applied by ioredis to every key, including
 * Lua KEYS; pub/sub channels are not keys, so `channel()` prefixes those.
 * Give it an 'error' listener (`DependencyMonitor.watchRedis`): without one,
 * each failed reconnect is printed as an unhandled error event.
 */
export function createRedis(url: string, keyPrefix = '', name = 'main', timeouts: RedisTimeouts = {}): Redis {
  return failFastOnceReady(
    new Redis(url, {
      ...failFastOptions(timeouts),
      keyPrefix,
      connectionName: `shop-${name}`,
      lazyConnect: false,
    }),
  );
}

/** A pub/sub channel name under the same prefix as our keys. */
export function channel(prefix: string, name: string): string {
  return prefix + name;
}

/** Deletes every key under a prefix (tests; never FLUSHALL a shared Redis). */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<void> {
  if (!prefix) throw new Error('refusing to delete keys without a prefix');
  const raw = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  raw.on('error', () => undefined); // the first failing command says it
  try {
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await raw.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    raw.disconnect();
  }
}

/**
 * Registers a Lua file as a named ioredis command. The file's header must hold
 * a line `-- keys: N` (the number of KEYS), beside its KEYS/ARGV/returns notes.
 */
export function defineLuaCommand(redis: Redis, name: string, file: URL): void {
  const lua = readFileSync(file, 'utf8');
  const match = /^--\s*keys:\s*(\d+)\s*$/m.exec(lua);
  if (!match) throw new Error(`${file.pathname}: header needs a "-- keys: N" line`);
  redis.defineCommand(name, { numberOfKeys: Number(match[1]), lua });
}
