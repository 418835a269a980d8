import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import AjvCompiler from '@fastify/ajv-compiler';
import { codeOf, TestApp } from '../../../test/helpers';
import { BEARER } from './openapi';

/**
 * The OpenAPI document at /docs/json, walked operation by operation: what a client
 * generator and a reader of Swagger UI rely on holds for every route the app has,
 * so a new route that leaves something out fails here, naming the route.
 */

interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  pattern?: string;
  example?: unknown;
}

interface Media {
  schema?: Schema;
  example?: unknown;
}

interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content: Record<string, Media> };
  responses?: Record<string, { content?: Record<string, Media> }>;
}

interface Entry {
  /** `GET /api/v1/shopping/orders/{orderNumber}`: how failures name the route. */
  name: string;
  method: string;
  path: string;
  op: Operation;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const COMPONENTS = '#/components/schemas/';

/** Header a test hook answers after validation, so a request body is checked without running the route. */
const VALIDATE_ONLY = 'x-validate-only';

let t: TestApp;
let doc: { openapi: string; tags?: { name: string; description?: string }[]; security?: unknown; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };
let ops: Entry[];

before(async () => {
  t = await TestApp.start(
    { RATE_LIMIT_ENABLED: 'false' },
    {
      routes: (app) => {
        // After validation, before the handler: a body that got this far passed the route's own schema.
        app.addHook('preHandler', async (request, reply) => {
          if (request.headers[VALIDATE_ONLY] === '1') return reply.status(299).send({ success: true });
        });
      },
    },
  );
  const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
  assert.equal(res.statusCode, 200);
  doc = res.json();
  ops = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, op })),
  );
});
after(() => t?.close());

/** Fails with every problem found, one line each, and what to do about them. */
function expectNone(problems: string[], fix: string): void {
  if (problems.length > 0) assert.fail(`${problems.length} problem(s):\n  ${problems.join('\n  ')}\n${fix}`);
}

/** The component a `$ref` names, or undefined for anything else. */
function refName(schema: Schema | undefined): string | undefined {
  return schema?.$ref?.startsWith(COMPONENTS) ? schema.$ref.slice(COMPONENTS.length) : undefined;
}

/** The JSON body of an operation's 2xx answers. */
function successBodies(op: Operation): Schema[] {
  return Object.entries(op.responses ?? {})
    .filter(([status]) => /^2\d\d$/.test(status))
    .flatMap(([, response]) => (response.content?.['application/json']?.schema ? [response.content['application/json'].schema] : []));
}

/**
 * The components a 2xx body shows: itself when it is a `$ref`; for the envelope, its
 * `data` — a `$ref`, an array of them, or a `$ref` or null. Null when the body is
 * anything else (an inline object a client would get no named type for).
 */
function shownComponents(body: Schema): string[] | null {
  const direct = refName(body);
  if (direct) return [direct];
  const data = body.properties?.data;
  if (!body.properties?.success || !data) return null;
  const named = refName(data) ?? refName(data.items) ?? data.anyOf?.map(refName).find(Boolean);
  if (named) return [named];
  // A list of plain values (keywords) names no component and needs none.
  if (data.type === 'array' && data.items && typeof data.items.type === 'string' && data.items.type !== 'object') return [];
  return null;
}

/** Path parameters filled in: `fill` gives each one's value from its schema. */
function urlOf(entry: Entry, fill: (schema: Schema | undefined) => string): string {
  return entry.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const param = entry.op.parameters?.find((p) => p.in === 'path' && p.name === name);
    return encodeURIComponent(fill(param?.schema));
  });
}

