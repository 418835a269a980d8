import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { loadConfig } from '../config';
import { createRedis, deleteKeysWithPrefix, type Redis } from './redis/index';
import { Scheduler, slotOf, type Job } from './scheduler';

const log = pino({ level: 'silent' });

describe('Scheduler: each job runs once per tick across instances', () => {
  const url = loadConfig().redisUrl;
  const prefix = `test:${randomBytes(5).toString('hex')}:`;
  let redis: Redis;
  let n = 0;
  const name = (what: string) => `test-${what}-${n++}`;

  before(() => {
    redis = createRedis(url, prefix, 'scheduler-test');
    redis.on('error', () => undefined);
  });
  after(async () => {
    redis.disconnect();
    await deleteKeysWithPrefix(url, prefix);
  });

  test('two instances, 1 s interval, ~5 s: every tick runs on exactly one of them, never twice', async () => {
    const intervalMs = 1000;
    const jobName = name('two');
    const runs: { who: string; slot: number }[] = [];
    const job = (who: string): Job => ({
      name: jobName,
      intervalMs,
      run: async () => {
        runs.push({ who, slot: slotOf({ intervalMs }, Date.now()) });
        await sleep(50);
      },
    });
    const a = new Scheduler(redis, log);
    const b = new Scheduler(redis, log);
    a.add(job('A'));
    b.add(job('B'));
    const started = Date.now();
    a.start();
    b.start();
    await sleep(5200);
    await Promise.all([a.stop(), b.stop()]);
    const ticks = slotOf({ intervalMs }, Date.now()) - slotOf({ intervalMs }, started);

    const slots = runs.map((r) => r.slot);
    assert.equal(new Set(slots).size, slots.length, `a slot ran twice: ${JSON.stringify(runs)}`);
    assert.ok(runs.length >= ticks - 1 && runs.length <= ticks, `${runs.length} runs in ${ticks} ticks: ${JSON.stringify(runs)}`);
  });

  test('a run that outlasts its interval is not overlapped by the next tick on another instance (the lock)', async () => {
    const intervalMs = 300;
    const jobName = name('long');
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const job: Job = {
      name: jobName,
      intervalMs,
      run: async () => {
        running++;
        runs++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(1000); // more than three intervals
        running--;
      },
    };
    const schedulers = [new Scheduler(redis, log), new Scheduler(redis, log), new Scheduler(redis, log)];
    for (const s of schedulers) s.add({ ...job });
    for (const s of schedulers) s.start();
    await sleep(2500);
    await Promise.all(schedulers.map((s) => s.stop()));
    assert.equal(maxRunning, 1, 'two runs overlapped');
    assert.ok(runs >= 2 && runs <= 3, `${runs} runs of a 1 s job in 2.5 s`);
  });

  test('runOnce runs on demand, whatever the tick claims; only a held lock stops it', async () => {
    const jobName = name('demand');
    let runs = 0;
    const s = new Scheduler(redis, log);
    s.add({ name: jobName, intervalMs: 60_000, run: async () => void runs++ });
    const job = s.get(jobName)!;
    const slot = slotOf(job, Date.now());
    assert.equal(await s.tick(job, slot), true);
    assert.equal(await s.tick(job, slot), false, 'the slot is claimed');
    assert.equal(await s.runOnce(job), true);
    assert.equal(await s.runOnce(job), true);
    assert.equal(runs, 3);
  });
});
