/**
 * Rate limits that hold across instances: `@fastify/rate-limit` counting in
 * Redis (its Lua `INCR` + `PEXPIRE` store, on the app's own client, so the
 * key prefix applies), one fixed window per key.
 *
 * A route opts in with `config: { limit: '<name>' }`:
 *
 * - `login`: per client address (before the body is read) and per email
 *   (after it is parsed and validated);
 * - `signup`: per client address;
 * - `coupon-issue`, `deal-purchase`, `queue-entry`: per signed-in user, each
 *   counted on its own. One key per user, never per address, so a flash sale
 *   of many users behind one address is not throttled, while one user
 *   hammering is.
 *
 * Over the limit: `429 C013` in the envelope with `Retry-After` (seconds until
 * the window ends). While Redis can't be reached the limits fail open: the
 * request goes through, and one warning is logged per outage.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import rateLimit, { normalizeIP, type FastifyRateLimitStore, type FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import proxyAddr from '@fastify/proxy-addr';
import type { Config, LimitSetting } from '../../config';
import type { DependencyMonitor } from '../dependencies';
import type { Redis } from '../redis/index';
import { sendError } from './envelope';
import { Errors } from './errors';

/** The limits a route can name in its `config.limit`. */
export type LimitName = 'login' | 'signup' | 'coupon-issue' | 'deal-purchase' | 'queue-entry';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The rate limit this route answers to (`platform/http/rate-limit.ts`). */
    limit?: LimitName;
  }
}

/** Every limit's key starts with this (after the app's Redis key prefix). */
export const KEY_SPACE = 'rate-limit:';

const require = createRequire(import.meta.url);
type RedisStoreCtor = new (continueExceeding: boolean, exponentialBackoff: boolean, redis: Redis, key: string) => FastifyRateLimitStore;
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as RedisStoreCtor;

/**
 * The plugin's Redis store with a single key space: each limit's key already
 * names the limit, so the per-route child stores (keyed by method and URL,
 * which a limiter made outside a route does not have) are not needed.
 */
function sharedRedisStore(redis: Redis): FastifyRateLimitStoreCtor {
  class SharedRedisStore extends RedisStore {
    constructor() {
      super(false, false, redis, KEY_SPACE);
    }
    override child(): FastifyRateLimitStore {
      return this;
    }
  }
  return SharedRedisStore as unknown as FastifyRateLimitStoreCtor;
}

/**
 * The client's address: the socket's peer, unless that peer is a trusted
 * proxy — then the nearest untrusted address in `X-Forwarded-For`. IPv6
 * addresses count per /64 (one household or host), IPv4-mapped ones as IPv4.
 */
export function clientAddress(request: FastifyRequest, trust: Config['trustProxy']): string {
  const peer = request.raw.socket?.remoteAddress ?? request.ip;
  if (trust === false) return normalizeIP(peer);
  const trusted = trust === true ? () => true : proxyAddr.compile(trust);
  return normalizeIP(proxyAddr(request.raw, trusted));
}

/** An email as the key of its limit: normalised as login does, hashed so no address sits in Redis. */
function emailKey(email: unknown): string {
  const normalised = typeof email === 'string' ? email.trim().toLowerCase() : '';
  return createHash('sha256').update(normalised).digest('base64url').slice(0, 22);
}

export interface RateLimitOptions {
  redis: Redis;
  config: Config;
  dependencies: DependencyMonitor;
  log: FastifyBaseLogger;
}

type Hook = 'onRequest' | 'preHandler';

interface Rule {
  /** Part of the Redis key. */
  id: string;
  setting: LimitSetting;
  /** onRequest: before the body is read (address, user); preHandler: after it is validated (email). */
  hook: Hook;
  /** The counted subject, or undefined to not count this request. */
  subject: (request: FastifyRequest) => string | undefined;
}

export const rateLimitPlugin = fp(
  async (app: FastifyInstance, opts: RateLimitOptions) => {
    const { config, dependencies, log } = opts;
    if (!config.rateLimitEnabled) return;

    await app.register(rateLimit, { global: false, store: sharedRedisStore(opts.redis), skipOnError: false });

    const address = (request: FastifyRequest) => clientAddress(request, config.trustProxy);
    const user = (request: FastifyRequest) => request.principal?.userId;
    const perUser = (id: string): Rule[] => [{ id, setting: config.rateLimitSaleUser, hook: 'onRequest', subject: user }];
    const rules: Record<LimitName, Rule[]> = {
      login: [
        { id: 'login-ip', setting: config.rateLimitLoginIp, hook: 'onRequest', subject: address },
        {
          id: 'login-email',
          setting: config.rateLimitLoginEmail,
          hook: 'preHandler',
          subject: (request) => emailKey((request.body as { email?: unknown } | undefined)?.email),
        },
      ],
      signup: [{ id: 'signup-ip', setting: config.rateLimitSignupIp, hook: 'onRequest', subject: address }],
      'coupon-issue': perUser('coupon-issue'),
      'deal-purchase': perUser('deal-purchase'),
      'queue-entry': perUser('queue-entry'),
    };

    // One warning when the limits stop being enforced, one line when they are again.
    let failingOpen = false;
    const failOpen = (err?: unknown) => {
      if (failingOpen) return;
      failingOpen = true;
      const reason = err instanceof Error ? err.message : 'Redis is down';
      log.warn({ reason }, 'rate limits are not enforced while Redis is unreachable (failing open)');
    };
    const enforced = () => {
      if (!failingOpen) return;
      failingOpen = false;
      log.info('rate limits are enforced again');
    };

    const handler = (rule: Rule): onRequestAsyncHookHandler => {
      const check = app.createRateLimit({
        max: rule.setting.max,
        timeWindow: rule.setting.windowMs,
        keyGenerator: (request) => `${rule.id}:${rule.subject(request)}`,
      });
      return async (request: FastifyRequest, reply: FastifyReply) => {
        if (rule.subject(request) === undefined) return;
        // Known to be down: don't wait for a command to fail.
        if (dependencies.isDown('redis')) return failOpen();
        let result;
        try {
          result = await check(request);
        } catch (err) {
          return failOpen(err);
        }
        enforced();
        if (result.isAllowed || !result.isExceeded) return;
        reply.header('retry-after', String(Math.max(1, result.ttlInSeconds)));
        return sendError(reply, Errors.TOO_MANY_REQUESTS);
      };
    };

    const handlers = new Map<LimitName, { hook: Hook; run: onRequestAsyncHookHandler }[]>();
    for (const [name, list] of Object.entries(rules) as [LimitName, Rule[]][]) {
      handlers.set(
        name,
        list.map((rule) => ({ hook: rule.hook, run: handler(rule) })),
      );
    }

    // Route-level hooks run after the app's own: the principal is known by then.
    app.addHook('onRoute', (route) => {
      const name = route.config?.limit;
      if (!name) return;
      const list = handlers.get(name);
      if (!list) throw new Error(`${route.method} ${route.url}: unknown rate limit "${name}"`);
      for (const { hook, run } of list) {
        const existing = route[hook];
        route[hook] = [...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing]), run] as never;
      }
    });
  },
  { name: 'rate-limit-rules', dependencies: ['envelope'] },
);
