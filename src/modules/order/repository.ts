import { sql, type Insertable, type Selectable } from 'kysely';
import type { Executor } from '../../platform/db/tx';
import type { OrderItemsTable, OrdersTable, SagaStatesTable } from '../../platform/db/types';
import type { OrderStatus, SagaStatus, SagaStep } from './schemas';

export type OrderRow = Selectable<OrdersTable>;
export type OrderItemRow = Selectable<OrderItemsTable>;
export type SagaRow = Selectable<SagaStatesTable>;
export type OrderWithSaga = OrderRow & { saga_status: string | null; saga_step: string | null };

/** SQL for `orders`, `order_items` and `saga_states`. */
export class OrderRepository {
  constructor(private readonly db: Executor) {}

  with(db: Executor): OrderRepository {
    return new OrderRepository(db);
  }

  // ---- orders ----------------------------------------------------------------

  /** The order (every column given) and its lines; returns the row as stored. */
  async insert(order: Omit<OrderRow, 'id' | 'created_at' | 'updated_at'>, items: Omit<Insertable<OrderItemsTable>, 'order_id'>[]): Promise<OrderRow> {
    const at = new Date();
    const values = { ...order, created_at: at, updated_at: at };
    const res = await this.db.insertInto('orders').values(values).executeTakeFirstOrThrow();
    const id = Number(res.insertId);
    await this.db
      .insertInto('order_items')
      .values(items.map((i) => ({ ...i, order_id: id })))
      .execute();
    return { ...values, id };
  }

  findById(id: number): Promise<OrderRow | undefined> {
    return this.db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByNumber(orderNumber: string): Promise<OrderRow | undefined> {
    return this.db.selectFrom('orders').selectAll().where('order_number', '=', orderNumber).executeTakeFirst();
  }

  /** Row lock: every status change of an order goes through it. */
  lock(id: number): Promise<OrderRow | undefined> {
    return this.db.selectFrom('orders').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /** The order and its saga's position, both rows locked (order first: the one lock order). */
  lockWithSaga(by: { id: number } | { orderNumber: string }): Promise<OrderWithSaga | undefined> {
    let q = this.db
      .selectFrom('orders')
      .leftJoin('saga_states', 'saga_states.order_id', 'orders.id')
      .selectAll('orders')
      .select(['saga_states.status as saga_status', 'saga_states.current_step as saga_step']);
    q = 'id' in by ? q.where('orders.id', '=', by.id) : q.where('orders.order_number', '=', by.orderNumber);
    return q.forUpdate().executeTakeFirst();
  }

  items(orderIds: number[]): Promise<OrderItemRow[]> {
    if (orderIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('order_items').selectAll().where('order_id', 'in', orderIds).orderBy('id').execute();
  }

  /** Moves the order from one of `from` to `to`; false when it was in another status. */
  async setStatus(
    id: number,
    from: readonly OrderStatus[],
    to: OrderStatus,
    extra: { cancel_reason?: string; cancelled_at?: Date; paid_at?: Date; cart_id?: null } = {},
  ): Promise<boolean> {
    const res = await this.db
      .updateTable('orders')
      .set({ status: to, ...extra })
      .where('id', '=', id)
      .where('status', 'in', from)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Newest first. */
  async listByUser(userId: string, limit: number, offset: number): Promise<{ rows: OrderRow[]; total: number }> {
    const [rows, count] = await Promise.all([
      this.db
        .selectFrom('orders')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .offset(offset)
        .execute(),
      this.db
        .selectFrom('orders')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  /** Admin search: a status, or a keyword in the order number or user id (status wins); `userId` narrows to one user. */
  async search(filter: { status?: OrderStatus; keyword?: string; userId?: string }, limit: number, offset: number) {
    let q = this.db.selectFrom('orders');
    if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId);
    if (filter.status) {
      q = q.where('status', '=', filter.status);
    } else if (filter.keyword) {
      const like = `%${filter.keyword.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) => eb.or([eb('order_number', 'like', like), eb('user_id', 'like', like)]));
    }
    const [rows, count] = await Promise.all([
      q.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  /** PENDING orders created before `cutoff` (the unpaid-order job). */
  pendingBefore(cutoff: Date, limit: number): Promise<OrderRow[]> {
    return this.db
      .selectFrom('orders')
      .selectAll()
      .where('status', '=', 'PENDING')
      .where('created_at', '<', cutoff)
      .orderBy('created_at')
      .limit(limit)
      .execute();
  }

  // ---- saga state -----------------------------------------------------------------

  async insertSaga(saga: Insertable<SagaStatesTable>): Promise<void> {
    await this.db.insertInto('saga_states').values(saga).execute();
  }

  sagaOf(orderId: number): Promise<SagaRow | undefined> {
    return this.db.selectFrom('saga_states').selectAll().where('order_id', '=', orderId).executeTakeFirst();
  }

  lockSaga(orderId: number): Promise<SagaRow | undefined> {
    return this.db.selectFrom('saga_states').selectAll().where('order_id', '=', orderId).forUpdate().executeTakeFirst();
  }

  /**
   * Records `done` (the current step, and any taken with it in the same
   * transaction) as completed and moves on to `next`, only if the saga is still
   * STARTED at `done[0]`: a second runner of the same steps changes nothing.
   */
  async advanceSaga(orderId: number, done: readonly SagaStep[], next: SagaStep | null): Promise<boolean> {
    const steps = done.join(',');
    const res = await this.db
      .updateTable('saga_states')
      .set({
        completed_steps: sql<string>`IF(completed_steps = '', ${steps}, CONCAT(completed_steps, ',', ${steps}))`,
        current_step: next ?? done[done.length - 1],
        ...(next === null ? { status: 'COMPLETED', completed_at: new Date() } : {}),
      })
      .where('order_id', '=', orderId)
      .where('status', '=', 'STARTED')
      .where('current_step', '=', done[0])
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  /** Moves the saga between statuses (only at `atStep`, if given); false when it was elsewhere. */
  async setSagaStatus(
    orderId: number,
    from: readonly SagaStatus[],
    to: SagaStatus,
    extra: { last_error_message?: string | null } = {},
    atStep?: SagaStep,
  ): Promise<boolean> {
    const ended = to === 'FAILED' || to === 'COMPLETED' || to === 'COMPENSATION_FAILED';
    let q = this.db
      .updateTable('saga_states')
      .set({ status: to, ...extra, ...(ended ? { completed_at: new Date() } : {}) })
      .where('order_id', '=', orderId)
      .where('status', 'in', from);
    if (atStep) q = q.where('current_step', '=', atStep);
    const res = await q.executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async countCompensationAttempt(orderId: number, error: string): Promise<number> {
    await this.db
      .updateTable('saga_states')
      .set((eb) => ({ compensation_attempts: eb('compensation_attempts', '+', 1), last_error_message: error.slice(0, 1000) }))
      .where('order_id', '=', orderId)
      .execute();
    const row = await this.sagaOf(orderId);
    return row?.compensation_attempts ?? 0;
  }

  /**
   * Sagas in one of `statuses` untouched since `idleBefore` (what a crash may
   * have left mid-way), oldest first: the order of idx_saga_states_status, so
   * the query never walks the table by id.
   */
  stalledSagas(statuses: readonly SagaStatus[], idleBefore: Date, limit: number): Promise<SagaRow[]> {
    return this.db
      .selectFrom('saga_states')
      .selectAll()
      .where('status', 'in', statuses)
      .where('updated_at', '<', idleBefore)
      .orderBy('updated_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  }
}
