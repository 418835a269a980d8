import { Client, errors, type estypes } from '@elastic/elasticsearch';
import type { FastifyBaseLogger } from 'fastify';
import { fail } from '../../platform/http/errors';
import type { InitResult, SearchDocument, SearchEngine, SearchHit, SearchHits, SearchQuery } from './engine';
import { hasHangul, hasLatin } from './korean';

/**
 * The Elasticsearch engine: the `products` index of a cluster shared by every
 * instance, for catalogs and traffic beyond one machine.
 *
 * The cluster needs the `analysis-nori` plugin (Korean morphological analysis).
 * Besides the nori-analysed `name`/`description`, each has an `ngram`
 * sub-field (Hangul 1–2-grams) so that a part of a word finds it ("폰" →
 * 아이폰, 스마트폰), as in the memory engine.
 *
 * Every request body is built by a pure function below, so tests check the
 * exact JSON sent (elasticsearch-engine.test.ts).
 */

export const DEFAULT_INDEX = 'products';
/** Elasticsearch's `index.max_result_window`: pages beyond it only report the total. */
export const MAX_RESULT_WINDOW = 10_000;
const DESCRIPTION_FRAGMENT = 150;
const BULK_DELETE_SCAN = 5_000;

/** Settings and mappings of the `products` index (created at start-up when missing). */
export function indexDefinition(): { settings: estypes.IndicesIndexSettings; mappings: estypes.MappingTypeMapping } {
  return {
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
          // Completion keeps the name's words as typed: "아이" completes "아이폰 15 프로".
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
        description: {
          type: 'text',
          analyzer: 'korean',
          fields: { ngram: { type: 'text', analyzer: 'korean_ngram' } },
        },
        price: { type: 'double' },
        stock: { type: 'integer' },
        createdAt: { type: 'date' },
      },
    },
  };
}

export interface ProductSource {
  id: number;
  name: string;
  description: string | null;
  price: number;
  stock: number;
  createdAt: string;
}

export function toSource(doc: SearchDocument): ProductSource {
  return {
    id: doc.id,
    name: doc.name,
    description: doc.description,
    price: doc.price,
    stock: doc.stock,
    createdAt: doc.createdAt.toISOString(),
  };
}

/** The Hangul words of a keyword (what the n-gram sub-fields are searched with). */
function hangulPart(keyword: string): string {
  return (keyword.match(/[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]+/g) ?? []).join(' ');
}

function sortOf(q: SearchQuery, keyword: string | undefined): estypes.SortCombinations[] {
  switch (q.sort) {
    case 'price_asc':
      return [{ price: { order: 'asc' } }, { id: { order: 'asc' } }];
    case 'price_desc':
      return [{ price: { order: 'desc' } }, { id: { order: 'asc' } }];
    case 'newest':
      return [{ createdAt: { order: 'desc' } }, { id: { order: 'desc' } }];
    default:
      // Relevance; without a keyword every score is equal, so newest first (as the memory engine).
      return keyword
        ? [{ _score: { order: 'desc' } }, { id: { order: 'asc' } }]
        : [{ createdAt: { order: 'desc' } }, { id: { order: 'desc' } }];
  }
}

/**
 * The `_search` body for a query: multi_match on name^3 and description
 * (fuzziness AUTO for keywords in Latin letters only: one wrong Hangul syllable
 * is another product, 아이폰 ↔ 아이맥), an n-gram clause for parts of Hangul
 * words, a price range filter, the sort, and `<em>` highlights over
 * HTML-escaped text.
 */
