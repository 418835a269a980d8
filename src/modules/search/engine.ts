/**
 * The search engine behind `SearchService`: one interface, two implementations.
 *
 * - `memory` (default): an in-process index per service instance (a compact
 *   inverted index on minisearch's radix tree), nothing to install; each
 *   instance builds it from MySQL at start-up and keeps it current from
 *   `shopping.product.changed`.
 * - `elasticsearch`: the `products` index of a cluster, shared by every instance,
 *   for catalogs and traffic beyond one machine.
 *
 * Engines hold live products only, keyed by product id: every write is an
 * idempotent upsert or delete, so replayed or reordered events are harmless.
 */

/** A live product as the index holds it. */
export interface SearchDocument {
  id: number;
  name: string;
  description: string | null;
  /** Whole won (a JSON number on the wire). */
  price: number;
  /** The inventory's available quantity. */
  stock: number;
  createdAt: Date;
}

export const SEARCH_SORTS = ['relevance', 'price_asc', 'price_desc', 'newest'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];

/** Any other value (or none) counts as relevance, as in the original. */
export function parseSort(value: string | undefined): SearchSort {
  return (SEARCH_SORTS as readonly string[]).includes(value ?? '') ? (value as SearchSort) : 'relevance';
}

/**
 * One validated search. Without a keyword every product matches (browse);
 * `relevance` then means newest first.
 */
export interface SearchQuery {
  keyword?: string;
  minPrice?: number;
  maxPrice?: number;
  sort: SearchSort;
  /** 0-based. */
  page: number;
  size: number;
}

export interface SearchHit {
  id: number;
  name: string;
  description: string | null;
  price: number;
  stock: number;
  /** HTML-escaped name with `<em>` around matches; null without a match in the name. */
  highlightedName: string | null;
  /** HTML-escaped fragment of the description with `<em>` around matches; null without a match there. */
  highlightedDescription: string | null;
  /** Relevance score; null when browsing without a keyword. */
  score: number | null;
}

export interface SearchHits {
  hits: SearchHit[];
  /** Every match, not only this page. */
  total: number;
}

export interface InitResult {
  /** The engine had no index and made one (Elasticsearch), or always (memory). */
  created: boolean;
}

export interface SearchEngine {
  readonly name: 'memory' | 'elasticsearch';
  /** Prepares the index: Elasticsearch creates `products` with its mapping when missing. */
  init(): Promise<InitResult>;
  /** Adds or replaces these documents (by id). */
  index(docs: SearchDocument[]): Promise<void>;
  /** Adds or replaces one document. */
  upsert(doc: SearchDocument): Promise<void>;
  /** Removes a document; unknown ids are fine. */
  remove(id: number): Promise<void>;
  /**
   * Makes the index hold exactly the documents of `batches` (a full rebuild).
   * Searches keep answering from the old contents until it is done.
   * Returns the number of documents indexed.
   */
  replaceAll(batches: AsyncIterable<SearchDocument[]>): Promise<number>;
  search(query: SearchQuery): Promise<SearchHits>;
  /** Up to `size` completions of `prefix`, best first. */
  suggest(prefix: string, size: number): Promise<string[]>;
  count(): Promise<number>;
  /** Removes every document. */
  clear(): Promise<void>;
  close(): Promise<void>;
}
