import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay from 'find-my-way';
import fp from 'fastify-plugin';
import { dependencyDown, RETRY_AFTER_S, type DependencyMonitor } from '../dependencies';
import { AppError, Errors, type ErrorDef, type FieldError } from './errors';

/** The prefix a gateway would strip: `error.path` is reported without it. */
export const API_PREFIX = '/api/v1/shopping';

export function ok<T>(data: T): { success: true; data: T } {
  return { success: true, data };
}

export function servicePath(url: string): string {
  const path = url.split('?')[0];
  return path.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length) || '/' : path;
}

/** The longest echo of client input (a rejected value, a path) an error answer carries. */
export const MAX_ECHO = 200;

/** A string cut to MAX_ECHO characters, never through a surrogate pair. */
function cut(text: string): string {
  if (text.length <= MAX_ECHO) return text;
  const end = /[\ud800-\udbff]/.test(text[MAX_ECHO - 1]) ? MAX_ECHO - 1 : MAX_ECHO;
  return `${text.slice(0, end)}…`;
}

/**
 * What of a rejected value goes back: scalars, strings cut short; objects and
 * arrays are left out, so an answer never grows with what was sent.
 */
function echo(detail: FieldError): FieldError {
  const { rejectedValue, ...rest } = detail;
  if (typeof rejectedValue === 'string') return { ...rest, rejectedValue: cut(rejectedValue) };
  if (typeof rejectedValue === 'number' || typeof rejectedValue === 'boolean') return detail;
  return rest;
}

/** The error envelope; `path` is cut short, and left out when there is none. */
export function errorBody(def: ErrorDef, path: string | undefined, details?: FieldError[], message = def.message) {
  return {
    success: false as const,
    error: {
      code: def.code,
      message,
      timestamp: new Date().toISOString(),
      ...(path !== undefined ? { path: cut(path) } : {}),
      ...(details && details.length > 0 ? { details: details.map(echo) } : {}),
    },
  };
}

/** The registry entry for a framework error's HTTP status (a 4xx nothing more specific maps). */
function defForStatus(status: number): ErrorDef {
  switch (status) {
    case 401:
      return Errors.UNAUTHORIZED;
    case 403:
      return Errors.FORBIDDEN;
    case 404:
      return Errors.NOT_FOUND;
    case 405:
      return Errors.METHOD_NOT_ALLOWED;
    case 408:
      return Errors.REQUEST_TIMEOUT;
    case 414:
      return Errors.URI_TOO_LONG;
    case 415:
      return Errors.UNSUPPORTED_MEDIA_TYPE;
    case 429:
      return Errors.TOO_MANY_REQUESTS;
    case 431:
      return Errors.REQUEST_HEADER_FIELDS_TOO_LARGE;
    default:
      return Errors.INVALID_INPUT_VALUE;
  }
}

/**
 * Errors the router raises before any route or hook runs (Fastify's
 * `frameworkErrors`): bad percent-encoding is 400 C002, a path parameter over
 * the length limit 414 C015 without the URL echoed back.
 */
export function frameworkErrorHandler(err: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return reply.status(414).type('application/json; charset=utf-8').send(errorBody(Errors.URI_TOO_LONG, undefined));
  }
  if (err.code === 'FST_ERR_BAD_URL') return sendError(reply, Errors.INVALID_INPUT_VALUE, undefined, 'Malformed URL');
  const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
  const def = status === 500 ? Errors.INTERNAL_SERVER_ERROR : defForStatus(status);
  return reply.status(status).type('application/json; charset=utf-8').send(errorBody(def, servicePath(reply.request.url)));
}

