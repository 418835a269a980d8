import { type Selectable, sql } from 'kysely';
import type { Executor } from '../../platform/db/tx';
import type { QueueEntriesTable, WaitingQueuesTable } from '../../platform/db/types';
import type { EntryStatus } from './schemas';

export type QueueRow = Selectable<WaitingQueuesTable>;

/** An entry as the queue reads it (ENTRY_COLUMNS), its status one of the four the module writes. */
export type EntryRow = Omit<Pick<Selectable<QueueEntriesTable>, (typeof ENTRY_COLUMNS)[number]>, 'status'> & { status: EntryStatus };

export interface QueueSettings {
  maxCapacity: number;
  entryBatchSize: number;
  entryIntervalSeconds: number;
  entryTtlSeconds: number;
}

/** A queue's settings as its row's columns. */
function settingsColumns(s: QueueSettings) {
  return {
    max_capacity: s.maxCapacity,
    entry_batch_size: s.entryBatchSize,
    entry_interval_seconds: s.entryIntervalSeconds,
    entry_ttl_seconds: s.entryTtlSeconds,
  };
}

/** A queue row's settings. */
export function settingsOf(q: QueueRow): QueueSettings {
  return {
    maxCapacity: q.max_capacity,
    entryBatchSize: q.entry_batch_size,
    entryIntervalSeconds: q.entry_interval_seconds,
    entryTtlSeconds: q.entry_ttl_seconds,
  };
}

/** The row of an active queue whose id and settings are known without reading it (just activated, or Redis' copy). */
export function activeQueueRow(id: number, eventType: string, eventId: number, s: QueueSettings): QueueRow {
  return {
    id,
    event_type: eventType,
    event_id: eventId,
    ...settingsColumns(s),
    is_active: 1,
    created_at: new Date(),
    activated_at: new Date(),
    deactivated_at: null,
  };
}

const QUEUE_COLUMNS = [
  'id',
  'event_type',
  'event_id',
  'max_capacity',
  'entry_batch_size',
  'entry_interval_seconds',
  'entry_ttl_seconds',
  'is_active',
  'created_at',
  'activated_at',
  'deactivated_at',
] as const;

const ENTRY_COLUMNS = ['id', 'queue_id', 'user_id', 'entry_token', 'status', 'joined_at', 'entered_at', 'expires_at'] as const;

/** The unique key that keeps one live entry per user and queue. */
export const LIVE_USER_KEY = 'uk_queue_entries_live_user';
export const QUEUE_EVENT_KEY = 'uk_waiting_queues_event';

/** IN lists are sent in slices of this many values. */
const IN_CHUNK = 1000;

