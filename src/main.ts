import { loadConfig } from './config';
import { buildApp, closeInfra, createInfra, createServices, startUp } from './app';
import { stopTracing, tracingStarted } from './platform/tracing';

/** Process entry: config → connections → app → listen; graceful shutdown on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadConfig();
  const infra = await createInfra(config);
  const services = createServices(infra);
  const app = await buildApp(infra, services);
  await startUp(infra, services);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await infra.scheduler.stop();
      await app.close(); // stops accepting, ends SSE streams, drains in-flight requests
      await closeInfra(infra);
      await stopTracing(); // the last spans out (nothing when tracing is off)
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  if (config.otlpEndpoint && !tracingStarted()) {
    app.log.warn('OTEL_EXPORTER_OTLP_ENDPOINT is set but tracing is off: start with `node --import ./src/tracing.ts` (compiled: ./dist/tracing.js)');
  }
  await app.listen({ port: config.port, host: config.host });
  await infra.eventing.start();
  infra.scheduler.start();
  // Whatever a crash left mid-way (PROCESSING payments, half-run sagas) is settled now, not at the first tick.
  services.saga.recover(config.sagaRecoveryIdleSeconds * 1000).catch((err) => app.log.error({ err }, 'start-up recovery failed'));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
