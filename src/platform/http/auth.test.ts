import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { codeOf, TestApp, TEST_USER_ID, type TestResponse } from '../../../test/helpers';
import type { App } from '../../app';
import { LOCAL_JWT_SECRET } from '../../config';
import { hasRole, isAdmin, principal, ROLES, type Principal, type Role } from './auth';
import { API_PREFIX, ok } from './envelope';

/** Test-only routes, one per auth level, under `/api/v1/shopping/__auth`. */
const BASE = '/__auth';

async function authTestRoutes(app: App) {
  await app.register(
    async (instance) => {
      const api = instance.withTypeProvider<TypeBoxTypeProvider>();
      // No `config.auth`: an /api route defaults to `user`.
      api.get('/user', async (request) => ok(principal(request)));
      api.post(
        '/user',
        { schema: { body: Type.Object({ n: Type.Integer() }, { additionalProperties: false }) } },
        async (request) => ok(request.body),
      );
      api.get('/admin', { config: { auth: 'admin' } }, async (request) => ok(principal(request)));
      api.get('/public', { config: { auth: 'public' } }, async (request) => ok({ principal: request.principal }));
    },
    { prefix: API_PREFIX + BASE },
  );
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const secretKey = (secret: string) => new TextEncoder().encode(secret);

/** A token signed HS256 with the given secret (default: the app's), claims as given. */
function hs256(claims: JWTPayload, opts: { secret?: string; alg?: 'HS256' | 'HS384' | 'HS512' } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: opts.alg ?? 'HS256', typ: 'JWT' })
    .sign(secretKey(opts.secret ?? LOCAL_JWT_SECRET));
}

const validClaims = (extra: JWTPayload = {}): JWTPayload => ({
  sub: TEST_USER_ID,
  roles: ['ROLE_USER'],
  exp: now() + 600,
  iat: now(),
  ...extra,
});

function assert401(res: TestResponse, path = `${BASE}/user`) {
  assert.equal(res.status, 401, JSON.stringify(res.body));
  assert.deepEqual(Object.keys(res.body).sort(), ['error', 'success']);
  assert.equal(res.body.success, false);
  assert.equal(codeOf(res), 'C005');
  assert.equal(res.body.error.message, 'Unauthorized');
  assert.equal(res.body.error.path, path);
}

function assert403(res: TestResponse) {
  assert.equal(res.status, 403, JSON.stringify(res.body));
  assert.equal(res.body.success, false);
  assert.equal(codeOf(res), 'C004');
  assert.equal(res.body.error.message, 'Forbidden');
}

const rawAuth = (value: string) => ({ token: null, headers: { authorization: value } });

describe('hasRole / isAdmin (SUPER_ADMIN ⊃ SHOPPING_ADMIN ⊃ SHOPPING_SELLER ⊃ USER)', () => {
  const p = (...roles: Role[]): Principal => ({ userId: 'u', roles });
  const table: [Role, Role[]][] = [
    ['ROLE_USER', ['ROLE_USER']],
    ['ROLE_SHOPPING_SELLER', ['ROLE_USER', 'ROLE_SHOPPING_SELLER']],
    ['ROLE_SHOPPING_ADMIN', ['ROLE_USER', 'ROLE_SHOPPING_SELLER', 'ROLE_SHOPPING_ADMIN']],
    ['ROLE_SUPER_ADMIN', ['ROLE_USER', 'ROLE_SHOPPING_SELLER', 'ROLE_SHOPPING_ADMIN', 'ROLE_SUPER_ADMIN']],
  ];

  for (const [held, includes] of table) {
    test(`${held} includes exactly ${includes.join(', ')}`, () => {
      for (const role of ROLES) assert.equal(hasRole(p(held), role), includes.includes(role), `${held} ⊇ ${role}?`);
    });
  }

  test('admin = SHOPPING_ADMIN or SUPER_ADMIN', () => {
    assert.equal(isAdmin(p('ROLE_USER')), false);
    assert.equal(isAdmin(p('ROLE_SHOPPING_SELLER')), false);
    assert.equal(isAdmin(p('ROLE_SHOPPING_ADMIN')), true);
    assert.equal(isAdmin(p('ROLE_SUPER_ADMIN')), true);
  });

  test('several roles: the highest counts; none: nothing', () => {
    assert.equal(hasRole(p('ROLE_USER', 'ROLE_SHOPPING_ADMIN'), 'ROLE_SHOPPING_SELLER'), true);
    assert.equal(hasRole(p('ROLE_USER', 'ROLE_SHOPPING_SELLER'), 'ROLE_SHOPPING_ADMIN'), false);
    assert.equal(hasRole(p(), 'ROLE_USER'), false);
  });
});

