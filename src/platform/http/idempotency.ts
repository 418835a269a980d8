import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDuplicateKey, type Db } from '../db/index';
import { principal } from './auth';
import { errorBody, servicePath } from './envelope';
import { AppError, fail } from './errors';

/** The request header (contract §0 "payment concurrency"). */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

const UNIQUE_KEY = 'uk_idempotency_keys';
/** 1–255 visible ASCII characters (no spaces, no control characters). */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * 4xx answers that say "try again" rather than "this request fails": they are
 * not stored, so a retry with the same key runs again.
 */
const RETRYABLE_STATUSES = new Set([408, 429]);
const RETRYABLE_CODES = new Set(['S308', 'S408', 'C012', 'C013']);

/** What `fn` returns: the HTTP status and body the route would send. */
export interface IdempotentResponse<T> {
  status: number;
  body: T;
}

export interface IdempotentOutcome<T> {
  status: number;
  /** `fn`'s body; the error envelope of a 4xx AppError; or, when replayed, the stored JSON. */
  body: T | unknown;
  replayed: boolean;
}

export interface RunOptions {
  /** `error.path` of a stored error envelope (the service path of the request). */
  path?: string;
}

interface KeyRow {
  id: number;
  request_hash: string;
  status: string;
  response_status: number | null;
  response_body: string | null;
  created_at: Date;
  expires_at: Date;
}

/**
 * Idempotency keys for unsafe requests, in MySQL (`idempotency_keys`, unique
 * per scope, user and key), so they hold across instances and restarts.
 *
 * The first request with a key inserts it IN_PROGRESS (the unique key decides
 * who is first: no read-then-insert), runs, and stores its answer: 2xx and
 * final 4xx (an AppError is stored as its error envelope, so a declined payment
 * replays its S304 instead of charging again). A 5xx or unexpected error
 * deletes the key so the client can retry. A later request with the key:
 * same body and stored → the stored answer; same body still running → C012
 * (409); another body → C011 (422). Expired keys, and IN_PROGRESS keys left by
 * a crashed process after `inFlightTimeoutSeconds`, are replaced.
 */
export class IdempotencyStore {
  constructor(
    private readonly db: Db,
    private readonly ttlSeconds = 86400,
    private readonly inFlightTimeoutSeconds = 300,
  ) {}

  async run<T>(
    scope: string,
    userId: string,
    key: string,
    requestBody: unknown,
    fn: () => Promise<IdempotentResponse<T>>,
    opts: RunOptions = {},
  ): Promise<IdempotentOutcome<T>> {
    assertValidKey(key);
    const hash = requestHash(requestBody);
    const claim = await this.claim(scope, userId, key, hash);
    if ('replay' in claim) return claim.replay;

    let outcome: IdempotentResponse<unknown>;
    try {
      outcome = await fn();
    } catch (err) {
      if (err instanceof AppError && isStorable(err.status, err.def.code)) {
        outcome = { status: err.status, body: errorEnvelope(err, opts.path) };
        await this.finish(claim.id, outcome);
        return { ...outcome, replayed: false };
      }
      await this.release(claim.id);
      throw err;
    }
    if (isStorable(outcome.status)) await this.finish(claim.id, outcome);
    else await this.release(claim.id);
    return { ...outcome, replayed: false };
  }

  /** Deletes up to `limit` expired keys (a retention job); returns how many went. */
  async purgeExpired(limit = 1000): Promise<number> {
    const res = await this.db
      .deleteFrom('idempotency_keys')
      .where('expires_at', '<=', new Date())
      .limit(limit)
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  /** Inserts the key IN_PROGRESS, or answers from the row that is already there. */
  private async claim(
    scope: string,
    userId: string,
    key: string,
    hash: string,
  ): Promise<{ id: number } | { replay: IdempotentOutcome<never> }> {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const now = new Date();
      try {
        const res = await this.db
          .insertInto('idempotency_keys')
          .values({
            scope,
            user_id: userId,
            idem_key: key,
            request_hash: hash,
            status: 'IN_PROGRESS',
            created_at: now,
            expires_at: new Date(now.getTime() + this.ttlSeconds * 1000),
          })
          .executeTakeFirstOrThrow();
        return { id: Number(res.insertId) };
      } catch (err) {
        if (!isDuplicateKey(err, UNIQUE_KEY)) throw err;
      }
      const row: KeyRow | undefined = await this.db
        .selectFrom('idempotency_keys')
        .select(['id', 'request_hash', 'status', 'response_status', 'response_body', 'created_at', 'expires_at'])
        .where('scope', '=', scope)
        .where('user_id', '=', userId)
        .where('idem_key', '=', key)
        .executeTakeFirst();
      if (!row) continue; // released by a failed request in between: try to claim it again
      if (this.isStale(row, now)) {
        // Only one of several racing replacers deletes it; every one then tries to insert.
        await this.db
          .deleteFrom('idempotency_keys')
          .where('id', '=', row.id)
          .where((eb) =>
            eb.or([
              eb('expires_at', '<=', now),
              eb.and([eb('status', '=', 'IN_PROGRESS'), eb('created_at', '<=', this.inFlightCutoff(now))]),
            ]),
          )
          .execute();
        continue;
      }
      if (row.request_hash !== hash) throw fail('IDEMPOTENCY_KEY_REUSED');
      if (row.status !== 'COMPLETED' || row.response_status === null || row.response_body === null) {
        throw fail('IDEMPOTENCY_KEY_IN_PROGRESS');
      }
      return { replay: { status: row.response_status, body: JSON.parse(row.response_body), replayed: true } };
    }
    throw fail('IDEMPOTENCY_KEY_IN_PROGRESS');
  }

