import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID, scryptSync } from 'node:crypto';
import { decodeJwt } from 'jose';
import { codeOf, TestApp, type TestResponse } from '../../../test/helpers';
import type { App } from '../../app';
import { API_PREFIX, ok } from '../../platform/http/envelope';
import { principal } from '../../platform/http/auth';
import { ARGON2_PARAMS, PasswordHasher, verifyPassword } from './password';
import { AuthService } from './service';

const SIGNUP = '/api/v1/auth/signup';
const LOGIN = '/api/v1/auth/login';
/** A test-only user route (the default `/api` level) that answers with the caller. */
const WHOAMI = '/__auth-module/me';
const ADMIN_ONLY = '/__auth-module/admin';

async function whoamiRoutes(app: App) {
  await app.register(
    async (api) => {
      api.get('/me', async (request) => ok(principal(request)));
      api.get('/admin', { config: { auth: 'admin' } }, async (request) => ok(principal(request)));
    },
    { prefix: `${API_PREFIX}/__auth-module` },
  );
}

let seq = 0;
const uniqueEmail = () => `user${Date.now()}${seq++}@example.com`;

function assertTokenResponse(res: TestResponse, status: number) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.deepEqual(Object.keys(res.body).sort(), ['data', 'success']);
  assert.equal(res.body.success, true);
  assert.deepEqual(Object.keys(res.body.data).sort(), ['accessToken', 'expiresIn', 'tokenType']);
  assert.equal(res.body.data.tokenType, 'Bearer');
  assert.equal(res.body.data.expiresIn, 3600);
  assert.match(res.body.data.accessToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);
}

function assertC002(res: TestResponse, path: string) {
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(codeOf(res), 'C002');
  assert.equal(res.body.error.path, path);
  assert.ok(Array.isArray(res.body.error.details) && res.body.error.details.length > 0);
}

