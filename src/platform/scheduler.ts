import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from './redis/index';
import type { DependencyMonitor } from './dependencies';
import { LockBusy, withLock } from './lock';

export interface Job {
  /** Also the lock key: one instance runs the job at a time, the others skip that tick. */
  name: string;
  intervalMs: number;
  /** How long a crashed holder keeps others out; defaults to the interval (at least 5 s). */
  leaseMs?: number;
  run(signal: AbortSignal): Promise<void>;
}

/**
 * Periodic jobs that run once across all instances: each tick tries the
 * job's distributed lock with wait 0
 * and skips when another instance holds it. Ticks never overlap locally.
 */
export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    private readonly redis: Redis,
    private readonly log: FastifyBaseLogger,
    /** Told of runs that failed because MySQL or Redis is down (logged once there, not per tick here). */
    private readonly dependencies?: DependencyMonitor,
  ) {}

  /** Registers a job; nothing runs until `start()` (tests call `runOnce` themselves). */
  add(job: Job): void {
    if (this.jobs.has(job.name)) throw new Error(`job ${job.name} is already registered`);
    this.jobs.set(job.name, job);
  }

  get(name: string): Job | undefined {
    return this.jobs.get(name);
  }

  start(): void {
    this.stopped = false;
    for (const job of this.jobs.values()) this.schedule(job);
  }

  private schedule(job: Job): void {
    const tick = () => {
      if (this.stopped) return;
      const run = this.runOnce(job).finally(() => {
        this.running.delete(run);
        if (!this.stopped) this.timers.set(job.name, setTimeout(tick, job.intervalMs).unref());
      });
      this.running.add(run);
    };
    this.timers.set(job.name, setTimeout(tick, job.intervalMs).unref());
  }

  /** One run now, under the lock; false when another instance held it. */
  async runOnce(job: Job): Promise<boolean> {
    try {
      await withLock(this.redis, `scheduler:${job.name}`, { waitMs: 0, leaseMs: job.leaseMs ?? Math.max(job.intervalMs, 5000) }, job.run);
      return true;
    } catch (err) {
      if (err instanceof LockBusy) return false;
      this.failed(job, err);
      return true;
    }
  }

  /** A run that failed because a dependency is down is not logged per tick: the outage is logged once. */
  private failed(job: Job, err: unknown): void {
    if (this.dependencies?.report(err)) {
      this.log.debug({ err, job: job.name }, 'scheduled job skipped: a dependency is down');
      return;
    }
    this.log.error({ err, job: job.name }, 'scheduled job failed');
  }

  /** Stops scheduling and waits for runs in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }
}
