import { randomUUID } from 'node:crypto';
import type { Db } from '../../platform/db/index';
import { isDuplicateKey } from '../../platform/db/index';
import type { Role, TokenService } from '../../platform/http/auth';
import { fail } from '../../platform/http/errors';
import { UserRepository } from './repository';
import { passwords as defaultHasher, type PasswordHasher } from './password';
import type { LoginRequest, SignupRequest, TokenResponse } from './schemas';

/** Users with passwords in MySQL; issues the service's own access tokens. */
export class AuthService {
  private readonly users: UserRepository;

  constructor(
    db: Db,
    private readonly tokens: TokenService,
    private readonly passwords: PasswordHasher = defaultHasher,
  ) {
    this.users = new UserRepository(db);
  }

  async signup(req: SignupRequest): Promise<TokenResponse> {
    const id = randomUUID();
    const email = req.email.trim().toLowerCase();
    try {
      await this.users.insert({
        id,
        email,
        password_hash: await this.passwords.hash(req.password),
        nickname: req.nickname.trim(),
        roles: 'ROLE_USER',
      });
    } catch (err) {
      if (isDuplicateKey(err)) throw fail('EMAIL_ALREADY_REGISTERED');
      throw err;
    }
    return this.issue({ userId: id, roles: ['ROLE_USER'], email, nickname: req.nickname.trim() });
  }

  async login(req: LoginRequest): Promise<TokenResponse> {
    const user = await this.users.findByEmail(req.email.trim().toLowerCase());
    // An unknown email costs a verification too: wrong password and unknown email look the same, in time as in answer.
    const ok = user ? await this.passwords.verify(req.password, user.password_hash) : await this.passwords.verifyNothing(req.password);
    if (!user || !ok) throw fail('INVALID_CREDENTIALS');
    // The password is known now: a hash from an older scheme or with other parameters is replaced.
    if (this.passwords.needsRehash(user.password_hash)) {
      await this.users.setPasswordHash(user.id, user.password_hash, await this.passwords.hash(req.password));
    }
    return this.issue({
      userId: user.id,
      roles: user.roles.split(',') as Role[],
      email: user.email,
      nickname: user.nickname,
    });
  }

  /** Creates or refreshes a user with a known id (demo data, tests). */
  async ensureUser(user: { id: string; email: string; password: string; nickname: string; roles: Role[] }): Promise<void> {
    await this.users.upsert({
      id: user.id,
      email: user.email.toLowerCase(),
      password_hash: await this.passwords.hash(user.password),
      nickname: user.nickname,
      roles: user.roles.join(','),
    });
  }

  private async issue(p: { userId: string; roles: Role[]; email: string; nickname: string }): Promise<TokenResponse> {
    const expiresIn = this.tokens.ttlSeconds;
    return { accessToken: await this.tokens.sign(p, expiresIn), tokenType: 'Bearer', expiresIn };
  }
}
