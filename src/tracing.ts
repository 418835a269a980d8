/**
 * Preload: `node --import ./src/tracing.ts src/main.ts` (compiled: `node
 * --import ./dist/tracing.js dist/main.js`). Turns OpenTelemetry tracing on
 * when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; it must run before the app is
 * imported, so that the instrumentations hook the modules the app loads.
 * Without the variable it loads nothing and costs nothing.
 */
if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
  const { startTracing } = await import('./platform/tracing');
  await startTracing();
}

export {};
