/** Test helpers for the coupon module: an app and its coupon service, buyers, and a coupon factory. */
import { randomUUID } from 'node:crypto';
import { TestApp } from '../../../test/helpers';
import type { CouponInput, CouponResponse } from './schemas';
import type { CouponService } from './service';

export interface CouponTestApp {
  t: TestApp;
  /** The app's own service, behind its HTTP routes (failpoints set here reach them). */
  coupons: CouponService;
}

export async function startCouponApp(env: Record<string, string> = {}): Promise<CouponTestApp> {
  const t = await TestApp.start(env);
  return { t, coupons: t.services.coupons };
}

export interface Buyer {
  id: string;
  token: string;
}

/** `n` distinct users, each with a signed token. */
export async function buyers(t: TestApp, n: number): Promise<Buyer[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  const tokens = await Promise.all(ids.map((id) => t.token(id)));
  return ids.map((id, i) => ({ id, token: tokens[i] }));
}

let seq = 0;

/** An issuable coupon (started an hour ago, ends in a week) with the given overrides. */
export function couponInput(overrides: Partial<CouponInput> = {}): CouponInput {
  seq++;
  return {
    code: `TEST_${process.pid}_${Date.now().toString(36)}_${seq}`,
    name: `테스트 쿠폰 ${seq}`,
    description: null,
    discountType: 'FIXED',
    discountValue: 5000,
    minimumOrderAmount: 50000,
    maximumDiscountAmount: 5000,
    totalQuantity: 100,
    startsAt: new Date(Date.now() - 3600_000),
    expiresAt: new Date(Date.now() + 7 * 24 * 3600_000),
    ...overrides,
  };
}

export function createCoupon(coupons: CouponService, overrides: Partial<CouponInput> = {}): Promise<CouponResponse> {
  return coupons.create(couponInput(overrides));
}
