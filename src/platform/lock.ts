import { Mutex, TimeoutError } from 'redis-semaphore';
import type { Redis } from './redis/index';

export interface LockOptions {
  /** How long to wait for the lock; 0 = one attempt. Default 3 s. */
  waitMs?: number;
  /** How long a holder that died keeps others out. Default 5 s. */
  leaseMs?: number;
}

/** The lock was held by someone else for the whole wait; `fn` did not run. Callers decide what that means. */
export class LockBusy extends Error {
  constructor(readonly key: string) {
    super(`lock ${key} is busy`);
    this.name = 'LockBusy';
  }
}

/**
 * redis-semaphore refreshes from a timer and lets a failed refresh (Redis
 * down) reject with no one to catch it: an unhandled rejection, which ends
 * the process. Here a refresh that fails counts as the lock lost (we can no
 * longer say it is ours), which aborts the holder's signal.
 */
class SafeMutex extends Mutex {
  protected override async _refresh(): Promise<boolean> {
    try {
      return await super._refresh();
    } catch {
      return false;
    }
  }
}

/**
 * A distributed lock: runs `fn` while holding `lock:<key>` across all
 * instances, or throws `LockBusy` when the lock is not had within `waitMs`.
 * redis-semaphore releases only the holder's own lock and refreshes it while
 * `fn` runs; if a refresh finds the lock lost, `signal` aborts so `fn` can stop.
 */
export async function withLock<T>(
  redis: Redis,
  key: string,
  options: LockOptions,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const waitMs = options.waitMs ?? 3000;
  const leaseMs = options.leaseMs ?? 5000;
  const lost = new AbortController();
  const once = waitMs === 0;
  const mutex = new SafeMutex(redis, `lock:${key}`, {
    lockTimeout: leaseMs,
    // waitMs 0 = exactly one attempt. (A 1 ms acquireTimeout could run out before the
    // first attempt when the clock ticks in between: a spurious S408 on a free lock.)
    acquireTimeout: once ? leaseMs : waitMs,
    acquireAttemptsLimit: once ? 1 : Number.POSITIVE_INFINITY,
    retryInterval: once ? 0 : Math.min(50, Math.max(5, Math.floor(waitMs / 20))),
    refreshInterval: Math.floor(leaseMs * 0.6),
    onLockLost: (err) => lost.abort(err),
  });
  let acquired = true;
  if (once) {
    acquired = await mutex.tryAcquire();
  } else {
    await mutex.acquire().catch((err: unknown) => {
      if (!(err instanceof TimeoutError)) throw err;
      acquired = false;
    });
  }
  if (!acquired) throw new LockBusy(key);
  try {
    return await fn(lost.signal);
  } finally {
    await mutex.release().catch(() => undefined);
  }
}
