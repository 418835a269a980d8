import type { FastifyRequest } from 'fastify';

/** A Host value a URL may be built from: a name or IPv4 address, or a bracketed IPv6 address, with an optional port. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * The front of absolute URLs in an answer: the configured public base URL
 * (`PUBLIC_BASE_URL`) when there is one, else the origin this request came to —
 * its protocol and Host (X-Forwarded-Proto/-Host only from proxies trusted by
 * `TRUST_PROXY`), so a browser loads them from where it loaded the page. A Host
 * that is not a plain host name (or is missing) falls back to `localhost`.
 */
export function publicBase(request: FastifyRequest, configured: string | undefined): string {
  if (configured) return configured;
  const host = request.host;
  const protocol = request.protocol === 'https' ? 'https' : 'http';
  return `${protocol}://${host && HOST.test(host) ? host : `localhost:${request.socket?.localPort ?? 80}`}`;
}
