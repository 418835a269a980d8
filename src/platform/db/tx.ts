import type { Kysely, Transaction } from 'kysely';
import { isDeadlock } from '../dependencies';
import type { Database } from './types';

/** Anything queries run on: the pool or an open transaction. */
export type Executor = Kysely<Database>;
/**
 * An open transaction. A function that works inside its caller's transaction
 * takes it as its first parameter (`fn(trx, …)`; `Tx | undefined` where it
 * may also run on its own); a repository is bound to it with `.with(trx)`.
 */
export type Tx = Transaction<Database>;

interface Hooks {
  beforeCommit: ((trx: Tx) => Promise<unknown>)[];
  afterCommit: (() => unknown)[];
}

const hooks = new WeakMap<Tx, Hooks>();

/**
 * Runs `fn` in a transaction. Work registered with `beforeCommit` runs last
 * inside it (batched writes: its failure rolls everything back); work
 * registered with `afterCommit` runs once the commit succeeded (pub/sub
 * notices, cache updates), never after a rollback.
 */
export async function inTransaction<T>(db: Kysely<Database>, fn: (trx: Tx) => Promise<T>): Promise<T> {
  const registered: Hooks = { beforeCommit: [], afterCommit: [] };
  const result = await db.transaction().execute(async (trx) => {
    hooks.set(trx, registered);
    const value = await fn(trx);
    for (const hook of registered.beforeCommit) await hook(trx);
    return value;
  });
  for (const hook of registered.afterCommit) {
    try {
      await hook();
    } catch {
      // After-commit work is best effort by definition: the commit stands.
    }
  }
  return result;
}

function hooksOf(trx: Tx, what: string): Hooks {
  const found = hooks.get(trx);
  if (!found) throw new Error(`${what} needs a transaction opened by inTransaction`);
  return found;
}

/** True when `trx` was opened by `inTransaction` (and so carries commit hooks). */
export function hasCommitHooks(trx: Tx): boolean {
  return hooks.has(trx);
}

/** Runs `fn` at the end of `trx` (opened by `inTransaction`), just before its commit. */
export function beforeCommit(trx: Tx, fn: (trx: Tx) => Promise<unknown>): void {
  hooksOf(trx, 'beforeCommit').beforeCommit.push(fn);
}

/** Defers `fn` to after the commit of `trx` (opened by `inTransaction`). */
export function afterCommit(trx: Tx, fn: () => unknown): void {
  hooksOf(trx, 'afterCommit').afterCommit.push(fn);
}

/**
 * Runs `transaction` (the whole of it) again when InnoDB rolls it back as a
 * deadlock's victim, `attempts` runs in all; the last deadlock is thrown (it
 * answers 503: the client may try again).
 */
export async function retryOnDeadlock<T>(transaction: () => Promise<T>, attempts = 3): Promise<T> {
  for (let run = 1; ; run++) {
    try {
      return await transaction();
    } catch (err) {
      if (!isDeadlock(err) || run >= attempts) throw err;
    }
  }
}
