import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from './redis/index';
import type { DependencyMonitor } from './dependencies';
import { runAsWork } from './context';
import { LockBusy, withLock } from './lock';

export interface Job {
  /** Names the job's tick claims and its lock: one instance runs each tick, the others skip it. */
  name: string;
  intervalMs: number;
  /** How long a crashed holder keeps others out; defaults to the interval (at least 5 s). */
  leaseMs?: number;
  run(signal: AbortSignal): Promise<void>;
}

/**
 * Periodic jobs that run once per tick across all instances.
 *
 * Time is cut into slots of the job's interval (slot n = [n·interval,
 * (n+1)·interval) of the wall clock), and every instance ticks at the start
 * of each slot. A tick first claims its slot — `SET scheduler:<job>:tick:<n>
 * NX PX <interval>`, so the first instance to ask wins and the claim outlives
 * the run — and only the winner runs the job. The run also holds the job's
 * distributed lock (wait 0): a run that outlasts its slot keeps the next
 * slot's winner from starting a second, overlapping run (that tick is skipped).
 * Locally, ticks never overlap: the next tick is the first slot that starts
 * after the run ended.
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
      const run = this.tick(job, slotOf(job, Date.now())).finally(() => {
        this.running.delete(run);
        if (!this.stopped) this.timers.set(job.name, setTimeout(tick, untilNextSlot(job, Date.now())).unref());
      });
      this.running.add(run);
    };
    this.timers.set(job.name, setTimeout(tick, untilNextSlot(job, Date.now())).unref());
  }

  /**
   * The tick of slot `slot`: runs the job when this instance is the first to
   * claim the slot (and the lock is free); false when another instance
   * claimed it, or still runs the job, or Redis could not be asked.
   */
  async tick(job: Job, slot: number): Promise<boolean> {
    let claimed: string | null;
    try {
      // Kept two slots long: an instance whose clock lags still finds the claim of a slot it is late for.
      claimed = await this.redis.set(`scheduler:${job.name}:tick:${slot}`, '1', 'PX', 2 * job.intervalMs, 'NX');
    } catch (err) {
      this.failed(job, err);
      return false;
    }
    if (claimed !== 'OK') return false;
    return this.runOnce(job);
  }

  /**
   * One run now, under the job's lock, whatever the tick claims say (start-up
   * work, and tests that drive jobs by hand); false when the lock was held.
   */
  async runOnce(job: Job): Promise<boolean> {
    try {
      // A run is work of its own: its log lines name the job, its statements share one trace.
      return await runAsWork(this.log, { job: job.name }, { name: `job ${job.name}` }, async () => {
        try {
          await withLock(this.redis, `scheduler:${job.name}`, { waitMs: 0, leaseMs: job.leaseMs ?? Math.max(job.intervalMs, 5000) }, job.run);
          return true;
        } catch (err) {
          if (err instanceof LockBusy) return false;
          throw err;
        }
      });
    } catch (err) {
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

/** The slot `at` (ms since the epoch) falls in. */
export function slotOf(job: Pick<Job, 'intervalMs'>, at: number): number {
  return Math.floor(at / job.intervalMs);
}

/** Milliseconds from `at` to the start of the next slot (a few ms past it, so the clock reads the new slot). */
function untilNextSlot(job: Pick<Job, 'intervalMs'>, at: number): number {
  return job.intervalMs - (at % job.intervalMs) + 5;
}
