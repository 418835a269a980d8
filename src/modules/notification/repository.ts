import type { Selectable } from 'kysely';
import { isDuplicateKey } from '../../platform/db/index';
import type { Executor } from '../../platform/db/tx';
import type { NotificationsTable } from '../../platform/db/types';
import type { NewNotification } from './schemas';

export type NotificationRow = Selectable<NotificationsTable>;

/** SQL for `notifications`. */
export class NotificationRepository {
  constructor(private readonly db: Executor) {}

  with(db: Executor): NotificationRepository {
    return new NotificationRepository(db);
  }

  /**
   * One row per event (`uk_notifications_event`): a duplicate is not an error,
   * so an event redelivered after its processed-event id was purged still
   * can't notify twice.
   */
  async insert(n: NewNotification): Promise<boolean> {
    try {
      await this.db
        .insertInto('notifications')
        .values({ user_id: n.userId, type: n.type, title: n.title, message: n.message, event_id: n.eventId })
        .execute();
      return true;
    } catch (err) {
      if (isDuplicateKey(err, 'uk_notifications_event')) return false;
      throw err;
    }
  }

  /** Several at once (one statement); a duplicate event id fails them all, which the caller retries one by one. */
  async insertMany(rows: NewNotification[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db
      .insertInto('notifications')
      .values(rows.map((n) => ({ user_id: n.userId, type: n.type, title: n.title, message: n.message, event_id: n.eventId })))
      .execute();
  }

  /** Newest first (`idx_notifications_user` when filtered by user, the primary key otherwise). */
  list(userId: string | undefined, limit: number, offset: number): Promise<NotificationRow[]> {
    let q = this.db.selectFrom('notifications').selectAll();
    if (userId !== undefined) q = q.where('user_id', '=', userId);
    return q.orderBy('id', 'desc').limit(limit).offset(offset).execute();
  }

  async count(userId: string | undefined): Promise<number> {
    let q = this.db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n'));
    if (userId !== undefined) q = q.where('user_id', '=', userId);
    const row = await q.executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
