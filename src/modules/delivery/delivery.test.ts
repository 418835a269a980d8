import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ADMIN_USER_ID, codeOf, TEST_USER_ID, TestApp } from '../../../test/helpers';
import { inTransaction, type Tx } from '../../platform/db/tx';
import type { Principal } from '../../platform/http/auth';
import { isAppError } from '../../platform/http/errors';
import { toAddressResponse, type DeliveryStatus, type DeliveryStatusChange } from './schemas';
import { DeliveryService, utcDatePlusDays } from './service';

const USER: Principal = { userId: TEST_USER_ID, roles: ['ROLE_USER'] };
const ADMIN: Principal = { userId: ADMIN_USER_ID, roles: ['ROLE_SHOPPING_ADMIN'] };

let t: TestApp;
/** A service of this file's own, so the order saga (the app's delivery listener) never sees these fake orders. */
let svc: DeliveryService;
/** The app's own service, behind the HTTP routes, with the order saga as its listener. */
let served: DeliveryService;

before(async () => {
  t = await TestApp.start();
  svc = new DeliveryService(t.db);
  served = t.services.deliveries;
});
after(() => t.close());

// ---- fixtures -----------------------------------------------------------------------------

interface FakeOrder {
  id: number;
  orderNumber: string;
  userId: string;
  address: { receiverName: string; receiverPhone: string; zipCode: string; address1: string; address2: string | null };
}

/** An order row for the FK (this module's tests only: orders belong to the order module). */
async function order(userId = TEST_USER_ID, address2: string | null = '101동 202호'): Promise<FakeOrder> {
  const orderNumber = `ORD-20260101-${randomBytes(4).toString('hex').toUpperCase()}`;
  const address = { receiverName: '홍길동', receiverPhone: '010-1234-5678', zipCode: '06236', address1: '서울시 강남구 테헤란로 1', address2 };
  const result = await t.db
    .insertInto('orders')
    .values({
      order_number: orderNumber,
      user_id: userId,
      total_amount: 10000,
      discount_amount: 0,
      final_amount: 10000,
      status: 'PAID',
      receiver_name: address.receiverName,
      receiver_phone: address.receiverPhone,
      zip_code: address.zipCode,
      address1: address.address1,
      address2: address.address2,
    })
    .executeTakeFirstOrThrow();
  return { id: Number(result.insertId), orderNumber, userId, address };
}

/** A fresh PREPARING delivery made through `service`. */
async function delivery(service = svc, userId = TEST_USER_ID) {
  const o = await order(userId);
  const { trackingNumber } = await inTransaction(t.db, (trx) => service.createForOrder(trx, o));
  return { order: o, trackingNumber };
}

async function row(trackingNumber: string) {
  return t.db.selectFrom('deliveries').selectAll().where('tracking_number', '=', trackingNumber).executeTakeFirstOrThrow();
}

async function historyCount(trackingNumber: string): Promise<number> {
  const rows = await t.db
    .selectFrom('delivery_histories as h')
    .innerJoin('deliveries as d', 'd.id', 'h.delivery_id')
    .select('h.id')
    .where('d.tracking_number', '=', trackingNumber)
    .execute();
  return rows.length;
}

async function shippedEvents(trackingNumber: string) {
  return t.db
    .selectFrom('outbox_events')
    .selectAll()
    .where('topic', '=', 'shopping.delivery.shipped')
    .where('event_key', '=', trackingNumber)
    .execute();
}

/** Walks a delivery along `path` as an admin. */
async function walk(trackingNumber: string, path: DeliveryStatus[], service = svc) {
  for (const status of path) await service.updateStatus(trackingNumber, { status }, ADMIN);
}

async function rejects(promise: Promise<unknown>, name: Parameters<typeof isAppError>[1]) {
  await assert.rejects(promise, (err) => isAppError(err, name));
}

function today(days = 0) {
  return utcDatePlusDays(new Date(), days);
}

// ---- tests --------------------------------------------------------------------------------

