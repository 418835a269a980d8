/**
 * The child app with tracing on and its spans kept in memory
 * (`test/traced-child-app.ts`): `spans()` asks it for every span finished so
 * far; `logs` collects its JSON log lines.
 */
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startChildApp, type ChildApp } from './child-app';

/** A span as the traced child app reports it. */
export interface SpanRecord {
  name: string;
  /** OpenTelemetry's SpanKind: 0 internal, 1 server, 2 client, 3 producer, 4 consumer. */
  kind: number;
  /** The instrumentation's name (`@opentelemetry/instrumentation-mysql2`, `@fastify/otel`, `shopping-service`…). */
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  links: { traceId: string; spanId: string }[];
  attributes: Record<string, unknown>;
}

export interface TracedApp {
  app: ChildApp;
  logs: Record<string, any>[];
  spans(): Promise<SpanRecord[]>;
}

const SCRIPT = fileURLToPath(new URL('./traced-child-app.ts', import.meta.url));

export async function startTracedApp(env: Record<string, string>): Promise<TracedApp> {
  const app = await startChildApp(env, 60_000, SCRIPT);
  const logs: Record<string, any>[] = [];
  const waiting: ((spans: SpanRecord[]) => void)[] = [];
  createInterface({ input: app.process.stdout! }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    const parsed = JSON.parse(line) as Record<string, any>;
    if (Array.isArray(parsed.spans)) waiting.shift()?.(parsed.spans as SpanRecord[]);
    else logs.push(parsed);
  });
  return {
    app,
    logs,
    spans: () =>
      new Promise((resolve) => {
        waiting.push(resolve);
        app.process.stdin!.write('spans\n');
      }),
  };
}

/** `s`'s parent, grandparent, … as far as they are among `spans`. */
export function ancestors(s: SpanRecord, spans: readonly SpanRecord[]): SpanRecord[] {
  const byId = new Map(spans.map((x) => [x.spanId, x]));
  const chain: SpanRecord[] = [];
  for (let p = s.parentSpanId ? byId.get(s.parentSpanId) : undefined; p; p = p.parentSpanId ? byId.get(p.parentSpanId) : undefined) chain.push(p);
  return chain;
}

/** A SQL span's statement (`db.query.text`; `db.statement` in the older conventions). */
export function statementOf(s: SpanRecord): string {
  return String(s.attributes['db.query.text'] ?? s.attributes['db.statement'] ?? '');
}
