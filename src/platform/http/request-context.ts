import type { IncomingMessage } from 'node:http';
import type { FastifyBaseLogger, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { FastifyChildLoggerFactory } from 'fastify/types/logger';
import fp from 'fastify-plugin';
import { incomingTraceparent, runInContext, traceIdOf, type WorkContext } from '../context';

const kWork = Symbol('work');

type RawWithWork = IncomingMessage & { [kWork]?: WorkContext };

/**
 * Fastify's `childLoggerFactory`: each request's logger carries its request id
 * and the id of the trace it belongs to (the caller's `traceparent`, the
 * active span's when tracing is on, or a new trace).
 */
export const requestLogger: FastifyChildLoggerFactory = function (logger, bindings, options, rawReq) {
  const traceparent = incomingTraceparent(rawReq.headers.traceparent);
  const log = logger.child({ ...bindings, traceId: traceIdOf(traceparent) }, options);
  (rawReq as RawWithWork)[kWork] = { log, traceparent };
  return log;
};

function workOf(request: FastifyRequest): WorkContext {
  return (request.raw as RawWithWork)[kWork] ?? { log: request.log as FastifyBaseLogger };
}

/**
 * Serves every request inside its `WorkContext`, so a service's log line
 * carries the request id and an event it emits the trace context. Entered at
 * `onRequest`, the first hook: everything after it (body parsing included,
 * see the test with slow bodies) runs inside.
 */
export const requestContextPlugin: FastifyPluginAsync = fp(
  async (app) => {
    app.addHook('onRequest', (request, _reply, done) => runInContext(workOf(request), done));
  },
  { name: 'request-context' },
);
