/**
 * The service on a Sentinel group of its own (`startRedisSentinel`: a master, a
 * replica and a Sentinel), with a `SENTINEL FAILOVER` in the middle of a
 * first-come coupon sale. The client follows the promoted replica by itself;
 * requests caught by the switch answer 503 C014 and are retried, as a browser
 * would; MySQL alone keeps the count exact, whatever the promoted replica had
 * not yet received.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis as Server } from 'ioredis';
import { codeOf, TestApp, until } from './helpers';
import { startRedisSentinel, type PrivateSentinelGroup } from './servers';
import { buyers, createCoupon, type Buyer } from '../src/modules/coupon/test-support';

const TOTAL = 200;

describe('on a Sentinel group', { timeout: 120_000 }, () => {
  let group: PrivateSentinelGroup;
  let t: TestApp;

  before(async () => {
    group = await startRedisSentinel();
    t = await TestApp.start({ REDIS_SENTINELS: group.sentinels.join(','), REDIS_SENTINEL_NAME: group.name, REDIS_COMMAND_TIMEOUT_MS: '1000' });
  });
  after(async () => {
    await t?.close();
    await group?.dispose();
  });

  test('a SENTINEL FAILOVER mid-sale: the sale goes on on the promoted replica, and never issues above the total', async (ctx) => {
    assert.equal(await group.masterPort(), group.master.port);
    const coupon = await createCoupon(t.services.coupons, { totalQuantity: TOTAL });
    const people = await buyers(t, 3 * TOTAL);
    const answers = new Map<string, string>(); // buyer → final answer
    let unavailable = 0;
    let switchedAt = 0;
    let issuedAfterSwitch = 0;

    /** One buyer: retried while the answer is 503 C014 (the switch), like a browser's retry. */
    const buy = async (b: Buyer) => {
      for (let attempt = 0; ; attempt++) {
        const res = await t.call('POST', `/coupons/${coupon.id}/issue`, { token: b.token });
        const answer = res.status === 201 ? '201' : `${res.status} ${codeOf(res)}`;
        if (answer === '503 C014' && attempt < 100) {
          unavailable++;
          await sleep(100);
          continue;
        }
        answers.set(b.id, answer);
        if (answer === '201' && switchedAt > 0) issuedAfterSwitch++;
        return;
      }
    };
    // Every buyer once, in order, through 20 workers; while the failover runs only 2 of them go on,
    // slowly, so the sale spans the switch instead of selling out inside it.
    let next = 0;
    let failingOver = false;
    const issued = () => [...answers.values()].filter((a) => a === '201').length;
    const sale = Promise.all(
      Array.from({ length: 20 }, async (_, worker) => {
        while (next < people.length) {
          if (failingOver && worker >= 2) {
            await sleep(50);
            continue;
          }
          await buy(people[next++]);
          if (failingOver) await sleep(50);
        }
      }),
    );
    await until(() => issued() >= TOTAL / 4, 30_000, 'a quarter of the coupons issued');
    failingOver = true;
    const sentinel = new Server(group.sentinel.port, '127.0.0.1');
    try {
      assert.equal(await sentinel.call('SENTINEL', 'FAILOVER', group.name), 'OK');
    } finally {
      sentinel.disconnect();
    }
    await until(async () => (await group.masterPort()) === group.replica.port, 20_000, 'the replica promoted');
    switchedAt = Date.now();
    const issuedAtSwitch = issued();
    failingOver = false;
    await sale;

    const tally: Record<string, number> = {};
    for (const a of answers.values()) tally[a] = (tally[a] ?? 0) + 1;
    const rows = await t.db.selectFrom('user_coupons').select(['user_id', 'unit_no']).where('coupon_id', '=', coupon.id).execute();
    const units = rows.map((r) => r.unit_no);
    const holders = new Set(rows.map((r) => r.user_id));
    const detail = JSON.stringify({ tally, unavailable, issuedAtSwitch, issuedAfterSwitch, rows: rows.length });

    // Never above the total, each unit and each user once: MySQL's unique keys, whatever Redis held.
    assert.equal(rows.length, TOTAL, detail);
    assert.equal(new Set(units).size, rows.length, `a unit issued twice: ${detail}`);
    assert.ok(units.every((u) => u >= 1 && u <= TOTAL), `a unit outside 1…${TOTAL}`);
    assert.equal(holders.size, rows.length, `a user holds it twice: ${detail}`);
    // Every answer is true: a 201 holds a row, a sold-out answer none.
    for (const [user, answer] of answers) {
      if (answer === '201') assert.ok(holders.has(user), `${user} was answered 201 without a row`);
      if (answer === '409 S602') assert.ok(!holders.has(user), `${user} was answered sold out but holds one`);
    }
    assert.deepEqual(Object.keys(tally).filter((a) => !['201', '409 S602', '409 S604'].includes(a)), [], detail);
    // The sale went on after the switch, on the promoted replica.
    assert.ok(issuedAfterSwitch > 0, `nothing issued after the failover: ${detail}`);
    const promoted = new Server(group.replica.port, '127.0.0.1');
    try {
      assert.equal(((await promoted.call('ROLE')) as string[])[0], 'master');
      assert.ok((await promoted.dbsize()) > 0, 'the sale keys live on the promoted replica');
    } finally {
      promoted.disconnect();
    }
    const ready = await t.call('GET', '/health/ready', { token: null });
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    ctx.diagnostic(detail);
  });
});
