import { webcrypto } from 'node:crypto';
import { importPKCS8, importSPKI, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../config';
import { TtlCache } from '../cache';
import { fail } from './errors';

export const ROLES = ['ROLE_USER', 'ROLE_SHOPPING_SELLER', 'ROLE_SHOPPING_ADMIN', 'ROLE_SUPER_ADMIN'] as const;
export type Role = (typeof ROLES)[number];

/** Each role with every role it includes: SUPER_ADMIN ⊃ SHOPPING_ADMIN ⊃ SHOPPING_SELLER ⊃ USER. */
const RANK: Record<Role, number> = {
  ROLE_USER: 0,
  ROLE_SHOPPING_SELLER: 1,
  ROLE_SHOPPING_ADMIN: 2,
  ROLE_SUPER_ADMIN: 3,
};

export interface Principal {
  userId: string;
  roles: Role[];
  email?: string;
  nickname?: string;
}

export function hasRole(principal: Principal, role: Role): boolean {
  const need = RANK[role];
  return principal.roles.some((r) => RANK[r] >= need);
}

export const isAdmin = (p: Principal) => hasRole(p, 'ROLE_SHOPPING_ADMIN');

/** Who may call a route: anyone, any logged-in user, or an admin. `/api/…` routes default to `user`. */
export type AuthLevel = 'public' | 'user' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthLevel;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/**
 * Known role names in a claim or header: an array of strings, or one string
 * listing them separated by spaces or commas (single-valued claims, the
 * gateway header). Unknown names are ignored. Anything else is null: a token
 * with such a claim is refused rather than read as a plain user.
 */
function parseRoles(raw: unknown): Role[] | null {
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[ ,]+/) : null;
  if (!list || !list.every((r) => typeof r === 'string')) return null;
  return list.filter((r): r is Role => (ROLES as readonly string[]).includes(r));
}

/** A user id that may reach SQL and Redis keys: printable ASCII without spaces, at most 64 characters. */
const USER_ID = /^[\x21-\x7e]{1,64}$/;

export function isSaneUserId(id: unknown): id is string {
  return typeof id === 'string' && USER_ID.test(id);
}

type Key = webcrypto.CryptoKey | Awaited<ReturnType<typeof importSPKI>>;

/** jose's leeway on `exp` and `nbf`, seconds. */
const CLOCK_TOLERANCE_S = 5;
/** How long a verified token is remembered (never past its `exp`), and how many are. */
const VERIFIED_TTL_MS = 60_000;
const VERIFIED_MAX = 10_000;

/** Verifies and issues access tokens (jose: no hand-written crypto). */
export class TokenService {
  private readonly verifyKeys: { alg: 'HS256' | 'RS256'; key: Key }[] = [];
  private signKey?: { alg: 'HS256' | 'RS256'; key: Key };
  private readonly verified = new TtlCache<string, Principal>(VERIFIED_TTL_MS, VERIFIED_MAX);

  private constructor(private readonly config: Config) {}

  get ttlSeconds(): number {
    return this.config.accessTokenTtlSeconds;
  }

  static async create(config: Config): Promise<TokenService> {
    const svc = new TokenService(config);
    if (config.jwtSecret) {
      // A WebCrypto key: jose would convert any other form on every call.
      const key = await webcrypto.subtle.importKey('raw', Buffer.from(config.jwtSecret, 'utf8'), { name: 'HMAC', hash: 'SHA-256' }, false, [
        'sign',
        'verify',
      ]);
      svc.verifyKeys.push({ alg: 'HS256', key });
      svc.signKey = { alg: 'HS256', key };
    }
    if (config.jwtPublicKey) {
      svc.verifyKeys.push({ alg: 'RS256', key: await importSPKI(config.jwtPublicKey, 'RS256') });
    }
    if (!svc.signKey && config.jwtPrivateKey) {
      svc.signKey = { alg: 'RS256', key: await importPKCS8(config.jwtPrivateKey, 'RS256') };
    }
    return svc;
  }