describe('createForOrder', () => {
  test('PREPARING, TRK- + 12 hex, 기본택배, estimated = today + 3, the order address, no history', async () => {
    const before = today(3);
    const { order: o, trackingNumber } = await delivery();
    const after = today(3);
    assert.match(trackingNumber, /^TRK-[0-9A-F]{12}$/);
    const r = await row(trackingNumber);
    assert.equal(r.status, 'PREPARING');
    assert.equal(r.carrier, '기본택배');
    assert.equal(r.order_id, o.id);
    assert.equal(r.order_number, o.orderNumber);
    assert.equal(r.user_id, TEST_USER_ID);
    assert.ok([before, after].includes(r.estimated_delivery_date as string), String(r.estimated_delivery_date));
    assert.equal(r.actual_delivery_date, null);
    assert.equal(await historyCount(trackingNumber), 0);

    const res = await svc.get(trackingNumber, USER);
    assert.equal(res.status, 'PREPARING');
    assert.equal(res.statusDescription, '준비 중');
    assert.deepEqual(res.histories, []);
    assert.deepEqual(res.shippingAddress, {
      receiverName: '홍길동',
      receiverPhone: '010-1234-5678',
      zipCode: '06236',
      address1: '서울시 강남구 테헤란로 1',
      address2: '101동 202호',
      fullAddress: '[06236] 서울시 강남구 테헤란로 1 101동 202호',
    });
  });

  test('is idempotent per order: a second call (or a concurrent one) returns the same delivery', async () => {
    const o = await order();
    const first = await inTransaction(t.db, (trx) => svc.createForOrder(trx, o));
    const again = await inTransaction(t.db, (trx) => svc.createForOrder(trx, o));
    assert.equal(again.trackingNumber, first.trackingNumber);

    const o2 = await order();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = inTransaction(t.db, async (trx) => {
      const r = await svc.createForOrder(trx, o2);
      await gate; // hold the uncommitted row while the other transaction tries
      return r;
    });
    await new Promise((r) => setTimeout(r, 50));
    const fast = inTransaction(t.db, (trx) => svc.createForOrder(trx, o2));
    await new Promise((r) => setTimeout(r, 50));
    release();
    const [a, b] = await Promise.all([slow, fast]);
    assert.equal(a.trackingNumber, b.trackingNumber);
    for (const id of [o.id, o2.id]) {
      const rows = await t.db.selectFrom('deliveries').select('id').where('order_id', '=', id).execute();
      assert.equal(rows.length, 1);
    }
  });

  test('a rolled-back transaction leaves no delivery', async () => {
    const o = await order();
    await assert.rejects(
      inTransaction(t.db, async (trx) => {
        await svc.createForOrder(trx, o);
        throw new Error('saga step failed');
      }),
      /saga step failed/,
    );
    const rows = await t.db.selectFrom('deliveries').select('id').where('order_id', '=', o.id).execute();
    assert.equal(rows.length, 0);
  });
});

