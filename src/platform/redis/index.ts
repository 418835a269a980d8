import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';

export type { Redis } from 'ioredis';

/**
 * One ioredis client. `keyPrefix` is applied by ioredis to every key, including
 * Lua KEYS; pub/sub channels are not keys, so `channel()` prefixes those.
 */
export function createRedis(url: string, keyPrefix = '', name = 'main'): Redis {
  return new Redis(url, {
    keyPrefix,
    connectionName: `shop-${name}`,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    lazyConnect: false,
  });
}

/** A pub/sub channel name under the same prefix as our keys. */
export function channel(prefix: string, name: string): string {
  return prefix + name;
}

/** Deletes every key under a prefix (tests; never FLUSHALL a shared Redis). */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<void> {
  if (!prefix) throw new Error('refusing to delete keys without a prefix');
  const raw = new Redis(url, { lazyConnect: false });
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