export function buildSearchRequest(index: string, q: SearchQuery): estypes.SearchRequest {
  const keyword = q.keyword?.trim() || undefined;
  const filter: estypes.QueryDslQueryContainer[] = [];
  if (q.minPrice !== undefined || q.maxPrice !== undefined) {
    filter.push({
      range: { price: { ...(q.minPrice !== undefined ? { gte: q.minPrice } : {}), ...(q.maxPrice !== undefined ? { lte: q.maxPrice } : {}) } },
    });
  }
  let query: estypes.QueryDslQueryContainer;
  if (keyword) {
    const fuzzy = hasLatin(keyword) && !hasHangul(keyword);
    const should: estypes.QueryDslQueryContainer[] = [
      { multi_match: { query: keyword, fields: ['name^3', 'description'], ...(fuzzy ? { fuzziness: 'AUTO' } : {}) } },
    ];
    const hangul = hangulPart(keyword);
    if (hangul) {
      should.push({
        multi_match: { query: hangul, fields: ['name.ngram^3', 'description.ngram'], operator: 'and', boost: 0.5 },
      });
    }
    query = { bool: { must: [{ bool: { should, minimum_should_match: 1 } }], ...(filter.length ? { filter } : {}) } };
  } else {
    query = filter.length ? { bool: { filter } } : { match_all: {} };
  }

  const from = q.page * q.size;
  const beyond = from + q.size > MAX_RESULT_WINDOW;
  const request: estypes.SearchRequest = {
    index,
    query,
    sort: sortOf(q, keyword),
    from: beyond ? 0 : from,
    size: beyond ? 0 : q.size,
    track_total_hits: true,
    _source: ['id', 'name', 'description', 'price', 'stock'],
  };
  if (keyword && q.sort !== 'relevance') request.track_scores = true;
  if (keyword && !beyond) {
    request.highlight = {
      encoder: 'html',
      pre_tags: ['<em>'],
      post_tags: ['</em>'],
      fields: {
        name: { number_of_fragments: 0 },
        'name.ngram': { number_of_fragments: 0 },
        description: { fragment_size: DESCRIPTION_FRAGMENT, number_of_fragments: 1 },
        'description.ngram': { fragment_size: DESCRIPTION_FRAGMENT, number_of_fragments: 1 },
      },
    };
  }
  return request;
}

export const SUGGESTER = 'product-suggest';

/** The completion-suggester request on `name.suggest` (fuzzy for Latin prefixes only). */
export function buildSuggestRequest(index: string, prefix: string, size: number): estypes.SearchRequest {
  const text = prefix.trim();
  const fuzzy = hasLatin(text) && !hasHangul(text);
  return {
    index,
    _source: false,
    suggest: {
      [SUGGESTER]: {
        prefix: text,
        completion: { field: 'name.suggest', size, skip_duplicates: true, ...(fuzzy ? { fuzzy: { fuzziness: 'AUTO' } } : {}) },
      },
    },
  };
}

function isConnectionFailure(err: unknown): boolean {
  return err instanceof errors.ConnectionError || err instanceof errors.TimeoutError || err instanceof errors.NoLivingConnectionsError;
}

function isIndexMissing(err: unknown): boolean {
  return err instanceof errors.ResponseError && (err.body as { error?: { type?: string } } | undefined)?.error?.type === 'index_not_found_exception';
}

export interface ElasticsearchEngineOptions {
  /** ELASTICSEARCH_URL. */
  node?: string;
  /** A ready client (tests); otherwise one is made for `node`. */
  client?: Client;
  index?: string;
  /** Refresh after each write: `wait_for` in tests; default false (visible within the 1 s refresh interval). */
  refresh?: boolean | 'wait_for';
  log?: Pick<FastifyBaseLogger, 'warn' | 'error' | 'info'>;
}

export class ElasticsearchEngine implements SearchEngine {
  readonly name = 'elasticsearch' as const;
  readonly client: Client;
  readonly indexName: string;
  private readonly refresh: boolean | 'wait_for';
  private readonly log?: ElasticsearchEngineOptions['log'];

  constructor(options: ElasticsearchEngineOptions) {
    if (!options.client && !options.node) throw new Error('ElasticsearchEngine needs a node URL or a client');
    this.client = options.client ?? new Client({ node: options.node!, requestTimeout: 10_000, maxRetries: 2 });
    this.indexName = options.index ?? DEFAULT_INDEX;
    this.refresh = options.refresh ?? false;
    this.log = options.log;
  }

  /** Start-up: create the index with its mapping unless it exists. */
  async init(): Promise<InitResult> {
    if (await this.client.indices.exists({ index: this.indexName })) return { created: false };
    try {
      await this.client.indices.create({ index: this.indexName, ...indexDefinition() });
    } catch (err) {
      // Another instance created it in between.
      const type = (err as { body?: { error?: { type?: string } } }).body?.error?.type;
      if (err instanceof errors.ResponseError && type === 'resource_already_exists_exception') return { created: false };
      throw err;
    }
    this.log?.info({ index: this.indexName }, 'search: created the Elasticsearch index');
    return { created: true };
  }

  async index(docs: SearchDocument[]): Promise<void> {
    if (docs.length === 0) return;
    await this.bulk(docs.flatMap((d) => [{ index: { _index: this.indexName, _id: String(d.id) } }, toSource(d)]));
  }

  async upsert(doc: SearchDocument): Promise<void> {
    await this.client.index({ index: this.indexName, id: String(doc.id), document: toSource(doc), refresh: this.refresh });
  }

