import { setImmediate as yieldToLoop } from 'node:timers/promises';
import SearchableMap from 'minisearch/SearchableMap';
import type { InitResult, SearchDocument, SearchEngine, SearchHit, SearchHits, SearchQuery, SearchSort } from './engine';
import { InvertedIndex, type IndexedText } from './inverted-index';
import { fuzzinessOf, highlight, queryTerms, suggestKey, type QueryTerm } from './korean';

/** A product in the index. `stock`, `price` and `createdAt` are updated in place; a new name or description gets a new slot. */
interface StoredDoc {
  id: number;
  name: string;
  description: string | null;
  price: number;
  stock: number;
  createdAt: number;
  slot: number;
  text: IndexedText;
}

/** An autocomplete candidate: a word of product names, a whole product name, or both. */
interface SuggestEntry {
  text: string;
  /** Live products whose name has this word. */
  words: number;
  /** Live products with exactly this name. */
  names: number;
}

/** The documents a keyword matches (unordered) with their scores, and the orders asked for so far. */
interface Matched {
  docs: StoredDoc[];
  scores: Float64Array;
  /** Positions in each sort order, made on first use; price and date orders are stamped with the order version. */
  orders: Partial<Record<SearchSort, { version: number; positions: Int32Array }>>;
  cached: boolean;
  /** Searches answered from it: the first selects its page, later ones sort once and walk. */
  uses: number;
  /** Highlights made so far, by position (a repeated query highlights each shown product once). */
  highlights: Map<number, [string | null, string | null]>;
}

export interface MemoryEngineOptions {
  /** Keyword matches kept (by query terms), dropped on any change to what is indexed. 0 turns it off. */
  cacheSize?: number;
}

const NAME_BOOST = 3;
const DESCRIPTION_FRAGMENT = 150;
/** Matches longer than this are not cached (they'd hold too much memory for what a rare broad query saves). */
const MAX_CACHED_MATCHES = 50_000;
/** Documents added between yields to the event loop while rebuilding. */
const BUILD_SLICE = 500;

type Order = (a: StoredDoc, b: StoredDoc) => number;
const ORDER: Record<Exclude<SearchSort, 'relevance'>, Order> = {
  price_asc: (a, b) => a.price - b.price || a.id - b.id,
  price_desc: (a, b) => b.price - a.price || a.id - b.id,
  newest: (a, b) => b.createdAt - a.createdAt || b.id - a.id,
};

/** Words of a name offered as completions: split at spaces, punctuation trimmed, at least 2 characters. */
function nameWords(name: string): string[] {
  const out = new Set<string>();
  for (const raw of name.split(/\s+/)) {
    const w = raw.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
    if ([...w].length >= 2) out.add(w);
  }
  return [...out];
}

/** First index in a sorted array where `before(item)` turns false. */
function lowerBound<T>(items: T[], before: (item: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(items[mid])) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The best `k` of `items` in `cmp` order, without sorting all of them: a
 * sorted window of k, entered by binary search only by items that beat its last.
 */
export function topK(items: number[], k: number, cmp: (a: number, b: number) => number): number[] {
  if (k <= 0) return [];
  if (k * 4 >= items.length) return items.sort(cmp).slice(0, k);
  const best: number[] = [];
  for (const item of items) {
    if (best.length === k && cmp(item, best[k - 1]) >= 0) continue;
    let lo = 0;
    let hi = best.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp(best[mid], item) <= 0) lo = mid + 1;
      else hi = mid;
    }
    best.splice(lo, 0, item);
    if (best.length > k) best.pop();
  }
  return best;
}

