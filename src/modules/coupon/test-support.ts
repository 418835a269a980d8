/**
 * Test helpers for the coupon module: an app with the coupon routes, whether or
 * not src/app.ts wires them yet, and a coupon factory.
 */
import { API_PREFIX } from '../../platform/http/envelope';
import { TestApp } from '../../../test/helpers';
import { adminCouponRoutes, couponRoutes } from './routes';
import type { CouponInput, CouponResponse } from './schemas';
import { CouponService } from './service';

export interface CouponTestApp {
  t: TestApp;
  /** The instance behind the HTTP routes (failpoints set here reach them). */
  coupons: CouponService;
}

/** The app's `services.coupons` when wired; else our own instance, routes mounted as the app would. */
export async function startCouponApp(env: Record<string, string> = {}): Promise<CouponTestApp> {
  let coupons: CouponService | undefined;
  const lazy = new Proxy({} as CouponService, {
    get(_target, prop) {
      const value = (coupons as unknown as Record<string | symbol, unknown>)[prop];
      return typeof value === 'function' ? value.bind(coupons) : value;
    },
  });
  const t = await TestApp.start(env, {
    routes: async (app) => {
      if (app.hasRoute({ method: 'POST', url: `${API_PREFIX}/coupons/:couponId/issue` })) return;
      await app.register(
        async (api) => {
          await api.register(couponRoutes(lazy));
          await api.register(
            async (admin) => {
              admin.addHook('onRoute', (route) => {
                route.config = { ...route.config, auth: 'admin' };
              });
              await admin.register(adminCouponRoutes(lazy));
            },
            { prefix: '/admin' },
          );
        },
        { prefix: API_PREFIX },
      );
    },
  });
  coupons = (t.services as unknown as { coupons?: CouponService }).coupons ?? new CouponService(t.db, t.redis);
  return { t, coupons };
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