describe('auth module: signup and login', () => {
  let t: TestApp;
  before(async () => {
    t = await TestApp.start({}, { routes: whoamiRoutes });
  });
  after(async () => {
    await t?.close();
  });

  const signup = (body: unknown) => t.call('POST', SIGNUP, { token: null, body });
  const login = (body: unknown) => t.call('POST', LOGIN, { token: null, body });
  const userRow = (email: string) =>
    t.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();

  test('signup → 201 with a Bearer token whose sub is the new user, usable on user routes', async () => {
    const email = uniqueEmail();
    const res = await signup({ email, password: 'correct horse 1', nickname: 'Kim' });
    assertTokenResponse(res, 201);

    const row = await userRow(email);
    assert.ok(row, 'user row written');
    assert.equal(row.nickname, 'Kim');
    assert.equal(row.roles, 'ROLE_USER');

    const claims = decodeJwt(res.body.data.accessToken);
    assert.equal(claims.sub, row.id);
    assert.deepEqual(claims.roles, ['ROLE_USER']);
    assert.equal(claims.email, email);
    assert.ok(typeof claims.exp === 'number' && claims.exp - Math.floor(Date.now() / 1000) > 3500);

    const me = await t.call('GET', WHOAMI, { token: res.body.data.accessToken });
    assert.equal(me.status, 200);
    assert.equal(me.body.data.userId, row.id);
    assert.deepEqual(me.body.data.roles, ['ROLE_USER']);

    const admin = await t.call('GET', ADMIN_ONLY, { token: res.body.data.accessToken });
    assert.equal(admin.status, 403);
    assert.equal(codeOf(admin), 'C004');
  });

  test('signup stores the email lower-cased and the nickname trimmed', async () => {
    const email = uniqueEmail();
    const res = await signup({ email: email.toUpperCase(), password: 'password123', nickname: ' Lee ' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const row = await userRow(email);
    assert.ok(row);
    assert.equal(row.nickname, 'Lee');
  });

  test('a duplicate email → 409 A002 (also in another case)', async () => {
    const email = uniqueEmail();
    assert.equal((await signup({ email, password: 'password123', nickname: 'A' })).status, 201);
    for (const again of [email, email.toUpperCase()]) {
      const res = await signup({ email: again, password: 'password456', nickname: 'B' });
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.equal(codeOf(res), 'A002');
      assert.equal(res.body.error.message, 'Email already registered');
      assert.equal(res.body.error.path, SIGNUP);
    }
    const rows = await t.db.selectFrom('users').select('id').where('email', '=', email).execute();
    assert.equal(rows.length, 1);
  });

  test('a bad email → 400 C002 with the email field', async () => {
    const res = await signup({ email: 'not-an-email', password: 'password123', nickname: 'Kim' });
    assertC002(res, SIGNUP);
    assert.deepEqual(res.body.error.details, [
      { field: 'email', message: 'Email must be a valid address', rejectedValue: 'not-an-email' },
    ]);
  });

  test('a short password → 400 C002 with the password field', async () => {
    const res = await signup({ email: uniqueEmail(), password: 'short', nickname: 'Kim' });
    assertC002(res, SIGNUP);
    // The password is never echoed back as a rejectedValue.
    assert.deepEqual(res.body.error.details, [{ field: 'password', message: 'Password must be at least 8 characters' }]);
    assert.ok(!JSON.stringify(res.body).includes('short'));

    const long = await signup({ email: uniqueEmail(), password: 'p'.repeat(129), nickname: 'Kim' });
    assertC002(long, SIGNUP);
    assert.deepEqual(long.body.error.details, [{ field: 'password', message: 'Password must be at most 128 characters' }]);
  });

  test('missing, null and blank fields → 400 C002, one detail per field', async () => {
    const res = await signup({ email: null, nickname: '   ' });
    assertC002(res, SIGNUP);
    const byField = Object.fromEntries(res.body.error.details.map((d: { field: string; message: string }) => [d.field, d.message]));
    assert.deepEqual(byField, {
      email: 'Email is required',
      password: 'Password is required',
      nickname: 'Nickname is required',
    });
  });

  test('unknown fields (e.g. roles) are rejected, not stored', async () => {
    const email = uniqueEmail();
    const res = await signup({ email, password: 'password123', nickname: 'Eve', roles: ['ROLE_SUPER_ADMIN'] });
    assertC002(res, SIGNUP);
    assert.deepEqual(res.body.error.details.map((d: { field: string }) => d.field), ['roles']);
    assert.equal(await userRow(email), undefined);
  });

  test('login with the right password → 200 token for that user (email case-insensitive)', async () => {
    const email = uniqueEmail();
    const created = await signup({ email, password: 'password123', nickname: 'Park' });
    assert.equal(created.status, 201);
    const row = await userRow(email);

    for (const given of [email, email.toUpperCase()]) {
      const res = await login({ email: given, password: 'password123' });
      assertTokenResponse(res, 200);
      assert.equal(decodeJwt(res.body.data.accessToken).sub, row?.id);
      const me = await t.call('GET', WHOAMI, { token: res.body.data.accessToken });
      assert.equal(me.status, 200);
      assert.equal(me.body.data.userId, row?.id);
    }
  });

  test('a login keeps the roles stored for the user', async () => {
    await t.services.auth.ensureUser({
      id: '00000000-0000-0000-0000-00000000a0a0',
      email: 'boss@example.com',
      password: 'password123',
      nickname: 'Boss',
      roles: ['ROLE_SHOPPING_ADMIN'],
    });
    const res = await login({ email: 'boss@example.com', password: 'password123' });
    assertTokenResponse(res, 200);
    const admin = await t.call('GET', ADMIN_ONLY, { token: res.body.data.accessToken });
    assert.equal(admin.status, 200);
    assert.equal(admin.body.data.userId, '00000000-0000-0000-0000-00000000a0a0');
  });

  test('wrong password and unknown email → the same 401 A001', async () => {
    const email = uniqueEmail();
    assert.equal((await signup({ email, password: 'password123', nickname: 'Choi' })).status, 201);

    const wrong = await login({ email, password: 'password124' });
    const unknown = await login({ email: uniqueEmail(), password: 'password123' });
    for (const res of [wrong, unknown]) {
      assert.equal(res.status, 401, JSON.stringify(res.body));
      assert.equal(codeOf(res), 'A001');
      assert.equal(res.body.error.message, 'Invalid email or password');
      assert.equal(res.body.error.path, LOGIN);
      assert.ok(!('data' in res.body));
    }
    const { timestamp: _a, ...w } = wrong.body.error;
    const { timestamp: _b, ...u } = unknown.body.error;
    assert.deepEqual(w, u, 'nothing tells a wrong password from an unknown email');
  });

  test('login validation → 400 C002', async () => {
    const res = await login({ email: 'someone@example.com' });
    assertC002(res, LOGIN);
    assert.deepEqual(res.body.error.details, [{ field: 'password', message: 'Password is required' }]);
  });

  test('passwords are stored as salted Argon2id with the OWASP parameters, never in plain text', async () => {
    const password = 'Same-Password-42';
    const a = uniqueEmail();
    const b = uniqueEmail();
    assert.equal((await signup({ email: a, password, nickname: 'A' })).status, 201);
    assert.equal((await signup({ email: b, password, nickname: 'B' })).status, 201);
    const rowA = await userRow(a);
    const rowB = await userRow(b);
    assert.ok(rowA && rowB);

    const format = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;
    const [, m, tCost, p, saltA, hashA] = format.exec(rowA.password_hash) ?? [];
    const [, , , , saltB, hashB] = format.exec(rowB.password_hash) ?? [];
    assert.ok(hashA && hashB, `unexpected format: ${rowA.password_hash}`);
    assert.deepEqual([Number(m), Number(tCost), Number(p)], [19456, 2, 1], 'm=19 MiB, t=2, p=1');
    assert.ok(Buffer.from(saltA, 'base64').length >= 16, 'salt of at least 16 bytes');
    assert.ok(Buffer.from(hashA, 'base64').length >= 32, 'key of at least 32 bytes');

    assert.notEqual(rowA.password_hash, rowB.password_hash);
    assert.notEqual(saltA, saltB);
    assert.notEqual(hashA, hashB);

    for (const row of [rowA, rowB]) {
      const raw = JSON.stringify(row);
      assert.ok(!raw.includes(password), 'the plain password appears nowhere in the row');
      assert.ok(!raw.toLowerCase().includes(password.toLowerCase()));
      assert.ok(!raw.includes(Buffer.from(password).toString('base64')));
      assert.ok(!raw.includes(Buffer.from(password).toString('hex')));
    }

    assert.equal(await verifyPassword(password, rowA.password_hash), true);
    assert.equal(await verifyPassword(password, rowB.password_hash), true);
    assert.equal(await verifyPassword(`${password}x`, rowA.password_hash), false);
    assert.equal(await verifyPassword(password, 'plain-text'), false);
  });

  /** A hash as the service wrote them before Argon2id: `scrypt$N$r$p$salt$key`. */
  function legacyScrypt(password: string): string {
    const salt = randomBytes(16);
    const key = scryptSync(password.normalize('NFKC'), salt, 64, { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
    return `scrypt$16384$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
  }

  async function userWithHash(passwordHash: string) {
    const id = randomUUID();
    const email = uniqueEmail();
    await t.db.insertInto('users').values({ id, email, password_hash: passwordHash, nickname: 'Old', roles: 'ROLE_USER' }).execute();
    return { id, email };
  }

  test('an old scrypt hash still logs in, and is replaced by Argon2id at that login (a failed login leaves it)', async () => {
    const old = legacyScrypt('old-password-1');
    const user = await userWithHash(old);

    assert.equal((await login({ email: user.email, password: 'old-password-2' })).status, 401);
    assert.equal((await userRow(user.email))?.password_hash, old, 'a wrong password changes nothing');

    const res = await login({ email: user.email, password: 'old-password-1' });
    assertTokenResponse(res, 200);
    assert.equal(decodeJwt(res.body.data.accessToken).sub, user.id);
    const stored = (await userRow(user.email))?.password_hash ?? '';
    assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verifyPassword('old-password-1', stored), true);

    // And the new hash logs in as well, without being rewritten again.
    assertTokenResponse(await login({ email: user.email, password: 'old-password-1' }), 200);
    assert.equal((await userRow(user.email))?.password_hash, stored);
  });

  test('an Argon2id hash with other parameters is rehashed with the current ones at the next login', async () => {
    const weaker = await new PasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 }).hash('weak-params-1');
    const user = await userWithHash(weaker);
    assertTokenResponse(await login({ email: user.email, password: 'weak-params-1' }), 200);
    const stored = (await userRow(user.email))?.password_hash ?? '';
    assert.notEqual(stored, weaker);
    assert.match(stored, new RegExp(`^\\$argon2id\\$v=19\\$m=${ARGON2_PARAMS.memoryCost},t=${ARGON2_PARAMS.timeCost},p=${ARGON2_PARAMS.parallelism}\\$`));
  });

  test('an unknown email costs a password verification too: same answer, comparable time', async () => {
    const hasher = new PasswordHasher();
    let verifications = 0;
    const counting = new (class extends PasswordHasher {
      override async verify(password: string, stored: string) {
        verifications++;
        return hasher.verify(password, stored);
      }
    })();
    const auth = new AuthService(t.db, t.infra.tokens, counting);
    const email = uniqueEmail();
    await auth.signup({ email, password: 'password123', nickname: 'Timing' });

    const attempt = async (address: string) => {
      const started = process.hrtime.bigint();
      const err = await auth.login({ email: address, password: 'password124' }).then(
        () => undefined,
        (e: { def?: { code: string } }) => e,
      );
      assert.equal(err?.def?.code, 'A001');
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    await attempt(email); // warm-up (the dummy hash is made on first use)
    await attempt(uniqueEmail());

    verifications = 0;
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      wrong.push(await attempt(email));
      unknown.push(await attempt(uniqueEmail()));
    }
    assert.equal(verifications, 10, 'one Argon2id verification per attempt, known email or not');
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    const [w, u] = [median(wrong), median(unknown)];
    assert.ok(u >= w / 3 && w >= u / 3, `wrong password ${w.toFixed(1)} ms, unknown email ${u.toFixed(1)} ms`);
  });
});