  /**
   * The principal of a valid token; throws C005 for anything else (bad
   * signature, alg none, expired, no exp, a lifetime over the maximum, a `sub`
   * that is not a sane id, a `roles` claim of the wrong type). A token verified once is remembered
   * until its `exp` (at most a minute): a buyer's next requests skip the
   * signature check, which costs more than the rest of a small request.
   */
  async verify(token: string): Promise<Principal> {
    const known = this.verified.get(token);
    if (known) return known;
    for (const { alg, key } of this.verifyKeys) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, key, {
          algorithms: [alg],
          requiredClaims: ['sub', 'exp'],
          issuer: this.config.jwtIssuer,
          clockTolerance: CLOCK_TOLERANCE_S,
        }));
      } catch {
        continue;
      }
      const roles = parseRoles(payload.effectiveRoles ?? payload.roles);
      if (!roles || !isSaneUserId(payload.sub) || !this.lifetimeAllowed(payload)) break;
      const principal: Principal = {
        userId: String(payload.sub),
        roles: roles.length > 0 ? roles : ['ROLE_USER'],
        email: typeof payload.email === 'string' ? payload.email : undefined,
        nickname: typeof payload.nickname === 'string' ? payload.nickname : undefined,
      };
      Object.freeze(principal); // shared by every request that brings this token
      this.verified.set(token, principal, payload.exp! * 1000 - Date.now());
      return principal;
    }
    throw fail('UNAUTHORIZED');
  }

  /** exp − iat (or exp − now without iat) within the configured maximum, give or take the clock tolerance. */
  private lifetimeAllowed(payload: JWTPayload): boolean {
    const exp = payload.exp!;
    const start = typeof payload.iat === 'number' ? payload.iat : Math.floor(Date.now() / 1000);
    return exp - start <= this.config.jwtMaxTtlSeconds + CLOCK_TOLERANCE_S;
  }

  async sign(principal: Principal, ttlSeconds = this.config.accessTokenTtlSeconds): Promise<string> {
    if (!this.signKey) throw new Error('no signing key: set JWT_SECRET or JWT_PRIVATE_KEY');
    const jwt = new SignJWT({
      roles: principal.roles,
      ...(principal.email ? { email: principal.email } : {}),
      ...(principal.nickname ? { nickname: principal.nickname } : {}),
    })
      .setProtectedHeader({ alg: this.signKey.alg, typ: 'JWT' })
      .setSubject(principal.userId)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`);
    if (this.config.jwtIssuer) jwt.setIssuer(this.config.jwtIssuer);
    return jwt.sign(this.signKey.key);
  }
}

async function principalOf(request: FastifyRequest, tokens: TokenService, config: Config): Promise<Principal | null> {
  const header = request.headers.authorization;
  if (header) {
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw fail('UNAUTHORIZED');
    return tokens.verify(m[1]);
  }
  const gatewayUser = request.headers['x-user-id'];
  if (config.trustGatewayHeaders && typeof gatewayUser === 'string' && gatewayUser) {
    const roles = parseRoles(request.headers['x-user-roles']);
    if (!roles || !isSaneUserId(gatewayUser)) throw fail('UNAUTHORIZED');
    return { userId: gatewayUser, roles: roles.length > 0 ? roles : ['ROLE_USER'] };
  }
  return null;
}

/** Who may call the route at `url`: its `config.auth`, else `user` under `/api/`, else `public`. */
export function routeAuthLevel(url: string, config: { auth?: AuthLevel } | undefined): AuthLevel {
  return config?.auth ?? (url.startsWith('/api/') ? 'user' : 'public');
}

/**
 * Sets `request.principal` and enforces the route's `config.auth` before the
 * body is parsed: 401 C005 without a valid token, 403 C004 without the role.
 * On public routes a bad token is ignored (the request is anonymous).
 */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: { tokens: TokenService; config: Config }) => {
    app.decorateRequest('principal', null);
    app.addHook('onRequest', async (request) => {
      // API routes are for users unless they say otherwise; unknown routes answer 404/405, not 401.
      const level = request.is404 ? 'public' : routeAuthLevel(request.routeOptions.url ?? '', request.routeOptions.config);
      if (level === 'public') {
        request.principal = await principalOf(request, opts.tokens, opts.config).catch(() => null);
        return;
      }
      const principal = await principalOf(request, opts.tokens, opts.config);
      if (!principal) throw fail('UNAUTHORIZED');
      if (level === 'admin' && !isAdmin(principal)) throw fail('FORBIDDEN');
      request.principal = principal;
    });
  },
  { name: 'auth' },
);

/** The caller on a route whose level guarantees one. */
export function principal(request: FastifyRequest): Principal {
  if (!request.principal) throw fail('UNAUTHORIZED');
  return request.principal;
}
