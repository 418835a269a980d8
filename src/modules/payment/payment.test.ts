import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ADMIN_USER_ID, codeOf, OTHER_USER_ID, TEST_USER_ID, TestApp } from '../../../test/helpers';
import { inTransaction } from '../../platform/db/tx';
import type { Principal } from '../../platform/http/auth';
import { API_PREFIX, ok } from '../../platform/http/envelope';
import { isAppError } from '../../platform/http/errors';
import { toDecimal } from '../../platform/money';
import { MockPaymentGateway, type ApprovedCapture, type CaptureResult, type DeclinedCapture, type PaymentGateway } from './gateway';
import { PAYMENT_METHODS, ProcessPaymentRequest, type PayableOrder, type PaymentMethod, type PaymentRecord } from './schemas';
import { declineReason, PaymentService } from './service';

let t: TestApp;
let payments: PaymentService;
before(async () => {
  // A test-only route with the request schema, to check its validation answers (the real route lives with the saga, in the order module).
  t = await TestApp.start({}, {
    routes: (app) => {
      app.post(`${API_PREFIX}/test/payments`, { schema: { body: ProcessPaymentRequest } }, async (request) => ok(request.body));
    },
  });
  payments = new PaymentService(t.db, new MockPaymentGateway(t.db, { successRate: 1, latencyMs: 0 }), t.config);
});
after(() => t.close());

const user: Principal = { userId: TEST_USER_ID, roles: ['ROLE_USER'] };
const other: Principal = { userId: OTHER_USER_ID, roles: ['ROLE_USER'] };
const admin: Principal = { userId: ADMIN_USER_ID, roles: ['ROLE_SHOPPING_ADMIN'] };

/** An orders row for the foreign key (amount in minor units). */
async function order(amount = 3_500_000, userId = TEST_USER_ID): Promise<PayableOrder> {
  const orderNumber = `ORD-20260101-${randomBytes(4).toString('hex').toUpperCase()}`;
  const res = await t.db
    .insertInto('orders')
    .values({ order_number: orderNumber, user_id: userId, total_amount: toDecimal(amount), final_amount: toDecimal(amount), status: 'PENDING' })
    .executeTakeFirstOrThrow();
  return { id: Number(res.insertId), orderNumber, userId, amount };
}

const begin = (o: PayableOrder, method: PaymentMethod = 'CARD', service = payments) =>
  inTransaction(t.db, (trx) => service.begin(trx, o, method));

async function expectCode(promise: Promise<unknown>, code: string) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isAppError(err), `expected an AppError ${code}, got ${String(err)}`);
    assert.equal(err.def.code, code);
    return true;
  });
}