  async remove(id: number): Promise<void> {
    await this.client.delete({ index: this.indexName, id: String(id), refresh: this.refresh }, { ignore: [404] });
  }

  /**
   * Indexes every batch, then deletes what the index holds beyond them (products
   * deleted while no event reached us). Safe beside a concurrent rebuild by another
   * instance: only ids that no batch contained are deleted.
   */
  async replaceAll(batches: AsyncIterable<SearchDocument[]>): Promise<number> {
    const live = new Set<number>();
    for await (const batch of batches) {
      await this.index(batch);
      for (const d of batch) live.add(d.id);
    }
    const stale: number[] = [];
    let after: estypes.SortResults | undefined;
    for (;;) {
      const res = await this.client.search<unknown>({
        index: this.indexName,
        size: BULK_DELETE_SCAN,
        _source: false,
        query: { match_all: {} },
        sort: [{ id: { order: 'asc' } }],
        ...(after ? { search_after: after } : {}),
      });
      const hits = res.hits.hits;
      for (const h of hits) if (!live.has(Number(h._id))) stale.push(Number(h._id));
      if (hits.length < BULK_DELETE_SCAN) break;
      after = hits[hits.length - 1].sort;
    }
    if (stale.length > 0) await this.bulk(stale.map((id) => ({ delete: { _index: this.indexName, _id: String(id) } })));
    await this.client.indices.refresh({ index: this.indexName });
    return live.size;
  }

  async search(query: SearchQuery): Promise<SearchHits> {
    let res: estypes.SearchResponse<ProductSource>;
    try {
      res = await this.client.search<ProductSource>(buildSearchRequest(this.indexName, query));
    } catch (err) {
      // As the original: a cluster that can't be reached gives empty results; its errors give 500.
      if (isConnectionFailure(err)) {
        this.log?.error({ err }, 'search: Elasticsearch unreachable, answering no results');
        return { hits: [], total: 0 };
      }
      if (isIndexMissing(err)) throw fail('INDEX_NOT_FOUND');
      this.log?.error({ err }, 'search: Elasticsearch search failed');
      throw fail('SEARCH_FAILED');
    }
    const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
    const keyword = Boolean(query.keyword?.trim());
    const hits: SearchHit[] = res.hits.hits.map((h) => {
      const s = h._source!;
      const hl = h.highlight ?? {};
      return {
        id: Number(s.id),
        name: s.name,
        description: s.description ?? null,
        price: s.price,
        stock: s.stock,
        highlightedName: hl.name?.[0] ?? hl['name.ngram']?.[0] ?? null,
        highlightedDescription: hl.description?.[0] ?? hl['description.ngram']?.[0] ?? null,
        score: keyword && typeof h._score === 'number' ? h._score : null,
      };
    });
    return { hits, total };
  }

  async suggest(prefix: string, size: number): Promise<string[]> {
    let res: estypes.SearchResponse<unknown>;
    try {
      res = await this.client.search<unknown>(buildSuggestRequest(this.indexName, prefix, size));
    } catch (err) {
      if (isConnectionFailure(err)) {
        this.log?.error({ err }, 'search: Elasticsearch unreachable, answering no suggestions');
        return [];
      }
      this.log?.error({ err }, 'search: Elasticsearch suggest failed');
      throw fail('SUGGEST_FAILED');
    }
    const entries = (res.suggest?.[SUGGESTER] ?? []) as estypes.SearchCompletionSuggest[];
    const out: string[] = [];
    for (const entry of entries) {
      const options = Array.isArray(entry.options) ? entry.options : [entry.options];
      for (const o of options) if (o.text && !out.includes(o.text)) out.push(o.text);
    }
    return out.slice(0, size);
  }

  async count(): Promise<number> {
    return (await this.client.count({ index: this.indexName })).count;
  }

  async clear(): Promise<void> {
    await this.client.deleteByQuery({ index: this.indexName, query: { match_all: {} }, refresh: true, conflicts: 'proceed' });
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async bulk(operations: estypes.BulkRequest['operations']): Promise<void> {
    const res = await this.client.bulk({ operations, refresh: this.refresh });
    if (!res.errors) return;
    const failed = res.items.filter((i) => {
      const r = Object.values(i)[0];
      return r?.error && !(r.status === 404 && i.delete);
    });
    if (failed.length > 0) {
      throw new Error(`Elasticsearch bulk: ${failed.length} of ${res.items.length} operations failed: ${JSON.stringify(Object.values(failed[0])[0]?.error)}`);
    }
  }
}
