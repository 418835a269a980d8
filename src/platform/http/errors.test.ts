import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AppError, Errors, fail, isAppError, type ErrorDef } from './errors';

/**
 * The registry must be exactly the contract's §4 tables: every code once, with
 * the contract's name (S codes), HTTP status and fixed message, and nothing else.
 */

interface ContractRow {
  code: string;
  name?: string;
  status: number;
  message: string;
}

const contract = readFileSync(new URL('../../../docs/api-contract.md', import.meta.url), 'utf8');

function section4(text: string): string {
  const start = text.search(/^## 4\. /m);
  assert.ok(start >= 0, 'contract has a "## 4." section');
  const rest = text.slice(start + 1);
  const end = rest.search(/^## /m);
  return end >= 0 ? rest.slice(0, end) : rest;
}

/** "Forbidden (from IllegalStateException)" → "Forbidden": the trailing parenthetical is a note, not the message. */
function stripNote(message: string): string {
  return message.replace(/\s*\([^()]*\)\s*$/, '').trim();
}

function parseContract(): { shopping: ContractRow[]; common: ContractRow[] } {
  const shopping: ContractRow[] = [];
  const common: ContractRow[] = [];
  for (const line of section4(contract).split('\n')) {
    const s = /^\|\s*(S\d+)\s*\|\s*([A-Z][A-Z0-9_]*)\s*\|\s*(\d{3})\s*\|\s*([^|]+?)\s*\|/.exec(line);
    if (s) {
      shopping.push({ code: s[1], name: s[2], status: Number(s[3]), message: s[4] });
      continue;
    }
    const c = /^\|\s*([A-Z]\d{3})\s*\|\s*(\d{3})\s*\|\s*([^|]+?)\s*\|\s*$/.exec(line);
    if (c) common.push({ code: c[1], status: Number(c[2]), message: stripNote(c[3]) });
  }
  return { shopping, common };
}

const { shopping, common } = parseContract();
const contractRows = [...shopping, ...common];
const registry = Object.entries(Errors) as [string, ErrorDef][];

test('the contract tables parse into the expected shape', () => {
  // A parser that silently matches nothing would make every check below vacuous.
  assert.ok(shopping.length >= 90, `S rows parsed: ${shopping.length}`);
  assert.equal(common.length, 19, 'C001–C017, A001, A002');
  assert.deepEqual(shopping[0], { code: 'S001', name: 'PRODUCT_NOT_FOUND', status: 404, message: 'Product not found' });
  assert.ok(shopping.some((r) => r.code === 'S1004'), 'four-digit S codes are parsed');
  const byCode = new Map(common.map((r) => [r.code, r]));
  assert.deepEqual(byCode.get('C001'), { code: 'C001', status: 500, message: 'Internal Server Error' });
  assert.equal(byCode.get('C002')?.message, 'Invalid Input Value');
  assert.equal(byCode.get('C004')?.message, 'Forbidden');
  assert.equal(byCode.get('C009')?.message, 'Method not allowed');
  assert.equal(byCode.get('C014')?.message, 'Service temporarily unavailable');
  assert.equal(byCode.get('A002')?.status, 409);
});

test('the contract lists each code once', () => {
  const seen = new Set<string>();
  for (const row of contractRows) {
    assert.ok(!seen.has(row.code), `contract lists ${row.code} twice`);
    seen.add(row.code);
  }
});

test('every contract code is in the registry exactly once, with its name, status and message', () => {
  for (const row of contractRows) {
    const entries = registry.filter(([, def]) => def.code === row.code);
    assert.equal(entries.length, 1, `${row.code} appears ${entries.length} times in Errors`);
    const [name, def] = entries[0];
    if (row.name) assert.equal(name, row.name, `${row.code} is named ${row.name} in the contract`);
    assert.equal(def.status, row.status, `${row.code} HTTP status`);
    assert.equal(def.message, row.message, `${row.code} message`);
  }
});

test('the registry holds nothing the contract does not list', () => {
  const listed = new Set(contractRows.map((r) => r.code));
  const extra = registry.filter(([, def]) => !listed.has(def.code)).map(([name, def]) => `${name}=${def.code}`);
  assert.deepEqual(extra, []);
  assert.equal(registry.length, contractRows.length);
});

test('registry entries are well formed', () => {
  for (const [name, def] of registry) {
    assert.match(def.code, /^(S\d{3,4}|C\d{3}|A\d{3})$/, name);
    assert.ok(def.status >= 400 && def.status <= 599, `${name} status ${def.status}`);
    assert.ok(def.message.length > 0 && def.message === def.message.trim(), `${name} message`);
  }
});

test('fail() builds an AppError carrying the registry entry', () => {
  const err = fail('CART_EMPTY', [{ field: 'items', message: 'Cart is empty' }]);
  assert.ok(err instanceof AppError);
  assert.ok(err instanceof Error);
  assert.equal(err.def, Errors.CART_EMPTY);
  assert.equal(err.status, 400);
  assert.equal(err.message, 'Cart is empty');
  assert.deepEqual(err.details, [{ field: 'items', message: 'Cart is empty' }]);
  assert.ok(isAppError(err));
  assert.ok(isAppError(err, 'CART_EMPTY'));
  assert.ok(!isAppError(err, 'CART_NOT_FOUND'));
  assert.ok(!isAppError(new Error('Cart is empty')));
});