function chunks<T>(list: T[], size = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

/** SQL for the waiting room's two tables (waiting_queues, queue_entries). */
export class QueueRepository {
  constructor(private readonly db: Executor) {}

  with(db: Executor): QueueRepository {
    return new QueueRepository(db);
  }

  /**
   * The queue of an event, matched exactly: `event_type` is case-sensitive
   * here even while the column's collation is not (a case-variant row of the
   * same unique key is "not this queue").
   */
  async findQueue(eventType: string, eventId: number): Promise<QueueRow | undefined> {
    const row = await this.db
      .selectFrom('waiting_queues')
      .select(QUEUE_COLUMNS)
      .where('event_type', '=', eventType)
      .where('event_id', '=', eventId)
      .executeTakeFirst();
    // The column's collation ignores case: another case of the same name is another queue.
    return row && row.event_type === eventType ? row : undefined;
  }

  async findQueueById(id: number): Promise<QueueRow | undefined> {
    const row = await this.db.selectFrom('waiting_queues').select(QUEUE_COLUMNS).where('id', '=', id).executeTakeFirst();
    return row;
  }

  /** Same lookup returning whatever row holds the unique key (for activate's case clash check). */
  async findQueueForUpdate(eventType: string, eventId: number): Promise<QueueRow | undefined> {
    const row = await this.db
      .selectFrom('waiting_queues')
      .select(QUEUE_COLUMNS)
      .where('event_type', '=', eventType)
      .where('event_id', '=', eventId)
      .forUpdate()
      .executeTakeFirst();
    return row;
  }

  async insertQueue(eventType: string, eventId: number, s: QueueSettings, now: Date): Promise<number> {
    const result = await this.db
      .insertInto('waiting_queues')
      .values({
        event_type: eventType,
        event_id: eventId,
        ...settingsColumns(s),
        is_active: 1,
        activated_at: now,
      })
      .executeTakeFirstOrThrow();
    return Number(result.insertId);
  }

  async reactivateQueue(id: number, s: QueueSettings, now: Date): Promise<void> {
    await this.db
      .updateTable('waiting_queues')
      .set({
        ...settingsColumns(s),
        is_active: 1,
        activated_at: now,
        deactivated_at: null,
      })
      .where('id', '=', id)
      .execute();
  }

  async deactivateQueue(id: number, now: Date): Promise<void> {
    await this.db.updateTable('waiting_queues').set({ is_active: 0, deactivated_at: now }).where('id', '=', id).execute();
  }

  /** The admin list: active queues first, then the newest; `active` filters on it. */
  async page(active: boolean | undefined, limit: number, offset: number): Promise<{ rows: QueueRow[]; total: number }> {
    let q = this.db.selectFrom('waiting_queues');
    if (active !== undefined) q = q.where('is_active', '=', active ? 1 : 0);
    const [rows, count] = await Promise.all([
      q.select(QUEUE_COLUMNS).orderBy('is_active', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  async activeQueues(): Promise<QueueRow[]> {
    const rows = await this.db.selectFrom('waiting_queues').select(QUEUE_COLUMNS).where('is_active', '=', 1).execute();
    return rows;
  }

  // ---- entries -------------------------------------------------------------------

  /**
   * A WAITING entry, inserted only while its queue is active, in one
   * autocommit statement: INSERT … SELECT reads the queue row with a shared
   * lock, so a deactivation waits for it (and then ends the entry) or came
   * first (nothing inserted). The new row's id, or undefined when inactive.
   * A user with a live entry already fails on the live_user unique key.
   */
  async insertEntryIfActive(queueId: number, userId: string, token: string, now: Date): Promise<number | undefined> {
    const result = await sql`
      INSERT INTO queue_entries (queue_id, user_id, entry_token, status, joined_at)
      SELECT id, ${userId}, ${token}, 'WAITING', ${now} FROM waiting_queues WHERE id = ${queueId} AND is_active = 1`.execute(this.db);
    return Number(result.numAffectedRows ?? 0) === 1 ? Number(result.insertId) : undefined;
  }

  /** The user's WAITING or ENTERED entry in a queue (the live_user unique key). */
  async findLiveEntry(queueId: number, userId: string): Promise<EntryRow | undefined> {
    const row = await this.db
      .selectFrom('queue_entries')
      .select(ENTRY_COLUMNS)
      .where('queue_id', '=', queueId)
      // live_user: generated column, = user_id while WAITING/ENTERED, NULL otherwise (not in the table types).
      .where(sql.ref<string>('live_user'), '=', userId)
      .executeTakeFirst();
    return row as EntryRow | undefined;
  }

  /** The user's live entry, else the newest one (a LEFT or EXPIRED answer beats "not found"). */
  async findLatestEntry(queueId: number, userId: string): Promise<EntryRow | undefined> {
    const live = await this.findLiveEntry(queueId, userId);
    if (live) return live;
    const row = await this.db
      .selectFrom('queue_entries')
      .select(ENTRY_COLUMNS)
      .where('queue_id', '=', queueId)
      .where('user_id', '=', userId)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row as EntryRow | undefined;
  }

  /** An entry and its queue by the entry's token, in one query. */
  async findByToken(token: string): Promise<{ entry: EntryRow; queue: QueueRow } | undefined> {
    const row = await this.db
      .selectFrom('queue_entries as e')
      .innerJoin('waiting_queues as q', 'q.id', 'e.queue_id')
      .select(['e.id', 'e.queue_id', 'e.user_id', 'e.entry_token', 'e.status', 'e.joined_at', 'e.entered_at', 'e.expires_at'])
      .select([
        'q.event_type',
        'q.event_id',
        'q.max_capacity',
        'q.entry_batch_size',
        'q.entry_interval_seconds',
        'q.entry_ttl_seconds',
        'q.is_active',
        'q.created_at',
        'q.activated_at',
        'q.deactivated_at',
      ])
      .where('e.entry_token', '=', token)
      .executeTakeFirst();
    if (!row) return undefined;
    const { event_type, event_id, max_capacity, entry_batch_size, entry_interval_seconds, entry_ttl_seconds, is_active, created_at, activated_at, deactivated_at, ...entry } = row;
    return {
      entry: entry as EntryRow,
      queue: {
        id: entry.queue_id,
        event_type,
        event_id,
        max_capacity,
        entry_batch_size,
        entry_interval_seconds,
        entry_ttl_seconds,
        is_active,
        created_at,
        activated_at,
        deactivated_at,
      },
    };
  }

  /** Statuses of many tokens (missing tokens are left out). */
  async statusesOf(tokens: string[]): Promise<Map<string, EntryRow>> {
    const out = new Map<string, EntryRow>();
    for (const part of chunks(tokens)) {
      const rows = await this.db.selectFrom('queue_entries').select(ENTRY_COLUMNS).where('entry_token', 'in', part).execute();
      for (const row of rows as EntryRow[]) out.set(row.entry_token, row);
    }
    return out;
  }

  /** Contract §3.2: the position of a WAITING entry Redis does not know = WAITING entries that joined earlier + 1. */
  async countWaitingBefore(queueId: number, entryId: number): Promise<number> {
    const row = await this.db
      .selectFrom('queue_entries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('queue_id', '=', queueId)
      .where('status', '=', 'WAITING')
      .where('id', '<', entryId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Ids of a queue's WAITING entries, ascending (positions of many entries from one query). */
  async waitingIds(queueId: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('queue_entries')
      .select('id')
      .where('queue_id', '=', queueId)
      .where('status', '=', 'WAITING')
      .orderBy('id')
      .execute();
    return rows.map((r) => Number(r.id));
  }

  /** Every WAITING and ENTERED entry of a queue, oldest first (what repair rebuilds Redis from). */
  async liveEntries(queueId: number): Promise<EntryRow[]> {
    const rows = await this.db
      .selectFrom('queue_entries')
      .select(ENTRY_COLUMNS)
      .where('queue_id', '=', queueId)
      .where('status', 'in', ['WAITING', 'ENTERED'])
      .orderBy('id')
      .execute();
    return rows as EntryRow[];
  }

  /** Live entries of a queue, locked (deactivation). */
  async lockLiveEntries(queueId: number): Promise<Pick<EntryRow, 'entry_token' | 'status'>[]> {
    const rows = await this.db
      .selectFrom('queue_entries')
      .select(['entry_token', 'status'])
      .where('queue_id', '=', queueId)
      .where('status', 'in', ['WAITING', 'ENTERED'])
      .forUpdate()
      .execute();
    return rows as Pick<EntryRow, 'entry_token' | 'status'>[];
  }

  /** WAITING → ENTERED for the tokens admitted together; the number of rows that moved. */
  async markEntered(queueId: number, tokens: string[], enteredAt: Date, expiresAt: Date): Promise<number> {
    let moved = 0;
    for (const part of chunks(tokens)) {
      const result = await this.db
        .updateTable('queue_entries')
        .set({ status: 'ENTERED', entered_at: enteredAt, expires_at: expiresAt })
        .where('queue_id', '=', queueId)
        .where('entry_token', 'in', part)
        .where('status', '=', 'WAITING')
        .executeTakeFirst();
      moved += Number(result.numUpdatedRows);
    }
    return moved;
  }

  /** ENTERED → EXPIRED (time limit, consumed by a purchase, or the queue closed). */
  async markExpired(queueId: number, tokens: string[], now: Date): Promise<number> {
    let n = 0;
    for (const part of chunks(tokens)) {
      const result = await this.db
        .updateTable('queue_entries')
        .set({ status: 'EXPIRED', expired_at: now })
        .where('queue_id', '=', queueId)
        .where('entry_token', 'in', part)
        .where('status', '=', 'ENTERED')
        .executeTakeFirst();
      n += Number(result.numUpdatedRows);
    }
    return n;
  }

  /** WAITING|ENTERED → LEFT for one entry; false when it was no longer live. */
  async markLeft(entryId: number, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('queue_entries')
      .set({ status: 'LEFT', left_at: now })
      .where('id', '=', entryId)
      .where('status', 'in', ['WAITING', 'ENTERED'])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Every WAITING entry of a queue → LEFT (deactivation). */
  async leaveAllWaiting(queueId: number, now: Date): Promise<void> {
    await this.db
      .updateTable('queue_entries')
      .set({ status: 'LEFT', left_at: now })
      .where('queue_id', '=', queueId)
      .where('status', '=', 'WAITING')
      .execute();
  }

  /** Every ENTERED entry of a queue → EXPIRED (deactivation). */
  async expireAllEntered(queueId: number, now: Date): Promise<void> {
    await this.db
      .updateTable('queue_entries')
      .set({ status: 'EXPIRED', expired_at: now })
      .where('queue_id', '=', queueId)
      .where('status', '=', 'ENTERED')
      .execute();
  }
}
