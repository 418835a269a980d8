import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config';
import { fail, type FieldError } from '../../platform/http/errors';
import type { Redis } from '../../platform/redis/index';
import type { ProductSearchRow } from '../product/service';
import { parseSort, type SearchDocument, type SearchEngine } from './engine';
import { ElasticsearchEngine } from './elasticsearch-engine';
import { MemorySearchEngine } from './memory-engine';
import { MAX_KEYWORD_LENGTH, MAX_SEARCH_SIZE, KEYWORD_TOO_LONG, type ReindexResponse, type SearchResponse } from './schemas';

/** Redis keys (contract §0.3). */
export const POPULAR_KEY = 'search:popular';
export const recentKey = (userId: string) => `search:recent:${userId}`;
/** A user's recent keywords kept (contract: 20). */
export const RECENT_MAX = 20;
/** Popular keywords kept: the least searched fall off, so junk keywords can't grow the set forever. */
export const POPULAR_MAX = 10_000;
/** A user's recent list is forgotten after this long without a search. */
export const RECENT_TTL_SECONDS = 90 * 24 * 3600;
/**
 * Searches add to popular in batches: counts gather in memory and go to Redis
 * as one ZINCRBY per keyword this often (architecture rule "no hot rows": fold counters in
 * batches), instead of a Redis round trip per search.
 */
export const POPULAR_FLUSH_MS = 500;
/** Suggestions need at least this many characters (contract #40). */
export const SUGGEST_MIN_LENGTH = 2;

/** What search needs of the catalog (ProductService implements it). */
export interface ProductReader {
  liveAfterForSearch(afterId: number, limit: number): Promise<ProductSearchRow[]>;
  liveByIdsForSearch(ids: number[]): Promise<ProductSearchRow[]>;
}

/** The payload of `shopping.product.changed` (contract §0 'events'). */
export interface ProductChange {
  productId: number | string;
  change: 'CREATED' | 'UPDATED' | 'DELETED' | 'STOCK';
  [extra: string]: unknown;
}

export interface SearchInput {
  keyword?: string;
  minPrice?: number;
  maxPrice?: number;
  sort?: string;
  page?: number;
  size?: number;
}

type Log = Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;

export interface SearchServiceDeps {
  engine: SearchEngine;
  products: ProductReader;
  redis: Redis;
  log: Log;
  /** Products read from MySQL per batch while building the index (default 1000). */
  buildBatchSize?: number;
}

/** The engine `SEARCH_ENGINE` names. */
export function createSearchEngine(config: Pick<Config, 'searchEngine' | 'elasticsearchUrl'>, log?: Log): SearchEngine {
  return config.searchEngine === 'elasticsearch'
    ? new ElasticsearchEngine({ node: config.elasticsearchUrl, log })
    : new MemorySearchEngine();
}