/** One generation of the index; a rebuild makes a new one and swaps it in. */
class MemoryIndex {
  readonly docs = new Map<number, StoredDoc>();
  private readonly bySlot: (StoredDoc | undefined)[] = [];
  private readonly inverted = new InvertedIndex(NAME_BOOST);
  /** Completion candidates by key: a hash map to count, the radix tree to walk prefixes. */
  private readonly suggestEntries = new Map<string, SuggestEntry>();
  private readonly suggestions = new SearchableMap<SuggestEntry>();
  /** Bumped when what matches can change (documents added, removed, renamed). */
  private matchVersion = 0;
  /** Bumped when browse orders can change (also prices and dates). */
  private orderVersion = 0;
  private browse?: { version: number; newest: StoredDoc[]; priceAsc: StoredDoc[]; priceDesc: StoredDoc[] };
  private readonly cache = new Map<string, Matched>();
  private cacheVersion = 0;

  constructor(private readonly settings: { cacheSize: number }) {}

  upsert(doc: SearchDocument): void {
    const createdAt = doc.createdAt.getTime();
    const old = this.docs.get(doc.id);
    if (old && old.name === doc.name && old.description === doc.description) {
      if (old.price !== doc.price || old.createdAt !== createdAt) {
        old.price = doc.price;
        old.createdAt = createdAt;
        this.orderVersion++;
      }
      old.stock = doc.stock;
      return;
    }
    if (old) this.remove(doc.id);
    const text = { name: doc.name, description: doc.description ?? '' };
    const slot = this.inverted.add(text);
    const stored: StoredDoc = { id: doc.id, name: doc.name, description: doc.description, price: doc.price, stock: doc.stock, createdAt, slot, text };
    this.docs.set(doc.id, stored);
    this.bySlot[slot] = stored;
    this.addSuggestions(doc.name, +1);
    this.matchVersion++;
    this.orderVersion++;
  }

  remove(id: number): void {
    const old = this.docs.get(id);
    if (!old) return;
    this.inverted.remove(old.slot, old.text);
    this.bySlot[old.slot] = undefined;
    this.docs.delete(id);
    this.addSuggestions(old.name, -1);
    this.matchVersion++;
    this.orderVersion++;
  }

  search(q: SearchQuery): SearchHits {
    const keyword = q.keyword?.trim();
    const terms = keyword ? queryTerms(keyword) : null;
    if (terms && terms.length === 0) return { hits: [], total: 0 };
    const from = q.page * q.size;
    const page: { doc: StoredDoc; score: number | null; at?: number }[] = [];
    let total = 0;
    let matched: Matched | undefined;

    if (!terms) {
      const { list, start, end } = this.browseRange(q);
      if (q.sort === 'price_asc' || q.sort === 'price_desc') {
        // Sorted by price, the range is one slice: no scan.
        total = end - start;
        for (let i = start + from; i < end && page.length < q.size; i++) page.push({ doc: list[i], score: null });
      } else if (q.minPrice === undefined && q.maxPrice === undefined) {
        total = end - start;
        for (let i = start + from; i < end && page.length < q.size; i++) page.push({ doc: list[i], score: null });
      } else {
        for (let i = start; i < end; i++) {
          if (!inRange(list[i], q)) continue;
          if (total >= from && page.length < q.size) page.push({ doc: list[i], score: null });
          total++;
        }
      }
    } else {
      matched = this.matches(terms);
      const { docs, scores } = matched;
      const filtered = q.minPrice !== undefined || q.maxPrice !== undefined;
      const order = q.sort === 'relevance' ? undefined : ORDER[q.sort];
      const cmp = order
        ? (a: number, b: number) => order(docs[a], docs[b])
        : (a: number, b: number) => scores[b] - scores[a] || docs[a].id - docs[b].id;
      if (matched.cached && ++matched.uses > 1) {
        // A repeated query: walk its order once sorted, instead of selecting again.
        const version = q.sort === 'relevance' ? 0 : this.orderVersion;
        let sorted = matched.orders[q.sort];
        if (!sorted || sorted.version !== version) {
          const positions = Int32Array.from({ length: docs.length }, (_, i) => i).sort(cmp);
          sorted = matched.orders[q.sort] = { version, positions };
        }
        const { positions } = sorted;
        if (!filtered) {
          total = positions.length;
          for (let j = from; j < positions.length && page.length < q.size; j++) page.push({ doc: docs[positions[j]], score: scores[positions[j]], at: positions[j] });
        } else {
          for (let j = 0; j < positions.length; j++) {
            const i = positions[j];
            if (!inRange(docs[i], q)) continue;
            if (total >= from && page.length < q.size) page.push({ doc: docs[i], score: scores[i], at: i });
            total++;
          }
        }
      } else {
        const candidates: number[] = [];
        for (let i = 0; i < docs.length; i++) if (!filtered || inRange(docs[i], q)) candidates.push(i);
        total = candidates.length;
        for (const i of topK(candidates, from + q.size, cmp).slice(from)) page.push({ doc: docs[i], score: scores[i], at: i });
      }
    }

    const hits: SearchHit[] = page.map(({ doc, score, at }) => {
      let marked: [string | null, string | null] = [null, null];
      if (terms && matched && at !== undefined) {
        const known = matched.highlights.get(at);
        if (known) marked = known;
        else {
          marked = [highlight(doc.name, terms), highlight(doc.description, terms, DESCRIPTION_FRAGMENT)];
          if (matched.cached) matched.highlights.set(at, marked);
        }
      }
      return {
        id: doc.id,
        name: doc.name,
        description: doc.description,
        price: doc.price,
        stock: doc.stock,
        highlightedName: marked[0],
        highlightedDescription: marked[1],
        score,
      };
    });
    return { hits, total };
  }

