import type { Redis } from '../../platform/redis/index';
import { Field } from './counters';

/**
 * One second's sums across instances: a hash each instance adds its counts to
 * (HINCRBY) once that second is over, `n` counting the instances that did.
 * One hash tag for all of them: a second's writes and reads stay in one
 * Redis Cluster slot.
 */
export const secondKey = (second: number) => `live:{sales}:${second}`;

/** How long a second's sums are kept: long enough for every reader, short enough to cost nothing. */
const SECOND_TTL_MS = 15_000;

/** The live view's Redis side: one pipeline per tick to write, one command to read a second. */
export class LiveRedis {
  constructor(private readonly redis: Redis) {}

  /**
   * Adds this instance's counts for each given second (one pipeline for all):
   * `n` + 1 for every second, even one with nothing counted, so readers know
   * how many instances reported.
   */
  async write(seconds: [number, Map<string, number>][]): Promise<void> {
    if (seconds.length === 0) return;
    const pipe = this.redis.pipeline();
    for (const [second, counts] of seconds) {
      const key = secondKey(second);
      pipe.hincrby(key, Field.instances, 1);
      for (const [field, n] of counts) pipe.hincrby(key, field, n);
      pipe.pexpire(key, SECOND_TTL_MS);
    }
    const replies = (await pipe.exec()) ?? [];
    const failed = replies.find(([err]) => err);
    if (failed) throw failed[0];
  }

  /** Every instance's sums for one second (empty when nobody reported). */
  async read(second: number): Promise<Map<string, number>> {
    const raw = await this.redis.hgetall(secondKey(second));
    return new Map(Object.entries(raw).map(([field, n]) => [field, Number(n)]));
  }
}