/** Keywords as stored in popular/recent: NFC, trimmed, inner spaces collapsed, lower case. */
export function normalizeKeyword(keyword: string): string {
  return keyword.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

const length = (s: string) => [...s].length;

function asDocument(row: ProductSearchRow): SearchDocument {
  return { id: row.id, name: row.name, description: row.description, price: row.price, stock: row.stock, createdAt: row.createdAt };
}

/**
 * Product search: full-text search with filters, sorts and highlights,
 * autocomplete, popular keywords (Redis ZSET) and each user's recent keywords
 * (Redis list). The index is built from MySQL at start-up and kept current by
 * `applyProductChanges` (fed by `shopping.product.changed`).
 */
export class SearchService {
  readonly engine: SearchEngine;
  private readonly products: ProductReader;
  private readonly redis: Redis;
  private readonly log: Log;
  private readonly batchSize: number;
  private ready = false;
  private building?: Promise<ReindexResponse>;
  /** Products changed while a rebuild runs: re-read once it is swapped in. */
  private dirty: Set<number> | null = null;
  private readonly pending = new Set<Promise<void>>();
  /** Popular increments not yet in Redis, and the timer that will send them. */
  private popularBatch = new Map<string, number>();
  private popularTimer?: NodeJS.Timeout;

  constructor(deps: SearchServiceDeps) {
    this.engine = deps.engine;
    this.products = deps.products;
    this.redis = deps.redis;
    this.log = deps.log;
    this.batchSize = deps.buildBatchSize ?? 1000;
  }

  /** True once the first index build has finished (a readiness check). */
  isReady(): boolean {
    return this.ready;
  }

  /** Start-up: create the index if missing, then build it from MySQL. */
  async start(): Promise<ReindexResponse> {
    await this.engine.init();
    return this.rebuild();
  }

  /**
   * Rebuilds the whole index from MySQL; searches keep answering from the old
   * index meanwhile. Concurrent calls share one build.
   */
  rebuild(): Promise<ReindexResponse> {
    if (this.building) return this.building;
    const run = async (): Promise<ReindexResponse> => {
      const started = Date.now();
      this.dirty = new Set();
      this.log.info({ engine: this.engine.name }, 'search: building the index from MySQL');
      try {
        const indexed = await this.engine.replaceAll(this.readAll(started));
        const changed = [...this.dirty];
        this.dirty = null;
        if (changed.length > 0) await this.refreshProducts(changed);
        const tookMs = Date.now() - started;
        this.ready = true;
        this.log.info({ engine: this.engine.name, indexed, tookMs }, 'search: index built');
        return { engine: this.engine.name, indexed, tookMs };
      } finally {
        this.dirty = null;
        this.building = undefined;
      }
    };
    this.building = run();
    return this.building;
  }

  /** Applies one `shopping.product.changed` event (see `applyProductChanges`). */
  applyProductChange(event: ProductChange): Promise<void> {
    return this.applyProductChanges([event]);
  }

  /**
   * Applies `shopping.product.changed` events. Idempotent and order-proof: each
   * product named is re-read once (one read for the whole batch), so the index
   * gets its current state, or loses it when it is no longer live, however
   * often, late or bunched the events come.
   */
  async applyProductChanges(events: readonly ProductChange[]): Promise<void> {
    const ids = new Set<number>();
    for (const event of events) {
      const id = Number(event.productId);
      if (!Number.isSafeInteger(id) || id <= 0) {
        this.log.warn({ event }, 'search: product change without a valid productId ignored');
        continue;
      }
      ids.add(id);
      this.dirty?.add(id);
    }
    if (ids.size > 0) await this.refreshProducts([...ids]);
  }

  /** Re-reads these products: live ones are upserted, the rest removed. */
  async refreshProducts(ids: number[]): Promise<void> {
    const rows = await this.products.liveByIdsForSearch(ids);
    const live = new Set(rows.map((r) => r.id));
    if (rows.length > 0) await this.engine.index(rows.map(asDocument));
    for (const id of ids) if (!live.has(id)) await this.engine.remove(id);
  }

  /**
   * Searches (or, without a keyword, browses) the catalog. A keyword counts
   * toward popular (sent to Redis in batches, at most POPULAR_FLUSH_MS later),
   * and toward `userId`'s recent keywords when given (written right away);
   * the answer never waits for Redis.
   */
  async search(input: SearchInput, userId?: string | null): Promise<SearchResponse> {
    const details: FieldError[] = [];
    const keyword = input.keyword?.trim() ? input.keyword : undefined;
    if (keyword !== undefined && length(keyword) > MAX_KEYWORD_LENGTH) {
      details.push({ field: 'keyword', message: KEYWORD_TOO_LONG, rejectedValue: keyword });
    }
    const page = input.page ?? 0;
    const size = input.size ?? 20;
    if (!Number.isInteger(page) || page < 0) details.push({ field: 'page', message: 'page must be at least 0', rejectedValue: page });
    if (!Number.isInteger(size) || size < 1 || size > MAX_SEARCH_SIZE) {
      details.push({ field: 'size', message: `size must be between 1 and ${MAX_SEARCH_SIZE}`, rejectedValue: size });
    }
    for (const field of ['minPrice', 'maxPrice'] as const) {
      const v = input[field];
      if (v !== undefined && !(Number.isFinite(v) && v >= 0)) details.push({ field, message: `${field} must be non-negative`, rejectedValue: v });
    }
    if (input.minPrice !== undefined && input.maxPrice !== undefined && input.minPrice > input.maxPrice) {
      details.push({ field: 'minPrice', message: 'minPrice must not be greater than maxPrice', rejectedValue: input.minPrice });
    }
    if (details.length > 0) throw fail('INVALID_INPUT_VALUE', details);

    const { hits, total } = await this.engine.search({
      keyword: keyword?.trim(),
      minPrice: input.minPrice,
      maxPrice: input.maxPrice,
      sort: parseSort(input.sort),
      page,
      size,
    });
    if (keyword) this.record(keyword, userId ?? undefined);
    return { results: hits, totalHits: total, page, size, totalPages: Math.ceil(total / size) };
  }

  /** Completions of `keyword`; `[]` under 2 characters. */
  async suggest(keyword: string, size = 5): Promise<string[]> {
    const text = keyword.trim();
    if (length(text) < SUGGEST_MIN_LENGTH) return [];
    return this.engine.suggest(text, size);
  }

  /** Most searched keywords, highest first. */
  async popular(size = 10): Promise<string[]> {
    return this.redis.zrevrange(POPULAR_KEY, 0, size - 1);
  }

  /** A user's recent keywords, newest first; `[]` for an anonymous caller. */
  async recent(userId: string | null | undefined, size = 10): Promise<string[]> {
    if (!userId) return [];
    return this.redis.lrange(recentKey(userId), 0, size - 1);
  }

  /** `POST /search/recent`: to the front of the user's list (no duplicates, at most 20), +1 popular. */
  async addRecent(userId: string, keyword: string): Promise<void> {
    const kw = this.checkedKeyword(keyword);
    // Two MULTIs: on a Redis Cluster the user's list and the popular set live in different slots.
    const recent = this.redis.multi();
    this.pushRecent(recent, userId, kw);
    const popular = this.redis.multi().zincrby(POPULAR_KEY, 1, kw).zremrangebyrank(POPULAR_KEY, 0, -(POPULAR_MAX + 1));
    await Promise.all([recent.exec(), popular.exec()]);
  }

  async removeRecent(userId: string, keyword: string): Promise<void> {
    await this.redis.lrem(recentKey(userId), 0, normalizeKeyword(keyword));
  }

  async clearRecent(userId: string): Promise<void> {
    await this.redis.del(recentKey(userId));
  }

  /** Sends the popular counts gathered so far and waits for every search-history write started (tests, shutdown). */
  async flush(): Promise<void> {
    this.sendPopular();
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async close(): Promise<void> {
    await this.flush();
    await this.building?.catch(() => undefined);
    await this.engine.close();
  }

  private checkedKeyword(keyword: string): string {
    const kw = normalizeKeyword(keyword);
    if (!kw) throw fail('INVALID_INPUT_VALUE', [{ field: 'keyword', message: 'Keyword is required' }]);
    if (length(kw) > MAX_KEYWORD_LENGTH) throw fail('INVALID_INPUT_VALUE', [{ field: 'keyword', message: KEYWORD_TOO_LONG, rejectedValue: keyword }]);
    return kw;
  }

  private pushRecent(tx: ReturnType<Redis['multi']>, userId: string, kw: string): void {
    const key = recentKey(userId);
    tx.lrem(key, 0, kw).lpush(key, kw).ltrim(key, 0, RECENT_MAX - 1).expire(key, RECENT_TTL_SECONDS);
  }

  /** Popular +1 (batched) and, for a user, recent (one MULTI now); neither is awaited by the search. */
  private record(keyword: string, userId: string | undefined): void {
    const kw = normalizeKeyword(keyword);
    if (!kw) return;
    this.popularBatch.set(kw, (this.popularBatch.get(kw) ?? 0) + 1);
    if (!this.popularTimer) {
      this.popularTimer = setTimeout(() => this.sendPopular(), POPULAR_FLUSH_MS);
      this.popularTimer.unref();
    }
    if (userId) {
      const tx = this.redis.multi();
      this.pushRecent(tx, userId, kw);
      this.track(tx.exec(), 'could not record a recent keyword');
    }
  }

  /** One MULTI with the gathered popular counts, trimmed to the most searched. */
  private sendPopular(): void {
    clearTimeout(this.popularTimer);
    this.popularTimer = undefined;
    if (this.popularBatch.size === 0) return;
    const batch = this.popularBatch;
    this.popularBatch = new Map();
    const tx = this.redis.multi();
    for (const [kw, n] of batch) tx.zincrby(POPULAR_KEY, n, kw);
    tx.zremrangebyrank(POPULAR_KEY, 0, -(POPULAR_MAX + 1));
    this.track(tx.exec(), 'could not count popular keywords');
  }

  private track(write: Promise<unknown>, problem: string): void {
    const done: Promise<void> = write.then(
      () => undefined,
      (err: unknown) => this.log.warn({ err }, `search: ${problem}`),
    );
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }

  /** Every live product in id order, a batch at a time; the next batch is read while one is indexed. */
  private async *readAll(started: number): AsyncGenerator<SearchDocument[]> {
    let read = 0;
    let lastLog = Date.now();
    let next = this.products.liveAfterForSearch(0, this.batchSize);
    for (;;) {
      const rows = await next;
      if (rows.length === 0) return;
      read += rows.length;
      next = this.products.liveAfterForSearch(rows[rows.length - 1].id, this.batchSize);
      // Keep the prefetch from becoming an unhandled rejection if the consumer stops early.
      next.catch(() => undefined);
      if (Date.now() - lastLog >= 2000) {
        lastLog = Date.now();
        this.log.info({ engine: this.engine.name, read, elapsedMs: lastLog - started }, 'search: building the index…');
      }
      yield rows.map(asDocument);
    }
  }
}