  suggest(prefix: string, size: number): string[] {
    const key = suggestKey(prefix);
    if (!key) return [];
    const rank = (a: SuggestEntry, b: SuggestEntry) =>
      Number(a.words === 0) - Number(b.words === 0) || b.words - a.words || a.text.length - b.text.length || (a.text < b.text ? -1 : 1);
    // Keep the best `size` while walking every completion (a top-k, not a full sort).
    const best: SuggestEntry[] = [];
    for (const entry of this.suggestions.atPrefix(key).values()) {
      if (best.length < size) {
        best.push(entry);
        best.sort(rank);
      } else if (rank(entry, best[size - 1]) < 0) {
        best[size - 1] = entry;
        best.sort(rank);
      }
    }
    const out = best.map((e) => e.text);
    // Latin typos (ipone → iPhone): close whole words, if prefixes left room.
    const fuzzy = /^[a-z0-9]+$/.test(key) ? fuzzinessOf(key) : 0;
    if (out.length < size && fuzzy > 0) {
      const near = [...this.suggestions.fuzzyGet(key, fuzzy).values()]
        .sort((a, b) => a[1] - b[1] || rank(a[0], b[0]))
        .map(([e]) => e.text);
      for (const text of near) if (out.length < size && !out.includes(text)) out.push(text);
    }
    return out;
  }