  private isStale(row: KeyRow, now: Date): boolean {
    if (row.expires_at.getTime() <= now.getTime()) return true;
    return row.status === 'IN_PROGRESS' && row.created_at.getTime() <= this.inFlightCutoff(now).getTime();
  }

  private inFlightCutoff(now: Date): Date {
    return new Date(now.getTime() - this.inFlightTimeoutSeconds * 1000);
  }

  /** Stores the answer. If that fails the key is released: a retry runs again rather than waiting on a dead key. */
  private async finish(id: number, outcome: IdempotentResponse<unknown>): Promise<void> {
    try {
      await this.db
        .updateTable('idempotency_keys')
        .set({ status: 'COMPLETED', response_status: outcome.status, response_body: JSON.stringify(outcome.body ?? null) })
        .where('id', '=', id)
        .execute();
    } catch {
      await this.release(id);
    }
  }

  /** Deletes an unfinished key (best effort: a key left behind goes stale after `inFlightTimeoutSeconds`). */
  private async release(id: number): Promise<void> {
    try {
      await this.db.deleteFrom('idempotency_keys').where('id', '=', id).where('status', '=', 'IN_PROGRESS').execute();
    } catch {
      /* see above */
    }
  }
}

/**
 * Runs a route's work under the request's `Idempotency-Key` header (absent:
 * just runs it) and sends the real or stored answer, status and body. A
 * replayed answer carries `Idempotent-Replayed: true`. Needs a logged-in
 * caller (keys are per user). Use it as the handler's return value:
 *
 *   async (request, reply) => idempotent(store, 'payments', request, reply, async () =>
 *     ({ status: 200, body: ok(await payments.process(...)) }))
 */
export async function idempotent<T>(
  store: IdempotencyStore,
  scope: string,
  request: FastifyRequest,
  reply: FastifyReply,
  fn: () => Promise<IdempotentResponse<T>>,
): Promise<FastifyReply> {
  const header = request.headers['idempotency-key'];
  if (header === undefined) {
    const res = await fn();
    return reply.status(res.status).send(res.body);
  }
  const key = Array.isArray(header) ? header.join(', ') : header;
  const out = await store.run(scope, principal(request).userId, key, request.body ?? null, fn, {
    path: servicePath(request.url),
  });
  if (out.replayed) reply.header('idempotent-replayed', 'true');
  return reply.status(out.status).send(out.body);
}

export function assertValidKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
    throw fail('INVALID_INPUT_VALUE', [
      { field: IDEMPOTENCY_HEADER, message: `${IDEMPOTENCY_HEADER} must be 1 to 255 visible ASCII characters` },
    ]);
  }
}

/** sha256 (hex) of the body's canonical JSON. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** JSON with every object's keys sorted, so key order never makes two equal bodies differ. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value) ?? null);
}

function canonical(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return canonical(withJson.toJSON());
  if (Array.isArray(value)) return value.map((v) => canonical(v) ?? null);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) {
    const v = canonical((value as Record<string, unknown>)[k]);
    if (v !== undefined && typeof v !== 'function') out[k] = v;
  }
  return out;
}

function isStorable(status: number, code?: string): boolean {
  if (status < 200 || status >= 500) return false;
  if (RETRYABLE_STATUSES.has(status)) return false;
  return code === undefined || !RETRYABLE_CODES.has(code);
}

function errorEnvelope(err: AppError, path: string | undefined) {
  const body = errorBody(err.def, path ?? '', err.details);
  if (path === undefined) delete (body.error as { path?: string }).path;
  return body;
}
