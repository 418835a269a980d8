import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { TestApp } from '../../../test/helpers';
import { FAILURE_CODES, GatewayError, MockPaymentGateway, type CaptureResult } from './gateway';

let t: TestApp;
before(async () => {
  t = await TestApp.start();
});
after(() => t.close());

const gateway = (successRate: number, latencyMs = 0) => new MockPaymentGateway(t.db, { successRate, latencyMs });
const key = () => randomUUID();

function approved(r: CaptureResult): Extract<CaptureResult, { approved: true }> {
  assert.equal(r.approved, true, `expected an approval, got ${r.raw}`);
  return r as Extract<CaptureResult, { approved: true }>;
}

async function ledgerRows(idempotencyKey: string) {
  return t.db.selectFrom('pg_transactions').selectAll().where('idempotency_key', '=', idempotencyKey).execute();
}

describe('capture outcomes', () => {
  test('successRate 1 approves every capture with a PG- + 12 hex id', async () => {
    const gw = gateway(1);
    const results = await Promise.all(Array.from({ length: 30 }, () => gw.capture({ amount: 1_000_000, method: 'CARD', idempotencyKey: key() })));
    const ids = new Set<string>();
    for (const r of results) {
      const a = approved(r);
      assert.match(a.transactionId, /^PG-[0-9A-F]{12}$/);
      assert.equal(JSON.parse(a.raw).transactionId, a.transactionId);
      ids.add(a.transactionId);
    }
    assert.equal(ids.size, 30);
  });

  test('successRate 0 declines every capture with one of the seven failure codes', async () => {
    const gw = gateway(0);
    const results = await Promise.all(Array.from({ length: 30 }, () => gw.capture({ amount: 500_000, method: 'CARD', idempotencyKey: key() })));
    for (const r of results) {
      assert.equal(r.approved, false);
      if (r.approved) continue;
      assert.ok(Object.hasOwn(FAILURE_CODES, r.failureCode), r.failureCode);
      assert.equal(r.failureMessage, FAILURE_CODES[r.failureCode as keyof typeof FAILURE_CODES]);
      assert.equal(JSON.parse(r.raw).failureCode, r.failureCode);
    }
  });

  test('successRate 0.5 over 200 captures lands in a wide band around half, with varied decline codes', async () => {
    const gw = gateway(0.5);
    const results: CaptureResult[] = [];
    for (let batch = 0; batch < 10; batch++) {
      results.push(...(await Promise.all(Array.from({ length: 20 }, () => gw.capture({ amount: 100, method: 'CARD', idempotencyKey: key() })))));
    }
    const ok = results.filter((r) => r.approved).length;
    assert.ok(ok >= 60 && ok <= 140, `approved ${ok} of 200`);
    const codes = new Set(results.flatMap((r) => (r.approved ? [] : [r.failureCode])));
    assert.ok(codes.size >= 3, `decline codes seen: ${[...codes].join(', ')}`);
  });

  test('forceOutcome wins over the success rate', async () => {
    assert.equal((await gateway(0).capture({ amount: 100, method: 'CARD', idempotencyKey: key(), forceOutcome: 'approve' })).approved, true);
    assert.equal((await gateway(1).capture({ amount: 100, method: 'CARD', idempotencyKey: key(), forceOutcome: 'decline' })).approved, false);
  });

  test('latency is simulated', async () => {
    const started = Date.now();
    await gateway(1, 60).capture({ amount: 100, method: 'CARD', idempotencyKey: key() });
    assert.ok(Date.now() - started >= 55);
  });

  test('a negative or fractional amount is refused', async () => {
    await assert.rejects(gateway(1).capture({ amount: -1, method: 'CARD', idempotencyKey: key() }), GatewayError);
    await assert.rejects(gateway(1).capture({ amount: 1.5, method: 'CARD', idempotencyKey: key() }), GatewayError);
  });
});

