import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { SCHEMA_FILE, schemaTypes } from '../../scripts/api-types';

test('web/src/api/schema.d.ts matches the service\'s OpenAPI document', async () => {
  const [fresh, checkedIn] = await Promise.all([schemaTypes(), readFile(SCHEMA_FILE, 'utf8').catch(() => '')]);
  if (fresh === checkedIn) return;
  const a = fresh.split('\n');
  const b = checkedIn.split('\n');
  const line = a.findIndex((l, i) => l !== b[i]);
  assert.fail(
    `web/src/api/schema.d.ts is out of date with the API: run \`npm run api:types\` and commit the result.\n` +
      `first difference at line ${line + 1}:\n  generated:  ${a[line] ?? '(end)'}\n  checked in: ${b[line] ?? '(end)'}`,
  );
});
