/**
 * `npm run docs:shop-screenshot`: writes docs/shop.png, the shop's product
 * list in Korean at 1280 px. It runs a whole service on a free port over a
 * database and Redis key prefix of its own (removed at the end), loads the
 * demo data (`db:seed`'s steps), and photographs the page in Debian's
 * Chromium, as the browser tests drive it.
 */
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TestApp } from '../test/helpers';
import { Browser, ensureWebBuild } from '../web/test/browser';
import { seedDemo } from './load-demo';

const OUT = fileURLToPath(new URL('../docs/shop.png', import.meta.url));

async function main(): Promise<void> {
  await ensureWebBuild();
  const t = await TestApp.start({ LOG_LEVEL: 'warn' });
  let browser: Browser | undefined;
  try {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    await seedDemo(t.db, t.services, () => undefined);
    browser = await Browser.launch();
    const page = await browser.page(`${base}/`, { width: 1280, height: 900 });
    await page.evaluate(`window.localStorage.setItem('lang', 'ko')`);
    await page.reload();
    await page.getByTestId('category').first().waitFor();
    await page.getByTestId('product-card').nth(9).locator('img').waitFor();
    // Every picture on screen drawn before the photograph.
    await page.waitForFunction(`[...document.images].every((img) => img.complete && img.naturalWidth > 0)`);
    await page.screenshot({ path: OUT });
    console.log(`[docs:shop-screenshot] wrote ${OUT.replace(process.cwd() + '/', '')}`);
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
