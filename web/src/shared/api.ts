/**
 * Typed calls to the service, from its own OpenAPI document
 * (`web/src/api/schema.d.ts`, written by `npm run api:types`). Same origin, so
 * paths are absolute (`/api/v1/...`) and no CORS is involved. Every call
 * carries the session's token; a 401 to a call that carried one ends the
 * session as expired, so the app goes back to its sign-in page with a message.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from '../api/schema';
import type { Session } from './session';

export type ApiClient = ReturnType<typeof createClient<paths>>;

/** A failed call: the envelope's code and message, or a network failure (`NETWORK`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorEnvelope {
  success: false;
  error: { code: string; message: string; details?: unknown };
}

function isErrorEnvelope(body: unknown): body is ErrorEnvelope {
  const error = (body as ErrorEnvelope | null)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

/** The error a failed response stands for, from its envelope when it has one. */
export function errorFrom(response: Response, body: unknown): ApiError {
  if (isErrorEnvelope(body)) return new ApiError(response.status, body.error.code, body.error.message, body.error.details);
  return new ApiError(response.status, `HTTP_${response.status}`, response.statusText || `HTTP ${response.status}`);
}

export function createApi(session: Session): ApiClient {
  const client = createClient<paths>({ baseUrl: '' });
  const auth: Middleware = {
    onRequest({ request }) {
      const token = session.getToken();
      if (token && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
    onResponse({ request, response }) {
      if (response.status === 401 && request.headers.has('authorization')) session.expire();
      return response;
    },
  };
  client.use(auth);
  return client;
}

/**
 * The `data` of a successful envelope, or throws the envelope's error.
 * `await unwrap(api.GET('/api/v1/shopping/admin/coupons', { params: { query: { page: 1 } } }))`
 */
export async function unwrap<D>(call: Promise<{ data?: { data: D }; error?: unknown; response: Response }>): Promise<D>;
export async function unwrap(call: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<undefined>;
export async function unwrap(call: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<unknown> {
  let result: { data?: unknown; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (err) {
    throw new ApiError(0, 'NETWORK', err instanceof Error ? err.message : String(err));
  }
  if (!result.response.ok) throw errorFrom(result.response, result.error);
  return (result.data as { data?: unknown } | undefined)?.data;
}