describe('idempotency by key', () => {
  test('the same key returns the stored outcome, whatever the second call would have drawn', async () => {
    const k = key();
    const first = await gateway(1).capture({ amount: 250_000, method: 'CARD', idempotencyKey: k });
    const again = await gateway(0).capture({ amount: 250_000, method: 'CARD', idempotencyKey: k, forceOutcome: 'decline' });
    assert.deepEqual(again, first);

    const d = key();
    const declined = await gateway(0).capture({ amount: 250_000, method: 'CARD', idempotencyKey: d });
    assert.deepEqual(await gateway(1).capture({ amount: 250_000, method: 'CARD', idempotencyKey: d }), declined);
    assert.equal((await ledgerRows(k)).length, 1);
    assert.equal((await ledgerRows(d)).length, 1);
  });

  test('20 concurrent captures with one key: one ledger row, identical results', async () => {
    for (const rate of [0.5, 1, 0]) {
      const k = key();
      const gw = gateway(rate);
      const results = await Promise.all(Array.from({ length: 20 }, () => gw.capture({ amount: 990_000, method: 'KAKAO_PAY', idempotencyKey: k })));
      for (const r of results) assert.deepEqual(r, results[0]);
      const rows = await ledgerRows(k);
      assert.equal(rows.length, 1);
      assert.equal(rows[0].status, results[0].approved ? 'APPROVED' : 'DECLINED');
      assert.equal(rows[0].amount, '9900.00');
    }
  });

  test('a key reused with another amount is refused', async () => {
    const k = key();
    await gateway(1).capture({ amount: 100, method: 'CARD', idempotencyKey: k });
    await assert.rejects(
      gateway(1).capture({ amount: 200, method: 'CARD', idempotencyKey: k }),
      (err: unknown) => err instanceof GatewayError && err.code === 'KEY_REUSED',
    );
  });
});

describe('refunds and lookups', () => {
  test('a refund gets RF-PG- + 12 hex and is idempotent per transaction, also under concurrency', async () => {
    const gw = gateway(1);
    const tx = approved(await gw.capture({ amount: 3_500_000, method: 'CARD', idempotencyKey: key() }));
    const refunds = await Promise.all(Array.from({ length: 5 }, () => gw.refund(tx.transactionId, 3_500_000)));
    assert.match(refunds[0].refundId, /^RF-PG-[0-9A-F]{12}$/);
    for (const r of refunds) assert.equal(r.refundId, refunds[0].refundId);
    assert.deepEqual(await gw.refund(tx.transactionId, 3_500_000), refunds[0]);
    const row = await t.db.selectFrom('pg_transactions').selectAll().where('transaction_id', '=', tx.transactionId).executeTakeFirstOrThrow();
    assert.equal(row.status, 'REFUNDED');
    assert.equal(row.refund_id, refunds[0].refundId);
    assert.equal(row.refunded_amount, '35000.00');
  });

  test('refunding a declined or unknown transaction, or more than was captured, throws', async () => {
    const gw = gateway(0);
    const k = key();
    await gw.capture({ amount: 100, method: 'CARD', idempotencyKey: k });
    const [declined] = await ledgerRows(k);
    await assert.rejects(gw.refund(declined.transaction_id, 100), (err: unknown) => err instanceof GatewayError && err.code === 'NOT_REFUNDABLE');
    await assert.rejects(gw.refund('PG-000000000000', 100), (err: unknown) => err instanceof GatewayError && err.code === 'UNKNOWN_TRANSACTION');
    const tx = approved(await gateway(1).capture({ amount: 100, method: 'CARD', idempotencyKey: key() }));
    await assert.rejects(gw.refund(tx.transactionId, 101), (err: unknown) => err instanceof GatewayError && err.code === 'INVALID_AMOUNT');
  });

  test('lookups and refunds work from a new gateway instance (after a restart)', async () => {
    const k = key();
    const d = key();
    const before = gateway(1);
    const captured = approved(await before.capture({ amount: 777_700, method: 'NAVER_PAY', idempotencyKey: k }));
    const declined = await gateway(0).capture({ amount: 777_700, method: 'NAVER_PAY', idempotencyKey: d });

    const restarted = gateway(0.5);
    assert.deepEqual(await restarted.lookup(k), captured);
    assert.deepEqual(await restarted.lookup(d), declined);
    assert.equal(await restarted.lookup(key()), null);

    const { refundId } = await restarted.refund(captured.transactionId, 777_700);
    assert.deepEqual(await gateway(1).refund(captured.transactionId, 777_700), { refundId });
    // The capture itself stays approved after the refund.
    assert.deepEqual(await gateway(1).lookup(k), captured);
  });
});
