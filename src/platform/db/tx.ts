import type { Kysely, Transaction } from 'kysely';
import type { Database } from './types';

/** Anything queries run on: the pool or an open transaction. */
export type Executor = Kysely<Database>;
export type Tx = Transaction<Database>;

const hooks = new WeakMap<Tx, (() => unknown)[]>();

/**
 * Runs `fn` in a transaction; work registered with `afterCommit` runs once the
 * commit succeeded (pub/sub notices, cache updates), never after a rollback.
 */
export async function inTransaction<T>(db: Kysely<Database>, fn: (trx: Tx) => Promise<T>): Promise<T> {
  const pending: (() => unknown)[] = [];
  const result = await db.transaction().execute(async (trx) => {
    hooks.set(trx, pending);
    return fn(trx);
  });
  for (const hook of pending) {
    try {
      await hook();
    } catch {
      // After-commit work is best effort by definition: the commit stands.
    }
  }
  return result;
}

/** Defers `fn` to after the commit of `trx` (opened by `inTransaction`). */
export function afterCommit(trx: Tx, fn: () => unknown): void {
  const pending = hooks.get(trx);
  if (!pending) throw new Error('afterCommit needs a transaction opened by inTransaction');
  pending.push(fn);
}