/**
 * The raw server's `clientError` (Fastify's `clientErrorHandler`): a request
 * the HTTP parser refused, or one not received in time, gets the envelope
 * written on the socket when no answer has started, then the socket closes.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: import('node:stream').Duplex) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const started = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (socket.writable && !started) {
    const def =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? Errors.REQUEST_TIMEOUT
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? Errors.REQUEST_HEADER_FIELDS_TOO_LARGE
          : Errors.INVALID_INPUT_VALUE;
    const message = def === Errors.INVALID_INPUT_VALUE ? 'Malformed request' : def.message;
    const body = JSON.stringify(errorBody(def, undefined, undefined, message));
    const reason = STATUS_CODES[def.status] ?? 'Error';
    socket.write(
      `HTTP/1.1 ${def.status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

export function sendError(reply: FastifyReply, def: ErrorDef, details?: FieldError[], message?: string) {
  // "Try again shortly": every 503 C014 says when.
  if (def === Errors.SERVICE_UNAVAILABLE && !reply.hasHeader('retry-after')) reply.header('retry-after', String(RETRY_AFTER_S));
  return reply
    .status(def.status)
    .type('application/json; charset=utf-8')
    .send(errorBody(def, servicePath(reply.request.url), details, message));
}

type Messages = Record<string, string> | undefined;

/** The parts of an ajv error (fastify's ajv runs in verbose mode) that we read. */
interface ErrorObject {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  data?: unknown;
  parentSchema?: unknown;
}

/** `/items/0/name` → `items[0].name` */
function fieldPath(instancePath: string, prefix: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  let out = prefix;
  for (const part of parts) {
    const segment = part.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(segment) ? `[${segment}]` : out ? `.${segment}` : segment;
  }
  return out;
}

function join(path: string, name: string) {
  return path ? `${path}.${name}` : name;
}

/** ajv errors (verbose mode) → the contract's `details[]`, using each field's `x-messages`. */
export function validationDetails(errors: ErrorObject[]): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const base = fieldPath(e.instancePath, '');
    let detail: FieldError;
    if (e.keyword === 'required') {
      const name = String(e.params.missingProperty);
      const props = (e.parentSchema as { properties?: Record<string, { 'x-messages'?: Messages }> })?.properties;
      detail = { field: join(base, name), message: props?.[name]?.['x-messages']?.required ?? `${name} is required` };
    } else if (e.keyword === 'additionalProperties') {
      const name = String(e.params.additionalProperty);
      const value = (e.data as Record<string, unknown> | undefined)?.[name];
      detail = {
        field: join(base, name),
        message: 'Unknown field',
        ...(value !== null && value !== undefined ? { rejectedValue: value } : {}),
      };
    } else {
      const field = e.parentSchema as { 'x-messages'?: Messages; writeOnly?: boolean } | undefined;
      const messages = field?.['x-messages'];
      const text =
        (e.data === null || e.data === undefined ? messages?.required : undefined) ??
        messages?.[e.keyword] ??
        (e.keyword === 'type' ? messages?.required : undefined) ??
        e.message ??
        'is invalid';
      // A writeOnly field (a password) is never echoed back.
      const echo = e.data !== null && e.data !== undefined && field?.writeOnly !== true;
      detail = { field: base, message: text, ...(echo ? { rejectedValue: e.data } : {}) };
    }
    // One line per field: the first (most specific) problem.
    if (seen.has(detail.field)) continue;
    seen.add(detail.field);
    out.push(detail);
  }
  return out;
}

interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode | SchemaNode[];
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
  enum?: unknown[];
  const?: unknown;
}

/** Whether a (sub)schema accepts null: its `type` lists "null", a branch does, or it constrains nothing. */
function acceptsNull(schema: SchemaNode | undefined): boolean {
  if (!schema || typeof schema !== 'object') return true;
  if (schema.anyOf || schema.oneOf) return [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].some(acceptsNull);
  if (schema.type === undefined) {
    if (schema.enum) return schema.enum.includes(null);
    return schema.const === undefined || schema.const === null;
  }
  return schema.type === 'null' || (Array.isArray(schema.type) && schema.type.includes('null'));
}

/**
 * A body null where the schema allows none means "not given": the key is removed
 * before validation, so a required field answers its `required` message (no
 * rejectedValue) and an optional one counts as absent (contract §0). Left in,
 * ajv's type coercion would turn it into 0, "" or false and let it through.
 */