describe('updateStatus', () => {
  test('every transition §0.2 allows, with a history row each, newest first', async () => {
    const paths: DeliveryStatus[][] = [
      ['SHIPPED', 'IN_TRANSIT', 'DELIVERED', 'RETURNED'],
      ['SHIPPED', 'IN_TRANSIT', 'RETURNED'],
      ['CANCELLED'],
    ];
    for (const path of paths) {
      const { trackingNumber } = await delivery();
      for (const [i, status] of path.entries()) {
        const res = await svc.updateStatus(trackingNumber, { status, location: `허브 ${i}`, description: `단계 ${i}` }, ADMIN);
        assert.equal(res.status, status);
        assert.equal(res.histories.length, i + 1);
        assert.deepEqual(
          { status: res.histories[0].status, location: res.histories[0].location, description: res.histories[0].description },
          { status, location: `허브 ${i}`, description: `단계 ${i}` },
        );
      }
      const res = await svc.get(trackingNumber, ADMIN);
      assert.deepEqual(
        res.histories.map((h) => h.status),
        [...path].reverse(),
      );
      const ids = res.histories.map((h) => h.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
    }
  });

  test('history entries carry statusDescription, nulls for a missing location/description, and ISO times', async () => {
    const { trackingNumber } = await delivery();
    const res = await svc.updateStatus(trackingNumber, { status: 'SHIPPED' }, ADMIN);
    const [h] = res.histories;
    assert.deepEqual(Object.keys(h), ['id', 'status', 'statusDescription', 'location', 'description', 'createdAt']);
    assert.equal(h.statusDescription, '발송됨');
    assert.equal(h.location, null);
    assert.equal(h.description, null);
    assert.ok(h.createdAt instanceof Date);
  });

  test('statusDescription for every status', async () => {
    const expected: Record<string, string> = {
      SHIPPED: '발송됨',
      IN_TRANSIT: '배송 중',
      DELIVERED: '배송 완료',
      RETURNED: '반품',
    };
    const { trackingNumber } = await delivery();
    for (const [status, text] of Object.entries(expected)) {
      const res = await svc.updateStatus(trackingNumber, { status: status as DeliveryStatus }, ADMIN);
      assert.equal(res.statusDescription, text);
    }
    const c = await delivery();
    assert.equal((await svc.updateStatus(c.trackingNumber, { status: 'CANCELLED' }, ADMIN)).statusDescription, '취소됨');
  });

  test('DELIVERED sets actualDeliveryDate (today, UTC); other states leave it null', async () => {
    const { trackingNumber } = await delivery();
    await walk(trackingNumber, ['SHIPPED', 'IN_TRANSIT']);
    assert.equal((await svc.get(trackingNumber, USER)).actualDeliveryDate, null);
    const before = today();
    const res = await svc.updateStatus(trackingNumber, { status: 'DELIVERED' }, ADMIN);
    assert.ok([before, today()].includes(res.actualDeliveryDate as string), String(res.actualDeliveryDate));
    assert.equal((await row(trackingNumber)).actual_delivery_date, res.actualDeliveryDate);
  });

  test('forbidden transitions (same status included) answer S506 and change nothing', async () => {
    const cases: [DeliveryStatus[], DeliveryStatus][] = [
      [[], 'PREPARING'],
      [[], 'IN_TRANSIT'],
      [[], 'DELIVERED'],
      [[], 'RETURNED'],
      [['SHIPPED'], 'SHIPPED'],
      [['SHIPPED'], 'CANCELLED'],
      [['SHIPPED'], 'DELIVERED'],
      [['SHIPPED'], 'PREPARING'],
      [['SHIPPED', 'IN_TRANSIT'], 'SHIPPED'],
      [['SHIPPED', 'IN_TRANSIT'], 'CANCELLED'],
      [['SHIPPED', 'IN_TRANSIT', 'DELIVERED'], 'IN_TRANSIT'],
      [['SHIPPED', 'IN_TRANSIT', 'DELIVERED'], 'CANCELLED'],
      [['SHIPPED', 'IN_TRANSIT', 'DELIVERED', 'RETURNED'], 'DELIVERED'],
      [['CANCELLED'], 'SHIPPED'],
      [['CANCELLED'], 'PREPARING'],
    ];
    for (const [path, to] of cases) {
      const { trackingNumber } = await delivery();
      await walk(trackingNumber, path);
      const before = await row(trackingNumber);
      const histories = await historyCount(trackingNumber);
      const events = (await shippedEvents(trackingNumber)).length;
      await rejects(svc.updateStatus(trackingNumber, { status: to }, ADMIN), 'INVALID_DELIVERY_STATUS');
      assert.deepEqual(await row(trackingNumber), before, `${path.join('→')} → ${to}`);
      assert.equal(await historyCount(trackingNumber), histories);
      assert.equal((await shippedEvents(trackingNumber)).length, events);
    }
  });

  test('an unknown tracking number is S501; a non-admin actor is C004', async () => {
    await rejects(svc.updateStatus('TRK-000000000000', { status: 'SHIPPED' }, ADMIN), 'DELIVERY_NOT_FOUND');
    const { trackingNumber } = await delivery();
    await rejects(svc.updateStatus(trackingNumber, { status: 'SHIPPED' }, USER), 'FORBIDDEN');
    assert.equal((await row(trackingNumber)).status, 'PREPARING');
  });

  test('SHIPPED writes one shopping.delivery.shipped event with the §9 payload; other changes write none', async () => {
    const { order: o, trackingNumber } = await delivery();
    const before = Date.now();
    await svc.updateStatus(trackingNumber, { status: 'SHIPPED', location: '물류센터' }, ADMIN);
    const events = await shippedEvents(trackingNumber);
    assert.equal(events.length, 1);
    const payload = JSON.parse(events[0].payload);
    assert.equal(payload.trackingNumber, trackingNumber);
    assert.equal(payload.orderNumber, o.orderNumber);
    assert.equal(payload.userId, TEST_USER_ID);
    assert.equal(payload.carrier, '기본택배');
    assert.ok([utcDatePlusDays(new Date(before), 3), today(3)].includes(payload.estimatedDeliveryDate));
    assert.match(payload.shippedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(Date.parse(payload.shippedAt) >= before - 1000 && Date.parse(payload.shippedAt) <= Date.now() + 1000);
    assert.match(payload.eventId, /^[0-9a-f-]{36}$/);
    assert.equal(payload.eventId, events[0].event_id);
    assert.ok(payload.occurredAt);

    await walk(trackingNumber, ['IN_TRANSIT', 'DELIVERED', 'RETURNED']);
    assert.equal((await shippedEvents(trackingNumber)).length, 1);
    const others = await t.db.selectFrom('outbox_events').select('topic').where('event_key', '=', trackingNumber).execute();
    assert.deepEqual(others.map((e) => e.topic), ['shopping.delivery.shipped']);
  });
});

describe('listener', () => {
  test('is called once per change inside the transaction, with the change', async () => {
    const local = new DeliveryService(t.db);
    const seen: (DeliveryStatusChange & { insideStatus: string; insideHistories: number; outsideStatus: string })[] = [];
    local.setListener({
      async onDeliveryStatusChanged(trx: Tx, change) {
        const inside = await trx.selectFrom('deliveries').select('status').where('id', '=', change.deliveryId).executeTakeFirstOrThrow();
        const histories = await trx.selectFrom('delivery_histories').select('id').where('delivery_id', '=', change.deliveryId).execute();
        // Another connection still sees the committed (old) state: the change is not committed yet.
        const outside = await t.db.selectFrom('deliveries').select('status').where('id', '=', change.deliveryId).executeTakeFirstOrThrow();
        seen.push({ ...change, insideStatus: inside.status, insideHistories: histories.length, outsideStatus: outside.status });
      },
    });
    const { order: o, trackingNumber } = await delivery(local);
    await walk(trackingNumber, ['SHIPPED', 'IN_TRANSIT', 'DELIVERED'], local);
    const id = (await row(trackingNumber)).id;
    assert.deepEqual(seen, [
      { deliveryId: id, orderId: o.id, orderNumber: o.orderNumber, userId: TEST_USER_ID, trackingNumber, from: 'PREPARING', to: 'SHIPPED', insideStatus: 'SHIPPED', insideHistories: 1, outsideStatus: 'PREPARING' },
      { deliveryId: id, orderId: o.id, orderNumber: o.orderNumber, userId: TEST_USER_ID, trackingNumber, from: 'SHIPPED', to: 'IN_TRANSIT', insideStatus: 'IN_TRANSIT', insideHistories: 2, outsideStatus: 'SHIPPED' },
      { deliveryId: id, orderId: o.id, orderNumber: o.orderNumber, userId: TEST_USER_ID, trackingNumber, from: 'IN_TRANSIT', to: 'DELIVERED', insideStatus: 'DELIVERED', insideHistories: 3, outsideStatus: 'IN_TRANSIT' },
    ]);
  });

  test('a throwing listener rolls the whole update back: no status change, no history, no event, no delivery day', async () => {
    const local = new DeliveryService(t.db);
    let fail: DeliveryStatus | undefined;
    local.setListener({
      async onDeliveryStatusChanged(_trx, change) {
        if (change.to === fail) throw new Error(`listener refused ${change.to}`);
      },
    });
    const { trackingNumber } = await delivery(local);
    fail = 'SHIPPED';
    const before = await row(trackingNumber);
    await assert.rejects(local.updateStatus(trackingNumber, { status: 'SHIPPED' }, ADMIN), /listener refused SHIPPED/);
    assert.deepEqual(await row(trackingNumber), before);
    assert.equal(await historyCount(trackingNumber), 0);
    assert.equal((await shippedEvents(trackingNumber)).length, 0);

    fail = 'DELIVERED';
    await walk(trackingNumber, ['SHIPPED', 'IN_TRANSIT'], local);
    const mid = await row(trackingNumber);
    await assert.rejects(local.updateStatus(trackingNumber, { status: 'DELIVERED' }, ADMIN), /listener refused DELIVERED/);
    assert.deepEqual(await row(trackingNumber), mid);
    assert.equal(mid.actual_delivery_date, null);
    assert.equal(await historyCount(trackingNumber), 2);
    assert.equal((await shippedEvents(trackingNumber)).length, 1);
  });

  test('lockOrder, when given, runs in the transaction before the delivery row is locked', async () => {
    const local = new DeliveryService(t.db);
    const calls: string[] = [];
    local.setListener({
      async lockOrder(trx, orderId) {
        await trx.selectFrom('orders').select('id').where('id', '=', orderId).forUpdate().execute();
        calls.push(`lock ${orderId}`);
      },
      async onDeliveryStatusChanged(_trx, change) {
        calls.push(`change ${change.to}`);
      },
    });
    const { order: o, trackingNumber } = await delivery(local);
    await local.updateStatus(trackingNumber, { status: 'SHIPPED' }, ADMIN);
    assert.deepEqual(calls, [`lock ${o.id}`, 'change SHIPPED']);
  });

  test('concurrent updates of one delivery: exactly one succeeds, the other gets S506', async () => {
    const { trackingNumber } = await delivery();
    const results = await Promise.allSettled([
      svc.updateStatus(trackingNumber, { status: 'SHIPPED' }, ADMIN),
      svc.updateStatus(trackingNumber, { status: 'SHIPPED' }, ADMIN),
      svc.updateStatus(trackingNumber, { status: 'CANCELLED' }, ADMIN),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') assert.ok(isAppError(r.reason, 'INVALID_DELIVERY_STATUS'), String(r.reason));
    assert.equal(await historyCount(trackingNumber), 1);
  });
});

describe('cancelForOrder', () => {
  test('PREPARING → CANCELLED with a history row; again: no-op; no delivery: no-op', async () => {
    const { order: o, trackingNumber } = await delivery();
    await inTransaction(t.db, (trx) => svc.cancelForOrder(trx, o.id));
    assert.equal((await row(trackingNumber)).status, 'CANCELLED');
    assert.equal(await historyCount(trackingNumber), 1);
    const res = await svc.get(trackingNumber, USER);
    assert.deepEqual(res.histories.map((h) => [h.status, h.statusDescription]), [['CANCELLED', '취소됨']]);

    await inTransaction(t.db, (trx) => svc.cancelForOrder(trx, o.id));
    assert.equal(await historyCount(trackingNumber), 1);

    const bare = await order();
    await inTransaction(t.db, (trx) => svc.cancelForOrder(trx, bare.id));
    await inTransaction(t.db, (trx) => svc.cancelForOrder(trx, 987654321));
  });

  test('RETURNED (already over: the refund after a return compensates the saga): no-op', async () => {
    const { order: o, trackingNumber } = await delivery();
    await walk(trackingNumber, ['SHIPPED', 'IN_TRANSIT', 'RETURNED']);
    const before = await row(trackingNumber);
    await inTransaction(t.db, (trx) => svc.cancelForOrder(trx, o.id));
    assert.deepEqual(await row(trackingNumber), before);
    assert.equal(await historyCount(trackingNumber), 3);
  });

  test('SHIPPED, IN_TRANSIT, DELIVERED: S504, nothing changed', async () => {
    for (const path of [['SHIPPED'], ['SHIPPED', 'IN_TRANSIT'], ['SHIPPED', 'IN_TRANSIT', 'DELIVERED']] as DeliveryStatus[][]) {
      const { order: o, trackingNumber } = await delivery();
      await walk(trackingNumber, path);
      const before = await row(trackingNumber);
      await rejects(inTransaction(t.db, (trx) => svc.cancelForOrder(trx, o.id)), 'DELIVERY_CANNOT_BE_CANCELLED');
      assert.deepEqual(await row(trackingNumber), before);
      assert.equal(await historyCount(trackingNumber), path.length);
    }
  });

  test('rolls back with the caller: the delivery stays PREPARING', async () => {
    const { order: o, trackingNumber } = await delivery();
    await assert.rejects(
      inTransaction(t.db, async (trx) => {
        await svc.cancelForOrder(trx, o.id);
        throw new Error('refund failed');
      }),
      /refund failed/,
    );
    assert.equal((await row(trackingNumber)).status, 'PREPARING');
    assert.equal(await historyCount(trackingNumber), 0);
  });
});

describe('toAddressResponse', () => {
  test('fullAddress skips missing parts; no address at all is null', () => {
    const base = { receiver_name: 'A', receiver_phone: '010', zip_code: '12345', address1: '서울 1', address2: '2층' };
    assert.equal(toAddressResponse(base)?.fullAddress, '[12345] 서울 1 2층');
    assert.equal(toAddressResponse({ ...base, address2: null })?.fullAddress, '[12345] 서울 1');
    assert.equal(toAddressResponse({ ...base, address2: '  ' })?.fullAddress, '[12345] 서울 1');
    assert.equal(toAddressResponse({ ...base, zip_code: null })?.fullAddress, '서울 1 2층');
    assert.deepEqual(Object.keys(toAddressResponse(base)!), ['receiverName', 'receiverPhone', 'zipCode', 'address1', 'address2', 'fullAddress']);
    assert.equal(
      toAddressResponse({ receiver_name: null, receiver_phone: null, zip_code: null, address1: null, address2: null }),
      null,
    );
  });
});

describe('HTTP', () => {
  test('GET /deliveries/{t} and /deliveries/order/{n}: the contract shape, owner 200, other user 403 C004, admin 200', async () => {
    const { order: o, trackingNumber } = await delivery(served);
    for (const path of [`/deliveries/${trackingNumber}`, `/deliveries/order/${o.orderNumber}`]) {
      const mine = await t.call('GET', path);
      assert.equal(mine.status, 200, JSON.stringify(mine.body));
      assert.equal(mine.body.success, true);
      const d = mine.body.data;
      assert.deepEqual(Object.keys(d), [
        'id', 'trackingNumber', 'orderNumber', 'status', 'statusDescription', 'carrier', 'shippingAddress',
        'estimatedDeliveryDate', 'actualDeliveryDate', 'histories', 'createdAt', 'updatedAt',
      ]);
      assert.equal(d.trackingNumber, trackingNumber);
      assert.equal(d.orderNumber, o.orderNumber);
      assert.equal(d.status, 'PREPARING');
      assert.equal(d.statusDescription, '준비 중');
      assert.equal(d.carrier, '기본택배');
      assert.deepEqual(Object.keys(d.shippingAddress), ['receiverName', 'receiverPhone', 'zipCode', 'address1', 'address2', 'fullAddress']);
      assert.equal(d.shippingAddress.fullAddress, '[06236] 서울시 강남구 테헤란로 1 101동 202호');
      assert.match(d.estimatedDeliveryDate, /^\d{4}-\d\d-\d\d$/);
      assert.equal(d.actualDeliveryDate, null);
      assert.deepEqual(d.histories, []);
      assert.match(d.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.match(d.updatedAt, /Z$/);

      const other = await t.call('GET', path, { token: t.otherToken });
      assert.equal(other.status, 403);
      assert.equal(codeOf(other), 'C004');
      const admin = await t.call('GET', path, { token: t.adminToken });
      assert.equal(admin.status, 200);
      assert.equal(admin.body.data.id, d.id);
      const anonymous = await t.call('GET', path, { token: null });
      assert.equal(anonymous.status, 401);
      assert.equal(codeOf(anonymous), 'C005');
    }
  });

  test('unknown tracking or order number: 404 S501', async () => {
    for (const path of ['/deliveries/TRK-FFFFFFFFFFFF', '/deliveries/order/ORD-20000101-00000000']) {
      const res = await t.call('GET', path);
      assert.equal(res.status, 404);
      assert.equal(codeOf(res), 'S501');
      assert.equal(res.body.error.message, 'Delivery not found');
    }
    const put = await t.call('PUT', '/deliveries/TRK-FFFFFFFFFFFF/status', { token: t.adminToken, body: { status: 'SHIPPED' } });
    assert.equal(put.status, 404);
    assert.equal(codeOf(put), 'S501');
  });

  test('PUT /deliveries/{t}/status: admin 200 with the updated delivery; S506 for a bad transition', async () => {
    const { trackingNumber } = await delivery(served);
    const res = await t.call('PUT', `/deliveries/${trackingNumber}/status`, {
      token: t.adminToken,
      body: { status: 'SHIPPED', location: '서울 허브', description: '집화 완료' },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.data.status, 'SHIPPED');
    assert.equal(res.body.data.statusDescription, '발송됨');
    assert.equal(res.body.data.histories.length, 1);
    assert.deepEqual(Object.keys(res.body.data.histories[0]), ['id', 'status', 'statusDescription', 'location', 'description', 'createdAt']);
    assert.deepEqual(
      { ...res.body.data.histories[0], id: undefined, createdAt: undefined },
      { id: undefined, status: 'SHIPPED', statusDescription: '발송됨', location: '서울 허브', description: '집화 완료', createdAt: undefined },
    );
    assert.match(res.body.data.histories[0].createdAt, /Z$/);
    assert.equal((await shippedEvents(trackingNumber)).length, 1);

    const again = await t.call('PUT', `/deliveries/${trackingNumber}/status`, { token: t.adminToken, body: { status: 'SHIPPED' } });
    assert.equal(again.status, 400);
    assert.equal(codeOf(again), 'S506');
    assert.equal(again.body.error.message, 'Invalid delivery status transition');
    assert.equal(again.body.error.path, `/deliveries/${trackingNumber}/status`);

    // The owner sees the change.
    const mine = await t.call('GET', `/deliveries/${trackingNumber}`);
    assert.equal(mine.body.data.status, 'SHIPPED');
  });

  test('delivery → order through the wired listener: SHIPPED moves a PAID order to SHIPPING; a refusing order rolls the PUT back', async () => {
    const { order: o, trackingNumber } = await delivery(served);
    const shipped = await t.call('PUT', `/deliveries/${trackingNumber}/status`, { token: t.adminToken, body: { status: 'SHIPPED' } });
    assert.equal(shipped.status, 200, JSON.stringify(shipped.body));
    const orderRow = await t.db.selectFrom('orders').select('status').where('id', '=', o.id).executeTakeFirstOrThrow();
    assert.equal(orderRow.status, 'SHIPPING');

    // An order that is not PAID refuses SHIPPED: the order module's error, and the delivery is untouched.
    const other = await delivery(served);
    await t.db.updateTable('orders').set({ status: 'PENDING' }).where('id', '=', other.order.id).execute();
    const refused = await t.call('PUT', `/deliveries/${other.trackingNumber}/status`, { token: t.adminToken, body: { status: 'SHIPPED' } });
    assert.equal(refused.status, 400);
    assert.equal(codeOf(refused), 'S209');
    assert.equal((await row(other.trackingNumber)).status, 'PREPARING');
    assert.equal(await historyCount(other.trackingNumber), 0);
    assert.equal((await shippedEvents(other.trackingNumber)).length, 0);
  });

  test('PUT by a non-admin: 403 C004 (the owner too); without a token: 401 C005; nothing changed', async () => {
    const { trackingNumber } = await delivery(served);
    for (const token of [t.userToken, t.otherToken]) {
      const res = await t.call('PUT', `/deliveries/${trackingNumber}/status`, { token, body: { status: 'SHIPPED' } });
      assert.equal(res.status, 403);
      assert.equal(codeOf(res), 'C004');
    }
    const anonymous = await t.call('PUT', `/deliveries/${trackingNumber}/status`, { token: null, body: { status: 'SHIPPED' } });
    assert.equal(anonymous.status, 401);
    assert.equal(codeOf(anonymous), 'C005');
    assert.equal((await row(trackingNumber)).status, 'PREPARING');
  });

  test('PUT validation: 400 C002 with the contract messages', async () => {
    const { trackingNumber } = await delivery(served);
    const put = (body: unknown) => t.call('PUT', `/deliveries/${trackingNumber}/status`, { token: t.adminToken, body });
    const cases: [unknown, { field: string; message: string; rejectedValue?: unknown }][] = [
      [{}, { field: 'status', message: 'Status is required' }],
      [{ status: null }, { field: 'status', message: 'Status is required' }],
      [{ status: 'FLYING' }, { field: 'status', message: 'Status must be one of PREPARING, SHIPPED, IN_TRANSIT, DELIVERED, RETURNED, CANCELLED', rejectedValue: 'FLYING' }],
      [{ status: 'shipped' }, { field: 'status', message: 'Status must be one of PREPARING, SHIPPED, IN_TRANSIT, DELIVERED, RETURNED, CANCELLED', rejectedValue: 'shipped' }],
      [{ status: 'SHIPPED', location: 'x'.repeat(256) }, { field: 'location', message: 'Location must be at most 255 characters', rejectedValue: `${'x'.repeat(200)}…` }],
      [{ status: 'SHIPPED', description: 'y'.repeat(501) }, { field: 'description', message: 'Description must be at most 500 characters', rejectedValue: `${'y'.repeat(200)}…` }],
      [{ status: 'SHIPPED', courier: 'DHL' }, { field: 'courier', message: 'Unknown field', rejectedValue: 'DHL' }],
    ];
    for (const [body, detail] of cases) {
      const res = await put(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(codeOf(res), 'C002');
      assert.equal(res.body.error.message, 'Invalid Input Value');
      assert.deepEqual(res.body.error.details, [detail], JSON.stringify(body));
    }
    const both = await put({ location: 'x'.repeat(256) });
    assert.deepEqual(
      both.body.error.details.map((d: { field: string }) => d.field).sort(),
      ['location', 'status'],
    );
    const broken = await t.call('PUT', `/deliveries/${trackingNumber}/status`, {
      token: t.adminToken,
      body: '{"status":',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(broken.status, 400);
    assert.equal(codeOf(broken), 'C002');
    assert.equal((await row(trackingNumber)).status, 'PREPARING');
    assert.equal(await historyCount(trackingNumber), 0);

    // Nulls and the limits themselves are fine.
    const okRes = await put({ status: 'SHIPPED', location: 'x'.repeat(255), description: null });
    assert.equal(okRes.status, 200, JSON.stringify(okRes.body));
    assert.equal(okRes.body.data.histories[0].location, 'x'.repeat(255));
    assert.equal(okRes.body.data.histories[0].description, null);
  });
});
