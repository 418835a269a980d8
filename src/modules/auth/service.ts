import { randomUUID } from 'node:crypto';
import type { Db } from '../../platform/db/index';
import { isDuplicateKey } from '../../platform/db/index';
import type { Role, TokenService } from '../../platform/http/auth';
import { fail } from '../../platform/http/errors';
import { UserRepository } from './repository';
import { DUMMY_HASH, hashPassword, verifyPassword } from './password';
import type { LoginRequest, SignupRequest, TokenResponse } from './schemas';

/** Users with passwords in MySQL; issues the service's own access tokens. */
export class AuthService {
  private readonly users: UserRepository;

  constructor(
    db: Db,
    private readonly tokens: TokenService,
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
        password_hash: await hashPassword(req.password),
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
    const ok = await verifyPassword(req.password, user?.password_hash ?? (await DUMMY_HASH));
    if (!user || !ok) throw fail('INVALID_CREDENTIALS');
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
      password_hash: await hashPassword(user.password),
      nickname: user.nickname,
      roles: user.roles.join(','),
    });
  }

  private async issue(p: { userId: string; roles: Role[]; email: string; nickname: string }): Promise<TokenResponse> {
    const expiresIn = this.tokens.ttlSeconds;
    return { accessToken: await this.tokens.sign(p, expiresIn), tokenType: 'Bearer', expiresIn };
  }
}