describe('the OpenAPI document', () => {
  test('is served at /docs/json, with Swagger UI at /docs', async () => {
    assert.match(doc.openapi, /^3\./);
    assert.ok(ops.length >= 70, `operations: ${ops.length}`);
    const ui = await t.call('GET', '/docs', { token: null });
    assert.equal(ui.status, 200);
    assert.match(String(ui.body), /swagger-ui/);
  });

  test('every operation has a unique camelCase operationId', () => {
    const problems: string[] = [];
    const seen = new Map<string, string>();
    for (const { name, op } of ops) {
      const id = op.operationId;
      if (!id) problems.push(`${name}: no operationId`);
      else if (!/^[a-z][A-Za-z0-9]*$/.test(id)) problems.push(`${name}: operationId "${id}" is not camelCase`);
      else if (seen.has(id)) problems.push(`${name}: operationId "${id}" is also ${seen.get(id)}'s`);
      else seen.set(id, name);
    }
    expectNone(problems, "Give the route's schema an `operationId`: camelCase, unique, a verb first (listOrders, adminCreateCoupon).");
  });

  test('every operation has a one-line summary', () => {
    const problems = ops
      .filter(({ op }) => !op.summary?.trim() || op.summary.includes('\n') || op.summary.length > 120)
      .map(({ name, op }) => `${name}: summary ${JSON.stringify(op.summary ?? null)}`);
    expectNone(problems, "Give the route's schema a `summary`: one line of at most 120 characters saying what it does.");
  });

  test('every operation has one tag, from the declared tags, and every declared tag is used', () => {
    const declared = new Map((doc.tags ?? []).map((tag) => [tag.name, tag.description]));
    const problems: string[] = [];
    for (const [name, description] of declared) if (!description) problems.push(`tag "${name}": no description`);
    for (const { name, op } of ops) {
      if (op.tags?.length !== 1) problems.push(`${name}: tags ${JSON.stringify(op.tags ?? [])}, not exactly one`);
      else if (!declared.has(op.tags[0])) problems.push(`${name}: tag "${op.tags[0]}" is not declared`);
    }
    const used = new Set(ops.flatMap(({ op }) => op.tags ?? []));
    for (const name of declared.keys()) if (!used.has(name)) problems.push(`tag "${name}": declared, used by no operation`);
    expectNone(problems, "Tag the route with its resource's tag (plural: 'orders', 'time-deals'), declared once in the app's API_TAGS.");
  });

  test('the bearer requirement is on exactly the operations that answer 401 without a token', async () => {
    assert.equal(doc.security, undefined, 'no document-wide security requirement');
    const problems: string[] = [];
    for (const entry of ops) {
      const secured = entry.op.security !== undefined && entry.op.security.length > 0;
      if (secured && JSON.stringify(entry.op.security) !== JSON.stringify([{ [BEARER]: [] }])) {
        problems.push(`${entry.name}: security ${JSON.stringify(entry.op.security)}`);
      }
      // '1' is a well-formed id or code, or (an entry token) refused before anything opens a stream.
      const res = await t.call(entry.method, urlOf(entry, () => '1'), { token: null });
      if (secured && (res.status !== 401 || codeOf(res) !== 'C005')) {
        problems.push(`${entry.name}: documented as needing a token, but answers ${res.status} ${codeOf(res) ?? ''} without one`);
      }
      if (!secured && res.status === 401) problems.push(`${entry.name}: documented as public, but answers 401 without a token`);
    }
    expectNone(problems, "The requirement follows the route's `config.auth` (the /api default is 'user'); fix whichever is wrong.");
    const open = new Set(ops.filter(({ op }) => !op.security).map(({ op }) => op.operationId));
    for (const id of ['signup', 'login', 'listProducts', 'getProduct', 'getLiveness', 'getReadiness']) assert.ok(open.has(id), `${id} shows no lock`);
  });

  test('every 2xx answer is a named component, or the envelope around one; every error the error envelope', () => {
    const problems: string[] = [];
    for (const { name, op } of ops) {
      const statuses = Object.keys(op.responses ?? {}).filter((s) => /^2\d\d$/.test(s));
      if (statuses.length === 0) problems.push(`${name}: no 2xx response`);
      for (const body of successBodies(op)) {
        if (shownComponents(body) === null) problems.push(`${name}: a 2xx body with an inline object; use Envelope(Ref(Schema))`);
      }
      if (refName(op.responses?.default?.content?.['application/json']?.schema) !== 'ErrorResponse') {
        problems.push(`${name}: its default response is not the ErrorResponse envelope`);
      }
    }
    expectNone(problems, 'Declare the response as Envelope(Ref(X)) (or Ref(EmptyEnvelope)), X a schema with an $id registered by the app.');
  });

  test('components: named by their $id, each one used, every $ref resolves', () => {
    const names = Object.keys(doc.components.schemas);
    const problems = names.filter((n) => /^def-\d+$/.test(n)).map((n) => `component ${n}: a schema without an $id was hoisted`);
    const text = JSON.stringify(doc);
    for (const [, ref] of text.matchAll(/"\$ref":"([^"]+)"/g)) {
      const target = ref.startsWith(COMPONENTS) ? ref.slice(COMPONENTS.length) : undefined;
      if (!target || !(target in doc.components.schemas)) problems.push(`$ref ${ref} resolves to nothing`);
    }
    for (const name of names) {
      if (!text.includes(`"$ref":"${COMPONENTS}${name}"`)) problems.push(`component ${name}: referenced by nothing`);
    }
    for (const expected of ['Product', 'Order', 'ErrorResponse', 'SuccessResponse', 'ProductPage', 'OrderPage']) {
      if (!names.includes(expected)) problems.push(`component ${expected}: missing`);
    }
    expectNone([...new Set(problems)], 'Give shared schemas an $id, register them with the module list in app.ts, use them through Ref().');
  });

  test('request bodies and the components 2xx answers show have examples', () => {
    const problems: string[] = [];
    const shown = new Map<string, string>();
    for (const { name, op } of ops) {
      const media = op.requestBody?.content['application/json'];
      if (media && media.example === undefined && media.schema?.example === undefined) problems.push(`${name}: a request body without an example`);
      for (const body of successBodies(op)) for (const component of shownComponents(body) ?? []) shown.set(component, name);
    }
    for (const [component, name] of shown) {
      if (doc.components.schemas[component]?.example === undefined) problems.push(`component ${component} (answered by ${name}): no example`);
    }
    expectNone(problems, 'Add `examples: [{ … }]` to the TypeBox schema (a body schema, or the component with the $id).');
  });

  test('every component example passes its own schema', () => {
    const compile = AjvCompiler()(t.app.getSchemas() as Parameters<ReturnType<typeof AjvCompiler>>[0], { customOptions: { allErrors: true, coerceTypes: false, keywords: ['x-messages'] } });
    const problems: string[] = [];
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      if (schema.example === undefined) continue;
      const validate = compile({ schema: { $ref: name }, method: 'GET', url: '/', httpPart: 'body' });
      if (!validate(schema.example)) problems.push(`component ${name}: ${JSON.stringify(validate.errors?.map((e) => `${e.instancePath} ${e.message}`))}`);
    }
    expectNone(problems, "Make the example match the schema (a new required field needs a value in the schema's examples).");
  });

  test("every request body example passes the route's own validation", async () => {
    const problems: string[] = [];
    for (const entry of ops) {
      const media = entry.op.requestBody?.content['application/json'];
      const example = media?.example ?? media?.schema?.example;
      if (example === undefined) continue;
      // Path parameters a route's schema accepts: an id, a lowercase UUID (entry tokens), or a code.
      const url = urlOf(entry, (schema) =>
        schema?.type === 'integer' ? '1' : schema?.pattern?.includes('[0-9a-f]{8}') ? 'f47ac10b-58cc-4372-a567-0e02b2c3d479' : 'TIMEDEAL',
      );
      const res = await t.call(entry.method, url, { token: t.adminToken, body: example, headers: { [VALIDATE_ONLY]: '1' } });
      if (res.status !== 299) problems.push(`${entry.name}: its example answers ${res.status} ${JSON.stringify(res.body?.error ?? res.body)}`);
    }
    expectNone(problems, "Make the body's example one the route accepts.");
  });
});
