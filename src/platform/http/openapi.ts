import { STATUS_CODES } from 'node:http';
import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { FastifySchema } from 'fastify';
import { routeAuthLevel } from './auth';

/** An OpenAPI tag: one per resource, named in the plural (or a mass noun: `auth`, `inventory`, `search`). */
export interface ApiTag {
  name: string;
  description: string;
}

/** The name of the bearer security scheme operations that need a token refer to. */
export const BEARER = 'bearer';

/** The response every operation may give besides its own: the error envelope (its status and `error.code` say which). */
const ERROR_RESPONSE = {
  description: 'An error: the error envelope, with the status and code of the error registry',
  content: { 'application/json': { schema: { $ref: 'ErrorResponse' } } },
};

/** A stream's answer (its routes write frames themselves, so they declare no response schema). */
const EVENT_STREAM_RESPONSE = {
  description: 'A stream of Server-Sent Events, each `data:` line a JSON frame',
  content: { 'text/event-stream': { schema: { type: 'string' } } },
};

/**
 * The @fastify/swagger options of the app's document, built from the routes' own schemas:
 * - shared schemas (registered with `addSchema`) are listed under `components.schemas` by
 *   their `$id` and referenced from the operations;
 * - an operation carries the bearer requirement exactly when its route needs a user or an
 *   admin (the same rule the auth hook enforces), so public operations show no lock;
 * - every operation documents the error envelope as its `default` response.
 * Only the document changes here: validation and serialisation use the route schemas as they are.
 */
export function openApiOptions(info: { title: string; version: string; description: string }, tags: ApiTag[]): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      info,
      tags,
      components: { securitySchemes: { [BEARER]: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
    transform: ({ schema, url, route }) => {
      if (!schema || schema.hide) return { schema, url };
      const secured = routeAuthLevel(url, route.config) !== 'public';
      const documented = schema as FastifySchema & { produces?: string[]; response?: Record<string, object> };
      // A response's description is the reason phrase of its status.
      const responses: Record<string, unknown> = Object.fromEntries(
        Object.entries(documented.response ?? {}).map(([status, body]) => [status, { 'x-response-description': STATUS_CODES[status], ...body }]),
      );
      if (documented.produces?.includes('text/event-stream') && !documented.response) responses['200'] = EVENT_STREAM_RESPONSE;
      return {
        schema: {
          ...documented,
          ...(secured ? { security: [{ [BEARER]: [] }] } : {}),
          response: { ...responses, default: ERROR_RESPONSE },
        },
        url,
      };
    },
  };
}