  /** What a keyword matches, unordered (cached until what is indexed changes). */
  private matches(terms: QueryTerm[]): Matched {
    if (this.cacheVersion !== this.matchVersion || this.settings.cacheSize === 0) {
      this.cache.clear();
      this.cacheVersion = this.matchVersion;
    }
    const key = terms.map((t) => `${t.term}/${t.boost}/${t.group}`).join('\u0000');
    const hit = this.cache.get(key);
    if (hit) {
      // Least recently used goes first: re-insert on use.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const m = this.inverted.search(terms);
    const docs: StoredDoc[] = new Array(m.count);
    for (let i = 0; i < m.count; i++) docs[i] = this.bySlot[m.slots[i]]!;
    const cached = this.settings.cacheSize > 0 && m.count <= MAX_CACHED_MATCHES;
    const matched: Matched = { docs, scores: m.scores.subarray(0, m.count), orders: {}, cached, uses: 0, highlights: new Map() };
    if (cached) {
      while (this.cache.size >= this.settings.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(key, matched);
    }
    return matched;
  }

  /** Every document in the browse order of `q.sort`, and the slice within the price range where the order allows. */
  private browseRange(q: SearchQuery): { list: StoredDoc[]; start: number; end: number } {
    if (!this.browse || this.browse.version !== this.orderVersion) {
      const all = [...this.docs.values()];
      this.browse = {
        version: this.orderVersion,
        newest: [...all].sort(ORDER.newest),
        priceAsc: [...all].sort(ORDER.price_asc),
        priceDesc: all.sort(ORDER.price_desc),
      };
    }
    const min = q.minPrice ?? -Infinity;
    const max = q.maxPrice ?? Infinity;
    if (q.sort === 'price_asc') {
      const list = this.browse.priceAsc;
      return { list, start: lowerBound(list, (d) => d.price < min), end: lowerBound(list, (d) => d.price <= max) };
    }
    if (q.sort === 'price_desc') {
      const list = this.browse.priceDesc;
      return { list, start: lowerBound(list, (d) => d.price > max), end: lowerBound(list, (d) => d.price >= min) };
    }
    // Relevance without a keyword: newest first.
    const list = this.browse.newest;
    return { list, start: 0, end: list.length };
  }

  private addSuggestions(name: string, delta: 1 | -1): void {
    const bump = (text: string, field: 'words' | 'names') => {
      const key = suggestKey(text);
      if (!key) return;
      let entry = this.suggestEntries.get(key);
      if (!entry) {
        if (delta < 0) return;
        entry = { text, words: 0, names: 0 };
        this.suggestEntries.set(key, entry);
        this.suggestions.set(key, entry);
      }
      entry[field] += delta;
      if (entry.words <= 0 && entry.names <= 0) {
        this.suggestEntries.delete(key);
        this.suggestions.delete(key);
      }
    };
    for (const word of nameWords(name)) bump(word, 'words');
    bump(name.trim().replace(/\s+/g, ' '), 'names');
  }
}

function inRange(d: StoredDoc, q: SearchQuery): boolean {
  return (q.minPrice === undefined || d.price >= q.minPrice) && (q.maxPrice === undefined || d.price <= q.maxPrice);
}

/**
 * The in-process engine: Korean-aware matching (korean.ts) over a compact
 * inverted index (inverted-index.ts, on minisearch's radix tree), name weighted
 * 3× description, BM25 relevance, price filter and sorts, `<em>` highlights,
 * and autocomplete from product-name words and whole names.
 */
export class MemorySearchEngine implements SearchEngine {
  readonly name = 'memory' as const;
  private current: MemoryIndex;
  /** Shared with every index generation; `cacheSize` may be changed at run time (0 turns the cache off). */
  readonly settings: { cacheSize: number };

  constructor(options: MemoryEngineOptions = {}) {
    this.settings = { cacheSize: options.cacheSize ?? 256 };
    this.current = new MemoryIndex(this.settings);
  }

  async init(): Promise<InitResult> {
    return { created: true };
  }

  async index(docs: SearchDocument[]): Promise<void> {
    for (const doc of docs) this.current.upsert(doc);
  }

  async upsert(doc: SearchDocument): Promise<void> {
    this.current.upsert(doc);
  }

  async remove(id: number): Promise<void> {
    this.current.remove(id);
  }

  async replaceAll(batches: AsyncIterable<SearchDocument[]>): Promise<number> {
    const next = new MemoryIndex(this.settings);
    for await (const batch of batches) {
      for (let i = 0; i < batch.length; i += BUILD_SLICE) {
        for (const doc of batch.slice(i, i + BUILD_SLICE)) next.upsert(doc);
        // Searches keep being answered (from the old index) while this one fills.
        await yieldToLoop();
      }
    }
    this.current = next;
    return next.docs.size;
  }

  async search(query: SearchQuery): Promise<SearchHits> {
    return this.current.search(query);
  }

  async suggest(prefix: string, size: number): Promise<string[]> {
    return this.current.suggest(prefix, size);
  }

  async count(): Promise<number> {
    return this.current.docs.size;
  }

  async clear(): Promise<void> {
    this.current = new MemoryIndex(this.settings);
  }

  async close(): Promise<void> {}
}
