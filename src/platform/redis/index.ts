import { readFileSync } from 'node:fs';
import { Cluster, Redis as Server, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Config } from '../../config';

/**
 * A client of one Redis server, of a Sentinel group's master, or of a Redis
 * Cluster: the same commands on each. On a Cluster every command, script and
 * MULTI must keep its keys in one slot (our keys carry hash tags for that).
 */
export type Redis = Server | Cluster;

/**
 * Where Redis is. `url` names one server; with `clusterNodes` (seed nodes,
 * `host:port`) or `sentinels` + `sentinelName`, only its user name, password,
 * database and `rediss:` (TLS) are used, for every data node.
 */
export interface RedisConnection {
  url: string;
  clusterNodes?: string[];
  sentinels?: string[];
  sentinelName?: string;
  sentinelPassword?: string;
}

/** The connection the configuration names. */
export function redisConnection(config: Pick<Config, 'redisUrl' | 'redisClusterNodes' | 'redisSentinels' | 'redisSentinelName' | 'redisSentinelPassword'>): RedisConnection {
  return {
    url: config.redisUrl,
    clusterNodes: config.redisClusterNodes,
    sentinels: config.redisSentinels,
    sentinelName: config.redisSentinelName,
    sentinelPassword: config.redisSentinelPassword,
  };
}

export function isCluster(redis: Redis): redis is Cluster {
  return redis.isCluster;
}

function hostPort(item: string): { host: string; port: number } {
  const at = item.lastIndexOf(':');
  return { host: item.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(item.slice(at + 1)) };
}

/** The URL's credentials, database and TLS, for nodes found through Sentinel or Cluster. */
function urlAuth(url: string): RedisOptions {
  const u = new URL(url);
  const db = Number(u.pathname.slice(1));
  return {
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db > 0 ? { db } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * A client for `conn` with these options: a `Redis` for one server or a
 * Sentinel group, a `Cluster` for a cluster (whose nodes get the options, and
 * which keeps the key prefix itself).
 */
export function connectRedis(conn: RedisConnection | string, options: RedisOptions): Redis {
  const c: RedisConnection = typeof conn === 'string' ? { url: conn } : conn;
  if (c.clusterNodes?.length) {
    const { keyPrefix, retryStrategy, enableOfflineQueue, ...node } = options;
    const clusterOptions: ClusterOptions = {
      keyPrefix,
      enableOfflineQueue,
      clusterRetryStrategy: retryStrategy ? (times) => retryStrategy(times) : undefined,
      // A command in flight when its node's connection closed may have run: never sent again
      // (as with one server). MOVED, ASK, TRYAGAIN and CLUSTERDOWN replies ran nothing: those retry.
      retryDelayOnFailover: 0,
      slotsRefreshTimeout: options.connectTimeout,
      redisOptions: { ...urlAuth(c.url), ...node, db: 0 },
    };
    return new Cluster(c.clusterNodes.map(hostPort), clusterOptions);
  }
  if (c.sentinels?.length) {
    return new Server({
      ...urlAuth(c.url),
      ...options,
      sentinels: c.sentinels.map(hostPort),
      name: c.sentinelName,
      sentinelPassword: c.sentinelPassword,
      sentinelRetryStrategy: options.retryStrategy ?? undefined,
      // Told of a failover by the Sentinels (+switch-master): reconnect to the new master at once,
      // not only when the old one is demoted (until then it would still take writes, to be lost).
      failoverDetector: true,
      // A master demoted by a failover refuses writes: reconnect, asking the Sentinels for the new
      // one (the command that saw READONLY fails and is not resent).
      reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 1 : false),
    });
  }
  return new Server(c.url, options);
}

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

/**
 * After the client's first `ready`, commands sent while it is disconnected are
 * rejected instead of queued. A Cluster decides per node: while the cluster is
 * up, a command for a node whose connection is still being made waits for it
 * (bounded by the command timeout; a node that is down ends its connection and
 * fails its commands at once), and once the cluster is down, every command
 * fails at once until it is back.
 */
export function failFastOnceReady<T extends Redis>(client: T): T {
  if (isCluster(client)) {
    let wasReady = false;
    client.on('ready', () => {
      wasReady = true;
      client.options.enableOfflineQueue = true;
    });
    const down = () => {
      if (wasReady) client.options.enableOfflineQueue = false;
    };
    for (const status of ['close', 'reconnecting', 'end']) client.on(status, down);
  } else {
    client.once('ready', () => {
      client.options.enableOfflineQueue = false;
    });
  }
  return client;
}

/**
 * One ioredis client. `keyPrefix` is applied by ioredis to every key, including
 * Lua KEYS; pub/sub channels are not keys, so `channel()` prefixes those.
 * Give it an 'error' listener (`DependencyMonitor.watchRedis`): without one,
 * each failed reconnect is printed as an unhandled error event.
 */
export function createRedis(conn: RedisConnection | string, keyPrefix = '', name = 'main', timeouts: RedisTimeouts = {}): Redis {
  return failFastOnceReady(
    connectRedis(conn, {
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

/**
 * Deletes every key under a prefix (tests; never FLUSHALL a shared Redis). On
 * a Cluster, SCAN sees one node's keys: every master is scanned.
 */
export async function deleteKeysWithPrefix(conn: RedisConnection | string, prefix: string): Promise<void> {
  if (!prefix) throw new Error('refusing to delete keys without a prefix');
  const raw = connectRedis(conn, { lazyConnect: false, maxRetriesPerRequest: 1 });
  raw.on('error', () => undefined); // the first failing command says it
  try {
    const nodes = isCluster(raw) ? await clusterMasters(raw) : [raw];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        // One key per UNLINK: on a Cluster node a multi-key command must stay in one slot.
        if (keys.length > 0) await keys.reduce((pipe, key) => pipe.unlink(key), node.pipeline()).exec();
      } while (cursor !== '0');
    }
  } finally {
    raw.disconnect();
  }
}

/** A ready Cluster's master nodes (each a client of that one node). */
export async function clusterMasters(cluster: Cluster): Promise<Server[]> {
  if (cluster.status !== 'ready') {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('Redis Cluster not ready within 10 s')), 10_000);
      cluster.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  return cluster.nodes('master');
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
