import type { Selectable } from 'kysely';
import type { Executor } from '../../platform/db/tx';
import type { UsersTable } from '../../platform/db/types';

/** A user as the service reads and writes it (USER_COLUMNS; the timestamps are the database's). */
export type UserRow = Pick<Selectable<UsersTable>, (typeof USER_COLUMNS)[number]>;

const USER_COLUMNS = ['id', 'email', 'password_hash', 'nickname', 'roles'] as const;

export class UserRepository {
  constructor(private readonly db: Executor) {}

  findByEmail(email: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .select(USER_COLUMNS)
      .where('email', '=', email)
      .executeTakeFirst();
  }

  async insert(row: UserRow): Promise<void> {
    await this.db.insertInto('users').values(row).execute();
  }

  /** Replaces a password hash, unless it changed since it was read (then the newer one stays). */
  async setPasswordHash(id: string, previous: string, next: string): Promise<void> {
    await this.db.updateTable('users').set({ password_hash: next }).where('id', '=', id).where('password_hash', '=', previous).execute();
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
