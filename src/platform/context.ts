import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { type Context, context as otelContext, isSpanContextValid, type Link, propagation, ROOT_CONTEXT, type SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyBaseLogger } from 'fastify';

/**
 * What the work in progress (a request, or a consumed event) carries through
 * every await without being passed along: the logger bound to it (request id,
 * trace id) and the W3C trace context it continues.
 */
export interface WorkContext {
  log: FastifyBaseLogger;
  /** W3C `traceparent` of this work, handed on to the events it emits. */
  traceparent?: string;
}

const storage = new AsyncLocalStorage<WorkContext>();

/** Runs `fn` (and everything it awaits or schedules) as part of `work`. */
export function runInContext<T>(work: WorkContext, fn: () => T): T {
  // The store must hold a plain logger: a ContextLogger there would write through itself.
  return storage.run(work.log instanceof ContextLogger ? { ...work, log: work.log.base } : work, fn);
}

/** The work `fn` is running for, if any. */
export function currentWork(): WorkContext | undefined {
  return storage.getStore();
}

/** How `runAsWork` places its span. */
export interface WorkSpan {
  name: string;
  kind?: SpanKind;
  /** The span's parent (default: none, a trace of its own). */
  parent?: Context;
  links?: Link[];
  attributes?: Record<string, string | number>;
  /** The trace to continue when tracing is off (an event's `traceparent`); default a new one. */
  traceparent?: string;
}

/**
 * Runs `fn` as work that is no request (an event delivery, a scheduled job):
 * its log lines carry `bindings` and a trace id, the events it emits that
 * trace, and with tracing on it is one span, so its statements group under it.
 */
export function runAsWork<T>(log: FastifyBaseLogger, bindings: Record<string, unknown>, spec: WorkSpan, fn: () => Promise<T>): Promise<T> {
  const parent = spec.parent ?? ROOT_CONTEXT;
  const span = trace.getTracer('shopping-service').startSpan(spec.name, { kind: spec.kind, links: spec.links, attributes: spec.attributes }, parent);
  const ctx = trace.setSpan(parent, span);
  const traceparent = incomingTraceparent(spec.traceparent, ctx);
  const work = { log: baseLogger(log).child({ ...bindings, traceId: traceIdOf(traceparent) }), traceparent };
  return otelContext.with(ctx, () =>
    runInContext(work, async () => {
      try {
        return await fn();
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw err;
      } finally {
        span.end();
      }
    }),
  );
}

type LogMethod = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * A logger that writes each line through the logger of the work being served
 * (so with its request id and trace id) and through `base` outside any work.
 * Services hold one of these, made once at start-up, instead of being handed a
 * request's logger.
 */
export class ContextLogger implements FastifyBaseLogger {
  constructor(
    /** The process logger, used outside any request or event. */
    readonly base: FastifyBaseLogger,
    private readonly bindings?: Record<string, unknown>,
  ) {}

  get level(): string {
    return this.base.level;
  }

  set level(level: string) {
    this.base.level = level;
  }

  private target(): FastifyBaseLogger {
    const work = storage.getStore();
    if (!work) return this.base;
    // Children are rare (none on hot paths): one per call is cheap enough.
    return this.bindings ? work.log.child(this.bindings) : work.log;
  }

  private write(method: LogMethod, args: unknown[]): void {
    const target = this.target();
    (target[method] as (...a: unknown[]) => void).apply(target, args);
  }

  fatal: FastifyBaseLogger['fatal'] = (...args: unknown[]) => this.write('fatal', args);
  error: FastifyBaseLogger['error'] = (...args: unknown[]) => this.write('error', args);
  warn: FastifyBaseLogger['warn'] = (...args: unknown[]) => this.write('warn', args);
  info: FastifyBaseLogger['info'] = (...args: unknown[]) => this.write('info', args);
  debug: FastifyBaseLogger['debug'] = (...args: unknown[]) => this.write('debug', args);
  trace: FastifyBaseLogger['trace'] = (...args: unknown[]) => this.write('trace', args);
  silent: FastifyBaseLogger['silent'] = (...args: unknown[]) => this.write('silent', args);

  child(bindings: Record<string, unknown>): FastifyBaseLogger {
    return new ContextLogger(this.base.child(bindings), { ...this.bindings, ...bindings });
  }
}

/** The plain logger under `log` (Fastify must get this one: its request loggers are what the store holds). */
export function baseLogger(log: FastifyBaseLogger): FastifyBaseLogger {
  return log instanceof ContextLogger ? log.base : log;
}

// ---- W3C trace context ---------------------------------------------------------

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * `value` when it is a valid W3C `traceparent` (version 00 exactly, later
 * versions with their extra fields), otherwise undefined: a malformed one is
 * ignored, as the recommendation asks, never an error.
 */
export function parseTraceparent(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = TRACEPARENT.exec(value.trim());
  if (!m) return undefined;
  const [, version, traceId, parentId, , rest] = m;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId!) || /^0+$/.test(parentId!)) return undefined;
  return version === '00' ? m[0] : `00-${traceId}-${parentId}-${m[4]}`;
}

/** A new trace (not sampled): lets logs and events of work that came without one be followed all the same. */
export function newTraceparent(): string {
  const bytes = randomBytes(24).toString('hex');
  return `00-${bytes.slice(0, 32)}-${bytes.slice(32)}-00`;
}

export function traceIdOf(traceparent: string): string {
  return traceparent.slice(3, 35);
}

/**
 * The trace context that work arriving now continues: the span's of `ctx`
 * (the active one) when tracing is on (it already took the caller's
 * `traceparent` as its parent), else the caller's `traceparent`, else a new trace.
 */
export function incomingTraceparent(header: unknown, ctx: Context = otelContext.active()): string {
  const span = trace.getSpanContext(ctx);
  if (span && isSpanContextValid(span)) {
    return `00-${span.traceId}-${span.spanId}-0${(span.traceFlags & 1).toString(16)}`;
  }
  return parseTraceparent(header) ?? newTraceparent();
}

/**
 * W3C headers for what the current work hands on (an outbox event): the
 * active span's context when tracing is on, otherwise the work's own
 * `traceparent`. Undefined outside any request or event.
 */
export function outgoingTraceHeaders(): Record<string, string> | undefined {
  const active = trace.getActiveSpan()?.spanContext();
  if (active && isSpanContextValid(active)) {
    const carrier: Record<string, string> = {};
    propagation.inject(otelContext.active(), carrier);
    const headers: Record<string, string> = {};
    if (carrier.traceparent) headers.traceparent = carrier.traceparent;
    if (carrier.tracestate) headers.tracestate = carrier.tracestate;
    if (headers.traceparent) return headers;
  }
  const traceparent = storage.getStore()?.traceparent;
  return traceparent ? { traceparent } : undefined;
}
