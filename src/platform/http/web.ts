/**
 * The browser apps, served by the service itself (same origin as the API, so
 * no CORS): Vite builds them into `web/dist` (`npm run build:web`). Hashed
 * assets under `/assets/` are cached for good; the console's page paths —
 * `/admin` and everything under it — answer its `index.html`, and the app
 * routes in the browser. Nothing else falls back to a page: an unknown
 * `/api/...` path (or a missing asset) still answers `404 C003`.
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

/** Each app: the path it lives under and its page, relative to the build folder. */
const APPS = [{ prefix: '/admin', page: 'admin/index.html' }] as const;

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

    for (const { prefix, page } of apps) {
      // The page itself is revalidated on every load, so a new build is seen at once.
      const sendPage = (_req: unknown, reply: FastifyReply) =>
        reply.header('cache-control', 'no-cache').sendFile(page, root, { cacheControl: false });
      app.get(prefix, { schema: { hide: true } }, sendPage);
      app.get(`${prefix}/*`, { schema: { hide: true } }, sendPage);
    }
  },
  { name: 'web', dependencies: ['envelope'] },
);
