/**
 * The browser apps, served by the service itself (same origin as the API, so
 * no CORS): Vite builds them into `web/dist` (`npm run build:web`). Hashed
 * assets under `/assets/` are cached for good. Each app's page paths answer
 * its `index.html`, and the app routes in the browser: the shop at `/` and its
 * sections (`/products/...`, `/cart`, `/orders/...`, …), the console at
 * `/admin` and everything under it. Nothing else falls back to a page: an
 * unknown `/api/...` path (or a missing asset) still answers `404 C003`, and
 * `/images`, `/docs`, `/health`, `/metrics` keep their own routes.
 * Without a build the service runs as an API only and says so once.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';

/** The folder of the nearest package.json above this file: the checkout, whether this runs as source or compiled. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** `web/dist` of this checkout. */
export const WEB_DIST = join(packageRoot(), 'web', 'dist');

/**
 * The shop's sections: each answers the shop's page at itself and below it.
 * Kept in step with the routes of `web/src/shop/App.tsx`.
 */
export const SHOP_SECTIONS = ['/products', '/search', '/cart', '/checkout', '/orders', '/coupons', '/deals', '/queue', '/login', '/signup'] as const;

/** Each app: its page, relative to the build folder, and the paths that answer it (each also with `/*` below it). */
const APPS: readonly { page: string; exact?: string; prefixes: readonly string[] }[] = [
  { page: 'index.html', exact: '/', prefixes: SHOP_SECTIONS },
  { page: 'admin/index.html', prefixes: ['/admin'] },
];

export interface WebOptions {
  /** The build folder; `web/dist` by default. */
  root?: string;
}

export const webPlugin = fp(
  async (app: FastifyInstance, opts: WebOptions) => {
    const root = opts.root ?? WEB_DIST;
    const apps = APPS.filter((a) => existsSync(join(root, a.page)));
    if (apps.length === 0) {
      app.log.warn({ root }, 'web apps not built (npm run build:web): serving the API only');
      return;
    }

    await app.register(fastifyStatic, {
      root: join(root, 'assets'),
      prefix: '/assets/',
      index: false,
      // File names carry a content hash: a new build gets new names.
      immutable: true,
      maxAge: '365d',
      schemaHide: true,
    });

    for (const { page, exact, prefixes } of apps) {
      // The page itself is revalidated on every load, so a new build is seen at once.
      const sendPage = (_req: unknown, reply: FastifyReply) =>
        reply.header('cache-control', 'no-cache').sendFile(page, root, { cacheControl: false });
      if (exact) app.get(exact, { schema: { hide: true } }, sendPage);
      for (const prefix of prefixes) {
        app.get(prefix, { schema: { hide: true } }, sendPage);
        app.get(`${prefix}/*`, { schema: { hide: true } }, sendPage);
      }
    }
  },
  { name: 'web', dependencies: ['envelope'] },
);
