import { register } from 'node:module';
import type { NodeSDK, tracing } from '@opentelemetry/sdk-node';

/**
 * OpenTelemetry tracing: HTTP (server spans, taking the caller's
 * `traceparent`), Fastify's routes and hooks, MySQL statements (mysql2),
 * Redis commands (ioredis) and Kafka sends and receives (kafkajs). Started
 * by the preload file `src/tracing.ts` before the app is imported, so the
 * instrumentations can hook the ES modules the app loads. The SDK and the
 * instrumentations are imported only here, only when tracing is on: with it
 * off they are never loaded.
 */
export interface TracingOptions {
  /**
   * Where finished spans go. Default: batched to the OTLP exporter that the
   * standard `OTEL_EXPORTER_OTLP_*` variables describe.
   */
  spanProcessors?: tracing.SpanProcessor[];
}

let sdk: NodeSDK | undefined;

/** Paths not worth a trace: probes and scrapes, many a minute. */
const UNTRACED = new Set(['/health/live', '/health/ready', '/metrics']);

export async function startTracing(options: TracingOptions = {}): Promise<void> {
  if (sdk) return;
  // Intercept only the modules an instrumentation asked for (the app's other imports load untouched).
  const { createAddHookMessageChannel } = await import('import-in-the-middle');
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

  const [{ NodeSDK }, { default: FastifyOtelInstrumentation }, { HttpInstrumentation }, { MySQL2Instrumentation }, { IORedisInstrumentation }, { KafkaJsInstrumentation }] =
    await Promise.all([
      import('@opentelemetry/sdk-node'),
      import('@fastify/otel'),
      import('@opentelemetry/instrumentation-http'),
      import('@opentelemetry/instrumentation-mysql2'),
      import('@opentelemetry/instrumentation-ioredis'),
      import('@opentelemetry/instrumentation-kafkajs'),
    ]);
  sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME || 'shopping-service',
    ...(options.spanProcessors ? { spanProcessors: options.spanProcessors } : {}),
    // Traces only: metrics are Prometheus' (`/metrics`), logs go to stdout.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED.has((req.url ?? '').split('?')[0]!),
      }),
      new FastifyOtelInstrumentation({ registerOnInitialization: true, ignorePaths: (route) => UNTRACED.has(route.url) }),
      new MySQL2Instrumentation(),
      new IORedisInstrumentation(),
      new KafkaJsInstrumentation(),
    ],
  });
  sdk.start();
  await waitForAllMessagesAcknowledged();
}

/** Whether `startTracing` ran in this process (the preload was loaded with tracing on). */
export function tracingStarted(): boolean {
  return sdk !== undefined;
}

/** Exports the spans still buffered and stops tracing; nothing when it was off. */
export async function stopTracing(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown();
}
