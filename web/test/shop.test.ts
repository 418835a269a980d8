/**
 * The shop in a real browser against a whole service on a port, loaded with
 * the demo data (`db:seed`'s steps): the purchase journey from the product
 * list to a paid order's number, live stock, claiming a coupon (and the
 * reason a claim is refused) and paying with it, buying and paying a time
 * deal, a waiting room with a tiny batch that lets the buyer in and moves the
 * page on, Korean text drawn with a real font, and a phone's width.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { TestApp, until } from '../../test/helpers';
import { seedDemo } from '../../scripts/load-demo';
import { DEMO_PASSWORD } from '../../scripts/seed-data';
import { Browser, ensureWebBuild, withScreenshot } from './browser';

const DEMO_BUYER = 'test@example.com';
const BUYERS = {
  deal: { id: '00000000-0000-0000-0000-00000005b001', email: 'deal-buyer@shop.test', nickname: '딜 구매자' },
  queue: { id: '00000000-0000-0000-0000-00000005b002', email: 'queue-buyer@shop.test', nickname: '대기 구매자' },
  bystander: { id: '00000000-0000-0000-0000-00000005b003', email: 'bystander@shop.test', nickname: '앞사람' },
};
const ADDRESS = { name: '김민지', phone: '010-1234-5678', zip: '06236', line1: '서울 강남구 테헤란로 152' };

describe('shop in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  before(async () => {
    await ensureWebBuild();
    t = await TestApp.start();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    await seedDemo(t.db, t.services, () => undefined);
    for (const user of Object.values(BUYERS)) await t.services.auth.ensureUser({ ...user, roles: ['ROLE_USER'], password: DEMO_PASSWORD });
    await t.infra.eventing.relay.flush(); // the catalog into the search index
    browser = await Browser.launch();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signIn(page: Page, email: string): Promise<void> {
    await page.getByTestId('login-email').fill(email);
    await page.getByTestId('login-password').fill(DEMO_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('sign-out').waitFor();
  }

  async function fillAddress(page: Page): Promise<void> {
    await page.getByTestId('receiver-name').fill(ADDRESS.name);
    await page.getByTestId('receiver-phone').fill(ADDRESS.phone);
    await page.getByTestId('zip-code').fill(ADDRESS.zip);
    await page.getByTestId('address1').fill(ADDRESS.line1);
  }

  /** Pays the order on screen; returns its number once the page shows it paid. */
  async function payOrder(page: Page): Promise<string> {
    await page.getByTestId('pay-submit').click();
    await page.locator('[data-testid="order-status"][data-status="PAID"]').waitFor();
    return (await page.getByTestId('order-number').innerText()).trim();
  }

  async function productByName(name: string): Promise<{ id: number; stock: number }> {
    const row = await t.db.selectFrom('products').select('id').where('name', '=', name).executeTakeFirstOrThrow();
    const res = await t.call('GET', `/products/${row.id}`, { token: null });
    return { id: row.id, stock: res.body.data.stock };
  }

  test('a visitor browses by category, signs in when adding to the cart, changes the quantity, checks out and pays: the order number', async (tc) => {
    const page = await browser.page(`${base}/`);
    await withScreenshot(tc, page, async () => {
      await page.getByTestId('product-card').first().waitFor();
      assert.equal(await page.getByTestId('product-card').count(), 12, 'a page of 12');
      // Pictures come from the service itself.
      const src = await page.getByTestId('product-card').first().locator('img').getAttribute('src');
      assert.match(src ?? '', new RegExp(`^${base}/images/products/\\d+\\.svg$`));
      assert.equal(await page.getByTestId('product-card').first().locator('img').evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth > 0), true);

      await page.getByTestId('category').filter({ hasText: '오디오' }).click();
      await page.waitForURL(/\/products\?category=/);
      const cards = page.getByTestId('product-card');
      await until(async () => (await cards.count()) > 0 && (await cards.allInnerTexts()).every((text) => text.includes('오디오')), 10_000, 'only audio products');
      const chosen = cards.first();
      const name = (await chosen.locator('.product-name').innerText()).trim();
      await chosen.click();
      await page.getByRole('heading', { name }).waitFor();
      await page.getByTestId('stock').waitFor();

      // Adding needs a buyer: to sign-in and back.
      await page.getByTestId('add-to-cart').click();
      await page.waitForURL(/\/login\?next=%2Fproducts%2F\d+/);
      await signIn(page, DEMO_BUYER);
      await page.getByRole('heading', { name }).waitFor();
      await page.getByTestId('add-to-cart').click();
      await page.getByTestId('alert-success').waitFor();
      await page.getByTestId('cart-count').filter({ hasText: '1' }).waitFor();

      // Again: already in the cart (S106), offered to change the quantity instead.
      await page.getByTestId('add-to-cart').click();
      await page.getByTestId('already-in-cart').waitFor();
      assert.match(await page.getByTestId('already-in-cart').innerText(), /already in your cart \(1\)/);
      assert.equal(await page.getByTestId('new-quantity').inputValue(), '2');
      await page.getByTestId('change-quantity').click();
      await page.getByTestId('alert-success').waitFor();

      await page.getByTestId('nav-cart').click();
      await page.getByTestId('cart-line').waitFor();
      assert.equal(await page.getByTestId('cart-line').count(), 1);
      assert.equal(await page.getByTestId('line-quantity').inputValue(), '2');
      await page.getByTestId('to-checkout').click();

      await fillAddress(page);
      await page.getByTestId('checkout-submit').click();
      await page.getByTestId('payment-due').waitFor();
      assert.match(await page.getByTestId('payment-due').innerText(), /Pay by .* left/);
      const orderNumber = await payOrder(page);

      const order = await t.db.selectFrom('orders').select(['status', 'user_id']).where('order_number', '=', orderNumber).executeTakeFirstOrThrow();
      assert.equal(order.status, 'PAID');
      assert.equal(order.user_id, '00000000-0000-0000-0000-000000000001');
      await page.getByTestId('delivery-status').filter({ hasText: 'Preparing' }).waitFor();

      // The order list has it too.
      await page.getByTestId('nav-orders').click();
      await page.getByTestId('order-row').filter({ hasText: orderNumber }).waitFor();
    });
    await page.close();
  });

  test("an order's page follows its delivery and cancels an unpaid order, giving the stock back", async (tc) => {
    const buyer = await t.token(BUYERS.deal.id);
    const product = await productByName('갤럭시 버즈2 프로');
    const order = async () => {
      assert.equal((await t.call('POST', '/cart/items', { token: buyer, body: { productId: product.id, quantity: 1 } })).status, 200);
      const res = await t.call('POST', '/orders', { token: buyer, body: { shippingAddress: { receiverName: ADDRESS.name, receiverPhone: ADDRESS.phone, zipCode: ADDRESS.zip, address1: ADDRESS.line1 } } });
      assert.equal(res.status, 201);
      return res.body.data.orderNumber as string;
    };
    const paid = await order();
    assert.equal((await t.call('POST', '/payments', { token: buyer, body: { orderNumber: paid, paymentMethod: 'CARD' } })).status, 200);
    const unpaid = await order();

    const page = await browser.page(`${base}/orders/${paid}`);
    await withScreenshot(tc, page, async () => {
      await page.waitForURL(/\/login\?next=%2Forders%2F/);
      await signIn(page, BUYERS.deal.email);
      await page.getByTestId('delivery-status').filter({ hasText: 'Preparing' }).waitFor();
      const delivery = await t.call('GET', `/deliveries/order/${paid}`, { token: buyer });
      const moved = await t.call('PUT', `/deliveries/${delivery.body.data.trackingNumber}/status`, { token: t.adminToken, body: { status: 'SHIPPED', location: '서울 허브' } });
      assert.equal(moved.status, 200);
      await page.getByTestId('delivery').getByRole('button').click();
      await page.getByTestId('delivery-status').filter({ hasText: 'Shipped' }).waitFor();
      await page.getByTestId('delivery').getByText('서울 허브').waitFor();

      const before = (await productByName('갤럭시 버즈2 프로')).stock;
      await page.goto(`${base}/orders/${unpaid}`);
      await page.getByTestId('order-cancel').click();
      await page.getByTestId('cancel-submit').click(); // no reason: the browser asks for one
      await page.getByTestId('cancel-reason').fill('주소를 잘못 입력했어요');
      await page.getByTestId('cancel-submit').click();
      await page.locator('[data-testid="order-status"][data-status="CANCELLED"]').waitFor();
      assert.equal((await productByName('갤럭시 버즈2 프로')).stock, before + 1);
      assert.equal(await page.getByTestId('pay-submit').count(), 0);
    });
    await page.close();
  });

  test('the product page follows the stock as it changes', async (tc) => {
    const product = await productByName('갤럭시 버즈2 프로');
    const page = await browser.page(`${base}/products/${product.id}`);
    await withScreenshot(tc, page, async () => {
      await page.getByTestId('stock').filter({ hasText: `${product.stock.toLocaleString('en-US')} in stock` }).waitFor();
      await page.getByText('live', { exact: true }).waitFor();
      const res = await t.call('PUT', `/admin/inventory/${product.id}/adjust`, { token: t.adminToken, body: { availableQuantity: 7, reason: '브라우저 테스트' } });
      assert.equal(res.status, 200);
      await page.getByTestId('stock').filter({ hasText: '7 in stock' }).waitFor({ timeout: 10_000 });
    });
    await page.close();
  });

  test('search suggests names as the buyer types, lists results, and keeps the keyword as recent and popular', async (tc) => {
    const page = await browser.page(`${base}/login?next=%2Fsearch`);
    await withScreenshot(tc, page, async () => {
      await signIn(page, BUYERS.deal.email);
      await page.getByTestId('search-input').fill('갤럭시');
      await page.getByTestId('suggestion').first().waitFor();
      assert.ok((await page.getByTestId('suggestion').allInnerTexts()).every((s) => s.includes('갤럭시')));
      await page.getByTestId('search-input').press('Enter');
      await page.waitForURL(/\/search\?q=/);
      await page.getByTestId('search-result').first().waitFor();
      await page.getByTestId('recent-keywords').filter({ hasText: '갤럭시' }).waitFor();
      await t.services.search.flush(); // popular counts are sent in batches
      await page.reload();
      await page.getByTestId('popular-keywords').filter({ hasText: '갤럭시' }).waitFor();
      await page.getByTestId('search-result').first().click();
      await page.waitForURL(/\/products\/\d+$/);
      await page.getByTestId('add-to-cart').waitFor();

      // The sign-in is kept for this tab only: another tab starts signed out.
      const other = await browser.page(`${base}/cart`);
      await other.waitForURL(/\/login\?next=%2Fcart$/);
      await other.close();

      // Signed out: the cart asks for sign-in again.
      await page.getByTestId('sign-out').click();
      await page.getByTestId('nav-sign-in').waitFor();
      await page.getByTestId('nav-cart').click();
      await page.waitForURL(/\/login\?next=%2Fcart$/);
      await page.getByText('You have signed out.').waitFor();
    });
    await page.close();
  });

  test('a new buyer signs up, claims a coupon, is told exactly why a sold-out one is refused, and pays less with the claimed one', async (tc) => {
    const page = await browser.page(`${base}/coupons`);
    await withScreenshot(tc, page, async () => {
      await page.getByTestId('coupon').first().waitFor();
      // Claiming needs a buyer: sign-up, and back to the coupons.
      await page.locator('[data-testid="coupon"][data-code="COUPON_004"]').getByTestId('coupon-claim').click();
      await page.waitForURL(/\/login\?next=%2Fcoupons/);
      await page.getByTestId('to-sign-up').click();
      await page.getByTestId('login-email').fill('new-buyer@shop.test');
      await page.getByTestId('signup-nickname').fill('새 구매자');
      await page.getByTestId('login-password').fill('short');
      await page.getByTestId('login-submit').click();
      await page.getByTestId('alert-error').filter({ hasText: 'Password must be at least 8 characters' }).waitFor();
      await page.getByTestId('login-password').fill('new-buyer-pass');
      await page.getByTestId('login-submit').click();
      await page.waitForURL(/\/coupons$/);

      const coupon4 = page.locator('[data-testid="coupon"][data-code="COUPON_004"]');
      await coupon4.getByTestId('coupon-claim').click();
      await coupon4.getByTestId('alert-success').waitFor();
      await page.locator('[data-testid="my-coupon"][data-code="COUPON_004"]').waitFor();
      assert.equal(await coupon4.getByTestId('coupon-claim').isDisabled(), true);

      // COUPON_009 has 3 units: others take them while the page is open.
      const coupon9 = page.locator('[data-testid="coupon"][data-code="COUPON_009"]');
      await coupon9.waitFor();
      const { id: couponId } = await t.db.selectFrom('coupons').select('id').where('code', '=', 'COUPON_009').executeTakeFirstOrThrow();
      for (let i = 1; i <= 3; i++) {
        const res = await t.call('POST', `/coupons/${couponId}/issue`, { token: await t.token(`00000000-0000-0000-0000-00000009c00${i}`) });
        assert.equal(res.status, 201);
      }
      await coupon9.getByTestId('coupon-claim').click();
      const refused = page.locator('[data-testid="claim-refused"][data-code="S602"]');
      await refused.waitFor();
      assert.match(await refused.innerText(), /Sold out\. Coupon is exhausted/);

      // COUPON_004: 10% off orders from 20,000 won, at most 10,000 won off.
      const product = await productByName('갤럭시 버즈 FE');
      await page.goto(`${base}/products/${product.id}`);
      await page.getByTestId('add-to-cart').click();
      await page.getByTestId('alert-success').waitFor();
      await page.getByTestId('nav-cart').click();
      await page.getByTestId('to-checkout').click();
      await fillAddress(page);
      const option = page.locator('[data-testid="coupon-option"][value="COUPON_004"]');
      await option.check();
      const discountText = await page.getByTestId('checkout-discount').innerText();
      assert.notEqual(discountText, '−₩0');
      await page.getByTestId('checkout-submit').click();
      await page.getByTestId('order-discount').waitFor();
      const orderNumber = await payOrder(page);
      const order = await t.db
        .selectFrom('orders')
        .select(['status', 'total_amount', 'discount_amount', 'applied_user_coupon_id'])
        .where('order_number', '=', orderNumber)
        .executeTakeFirstOrThrow();
      assert.equal(order.status, 'PAID');
      const expected = Math.min(Math.floor(Number(order.total_amount) * 0.1), 10_000);
      assert.equal(Number(order.discount_amount), expected);
      assert.equal(discountText, `−₩${expected.toLocaleString('en-US')}`);
      assert.notEqual(order.applied_user_coupon_id, null);
      await page.getByTestId('nav-coupons').click();
      await page.locator('[data-testid="my-coupon"][data-code="COUPON_004"]').filter({ hasText: 'Used' }).waitFor();
    });
    await page.close();
  });

  test('a time deal is bought from its page and its order paid before the deadline shown', async (tc) => {
    const page = await browser.page(`${base}/deals`);
    await withScreenshot(tc, page, async () => {
      const card = page.getByTestId('deal-card').filter({ hasText: '오늘의 타임딜' });
      await card.waitFor();
      assert.match(await card.getByTestId('deal-countdown').innerText(), /Ends in \d\d:\d\d:\d\d/);
      await card.click();
      const item = page.getByTestId('deal-product').filter({ hasText: '갤럭시 버즈 FE' });
      await item.getByTestId('deal-buy').click();
      await page.waitForURL(/\/login\?next=%2Fdeals%2F\d+/);
      await signIn(page, BUYERS.deal.email);
      await item.getByTestId('deal-buy').filter({ hasText: 'Buy now' }).click();
      await page.getByTestId('payment-due').waitFor();
      const due = await page.getByTestId('payment-due').innerText();
      assert.match(due, /Pay by .* \(00:1[45]:\d\d left\)/);
      assert.match(await page.getByTestId('order-final').innerText(), /₩69,000/);
      const orderNumber = await payOrder(page);
      const purchase = await t.call('GET', '/time-deals/my/purchases', { token: await t.token(BUYERS.deal.id) });
      const bought = purchase.body.data.find((p: { orderNumber: string }) => p.orderNumber === orderNumber);
      assert.equal(bought?.status, 'PURCHASED');
      assert.equal(bought?.paymentDueAt, null, 'paid: no deadline any more');
    });
    await page.close();
  });

  test('a waiting room with a tiny batch shows the live place in line, lets the buyer in and moves the page on to buy', async (tc) => {
    const deal = await t.db.selectFrom('time_deals').select('id').where('name', '=', '대기열 한정 타임딜').where('status', '=', 'ACTIVE').executeTakeFirstOrThrow();
    await t.services.queue.activate('TIMEDEAL', deal.id, { maxCapacity: 5, entryBatchSize: 1, entryIntervalSeconds: 1, entryTtlSeconds: 120 });
    const bystander = await t.token(BUYERS.bystander.id);
    assert.equal((await t.call('POST', `/queue/TIMEDEAL/${deal.id}/enter`, { token: bystander })).status, 200);

    const page = await browser.page(`${base}/login?next=${encodeURIComponent(`/deals/${deal.id}`)}`);
    try {
      await withScreenshot(tc, page, async () => {
        await signIn(page, BUYERS.queue.email);
        const item = page.getByTestId('deal-product').filter({ hasText: '나이키 덩크 로우' });
        await item.getByTestId('deal-buy').filter({ hasText: 'Join the waiting room' }).click();
        await page.waitForURL(new RegExp(`/queue/TIMEDEAL/${deal.id}\\?next=`));
        await page.locator('[data-testid="queue-position"][data-position="2"]').waitFor();

        // The one ahead leaves: the place moves up without a reload.
        assert.equal((await t.call('DELETE', `/queue/TIMEDEAL/${deal.id}/leave`, { token: bystander })).status, 200);
        await page.locator('[data-testid="queue-position"][data-position="1"]').waitFor({ timeout: 20_000 });

        // Admissions run: one buyer a second. The page goes back to the deal by itself.
        t.infra.scheduler.start();
        await page.waitForURL(new RegExp(`/deals/${deal.id}$`), { timeout: 20_000 });
        await page.getByText('It is your turn: you can buy now.').waitFor();
        await item.getByTestId('deal-buy').filter({ hasText: 'Buy now' }).click();
        await page.getByTestId('payment-due').waitFor();
        const orderNumber = await payOrder(page);
        assert.match(orderNumber, /\S/);
      });
    } finally {
      await t.infra.scheduler.stop();
      await page.close();
    }
  });

  test('Korean labels and product names are drawn with a real Korean font', async (tc) => {
    const page = await browser.page(`${base}/`);
    await withScreenshot(tc, page, async () => {
      await page.getByTestId('product-card').first().waitFor();
      await page.getByLabel('Language').selectOption('ko');
      await page.getByTestId('nav-deals').filter({ hasText: '타임딜' }).waitFor();
      await page.getByRole('heading', { name: '전체 상품' }).waitFor();
      // Two different Hangul syllables must come out as two different drawings, neither the missing-glyph box.
      const glyphs = (await page.evaluate(`(() => {
        const font = getComputedStyle(document.body).fontFamily;
        const draw = (ch) => {
          const c = document.createElement('canvas');
          c.width = 48; c.height = 48;
          const g = c.getContext('2d');
          g.font = '36px ' + font;
          g.fillStyle = '#000';
          g.fillText(ch, 4, 38);
          return Array.from(g.getImageData(0, 0, 48, 48).data.filter((_, i) => i % 4 === 3));
        };
        const same = (a, b) => a.every((v, i) => v === b[i]);
        const han = draw('한'), geul = draw('글'), missing = draw('\\u{10FFFD}');
        return { ink: han.filter((v) => v > 0).length, differ: !same(han, geul), notMissing: !same(han, missing) && !same(geul, missing) };
      })()`)) as { ink: number; differ: boolean; notMissing: boolean };
      assert.ok(glyphs.ink > 50, `ink of 한: ${glyphs.ink}`);
      assert.equal(glyphs.differ, true, '한 and 글 drawn alike: no Korean font');
      assert.equal(glyphs.notMissing, true, 'Hangul drawn as the missing-glyph box');
    });
    await page.close();
  });

  test('on a phone the shop fits the screen: two products a row, the header wraps', async (tc) => {
    const page = await browser.page(`${base}/`, { width: 390, height: 844 });
    await withScreenshot(tc, page, async () => {
      await page.getByTestId('product-card').first().waitFor();
      const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
      assert.ok(width <= 390, `page ${width}px wide on a 390px screen`);
      const [a, b, c] = await Promise.all([0, 1, 2].map((i) => page.getByTestId('product-card').nth(i).boundingBox()));
      assert.equal(a?.y, b?.y, 'two cards side by side');
      assert.ok((c?.y ?? 0) > (a?.y ?? 0), 'the third on the next row');
      await page.getByTestId('nav-cart').click();
      await page.getByTestId('login-email').waitFor();
      assert.ok(Number(await page.evaluate('document.documentElement.scrollWidth')) <= 390);
    });
    await page.close();
  });

  test('no page threw or was refused anything by the Content-Security-Policy', () => {
    assert.deepEqual(browser.pageErrors, []);
  });
});
