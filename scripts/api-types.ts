/**
 * Writes `web/src/api/schema.d.ts`: TypeScript types of the service's own
 * OpenAPI document, for the browser apps' typed API calls. The app is built
 * in-process and never listens; nothing is asked of MySQL or Redis (their
 * clients are created and closed unused). `npm run api:types`.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { loadConfig } from '../src/config';
import { buildApp, closeInfra, createInfra, createServices } from '../src/app';

export const SCHEMA_FILE = fileURLToPath(new URL('../web/src/api/schema.d.ts', import.meta.url));

const HEADER = '/**\n * Generated from the service\'s OpenAPI document by `npm run api:types`. Do not edit.\n */\n\n';

/** The service's OpenAPI document, as `/docs/json` serves it. */
export async function openApiDocument(): Promise<Record<string, unknown>> {
  const config = loadConfig({ ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'silent' });
  const infra = await createInfra(config);
  try {
    const app = await buildApp(infra, createServices(infra));
    await app.ready();
    const doc = app.swagger() as unknown as Record<string, unknown>;
    await app.close();
    return doc;
  } finally {
    await closeInfra(infra);
  }
}

/** The text of `schema.d.ts` for the current document. */
export async function schemaTypes(): Promise<string> {
  const ast = await openapiTS(JSON.parse(JSON.stringify(await openApiDocument())));
  return HEADER + astToString(ast);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = await schemaTypes();
  await writeFile(SCHEMA_FILE, text);
  console.log(`[api:types] wrote ${SCHEMA_FILE.replace(process.cwd() + '/', '')} (${text.length} bytes)`);
}
