/**
 * The operator console in a real browser against a whole service on a port:
 * sign-in rules, coupon and time-deal forms, the live dashboard moving with
 * sales made through the API, a delivery moved on from an order's page.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { TestApp, until } from '../../test/helpers';
import { Browser, ensureWebBuild, withScreenshot } from './browser';

const PASSWORD = 'console-pass-1';
const OPERATOR = { id: '00000000-0000-0000-0000-0000000c0a01', email: 'operator@console.test', nickname: '운영자', roles: ['ROLE_SHOPPING_ADMIN' as const] };
const CUSTOMER = { id: '00000000-0000-0000-0000-0000000c0a02', email: 'customer@console.test', nickname: '고객', roles: ['ROLE_USER' as const] };
const ADDRESS = { receiverName: '김민지', receiverPhone: '010-1234-5678', zipCode: '06236', address1: '서울 강남구 테헤란로 152' };

describe('operator console in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let productId: number;

  before(async () => {
    await ensureWebBuild();
    // Every sign-in here comes from 127.0.0.1: room above the per-address login limit for them all.
    t = await TestApp.start({ RATE_LIMIT_LOGIN_IP_MAX: '100' });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    for (const user of [OPERATOR, CUSTOMER]) await t.services.auth.ensureUser({ ...user, roles: [...user.roles], password: PASSWORD });
    const product = await t.call('POST', '/admin/products', { token: t.adminToken, body: { name: '콘솔 테스트 이어폰', price: 50_000, stock: 100 } });
    assert.equal(product.status, 201);
    productId = product.body.data.id;
    await t.infra.eventing.relay.flush(); // into the search index, where the time-deal form finds it
    browser = await Browser.launch();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signIn(page: Page, email = OPERATOR.email): Promise<void> {
    await page.getByTestId('login-email').fill(email);
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
  }

  async function operatorPage(path = '/admin'): Promise<Page> {
    const page = await browser.page(base + path);
    await signIn(page);
    await page.getByTestId('nav-dashboard').waitFor();
    return page;
  }

  test('a customer gets a clear message and stays out; a wrong password shows the envelope message', async (tc) => {
    const page = await browser.page(`${base}/admin`);
    await withScreenshot(tc, page, async () => {
      await signIn(page, CUSTOMER.email);
      await page.getByText('This account is not an operator').waitFor();
      assert.equal(await page.getByTestId('nav-dashboard').count(), 0);
      await page.getByTestId('login-password').fill('wrong-password');
      await page.getByTestId('login-submit').click();
      await page.getByTestId('alert-error').filter({ hasText: /password/i }).waitFor();
    });
    await page.close();
  });

  test('an operator signs in, switches to Korean, signs out', async (tc) => {
    const page = await browser.page(`${base}/admin/coupons`);
    await withScreenshot(tc, page, async () => {
      await signIn(page);
      await page.getByTestId('coupon-code').waitFor(); // the page the address named
      for (const nav of ['nav-products', 'nav-coupons', 'nav-timedeals', 'nav-queues', 'nav-orders', 'nav-dashboard']) {
        assert.equal(await page.getByTestId(nav).isVisible(), true, nav);
      }
      await page.getByLabel('Language').selectOption('ko');
      await page.getByTestId('nav-dashboard').getByText('실시간 판매').waitFor();
      await page.getByTestId('sign-out').click();
      await page.getByText('로그아웃했습니다.').waitFor();
      assert.equal(await page.getByTestId('login-submit').isVisible(), true);
    });
    await page.close();
  });

  test('an expired token sends the operator back to sign-in with a message', async (tc) => {
    const page = await browser.page(`${base}/admin`);
    await withScreenshot(tc, page, async () => {
      // Long enough to load the page on a busy machine, short enough to see it run out.
      const token = await t.token(OPERATOR.id, [...OPERATOR.roles], 8);
      await page.evaluate(`window.localStorage.setItem('console.token', ${JSON.stringify(token)})`);
      await page.goto(`${base}/admin/orders`);
      await page.getByTestId('nav-orders').waitFor();
      await page.getByText('Your session has expired').waitFor({ timeout: 20_000 });
      assert.equal(await page.getByTestId('nav-orders').count(), 0);
    });
    await page.close();
  });

  test('a coupon created through the form is listed; a duplicate code shows the envelope message; issues through the API move the dashboard', async (tc) => {
    const page = await operatorPage('/admin/coupons');
    await withScreenshot(tc, page, async () => {
      await page.getByTestId('nav-coupons').click();
      await page.getByTestId('coupon-code').fill('LIVE50');
      await page.getByTestId('coupon-name').fill('라이브 5천원 쿠폰');
      await page.getByTestId('coupon-total').fill('50');
      await page.getByTestId('coupon-value').fill('5000');
      await page.getByTestId('coupon-submit').click();
      const row = page.getByTestId('row').filter({ hasText: 'LIVE50' });
      await row.waitFor();
      assert.match(await row.innerText(), /0 \/ 50/);
      assert.match(await row.innerText(), /ACTIVE/);

      await page.getByTestId('coupon-code').fill('LIVE50');
      await page.getByTestId('coupon-name').fill('again');
      await page.getByTestId('coupon-total').fill('5');
      await page.getByTestId('coupon-value').fill('1000');
      await page.getByTestId('coupon-submit').click();
      await page.getByTestId('alert-error').filter({ hasText: 'Coupon code already exists' }).waitFor();

      const coupon = await t.db.selectFrom('coupons').select('id').where('code', '=', 'LIVE50').executeTakeFirstOrThrow();
      await page.getByTestId('nav-dashboard').click();
      const left = page.getByTestId(`chart-coupon-${coupon.id}-left`);
      const rate = page.getByTestId(`chart-coupon-${coupon.id}-rate`);
      await left.waitFor({ timeout: 10_000 });
      await until(async () => (await left.getAttribute('data-value')) === '50', 10_000, 'the dashboard to show 50 left');

      // Issues by 7 customers, as the service counts them: the chart shows 43 left and a rate above zero.
      let highestRate = 0;
      const watch = setInterval(() => {
        rate.getAttribute('data-value').then((v) => (highestRate = Math.max(highestRate, Number(v) || 0)), () => undefined);
      }, 100);
      try {
        for (let i = 1; i <= 7; i++) {
          const token = await t.token(`00000000-0000-0000-0000-00000000b${String(i).padStart(3, '0')}`);
          const res = await t.call('POST', `/coupons/${coupon.id}/issue`, { token });
          assert.equal(res.status, 201);
        }
        await until(async () => (await left.getAttribute('data-value')) === '43', 15_000, 'the dashboard to show 43 left');
        await until(() => highestRate > 0, 5_000, 'an issue rate above zero');
      } finally {
        clearInterval(watch);
      }
      assert.match(await page.getByTestId(`chart-coupon-${coupon.id}-left-value`).innerText(), /^43$/);
      assert.equal(await page.getByTestId('chart-paid-orders').isVisible(), true);
      assert.equal(await page.getByTestId('chart-latency').isVisible(), true);
    });
    await page.close();
  });

  test('a time deal created through the form, with a product found by name, is listed as scheduled', async (tc) => {
    const page = await operatorPage();
    await withScreenshot(tc, page, async () => {
      await page.getByTestId('nav-timedeals').click();
      await page.getByTestId('timedeal-name').fill('콘솔 타임딜');
      await page.getByTestId('timedeal-product-search').fill('이어폰');
      await page.getByTestId('timedeal-product-search').press('Enter');
      await page.getByTestId('timedeal-product-add').first().click();
      await page.getByTestId('timedeal-line').filter({ hasText: `#${productId}` }).waitFor();
      await page.getByTestId('timedeal-submit').click();
      const row = page.getByTestId('row').filter({ hasText: '콘솔 타임딜' });
      await row.waitFor();
      assert.match(await row.innerText(), /SCHEDULED/);
      assert.match(await row.innerText(), /0 \/ 10/);
    });
    const deals = await t.call('GET', '/admin/time-deals', { token: t.adminToken });
    const deal = deals.body.data.items.find((d: { name: string }) => d.name === '콘솔 타임딜');
    assert.equal(deal?.products[0].productId, productId);
    await page.close();
  });

  test("an order found by its number: saga, payment and delivery shown, the delivery moved on to SHIPPED", async (tc) => {
    const customer = await t.token(CUSTOMER.id);
    assert.equal((await t.call('POST', '/cart/items', { token: customer, body: { productId, quantity: 2 } })).status, 200);
    const created = await t.call('POST', '/orders', { token: customer, body: { shippingAddress: ADDRESS } });
    assert.equal(created.status, 201);
    const orderNumber: string = created.body.data.orderNumber;
    const paid = await t.call('POST', '/payments', { token: customer, body: { orderNumber, paymentMethod: 'CARD' } });
    assert.equal(paid.status, 200);

    const page = await operatorPage();
    await withScreenshot(tc, page, async () => {
      await page.getByTestId('nav-orders').click();
      await page.getByTestId('order-keyword').fill(orderNumber);
      await page.getByTestId('order-search').click();
      const row = page.getByTestId('row').filter({ hasText: orderNumber });
      await row.waitFor();
      await until(async () => (await page.getByTestId('row').count()) === 1, 5_000, 'only the order searched for');
      await row.click();
      await page.getByTestId('saga').waitFor();
      await page.getByTestId('delivery-status').filter({ hasText: 'PREPARING' }).waitFor();
      await page.getByTestId('delivery-next').selectOption('SHIPPED');
      await page.getByTestId('delivery-submit').click();
      await page.getByTestId('delivery-status').filter({ hasText: 'SHIPPED' }).waitFor();
    });
    const delivery = await t.call('GET', `/deliveries/order/${orderNumber}`, { token: customer });
    assert.equal(delivery.body.data.status, 'SHIPPED');
    await page.close();
  });

  test("a product's stock set with a reason shows in its movement history", async (tc) => {
    const page = await operatorPage();
    await withScreenshot(tc, page, async () => {
      await page.getByTestId('nav-products').click();
      await page.getByTestId('product-search').fill('이어폰');
      await page.getByTestId('product-search').press('Enter');
      await page.getByTestId('row').filter({ hasText: '콘솔 테스트 이어폰' }).click();
      await page.getByTestId('product-stock-value').filter({ hasText: /^\d/ }).waitFor();
      await page.getByTestId('stock-quantity').fill('77');
      await page.getByTestId('stock-reason').fill('실사 재고 반영');
      await page.getByTestId('stock-submit').click();
      await page.getByTestId('product-stock-value').filter({ hasText: /^77$/ }).waitFor();
      await page.getByTestId('row').filter({ hasText: '실사 재고 반영' }).filter({ hasText: 'ADJUSTMENT' }).waitFor();
    });
    const inventory = await t.call('GET', `/inventory/${productId}`, { token: t.adminToken });
    assert.equal(inventory.body.data.availableQuantity, 77);
    await page.close();
  });

  test('a waiting room activated through the form shows its line; deactivated, it is closed', async (tc) => {
    const page = await operatorPage();
    await withScreenshot(tc, page, async () => {
      await page.getByTestId('nav-queues').click();
      await page.getByTestId('queue-event-type').fill('FLASH_SALE');
      await page.getByTestId('queue-event-id').fill('7');
      await page.getByTestId('queue-submit').click();
      const row = page.getByTestId('row').filter({ hasText: 'FLASH_SALE #7' });
      await row.filter({ hasText: 'Active' }).waitFor();
      for (let i = 1; i <= 3; i++) {
        const res = await t.call('POST', '/queue/FLASH_SALE/7/enter', { token: await t.token(`00000000-0000-0000-0000-00000000c${String(i).padStart(3, '0')}`) });
        assert.equal(res.status, 200);
      }
      await page.getByRole('button', { name: 'Refresh' }).click();
      await until(async () => /\b3\b/.test(await row.locator('td').nth(2).innerText()), 10_000, 'three in line');
      page.once('dialog', (dialog) => void dialog.accept());
      await row.getByRole('button', { name: 'Deactivate' }).click();
      await row.filter({ hasText: 'Closed' }).waitFor();
    });
    const rooms = await t.call('GET', '/admin/queues', { token: t.adminToken });
    assert.equal(rooms.body.data.items.find((q: { eventId: number }) => q.eventId === 7)?.active, false);
    await page.close();
  });

  test('on a phone the navigation and a page fit the screen width', async (tc) => {
    const page = await browser.page(`${base}/admin`, { width: 390, height: 844 });
    await withScreenshot(tc, page, async () => {
      await signIn(page);
      await page.getByTestId('nav-orders').click();
      await page.getByTestId('order-keyword').waitFor();
      const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
      assert.ok(width <= 390, `page ${width}px wide on a 390px screen`);
    });
    await page.close();
  });

  test('no page threw or was refused anything by the Content-Security-Policy', () => {
    assert.deepEqual(browser.pageErrors, []);
  });
});
