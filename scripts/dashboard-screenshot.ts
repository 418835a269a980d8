/**
 * `npm run docs:screenshot`: writes docs/console-dashboard.png, the console's
 * live sale dashboard in the middle of a sale. It runs a whole service on a
 * free port over a database and Redis key prefix of its own (removed at the
 * end), opens a flash-sale coupon, a running time deal and a waiting room,
 * drives customers at them through the API for a while — issues, purchases
 * (some over the per-buyer limit), line entries, paid orders — and photographs
 * the dashboard in Debian's Chromium, as the browser tests drive it.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestApp } from '../test/helpers';
import { Browser, ensureWebBuild } from '../web/test/browser';

const OUT = fileURLToPath(new URL('../docs/console-dashboard.png', import.meta.url));
const SALE_SECONDS = Number(process.env.SALE_SECONDS ?? 50);
const OPERATOR = { id: '00000000-0000-0000-0000-0000000d0c01', email: 'operator@docs.test', nickname: '운영자', password: 'docs-pass-123' };
const ADDRESS = { receiverName: '김민지', receiverPhone: '010-1234-5678', zipCode: '06236', address1: '서울 강남구 테헤란로 152' };

function check<T>(res: { status: number; body: T }, status: number, what: string): T {
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function main(): Promise<void> {
  await ensureWebBuild();
  const t = await TestApp.start({ RATE_LIMIT_ENABLED: 'false', LOG_LEVEL: 'warn' });
  let browser: Browser | undefined;
  try {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    t.infra.scheduler.start(); // waiting-room admissions and time-deal status, as in a running service
    await t.services.auth.ensureUser({ ...OPERATOR, roles: ['ROLE_SHOPPING_ADMIN'] });
    const admin = { token: t.adminToken };

    const product = (name: string, price: number, stock: number) =>
      t.call('POST', '/admin/products', { ...admin, body: { name, price, stock } }).then((r) => check<any>(r, 201, name).data.id as number);
    const earbuds = await product('무선 이어폰 프로', 249_000, 100_000);
    const watch = await product('스마트워치 7', 399_000, 5_000);

    const now = Date.now();
    const coupon = check<any>(
      await t.call('POST', '/admin/coupons', {
        ...admin,
        body: { code: 'FLASH5000', name: '선착순 5천원 쿠폰', discountType: 'FIXED', discountValue: 5000, totalQuantity: 2500, startsAt: new Date(now - 60_000).toISOString(), expiresAt: new Date(now + 3_600_000).toISOString() },
      }),
      201,
      'coupon',
    ).data;
    const deal = check<any>(
      await t.call('POST', '/admin/time-deals', {
        ...admin,
        body: { name: '스마트워치 타임딜', startsAt: new Date(now + 1000).toISOString(), endsAt: new Date(now + 3_600_000).toISOString(), products: [{ productId: watch, dealPrice: 299_000, dealQuantity: 1500, maxPerUser: 2 }] },
      }),
      201,
      'time deal',
    ).data;
    await sleep(1500);
    await t.services.timedeals.updateStatuses();
    check(await t.call('POST', '/admin/queue/FLASH_SALE/1/activate', { ...admin, body: { maxCapacity: 400, entryBatchSize: 25, entryIntervalSeconds: 1 } }), 200, 'waiting room');

    browser = await Browser.launch();
    const page = await browser.page(`${base}/admin/dashboard`, { width: 1280, height: 800 });
    await page.getByTestId('login-email').fill(OPERATOR.email);
    await page.getByTestId('login-password').fill(OPERATOR.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId(`chart-coupon-${coupon.id}-left`).waitFor({ timeout: 15_000 });

    // Customers, at a rate that swells and ebbs so the lines have a shape.
    const user = () => t.token(randomUUID());
    const dealBuyers: string[] = [];
    const started = Date.now();
    const tick = async (second: number) => {
      const wave = 1 + Math.sin(second / 6);
      const jobs: Promise<unknown>[] = [];
      for (let i = 0; i < Math.round(4 + 6 * wave); i++) jobs.push(user().then((token) => t.call('POST', `/coupons/${coupon.id}/issue`, { token })));
      for (let i = 0; i < Math.round(2 + 3 * wave); i++) {
        // A third of the purchases come from earlier buyers, some of whom are over the limit of 2.
        const again = dealBuyers.length > 0 && Math.random() < 0.33;
        const token = again ? dealBuyers[Math.floor(Math.random() * dealBuyers.length)] : await user();
        if (!again) dealBuyers.push(token);
        jobs.push(t.call('POST', '/time-deals/purchase', { token, body: { timeDealProductId: deal.products[0].id, quantity: 1 } }));
      }
      for (let i = 0; i < Math.round(10 + 10 * wave); i++) jobs.push(user().then((token) => t.call('POST', '/queue/FLASH_SALE/1/enter', { token })));
      for (let i = 0; i < Math.round(1 + wave); i++) {
        jobs.push(
          user().then(async (token) => {
            await t.call('POST', '/cart/items', { token, body: { productId: earbuds, quantity: 1 } });
            const order = await t.call('POST', '/orders', { token, body: { shippingAddress: ADDRESS } });
            if (order.status === 201) await t.call('POST', '/payments', { token, body: { orderNumber: order.body.data.orderNumber, paymentMethod: 'CARD' } });
          }),
        );
      }
      await Promise.all(jobs);
    };
    for (let second = 0; Date.now() - started < SALE_SECONDS * 1000; second++) {
      const next = started + (second + 1) * 1000;
      await tick(second);
      await sleep(Math.max(0, next - Date.now()));
    }
    await page.screenshot({ path: OUT, fullPage: true });
    console.log(`[docs:screenshot] wrote ${OUT.replace(process.cwd() + '/', '')}`);
  } finally {
    await browser?.close();
    await t.close();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
