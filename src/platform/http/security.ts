/**
 * Security headers for every answer (`@fastify/helmet`) and the access rules
 * of the operations endpoints.
 *
 * The Content-Security-Policy admits what the service itself serves: scripts
 * only from its own origin (Swagger UI at `/docs` and the browser apps at `/`
 * and `/admin` load theirs as files, never inline), styles from its own origin
 * or https plus inline ones (Swagger UI and chart libraries set style
 * attributes), images also from https and `data:` (product pictures on a CDN),
 * API calls and live streams to its own origin. `Cross-Origin-Resource-Policy:
 * cross-origin` lets a storefront on another origin load product images.
 * HSTS and `upgrade-insecure-requests` are sent only when the service is
 * reached over HTTPS (`HTTPS_ONLY`): over plain HTTP they would break it.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';
import type { Config } from '../../config';
import { sendError } from './envelope';
import { Errors } from './errors';

export const CSP_DIRECTIVES = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", 'https:', "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'https:'],
  'font-src': ["'self'", 'https:', 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'self'"],
};

/** One year, the usual HSTS preload minimum. */
const HSTS_MAX_AGE_S = 31_536_000;

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export const securityPlugin = fp(
  async (app: FastifyInstance, opts: { config: Config }) => {
    const { config } = opts;
    await app.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { ...CSP_DIRECTIVES, ...(config.httpsOnly ? { 'upgrade-insecure-requests': [] } : {}) },
      },
      crossOriginResourcePolicy: { policy: 'cross-origin' },
      strictTransportSecurity: config.httpsOnly ? { maxAge: HSTS_MAX_AGE_S, includeSubDomains: true } : false,
    });

    // `/metrics` behind a bearer token when one is configured.
    const token = config.metricsToken;
    if (token) {
      app.addHook('onRequest', async (request, reply) => {
        if (request.routeOptions.url !== '/metrics') return;
        const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
        if (given !== undefined && sameSecret(given, token)) return;
        reply.header('www-authenticate', 'Bearer');
        return sendError(reply, Errors.UNAUTHORIZED);
      });
    }
  },
  { name: 'security', dependencies: ['envelope'] },
);