describe('auth over HTTP (HS256, JWT_SECRET)', () => {
  let t: TestApp;
  before(async () => {
    t = await TestApp.start({}, { routes: authTestRoutes });
  });
  after(async () => {
    await t?.close();
  });

  test('a valid user token → 200 with its principal', async () => {
    const res = await t.call('GET', `${BASE}/user`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { success: true, data: { userId: TEST_USER_ID, roles: ['ROLE_USER'] } });

    const own = await t.call('GET', `${BASE}/user`, {
      token: await hs256(validClaims({ sub: 'u-42', email: 'a@b.c', nickname: 'Kim' })),
    });
    assert.equal(own.status, 200);
    assert.deepEqual(own.body.data, { userId: 'u-42', roles: ['ROLE_USER'], email: 'a@b.c', nickname: 'Kim' });
  });

  test('missing token → 401 C005', async () => {
    assert401(await t.call('GET', `${BASE}/user`, { token: null }));
    assert401(await t.call('GET', `${BASE}/admin`, { token: null }), `${BASE}/admin`);
  });

  test('401 comes before body validation (the body is never looked at)', async () => {
    assert401(await t.call('POST', `${BASE}/user`, { token: null, body: { n: 'not a number', extra: 1 } }));
    const authed = await t.call('POST', `${BASE}/user`, { body: { n: 1 } });
    assert.equal(authed.status, 200);
  });

  test('malformed Authorization headers → 401 C005', async () => {
    const good = t.userToken;
    for (const header of [
      'Bearer',
      'Bearer ',
      good, // no scheme
      `Basic ${Buffer.from('user:pass').toString('base64')}`,
      `Token ${good}`,
      `Bearer ${good} extra`,
      'Bearer not-a-jwt',
      'Bearer a.b.c',
      `Bearer ${good.slice(0, -4)}`, // truncated signature
    ]) {
      assert401(await t.call('GET', `${BASE}/user`, rawAuth(header)));
    }
  });

  test('an expired token → 401 C005', async () => {
    const expired = await hs256(validClaims({ exp: now() - 60, iat: now() - 3600 }));
    assert401(await t.call('GET', `${BASE}/user`, { token: expired }));
    const fromService = await t.token(TEST_USER_ID, ['ROLE_USER'], -60);
    assert401(await t.call('GET', `${BASE}/user`, { token: fromService }));
  });

  test('a token signed with another secret → 401 C005', async () => {
    const forged = await hs256(validClaims({ roles: ['ROLE_SUPER_ADMIN'] }), {
      secret: 'an-attackers-secret-that-is-long-enough-too',
    });
    assert401(await t.call('GET', `${BASE}/user`, { token: forged }));
    assert401(await t.call('GET', `${BASE}/admin`, { token: forged }), `${BASE}/admin`);
  });

  test('a token whose payload was edited after signing → 401 C005', async () => {
    const [header, , signature] = t.userToken.split('.');
    const tampered = `${header}.${b64url(validClaims({ roles: ['ROLE_SUPER_ADMIN'] }))}.${signature}`;
    assert401(await t.call('GET', `${BASE}/admin`, { token: tampered }), `${BASE}/admin`);
  });

  test('alg "none" → 401 C005', async () => {
    const payload = b64url(validClaims({ roles: ['ROLE_SUPER_ADMIN'] }));
    for (const alg of ['none', 'None', 'NONE']) {
      const unsigned = `${b64url({ alg, typ: 'JWT' })}.${payload}.`;
      assert401(await t.call('GET', `${BASE}/user`, { token: unsigned }));
      assert401(await t.call('GET', `${BASE}/admin`, { token: unsigned }), `${BASE}/admin`);
    }
  });

  test('another HMAC algorithm with the right secret → 401 C005 (HS256 only)', async () => {
    assert401(await t.call('GET', `${BASE}/user`, { token: await hs256(validClaims(), { alg: 'HS512' }) }));
  });

  test('a token without exp, or without sub → 401 C005', async () => {
    const { exp: _exp, ...noExp } = validClaims();
    assert401(await t.call('GET', `${BASE}/user`, { token: await hs256(noExp) }));
    const { sub: _sub, ...noSub } = validClaims();
    assert401(await t.call('GET', `${BASE}/user`, { token: await hs256(noSub) }));
  });

  test('a sub that is not a sane id (non-ASCII, spaces, control characters, > 64 characters, not a string) → 401 C005', async () => {
    for (const sub of ['x'.repeat(65), 'x'.repeat(5000), 'ü-user', 'a b', 'a\u0000b', '', 'a\nb', '\ud800']) {
      assert401(await t.call('GET', `${BASE}/user`, { token: await hs256(validClaims({ sub })) }));
    }
    const numeric = await hs256({ ...validClaims(), sub: 42 as unknown as string });
    assert401(await t.call('GET', `${BASE}/user`, { token: numeric }));
    // The longest sane id still passes.
    const longest = 'u'.repeat(64);
    const ok64 = await t.call('GET', `${BASE}/user`, { token: await hs256(validClaims({ sub: longest })) });
    assert.equal(ok64.status, 200);
    assert.equal(ok64.body.data.userId, longest);
  });

  test('a token living longer than JWT_MAX_TTL_S (24 h by default) → 401 C005', async () => {
    const day = 86_400;
    assert401(await t.call('GET', `${BASE}/user`, { token: await hs256(validClaims({ iat: now(), exp: now() + day + 60 })) }));
    // Without iat the lifetime counts from now.
    const { iat: _iat, ...noIat } = validClaims({ exp: now() + 10 * day });
    assert401(await t.call('GET', `${BASE}/user`, { token: await hs256(noIat) }));
    assert.equal((await t.call('GET', `${BASE}/user`, { token: await hs256(validClaims({ exp: now() + day })) })).status, 200);
  });

  test('a roles claim that is neither a string nor an array of strings → 401 C005', async () => {
    for (const roles of [42, { ROLE_USER: true }, ['ROLE_USER', 7], null]) {
      assert401(await t.call('GET', `${BASE}/user`, { token: await hs256(validClaims({ roles })) }));
    }
  });

  test('a token not valid yet (nbf in the future) → 401 C005', async () => {
    assert401(await t.call('GET', `${BASE}/user`, { token: await hs256(validClaims({ nbf: now() + 600 })) }));
  });

  test('a user on an admin route → 403 C004', async () => {
    assert403(await t.call('GET', `${BASE}/admin`));
  });

  test('SHOPPING_ADMIN and SUPER_ADMIN pass admin routes; SHOPPING_SELLER does not', async () => {
    for (const role of ['ROLE_SHOPPING_ADMIN', 'ROLE_SUPER_ADMIN'] as const) {
      const res = await t.call('GET', `${BASE}/admin`, { token: await t.token('admin-1', [role]) });
      assert.equal(res.status, 200, role);
      assert.deepEqual(res.body.data.roles, [role]);
    }
    assert.equal((await t.call('GET', `${BASE}/admin`, { token: t.adminToken })).status, 200);
    assert403(await t.call('GET', `${BASE}/admin`, { token: await t.token('seller-1', ['ROLE_SHOPPING_SELLER']) }));
    // Admins are users too.
    assert.equal((await t.call('GET', `${BASE}/user`, { token: t.adminToken })).status, 200);
  });

  test('roles come from effectiveRoles when present; unknown roles grant nothing', async () => {
    const effective = await hs256(validClaims({ roles: ['ROLE_USER'], effectiveRoles: ['ROLE_SHOPPING_ADMIN'] }));
    assert.equal((await t.call('GET', `${BASE}/admin`, { token: effective })).status, 200);

    const bogus = await hs256(validClaims({ roles: ['ROLE_ADMIN', 'ROLE_ROOT'] }));
    assert403(await t.call('GET', `${BASE}/admin`, { token: bogus }));
    const asUser = await t.call('GET', `${BASE}/user`, { token: bogus });
    assert.equal(asUser.status, 200);
    assert.deepEqual(asUser.body.data.roles, ['ROLE_USER']);

    const asString = await hs256(validClaims({ roles: 'ROLE_USER ROLE_SUPER_ADMIN' }));
    assert.equal((await t.call('GET', `${BASE}/admin`, { token: asString })).status, 200);
  });

  test('gateway X-User-* headers are not trusted unless configured', async () => {
    const res = await t.call('GET', `${BASE}/admin`, {
      token: null,
      headers: { 'x-user-id': 'someone', 'x-user-roles': 'ROLE_SUPER_ADMIN' },
    });
    assert401(res, `${BASE}/admin`);
  });

  test('on a public route an invalid token is ignored; a valid one identifies the caller', async () => {
    for (const token of [null, 'garbage', await hs256(validClaims({ exp: now() - 60 }))]) {
      const res = await t.call('GET', `${BASE}/public`, { token });
      assert.equal(res.status, 200, String(token));
      assert.deepEqual(res.body, { success: true, data: { principal: null } });
    }
    const malformed = await t.call('GET', `${BASE}/public`, rawAuth('Basic abc'));
    assert.equal(malformed.status, 200);
    const known = await t.call('GET', `${BASE}/public`);
    assert.equal(known.status, 200);
    assert.equal(known.body.data.principal.userId, TEST_USER_ID);
  });

  test('the public auth endpoints need no token', async () => {
    const res = await t.call('POST', '/api/v1/auth/login', {
      token: 'garbage',
      body: { email: 'nobody@example.com', password: 'whatever1' },
    });
    assert.equal(res.status, 401);
    assert.equal(codeOf(res), 'A001', 'reached the handler, not the auth hook');
  });

  test('TokenService.verify rejects what the hook rejects', async () => {
    await assert.rejects(t.infra.tokens.verify('garbage'), (err: { def?: { code: string } }) => err.def?.code === 'C005');
    const p = await t.infra.tokens.verify(t.adminToken);
    assert.deepEqual(p.roles, ['ROLE_SHOPPING_ADMIN']);
  });

  test('a verified token is remembered (the same frozen principal), but never past its exp', async () => {
    const token = await hs256(validClaims({ sub: 'u-cached' }));
    const first = await t.infra.tokens.verify(token);
    assert.equal(await t.infra.tokens.verify(token), first);
    assert.ok(Object.isFrozen(first));
    // At its exp (still inside jose's 5 s leeway): verified again on every call, not remembered.
    const expiring = await hs256(validClaims({ sub: 'u-expiring', exp: now() }));
    const a = await t.infra.tokens.verify(expiring);
    assert.notEqual(await t.infra.tokens.verify(expiring), a);
    // A bad token is never remembered as good, and a good one doesn't vouch for a tampered copy.
    await assert.rejects(t.infra.tokens.verify(token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA')));
  });
});

describe('auth over HTTP (RS256, JWT_PUBLIC_KEY)', () => {
  const keyPair = () =>
    generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
  const ours = keyPair();
  const theirs = keyPair();
  let t: TestApp;

  const rs256 = async (privatePem: string, claims: JWTPayload) => {
    const { importPKCS8 } = await import('jose');
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .sign(await importPKCS8(privatePem, 'RS256'));
  };

  before(async () => {
    // Only a key pair: no HS256 secret at all, so HS256 tokens must not verify.
    t = await TestApp.start(
      { JWT_PUBLIC_KEY: ours.publicKey, JWT_PRIVATE_KEY: ours.privateKey, JWT_SECRET: '' },
      { routes: authTestRoutes },
    );
  });
  after(async () => {
    await t?.close();
  });

  test('the service signs RS256 and an RS256 token by the configured key verifies', async () => {
    assert.equal(t.config.jwtSecret, undefined);
    const header = JSON.parse(Buffer.from(t.userToken.split('.')[0], 'base64url').toString());
    assert.equal(header.alg, 'RS256');
    assert.equal((await t.call('GET', `${BASE}/user`)).status, 200);

    const external = await rs256(ours.privateKey, validClaims({ sub: randomUUID(), roles: ['ROLE_SUPER_ADMIN'] }));
    const res = await t.call('GET', `${BASE}/admin`, { token: external });
    assert.equal(res.status, 200);
  });

  test('an RS256 token signed by another key → 401 C005', async () => {
    const forged = await rs256(theirs.privateKey, validClaims());
    assert401(await t.call('GET', `${BASE}/user`, { token: forged }));
  });

  test('HS256 tokens are refused, including one "signed" with the public key (algorithm confusion)', async () => {
    assert401(await t.call('GET', `${BASE}/user`, { token: await hs256(validClaims()) }));
    assert401(await t.call('GET', `${BASE}/user`, { token: await hs256(validClaims(), { secret: ours.publicKey }) }));
  });

  test('alg none and expired RS256 tokens → 401 C005', async () => {
    assert401(await t.call('GET', `${BASE}/user`, { token: `${b64url({ alg: 'none' })}.${b64url(validClaims())}.` }));
    const expired = await rs256(ours.privateKey, validClaims({ exp: now() - 60 }));
    assert401(await t.call('GET', `${BASE}/user`, { token: expired }));
  });
});

describe('trusted gateway headers (TRUST_GATEWAY_HEADERS=true)', () => {
  let t: TestApp;
  before(async () => {
    t = await TestApp.start({ TRUST_GATEWAY_HEADERS: 'true' }, { routes: authTestRoutes });
  });
  after(async () => {
    await t?.close();
  });

  test('a sane X-User-Id identifies the caller; one no table could hold → 401 C005', async () => {
    const ok = await t.call('GET', `${BASE}/user`, { token: null, headers: { 'x-user-id': 'gw-user-1', 'x-user-roles': 'ROLE_USER' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.data.userId, 'gw-user-1');
    for (const id of ['u'.repeat(65), 'a b', '%C3%BC']) {
      const res = await t.call('GET', `${BASE}/user`, { token: null, headers: { 'x-user-id': id === '%C3%BC' ? decodeURIComponent(id) : id } });
      assert401(res);
    }
  });
});