export function dropDisallowedNulls(schema: unknown, value: unknown): void {
  const s = schema as SchemaNode | undefined;
  if (!s || typeof s !== 'object' || !value || typeof value !== 'object') return;
  for (const branch of s.allOf ?? []) dropDisallowedNulls(branch, value);
  if (Array.isArray(value)) {
    if (s.items && !Array.isArray(s.items)) for (const item of value) dropDisallowedNulls(s.items, item);
    return;
  }
  if (!s.properties) return;
  const obj = value as Record<string, unknown>;
  for (const [key, sub] of Object.entries(s.properties)) {
    if (!Object.hasOwn(obj, key)) continue;
    if (obj[key] === null) {
      if (!acceptsNull(sub)) delete obj[key];
    } else {
      dropDisallowedNulls(sub, obj[key]);
    }
  }
}

export interface EnvelopeOptions {
  /** Told of every error that says MySQL or Redis is down (it logs the change of state once). */
  dependencies?: DependencyMonitor;
}

/**
 * The envelope for every failure: AppErrors with their code, validation with
 * C002 details, framework errors mapped to C-codes, a dependency that is down
 * (MySQL or Redis unreachable, restarting, timing out) 503 C014 with
 * `Retry-After`, anything else C001 (logged with the request id; no stack in
 * the body). Unknown paths answer 404 C003, known paths with another method 405 C009.
 */
export const envelopePlugin = fp(
  async (app: FastifyInstance, opts: EnvelopeOptions) => {
    // Mirror of the route table, to tell "no such path" (404) from "no such method" (405).
    const routes = FindMyWay();
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        if (method === 'HEAD' || method === 'OPTIONS') continue;
        try {
          routes.on(method as 'GET', route.url, () => undefined);
        } catch {
          /* already mirrored */
        }
      }
    });

    app.addHook('preValidation', async (request) => {
      const schema = request.routeOptions.schema?.body;
      if (schema && request.body && typeof request.body === 'object') dropDisallowedNulls(schema, request.body);
    });

    app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split('?')[0];
      const otherMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter(
        (m) => m !== request.method && routes.find(m as 'GET', path) !== null,
      );
      if (otherMethods.length > 0) {
        reply.header('allow', otherMethods.join(', '));
        return sendError(reply, Errors.METHOD_NOT_ALLOWED);
      }
      return sendError(reply, Errors.NOT_FOUND);
    });

    app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
      if (err instanceof AppError) {
        if (err.status >= 500) request.log.error({ err, reqId: request.id }, err.message);
        return sendError(reply, err.def, err.details);
      }
      if (err.validation) {
        return sendError(reply, Errors.INVALID_INPUT_VALUE, validationDetails(err.validation as unknown as ErrorObject[]));
      }
      switch (err.code) {
        case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
          return sendError(reply, Errors.UNSUPPORTED_MEDIA_TYPE);
        case 'FST_ERR_CTP_BODY_TOO_LARGE':
          return reply
            .status(413)
            .type('application/json; charset=utf-8')
            .send(errorBody(Errors.INVALID_INPUT_VALUE, servicePath(request.url), undefined, 'Request body is too large'));
        case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        case 'FST_ERR_CTP_INVALID_JSON_BODY':
          return sendError(reply, Errors.INVALID_INPUT_VALUE, undefined, 'Invalid request body format');
      }
      if (err instanceof SyntaxError || err.statusCode === 400) {
        return sendError(reply, Errors.INVALID_INPUT_VALUE, undefined, 'Invalid request body format');
      }
      if (err.statusCode === 429) return sendError(reply, Errors.TOO_MANY_REQUESTS);
      // Any other client error a plugin or Fastify raises keeps its status, in the envelope.
      if (err.statusCode !== undefined && err.statusCode > 400 && err.statusCode < 500) {
        const def = defForStatus(err.statusCode);
        return reply.status(err.statusCode).type('application/json; charset=utf-8').send(errorBody(def, servicePath(request.url)));
      }
      const dependency = dependencyDown(err);
      if (dependency) {
        // Not a bug: no stack per request; the monitor logs the outage once.
        opts.dependencies?.report(err);
        request.log.debug({ err, reqId: request.id, dependency }, 'dependency down');
        return sendError(reply, Errors.SERVICE_UNAVAILABLE);
      }
      request.log.error({ err, reqId: request.id }, 'unhandled error');
      return sendError(reply, Errors.INTERNAL_SERVER_ERROR);
    });
  },
  { name: 'envelope' },
);
