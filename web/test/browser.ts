/**
 * Browser tests' plumbing: Debian's Chromium (scripts/setup-browser.sh installs
 * it; CHROMIUM_PATH names another) driven by playwright-core — no browser
 * downloads. One browser per test file, with a fresh profile; the web apps are
 * built once (scripts/test.sh builds them first; a file builds them itself only
 * when the build is missing). A failing step leaves a screenshot, named in the
 * test's output.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { WEB_DIST } from '../../src/platform/http/web';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where failing steps leave their screenshots (ignored by git). */
export const SCREENSHOTS = fileURLToPath(new URL('./screenshots', import.meta.url));

/** Held while one test file builds, so files running in parallel don't build over each other. */
const BUILD_LOCK = fileURLToPath(new URL('../.build-lock', import.meta.url));
/** A lock older than this was left by a build that died. */
const STALE_LOCK_MS = 120_000;

/** Builds the web apps into `web/dist` unless a build is there already. */
export async function ensureWebBuild(): Promise<void> {
  const built = () => existsSync(join(WEB_DIST, 'admin', 'index.html')) && existsSync(join(WEB_DIST, 'index.html'));
  if (built()) return;
  for (;;) {
    try {
      await mkdir(BUILD_LOCK);
      break;
    } catch {
      const age = Date.now() - ((await stat(BUILD_LOCK).catch(() => null))?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) await rm(BUILD_LOCK, { recursive: true, force: true });
      else await sleep(200);
    }
  }
  try {
    if (built()) return; // another file built it while this one waited
    const { build } = await import('vite');
    await build({ configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)), logLevel: 'warn' });
  } finally {
    await rm(BUILD_LOCK, { recursive: true, force: true });
  }
}

export class Browser {
  /** Uncaught errors and Content-Security-Policy refusals seen on any page, for a test to assert none. */
  readonly pageErrors: string[] = [];

  private constructor(
    private readonly context: BrowserContext,
    private readonly profile: string,
  ) {}

  static async launch(): Promise<Browser> {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run bash scripts/setup-browser.sh (or set CHROMIUM_PATH)`);
    const profile = await mkdtemp(join(tmpdir(), 'chromium-profile-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1280, height: 900 },
      locale: 'en-US',
      timezoneId: 'UTC',
    });
    context.setDefaultTimeout(15_000);
    return new Browser(context, profile);
  }

  /** A new tab on `url` with nothing stored from earlier tests (no token, no language choice). */
  async page(url: string, viewport?: { width: number; height: number }): Promise<Page> {
    const page = await this.context.newPage();
    page.on('pageerror', (err) => this.pageErrors.push(`${page.url()}: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) this.pageErrors.push(`${page.url()}: ${msg.text()}`);
    });
    if (viewport) await page.setViewportSize(viewport);
    await page.goto(url);
    await page.evaluate('window.localStorage.clear()');
    await page.reload();
    return page;
  }

  async close(): Promise<void> {
    await this.context.close();
    await rm(this.profile, { recursive: true, force: true });
  }
}

/**
 * Runs a test's steps on `page`; when one fails, saves a full-page screenshot
 * and names it in the test's output and in the error.
 */
export async function withScreenshot(t: TestContext, page: Page, steps: () => Promise<void>): Promise<void> {
  try {
    await steps();
  } catch (err) {
    await mkdir(SCREENSHOTS, { recursive: true });
    const file = join(SCREENSHOTS, `${t.name.replace(/[^\w가-힣-]+/g, '-').slice(0, 80)}.png`);
    const saved = await page.screenshot({ path: file, fullPage: true }).then(
      () => true,
      () => false,
    );
    if (saved) t.diagnostic(`screenshot: ${file}`);
    if (saved && err instanceof Error) err.message += `\n(screenshot: ${file})`;
    throw err;
  }
}