async function row(id: number) {
  return t.db.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function outbox(paymentNumber: string) {
  const rows = await t.db.selectFrom('outbox_events').selectAll().where('event_key', '=', paymentNumber).orderBy('id').execute();
  return rows.map((r) => ({ topic: r.topic, key: r.event_key, payload: JSON.parse(r.payload) as Record<string, unknown> }));
}

/** begin + a forced capture, as the saga does. */
async function captured(o: PayableOrder, outcome: 'approve' | 'decline', method: PaymentMethod = 'CARD') {
  const p = await begin(o, method);
  const result = await payments.capture(p, outcome);
  return { p, result };
}

describe('begin', () => {
  test('inserts a PROCESSING payment with a PAY- number and a fresh gateway key', async () => {
    const o = await order(1_234_500);
    const p = await begin(o, 'KAKAO_PAY');
    assert.match(p.paymentNumber, /^PAY-[0-9A-F]{8}$/);
    assert.match(p.gatewayKey, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(p.status, 'PROCESSING');
    assert.equal(p.amount, 1_234_500);
    assert.deepEqual(await payments.findByNumber(p.paymentNumber), p);
    assert.deepEqual(await payments.findLiveByOrder(undefined, o.id), p);
    const r = await row(p.id);
    assert.equal(r.amount, '12345.00');
    assert.equal(r.order_number, o.orderNumber);
    assert.equal(r.payment_method, 'KAKAO_PAY');
  });

  test('a second payment while the first is PROCESSING is 409 S314; once the first is COMPLETED it is S302', async () => {
    const o = await order();
    const first = await begin(o);
    await expectCode(begin(o, 'BANK_TRANSFER'), 'S314');
    const result = await payments.capture(first, 'approve');
    assert.ok(result.approved);
    assert.ok(await inTransaction(t.db, (trx) => payments.complete(trx, first, result)));
    await expectCode(begin(o, 'BANK_TRANSFER'), 'S302');
    assert.equal((await payments.findByOrder(undefined, o.id)).length, 1);
  });

  test('30 concurrent begins for one order: exactly one succeeds, the rest S314 (the winner is still PROCESSING)', async () => {
    const o = await order();
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => begin(o)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    assert.equal(ok.length, 1);
    for (const r of results) {
      if (r.status === 'rejected') assert.ok(isAppError(r.reason, 'PAYMENT_IN_PROGRESS'), String(r.reason));
    }
    assert.equal((await payments.findByOrder(undefined, o.id)).length, 1);
  });

  test('the same under the order row lock the saga holds', async () => {
    const o = await order();
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, () =>
        inTransaction(t.db, async (trx) => {
          await trx.selectFrom('orders').select('id').where('id', '=', o.id).forUpdate().execute();
          return payments.begin(trx, o, 'CARD');
        }),
      ),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.equal(results.filter((r) => r.status === 'rejected' && isAppError(r.reason, 'PAYMENT_IN_PROGRESS')).length, 29);
  });

  test('a FAILED payment frees the order for a new one', async () => {
    const o = await order();
    const { p, result } = await captured(o, 'decline');
    assert.equal(result.approved, false);
    assert.equal(await inTransaction(t.db, (trx) => payments.markFailed(trx, p, declineReason(result as DeclinedCapture), result.raw)), true);
    assert.equal(await payments.findLiveByOrder(undefined, o.id), null);
    const second = await begin(o, 'MOBILE');
    assert.notEqual(second.paymentNumber, p.paymentNumber);
    assert.notEqual(second.gatewayKey, p.gatewayKey);
    assert.equal((await payments.findLiveByOrder(undefined, o.id))?.id, second.id);
    assert.deepEqual((await payments.findByOrder(undefined, o.id)).map((x) => x.status), ['FAILED', 'PROCESSING']);
  });
});

describe('capture', () => {
  test('is keyed by the gateway key: a retry gets the same result, one ledger row', async () => {
    const o = await order();
    const p = await begin(o);
    const first = await payments.capture(p);
    const retry = await payments.capture(p, 'decline');
    assert.deepEqual(retry, first);
    const ledger = await t.db.selectFrom('pg_transactions').selectAll().where('idempotency_key', '=', p.gatewayKey).execute();
    assert.equal(ledger.length, 1);
    assert.equal(ledger[0].amount, toDecimal(o.amount));
  });

  test('forceOutcome is honoured only when NODE_ENV=test', async () => {
    const prod = new PaymentService(t.db, new MockPaymentGateway(t.db, { successRate: 1, latencyMs: 0 }), { ...t.config, nodeEnv: 'production' });
    const p1 = await begin(await order(), 'CARD', prod);
    assert.equal((await prod.capture(p1, 'decline')).approved, true);
    const p2 = await begin(await order());
    assert.equal((await payments.capture(p2, 'decline')).approved, false);
  });

  test('a gateway exception propagates', async () => {
    const broken: PaymentGateway = {
      capture: async () => {
        throw new Error('connection reset');
      },
      lookup: async () => null,
      refund: async () => ({ refundId: 'x' }),
    };
    const svc = new PaymentService(t.db, broken, t.config);
    const p = await begin(await order(), 'CARD', svc);
    await assert.rejects(svc.capture(p), /connection reset/);
  });
});

describe('transitions', () => {
  test('complete: PROCESSING → COMPLETED once, with one shopping.payment.completed', async () => {
    const o = await order(4_990_000);
    const { p, result } = await captured(o, 'approve', 'NAVER_PAY');
    const a = result as ApprovedCapture;
    const done = await inTransaction(t.db, (trx) => payments.complete(trx, p, a));
    // what it returns is what a later read sees
    assert.deepEqual(done, await payments.findById(undefined, p.id));
    assert.equal(await inTransaction(t.db, (trx) => payments.complete(trx, p, a)), null);
    assert.equal(await inTransaction(t.db, (trx) => payments.markFailed(trx, p, 'late')), false);

    const r = await row(p.id);
    assert.equal(r.status, 'COMPLETED');
    assert.equal(r.pg_transaction_id, a.transactionId);
    assert.equal(r.pg_response, a.raw);
    assert.ok(r.paid_at instanceof Date);

    const events = await outbox(p.paymentNumber);
    assert.equal(events.length, 1);
    assert.equal(events[0].topic, 'shopping.payment.completed');
    assert.equal(events[0].key, p.paymentNumber);
    const { eventId, occurredAt, ...payload } = events[0].payload;
    assert.match(String(eventId), /^[0-9a-f-]{36}$/);
    assert.match(String(occurredAt), /Z$/);
    assert.deepEqual(payload, {
      paymentNumber: p.paymentNumber,
      orderNumber: o.orderNumber,
      userId: TEST_USER_ID,
      amount: 49900,
      paymentMethod: 'NAVER_PAY',
      pgTransactionId: a.transactionId,
      paidAt: r.paid_at!.toISOString(),
    });
  });

  test('markFailed: PROCESSING → FAILED once, with one shopping.payment.failed', async () => {
    const o = await order(1_000_000);
    const { p, result } = await captured(o, 'decline', 'POINTS');
    const d = result as DeclinedCapture;
    const reason = declineReason(d);
    assert.equal(await inTransaction(t.db, (trx) => payments.markFailed(trx, p, reason, d.raw)), true);
    assert.equal(await inTransaction(t.db, (trx) => payments.markFailed(trx, p, reason, d.raw)), false);
    assert.equal(await inTransaction(t.db, (trx) => payments.complete(trx, p, { approved: true, transactionId: 'PG-000000000000', raw: '{}' })), null);
    assert.equal(await inTransaction(t.db, (trx) => payments.markRefunded(trx, p.id, 'RF-PG-000000000000')), false);

    const r = await row(p.id);
    assert.equal(r.status, 'FAILED');
    assert.equal(r.failure_reason, reason);
    assert.equal(r.pg_response, d.raw);
    assert.equal(r.pg_transaction_id, null);

    const events = await outbox(p.paymentNumber);
    assert.equal(events.length, 1);
    assert.equal(events[0].topic, 'shopping.payment.failed');
    const { eventId: _e, occurredAt: _o, failedAt, ...payload } = events[0].payload;
    assert.match(String(failedAt), /^\d{4}-\d\d-\d\dT.*Z$/);
    assert.deepEqual(payload, {
      paymentNumber: p.paymentNumber,
      orderNumber: o.orderNumber,
      userId: TEST_USER_ID,
      amount: 10000,
      paymentMethod: 'POINTS',
      failureReason: reason,
    });
  });

  test('a transition in a transaction that rolls back leaves no change and no event', async () => {
    const o = await order();
    const { p, result } = await captured(o, 'approve');
    await assert.rejects(
      inTransaction(t.db, async (trx) => {
        assert.notEqual(await payments.complete(trx, p, result as ApprovedCapture), null);
        throw new Error('saga step failed');
      }),
      /saga step failed/,
    );
    assert.equal((await row(p.id)).status, 'PROCESSING');
    assert.deepEqual(await outbox(p.paymentNumber), []);
  });

  test('refund: the gateway refund is idempotent, COMPLETED → REFUNDED once', async () => {
    const o = await order(2_000_000);
    const { p, result } = await captured(o, 'approve');
    await inTransaction(t.db, (trx) => payments.complete(trx, p, result as ApprovedCapture));
    const completed = (await payments.findByNumber(p.paymentNumber))!;

    const { refundId } = await payments.refundAtGateway(completed);
    assert.match(refundId, /^RF-PG-[0-9A-F]{12}$/);
    assert.deepEqual(await payments.refundAtGateway(completed), { refundId }); // a retried saga step
    assert.equal(await inTransaction(t.db, (trx) => payments.markRefunded(trx, p.id, refundId)), true);
    assert.equal(await inTransaction(t.db, (trx) => payments.markRefunded(trx, p.id, refundId)), false);

    const refunded = (await payments.findByNumber(p.paymentNumber))!;
    assert.equal(refunded.status, 'REFUNDED');
    assert.equal(refunded.pgTransactionId, refundId);
    assert.ok(refunded.refundedAt instanceof Date);
    assert.deepEqual(await payments.refundAtGateway(refunded), { refundId });
    // A refunded payment still holds its order: no new payment.
    await expectCode(begin(o), 'S302');
  });

  test('refundAtGateway: S305 without a captured transaction or when the gateway fails', async () => {
    const { p } = await captured(await order(), 'decline');
    await expectCode(payments.refundAtGateway(p), 'S305');

    const failing: PaymentGateway = {
      capture: async () => ({ approved: true, transactionId: 'PG-ABCDEF012345', raw: '{}' }),
      lookup: async () => null,
      refund: async () => {
        throw new Error('gateway down');
      },
    };
    const svc = new PaymentService(t.db, failing, t.config);
    const q = await begin(await order(), 'CARD', svc);
    await inTransaction(t.db, async (trx) => svc.complete(trx, q, (await svc.capture(q)) as ApprovedCapture));
    await assert.rejects(svc.refundAtGateway((await svc.findByNumber(q.paymentNumber))!), (err: unknown) => {
      assert.ok(isAppError(err, 'PAYMENT_REFUND_FAILED'));
      assert.match(String((err as Error).cause), /gateway down/);
      return true;
    });
  });
});

describe('settlement lookups', () => {
  test('findProcessing and settle: what the gateway knows by gateway key', async () => {
    const o = await order();
    const p = await begin(o);
    assert.ok((await payments.findProcessing()).some((x) => x.id === p.id));
    assert.ok(!(await payments.findProcessing(60_000)).some((x) => x.id === p.id));
    assert.equal(await payments.settle(p), null); // a crash before the capture: the gateway never saw it

    const result: CaptureResult = await payments.capture(p, 'approve');
    // A new gateway instance (a restart) answers the same.
    const restarted = new PaymentService(t.db, new MockPaymentGateway(t.db, { successRate: 0, latencyMs: 0 }), t.config);
    assert.deepEqual(await restarted.settle(p), result);

    await inTransaction(t.db, (trx) => payments.complete(trx, p, result as ApprovedCapture));
    assert.ok(!(await payments.findProcessing()).some((x) => x.id === p.id));
  });
});

describe('get and cancel', () => {
  test('get: the owner and admins see it; others S313; unknown S301', async () => {
    const o = await order(3_500_000);
    const p = await begin(o, 'VIRTUAL_ACCOUNT');
    const res = await payments.get(p.paymentNumber, user);
    assert.deepEqual(Object.keys(res), [
      'id', 'paymentNumber', 'orderNumber', 'userId', 'amount', 'status', 'statusDescription', 'paymentMethod',
      'paymentMethodDescription', 'pgTransactionId', 'failureReason', 'paidAt', 'refundedAt', 'createdAt', 'updatedAt',
    ]);
    assert.equal(res.amount, 35000);
    assert.equal(res.status, 'PROCESSING');
    assert.equal(res.statusDescription, '처리 중');
    assert.equal(res.paymentMethodDescription, '가상계좌');
    assert.equal(res.pgTransactionId, null);
    assert.equal(res.paidAt, null);
    assert.deepEqual(await payments.get(p.paymentNumber, admin), res);
    await expectCode(payments.get(p.paymentNumber, other), 'S313');
    await expectCode(payments.get('PAY-00000000', user), 'S301');
  });

  test('cancel: PENDING only (S312 otherwise), owner or admin (S313), S301', async () => {
    const o = await order();
    const p = await begin(o);
    await expectCode(payments.cancel(p.paymentNumber, user), 'S312'); // PROCESSING
    await expectCode(payments.cancel(p.paymentNumber, other), 'S313');
    await expectCode(payments.cancel('PAY-00000000', user), 'S301');

    await t.db.updateTable('payments').set({ status: 'PENDING' }).where('id', '=', p.id).execute();
    const cancelled = await payments.cancel(p.paymentNumber, user);
    assert.equal(cancelled.status, 'CANCELLED');
    assert.equal(cancelled.statusDescription, '취소');
    await expectCode(payments.cancel(p.paymentNumber, user), 'S312');
    // A cancelled payment frees the order.
    assert.equal((await begin(o)).status, 'PROCESSING');

    const q = await begin(await order(100_000, OTHER_USER_ID));
    await t.db.updateTable('payments').set({ status: 'PENDING' }).where('id', '=', q.id).execute();
    assert.equal((await payments.cancel(q.paymentNumber, admin)).status, 'CANCELLED');
  });

  test('toResponse describes every method and status', () => {
    const base: PaymentRecord = {
      id: 1, paymentNumber: 'PAY-00000001', orderId: 1, orderNumber: 'ORD-20260101-00000001', userId: TEST_USER_ID,
      amount: 150, status: 'COMPLETED', paymentMethod: 'CARD', gatewayKey: 'k', pgTransactionId: 'PG-000000000001',
      pgResponse: '{}', failureReason: null, paidAt: new Date(0), refundedAt: null, createdAt: new Date(0), updatedAt: new Date(0),
    };
    const methods = Object.fromEntries(PAYMENT_METHODS.map((m) => [m, payments.toResponse({ ...base, paymentMethod: m }).paymentMethodDescription]));
    assert.deepEqual(methods, {
      CARD: '카드', BANK_TRANSFER: '계좌이체', VIRTUAL_ACCOUNT: '가상계좌', MOBILE: '휴대폰', POINTS: '포인트',
      CREDIT_CARD: '신용카드', KAKAO_PAY: '카카오페이', NAVER_PAY: '네이버페이',
    });
    const statuses = (['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED', 'REFUNDED'] as const).map(
      (s) => payments.toResponse({ ...base, status: s }).statusDescription,
    );
    assert.deepEqual(statuses, ['대기 중', '처리 중', '완료', '실패', '취소', '환불']);
    assert.equal(payments.toResponse(base).amount, 1.5);
  });
});

describe('ProcessPaymentRequest', () => {
  const post = (body: unknown) => t.call('POST', '/test/payments', { body });
  const details = (res: { body: { error?: { details?: { field: string; message: string; rejectedValue?: unknown }[] } } }) =>
    res.body.error?.details ?? [];

  test('accepts every method; card fields are optional, nullable and ignored', async () => {
    for (const m of PAYMENT_METHODS) {
      const res = await post({ orderNumber: 'ORD-20260101-00000001', paymentMethod: m });
      assert.equal(res.status, 200, m);
    }
    const withCard = await post({ orderNumber: 'ORD-1', paymentMethod: 'CARD', cardNumber: '4111', cardExpiry: null, cardCvv: '123' });
    assert.equal(withCard.status, 200);
  });

  test('missing, null and blank fields answer the contract messages', async () => {
    const empty = await post({});
    assert.equal(empty.status, 400);
    assert.equal(codeOf(empty), 'C002');
    assert.deepEqual(
      details(empty).map((d) => [d.field, d.message]).sort(),
      [['orderNumber', 'Order number is required'], ['paymentMethod', 'Payment method is required']],
    );
    const nulls = await post({ orderNumber: '  ', paymentMethod: null });
    assert.deepEqual(
      details(nulls).map((d) => [d.field, d.message]).sort(),
      [['orderNumber', 'Order number is required'], ['paymentMethod', 'Payment method is required']],
    );
  });

  test('a bad method is C002 naming paymentMethod; unknown fields are rejected; card data is never echoed', async () => {
    const bad = await post({ orderNumber: 'ORD-1', paymentMethod: 'BITCOIN' });
    assert.equal(bad.status, 400);
    assert.equal(codeOf(bad), 'C002');
    assert.equal(details(bad)[0].field, 'paymentMethod');
    assert.match(details(bad)[0].message, /^Payment method must be one of CARD, /);

    const unknown = await post({ orderNumber: 'ORD-1', paymentMethod: 'CARD', amount: 1 });
    assert.equal(unknown.status, 400);
    assert.equal(details(unknown)[0].field, 'amount');

    const card = await post({ orderNumber: 'ORD-1', paymentMethod: 'CARD', cardNumber: { pan: '4111111111111111' } });
    assert.equal(card.status, 400);
    assert.equal(details(card)[0].field, 'cardNumber');
    assert.ok(!JSON.stringify(card.body).includes('4111111111111111'));
  });
});
