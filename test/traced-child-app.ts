/**
 * The child app with OpenTelemetry tracing on, its spans kept in memory: the
 * instrumentations are started before the app is imported (as the preload
 * does), then `serve` runs it. Each `spans` line on stdin is answered with one
 * line `{"spans":[…]}` holding every span finished so far.
 */
import { createInterface } from 'node:readline';
import { tracing } from '@opentelemetry/sdk-node';
import { startTracing } from '../src/platform/tracing';

const exporter = new tracing.InMemorySpanExporter();
await startTracing({ spanProcessors: [new tracing.SimpleSpanProcessor(exporter)] });
const { serve } = await import('./child-app');
// CHILD_EVENTING=1: the relay and the consumers run too (a Kafka round trip).
await serve({ eventing: process.env.CHILD_EVENTING === '1' });

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'spans') return;
  const spans = exporter.getFinishedSpans().map((s) => ({
    name: s.name,
    kind: s.kind,
    scope: s.instrumentationScope.name,
    traceId: s.spanContext().traceId,
    spanId: s.spanContext().spanId,
    parentSpanId: s.parentSpanContext?.spanId,
    links: s.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId })),
    attributes: s.attributes,
  }));
  process.stdout.write(`${JSON.stringify({ spans })}\n`);
});
