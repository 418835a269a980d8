import type { Executor } from '../../platform/db/tx';

export interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  nickname: string;
  roles: string;
}

export class UserRepository {
  constructor(private readonly db: Executor) {}

  findByEmail(email: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .select(['id', 'email', 'password_hash', 'nickname', 'roles'])
      .where('email', '=', email)
      .executeTakeFirst();
  }

  async insert(row: UserRow): Promise<void> {
    await this.db.insertInto('users').values(row).execute();
  }

  /** Insert or refresh a user by id (demo data). */
  async upsert(row: UserRow): Promise<void> {
    await this.db
      .insertInto('users')
      .values(row)
      .onDuplicateKeyUpdate({ email: row.email, password_hash: row.password_hash, nickname: row.nickname, roles: row.roles })
      .execute();
  }
}
