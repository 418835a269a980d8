import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Client } from '@elastic/elasticsearch';
import { isAppError } from '../../platform/http/errors';
import type { SearchDocument, SearchQuery } from './engine';
import { buildSearchRequest, buildSuggestRequest, ElasticsearchEngine, indexDefinition, MAX_RESULT_WINDOW } from './elasticsearch-engine';

interface Seen {
  method: string;
  path: string;
  body: unknown;
}

type Reply = { status?: number; body?: unknown };

/**
 * A stand-in for an Elasticsearch node on 127.0.0.1: records every request the
 * real client sends and answers with what the test says.
 */
class FakeCluster {
  readonly requests: Seen[] = [];
  reply: (req: Seen) => Reply = () => ({ body: {} });
  private server?: http.Server;
  url = '';

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', () => {
        const ndjson = (req.headers['content-type'] ?? '').includes('ndjson');
        const body = raw === '' ? undefined : ndjson ? raw.trim().split('\n').map((l) => JSON.parse(l)) : JSON.parse(raw);
        const seen = { method: req.method ?? '', path: req.url ?? '', body };
        this.requests.push(seen);
        const { status = 200, body: out = {} } = this.reply(seen);
        res.writeHead(status, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
        res.end(req.method === 'HEAD' ? undefined : JSON.stringify(out));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const cluster = new FakeCluster();
let engine: ElasticsearchEngine;

before(async () => {
  await cluster.start();
  engine = new ElasticsearchEngine({ client: new Client({ node: cluster.url, maxRetries: 0 }) });
});
after(async () => {
  await engine.close();
  await cluster.stop();
});
beforeEach(() => {
  cluster.requests.length = 0;
  cluster.reply = () => ({ body: {} });
});

const q = (over: Partial<SearchQuery>): SearchQuery => ({ sort: 'relevance', page: 0, size: 20, ...over });

const HIGHLIGHT = {
  encoder: 'html',
  pre_tags: ['<em>'],
  post_tags: ['</em>'],
  fields: {
    name: { number_of_fragments: 0 },
    'name.ngram': { number_of_fragments: 0 },
    description: { fragment_size: 150, number_of_fragments: 1 },
    'description.ngram': { fragment_size: 150, number_of_fragments: 1 },
  },
};
const SOURCE = ['id', 'name', 'description', 'price', 'stock'];

describe('request bodies', () => {
  test('the products index: nori on name and description, name.suggest completion, price, stock, createdAt', () => {
    assert.deepEqual(indexDefinition(), {
      settings: {
        number_of_shards: 1,
        number_of_replicas: 0,
        analysis: {
          tokenizer: {
            nori_mixed: { type: 'nori_tokenizer', decompound_mode: 'mixed' },
            hangul_ngram: { type: 'ngram', min_gram: 1, max_gram: 2, token_chars: ['letter', 'digit'] },
          },
          analyzer: {
            korean: { type: 'custom', tokenizer: 'nori_mixed', filter: ['lowercase', 'nori_readingform'] },
            korean_ngram: { type: 'custom', tokenizer: 'hangul_ngram', filter: ['lowercase'] },
            korean_suggest: { type: 'custom', tokenizer: 'standard', filter: ['lowercase'] },
          },
        },
      },
      mappings: {
        dynamic: 'strict',
        properties: {
          id: { type: 'long' },
          name: {
            type: 'text',
            analyzer: 'korean',
            fields: {
              keyword: { type: 'keyword', ignore_above: 256 },
              suggest: { type: 'completion', analyzer: 'korean_suggest' },
              ngram: { type: 'text', analyzer: 'korean_ngram' },
            },
          },
          description: { type: 'text', analyzer: 'korean', fields: { ngram: { type: 'text', analyzer: 'korean_ngram' } } },
          price: { type: 'double' },
          stock: { type: 'integer' },
          createdAt: { type: 'date' },
        },
      },
    });
  });

  test('Korean keyword, relevance: name^3 + description, the n-gram clause, no fuzziness, score order', () => {
    assert.deepEqual(buildSearchRequest('products', q({ keyword: ' 아이폰 ' })), {
      index: 'products',
      query: {
        bool: {
          must: [
            {
              bool: {
                should: [
                  { multi_match: { query: '아이폰', fields: ['name^3', 'description'] } },
                  { multi_match: { query: '아이폰', fields: ['name.ngram^3', 'description.ngram'], operator: 'and', boost: 0.5 } },
                ],
                minimum_should_match: 1,
              },
            },
          ],
        },
      },
      sort: [{ _score: { order: 'desc' } }, { id: { order: 'asc' } }],
      from: 0,
      size: 20,
      track_total_hits: true,
      _source: SOURCE,
      highlight: HIGHLIGHT,
    });
  });

  test('Latin keyword with a price range, price_asc, page 2: fuzziness AUTO, range filter, from, track_scores', () => {
    assert.deepEqual(buildSearchRequest('products', q({ keyword: 'ipone', minPrice: 500000, maxPrice: 2000000, sort: 'price_asc', page: 2, size: 10 })), {
      index: 'products',
      query: {
        bool: {
          must: [
            {
              bool: {
                should: [{ multi_match: { query: 'ipone', fields: ['name^3', 'description'], fuzziness: 'AUTO' } }],
                minimum_should_match: 1,
              },
            },
          ],
          filter: [{ range: { price: { gte: 500000, lte: 2000000 } } }],
        },
      },
      sort: [{ price: { order: 'asc' } }, { id: { order: 'asc' } }],
      from: 20,
      size: 10,
      track_total_hits: true,
      _source: SOURCE,
      track_scores: true,
      highlight: HIGHLIGHT,
    });
  });

  test('mixed keyword, price_desc, maxPrice only: no fuzziness (Hangul), the n-gram clause gets the Hangul words', () => {
    const req = buildSearchRequest('products', q({ keyword: '갤럭시 S24 울트라', maxPrice: 1500000, sort: 'price_desc' }));
    assert.deepEqual(req.query, {
      bool: {
        must: [
          {
            bool: {
              should: [
                { multi_match: { query: '갤럭시 S24 울트라', fields: ['name^3', 'description'] } },
                { multi_match: { query: '갤럭시 울트라', fields: ['name.ngram^3', 'description.ngram'], operator: 'and', boost: 0.5 } },
              ],
              minimum_should_match: 1,
            },
          },
        ],
        filter: [{ range: { price: { lte: 1500000 } } }],
      },
    });
    assert.deepEqual(req.sort, [{ price: { order: 'desc' } }, { id: { order: 'asc' } }]);
    assert.equal(req.track_scores, true);
  });

  test('no keyword: match_all (or only the filter), newest first for relevance and newest, no highlight', () => {
    assert.deepEqual(buildSearchRequest('products', q({})), {
      index: 'products',
      query: { match_all: {} },
      sort: [{ createdAt: { order: 'desc' } }, { id: { order: 'desc' } }],
      from: 0,
      size: 20,
      track_total_hits: true,
      _source: SOURCE,
    });
    assert.deepEqual(buildSearchRequest('products', q({ minPrice: 1000, sort: 'newest', size: 5, page: 1 })), {
      index: 'products',
      query: { bool: { filter: [{ range: { price: { gte: 1000 } } }] } },
      sort: [{ createdAt: { order: 'desc' } }, { id: { order: 'desc' } }],
      from: 5,
      size: 5,
      track_total_hits: true,
      _source: SOURCE,
    });
    // A blank keyword is no keyword.
    assert.deepEqual(buildSearchRequest('products', q({ keyword: '  ' })).query, { match_all: {} });
  });

  test('a page beyond the result window only asks for the total', () => {
    const req = buildSearchRequest('products', q({ keyword: 'phone', page: MAX_RESULT_WINDOW / 20, size: 20 }));
    assert.equal(req.from, 0);
    assert.equal(req.size, 0);
    assert.equal(req.highlight, undefined);
    assert.equal(req.track_total_hits, true);
  });

  test('suggest: completion on name.suggest, fuzzy for Latin prefixes only', () => {
    assert.deepEqual(buildSuggestRequest('products', '아이', 5), {
      index: 'products',
      _source: false,
      suggest: { 'product-suggest': { prefix: '아이', completion: { field: 'name.suggest', size: 5, skip_duplicates: true } } },
    });
    assert.deepEqual(buildSuggestRequest('products', ' ipho ', 3).suggest, {
      'product-suggest': { prefix: 'ipho', completion: { field: 'name.suggest', size: 3, skip_duplicates: true, fuzzy: { fuzziness: 'AUTO' } } },
    });
  });
});

const DOC: SearchDocument = {
  id: 7,
  name: '아이폰 15 프로',
  description: 'Apple iPhone 15 Pro',
  price: 1550000,
  stock: 3,
  createdAt: new Date('2026-01-02T03:04:05.678Z'),
};
const SOURCE_DOC = { id: 7, name: '아이폰 15 프로', description: 'Apple iPhone 15 Pro', price: 1550000, stock: 3, createdAt: '2026-01-02T03:04:05.678Z' };

describe('what the client sends', () => {
  test('init creates the index with its mapping when it is missing, and leaves an existing one alone', async () => {
    cluster.reply = (r) => (r.method === 'HEAD' ? { status: 404 } : { body: { acknowledged: true } });
    assert.deepEqual(await engine.init(), { created: true });
    assert.deepEqual(cluster.requests.map((r) => `${r.method} ${r.path}`), ['HEAD /products', 'PUT /products']);
    assert.deepEqual(cluster.requests[1].body, indexDefinition());

    cluster.requests.length = 0;
    cluster.reply = () => ({ status: 200 });
    assert.deepEqual(await engine.init(), { created: false });
    assert.deepEqual(cluster.requests.map((r) => `${r.method} ${r.path}`), ['HEAD /products']);

    // Another instance won the race.
    cluster.reply = (r) =>
      r.method === 'HEAD' ? { status: 404 } : { status: 400, body: { error: { type: 'resource_already_exists_exception' }, status: 400 } };
    assert.deepEqual(await engine.init(), { created: false });
  });

  test('upsert, bulk index and remove are keyed by product id', async () => {
    cluster.reply = (r) => (r.method === 'DELETE' ? { status: 404, body: { result: 'not_found' } } : { body: { errors: false, items: [] } });
    await engine.upsert(DOC);
    await engine.index([DOC, { ...DOC, id: 8, name: '아이폰 15', description: null }]);
    await engine.remove(7);
    assert.deepEqual(cluster.requests, [
      { method: 'PUT', path: '/products/_doc/7?refresh=false', body: SOURCE_DOC },
      {
        method: 'POST',
        path: '/_bulk?refresh=false',
        body: [
          { index: { _index: 'products', _id: '7' } },
          SOURCE_DOC,
          { index: { _index: 'products', _id: '8' } },
          { ...SOURCE_DOC, id: 8, name: '아이폰 15', description: null },
        ],
      },
      { method: 'DELETE', path: '/products/_doc/7?refresh=false', body: undefined },
    ]);
  });

  test('a failed bulk item is an error', async () => {
    cluster.reply = () => ({ body: { errors: true, items: [{ index: { _id: '7', status: 400, error: { type: 'mapper_parsing_exception' } } }] } });
    await assert.rejects(engine.index([DOC]), /1 of 1 operations failed/);
  });

  test('search sends the built body and maps hits, highlights, scores and the total', async () => {
    cluster.reply = () => ({
      body: {
        hits: {
          total: { value: 41, relation: 'eq' },
          max_score: 9.5,
          hits: [
            {
              _id: '7',
              _score: 9.5,
              _source: { id: 7, name: '아이폰 15 프로', description: 'Apple iPhone 15 Pro', price: 1550000, stock: 3 },
              highlight: { name: ['<em>아이폰</em> 15 프로'] },
            },
            {
              _id: '9',
              _score: 2.25,
              _source: { id: 9, name: 'Apple iPhone 15 케이스', description: '아이폰 15 전용', price: 59000, stock: 0 },
              highlight: { 'name.ngram': ['<em>아</em>'], description: ['<em>아이폰</em> 15 전용'] },
            },
          ],
        },
      },
    });
    const query = q({ keyword: '아이폰', minPrice: 1000, size: 2 });
    const res = await engine.search(query);
    const { index: _index, ...body } = buildSearchRequest('products', query);
    assert.deepEqual(cluster.requests, [{ method: 'POST', path: '/products/_search', body }]);
    assert.deepEqual(res, {
      total: 41,
      hits: [
        { id: 7, name: '아이폰 15 프로', description: 'Apple iPhone 15 Pro', price: 1550000, stock: 3, highlightedName: '<em>아이폰</em> 15 프로', highlightedDescription: null, score: 9.5 },
        { id: 9, name: 'Apple iPhone 15 케이스', description: '아이폰 15 전용', price: 59000, stock: 0, highlightedName: '<em>아</em>', highlightedDescription: '<em>아이폰</em> 15 전용', score: 2.25 },
      ],
    });
  });

  test('browsing reports no score', async () => {
    cluster.reply = () => ({ body: { hits: { total: { value: 1, relation: 'eq' }, hits: [{ _id: '7', _score: null, _source: SOURCE_DOC, sort: [1, 7] }] } } });
    const res = await engine.search(q({}));
    assert.equal(res.hits[0].score, null);
    assert.equal(res.hits[0].highlightedName, null);
  });

  test('suggest sends the completion request and returns the option texts', async () => {
    cluster.reply = () => ({
      body: {
        hits: { total: { value: 0, relation: 'eq' }, hits: [] },
        suggest: {
          'product-suggest': [{ text: '아이', offset: 0, length: 2, options: [{ text: '아이폰 15 프로', _score: 1 }, { text: '아이패드 에어', _score: 1 }, { text: '아이맥 24', _score: 1 }] }],
        },
      },
    });
    assert.deepEqual(await engine.suggest('아이', 5), ['아이폰 15 프로', '아이패드 에어', '아이맥 24']);
    const { index: _index, ...body } = buildSuggestRequest('products', '아이', 5);
    assert.deepEqual(cluster.requests, [{ method: 'POST', path: '/products/_search', body }]);
  });

  test('replaceAll indexes every batch, deletes what no batch had, then refreshes', async () => {
    cluster.reply = (r) => {
      if (r.path.endsWith('/_search')) {
        // The index holds 7, 8 and a product deleted while nobody listened (99).
        return { body: { hits: { total: { value: 3, relation: 'eq' }, hits: [7, 8, 99].map((id) => ({ _id: String(id), _score: null, sort: [id] })) } } };
      }
      return { body: { errors: false, items: [], _shards: {} } };
    };
    async function* batches() {
      yield [DOC];
      yield [{ ...DOC, id: 8 }];
    }
    assert.equal(await engine.replaceAll(batches()), 2);
    assert.deepEqual(cluster.requests.map((r) => `${r.method} ${r.path}`), [
      'POST /_bulk?refresh=false',
      'POST /_bulk?refresh=false',
      'POST /products/_search',
      'POST /_bulk?refresh=false',
      'GET /products/_refresh',
    ]);
    assert.deepEqual(cluster.requests[2].body, { size: 5000, _source: false, query: { match_all: {} }, sort: [{ id: { order: 'asc' } }] });
    assert.deepEqual(cluster.requests[3].body, [{ delete: { _index: 'products', _id: '99' } }]);
  });

  test('count and clear', async () => {
    cluster.reply = (r) => (r.path.includes('_count') ? { body: { count: 12 } } : { body: { deleted: 12 } });
    assert.equal(await engine.count(), 12);
    await engine.clear();
    assert.deepEqual(cluster.requests.slice(1).map((r) => [r.method, r.path, r.body]), [
      ['POST', '/products/_delete_by_query?refresh=true&conflicts=proceed', { query: { match_all: {} } }],
    ]);
  });
});

describe('failures', () => {
  test('cluster errors: search 500 → S1001, a missing index → S1003, suggest → S1004', async () => {
    cluster.reply = () => ({ status: 500, body: { error: { type: 'search_phase_execution_exception' }, status: 500 } });
    await assert.rejects(engine.search(q({ keyword: 'x' })), (err) => isAppError(err, 'SEARCH_FAILED'));
    await assert.rejects(engine.suggest('아이', 5), (err) => isAppError(err, 'SUGGEST_FAILED'));
    cluster.reply = () => ({ status: 404, body: { error: { type: 'index_not_found_exception' }, status: 404 } });
    await assert.rejects(engine.search(q({ keyword: 'x' })), (err) => isAppError(err, 'INDEX_NOT_FOUND'));
  });

  test('an unreachable cluster gives empty results and no suggestions (as the original)', async () => {
    // A port nothing listens on.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const down = new ElasticsearchEngine({ client: new Client({ node: `http://127.0.0.1:${port}`, maxRetries: 0 }) });
    try {
      assert.deepEqual(await down.search(q({ keyword: '아이폰' })), { hits: [], total: 0 });
      assert.deepEqual(await down.suggest('아이', 5), []);
    } finally {
      await down.close();
    }
  });
});

const ES_URL = process.env.ELASTICSEARCH_URL;

describe('against a real cluster', { skip: ES_URL ? false : 'ELASTICSEARCH_URL is not set (needs Elasticsearch 8 with analysis-nori)' }, () => {
  let real: ElasticsearchEngine;
  const index = `products_test_${randomBytes(4).toString('hex')}`;
  const CATALOG: [number, string, string, number][] = [
    [1, '아이폰 15 프로', 'Apple iPhone 15 Pro 스마트폰', 1550000],
    [2, '아이패드 에어', 'Apple iPad Air 태블릿', 899000],
    [3, '아이맥 24', 'Apple iMac 24 데스크탑', 1990000],
    [4, '갤럭시 S24 울트라 스마트폰', 'Samsung Galaxy S24 Ultra', 1698000],
    [5, '무선 이어폰', '블루투스 무선이어폰 <방수>', 39000],
  ];

  before(async () => {
    real = new ElasticsearchEngine({ node: ES_URL, index, refresh: 'wait_for' });
    assert.deepEqual(await real.init(), { created: true });
    assert.deepEqual(await real.init(), { created: false });
    const docs = CATALOG.map(([id, name, description, price]) => ({ id, name, description, price, stock: 5, createdAt: new Date(Date.UTC(2026, 0, id)) }));
    async function* one() {
      yield docs;
    }
    assert.equal(await real.replaceAll(one()), CATALOG.length);
  });
  after(async () => {
    await real?.client.indices.delete({ index }, { ignore: [404] });
    await real?.close();
  });

  test('Korean, partial and misspelt keywords, filters, sorts and highlights', async () => {
    const names = async (query: Partial<SearchQuery>) => (await real.search(q(query))).hits.map((h) => h.name);
    assert.equal((await names({ keyword: '아이폰' }))[0], '아이폰 15 프로');
    const phones = await names({ keyword: '폰' });
    assert.ok(phones.includes('아이폰 15 프로') && phones.includes('갤럭시 S24 울트라 스마트폰'), phones.join(', '));
    assert.equal((await names({ keyword: 'ipone' }))[0], '아이폰 15 프로');
    assert.deepEqual(await names({ minPrice: 1000000, sort: 'price_asc' }), ['아이폰 15 프로', '갤럭시 S24 울트라 스마트폰', '아이맥 24']);
    assert.deepEqual(await names({ sort: 'newest', size: 2 }), ['무선 이어폰', '갤럭시 S24 울트라 스마트폰']);
    const hit = (await real.search(q({ keyword: '이어폰' }))).hits[0];
    assert.match(hit.highlightedName ?? '', /<em>/);
    assert.ok(!(hit.highlightedDescription ?? '').includes('<방수>'));
    const suggestions = await real.suggest('아이', 5);
    for (const name of ['아이폰 15 프로', '아이패드 에어', '아이맥 24']) assert.ok(suggestions.includes(name), suggestions.join(', '));
  });

  test('upsert and remove', async () => {
    await real.upsert({ id: 6, name: '갤럭시 버즈', description: null, price: 199000, stock: 1, createdAt: new Date() });
    assert.equal(await real.count(), CATALOG.length + 1);
    await real.remove(6);
    await real.remove(6);
    assert.equal(await real.count(), CATALOG.length);
  });
});
