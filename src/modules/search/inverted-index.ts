import SearchableMap from 'minisearch/SearchableMap';
import { indexTerms, type QueryTerm } from './korean';

/**
 * A compact inverted index over two fields (name, description) with BM25
 * scoring, built for a 100,000-product catalog answering hundreds of queries
 * a second on one core.
 *
 * The vocabulary is minisearch's radix tree (`SearchableMap`: prefix and fuzzy
 * term lookup) beside a hash map for exact lookups. Postings are one typed
 * array per term, `[slot, tfName, tfDescription, …]`: two objects per term
 * instead of nested Maps per term, field and document, and contents the
 * garbage collector never has to trace — which keeps both the scoring loop and
 * GC pauses short (measured: docs/benchmarks.md).
 * Scoring follows minisearch's: BM25 (k 1.2, b 0.7, d 0.5) per field, prefix
 * matches weighted 0.375 and fuzzy ones 0.45 (less the longer the distance),
 * the field boost, and the sum multiplied by how many query units matched.
 *
 * Documents live in numbered slots. Removing a document only marks its slot
 * dead and lowers the document frequencies; a term's postings are compacted
 * when dead entries pile up in them.
 */

const K = 1.2;
const B = 0.7;
const D = 0.5;
const PREFIX_WEIGHT = 0.375;
const FUZZY_WEIGHT = 0.45;
/** Share of a bigram group that must match (like minimum_should_match: 75%, rounded up). */
const GROUP_SHARE = 0.75;
/** Query terms beyond this are ignored (one bit each in a 32-bit mask). */
export const MAX_QUERY_TERMS = 32;
const STRIDE = 3;

export interface IndexedText {
  name: string;
  description: string;
}

/** Matches of one query: slots and scores, `count` long. */
export interface Matches {
  slots: Int32Array;
  scores: Float64Array;
  count: number;
}

function termFrequencies(text: string): Map<string, number> {
  const tf = new Map<string, number>();
  for (const t of indexTerms(text)) tf.set(t, (tf.get(t) ?? 0) + 1);
  return tf;
}

function popcount(n: number): number {
  n -= (n >>> 1) & 0x55555555;
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export class InvertedIndex {
  /** term → id: a hash map for exact lookups, the radix tree for prefix and fuzzy ones. */
  private readonly ids = new Map<string, number>();
  private readonly vocab = new SearchableMap<number>();
  private readonly terms: (string | undefined)[] = [];
  /** Per term: `[slot, tfName, tfDescription, …]` in a typed array (its contents cost the garbage collector nothing), `used` long. */
  private readonly postings: (Int32Array | undefined)[] = [];
  private readonly used: number[] = [];
  private readonly dfName: number[] = [];
  private readonly dfDesc: number[] = [];
  private readonly dead: number[] = [];

  private capacity = 0;
  private slots = 0;
  private alive = new Uint8Array(0);
  private lenName = new Float32Array(0);
  private lenDesc = new Float32Array(0);
  private live = 0;
  private sumName = 0;
  private sumDesc = 0;

  // Scratch space of one search (searches are synchronous, so one set serves all).
  private stamp = new Int32Array(0);
  private score = new Float64Array(0);
  private mask = new Uint32Array(0);
  private touched = new Int32Array(0);
  private queryStamp = 0;

  /** `nameBoost`: how much more a match in the name weighs than one in the description. */
  constructor(private readonly nameBoost: number) {}

  get size(): number {
    return this.live;
  }

  /** Indexes a document; returns its slot. */
  add(text: IndexedText): number {
    const slot = this.slots++;
    this.ensureCapacity(this.slots);
    const name = termFrequencies(text.name);
    const desc = termFrequencies(text.description);
    this.alive[slot] = 1;
    this.lenName[slot] = name.size;
    this.lenDesc[slot] = desc.size;
    this.live++;
    this.sumName += name.size;
    this.sumDesc += desc.size;
    for (const [term, tf] of name) {
      const id = this.termId(term);
      this.append(id, slot, tf, desc.get(term) ?? 0);
      this.dfName[id]++;
      if (desc.has(term)) this.dfDesc[id]++;
    }
    for (const [term, tf] of desc) {
      if (name.has(term)) continue;
      const id = this.termId(term);
      this.append(id, slot, 0, tf);
      this.dfDesc[id]++;
    }
    return slot;
  }

  /** Forgets the document in `slot` (given the text it was added with). */
  remove(slot: number, text: IndexedText): void {
    if (!this.alive[slot]) return;
    this.alive[slot] = 0;
    this.live--;
    this.sumName -= this.lenName[slot];
    this.sumDesc -= this.lenDesc[slot];
    const name = termFrequencies(text.name);
    const desc = termFrequencies(text.description);
    for (const term of new Set([...name.keys(), ...desc.keys()])) {
      const id = this.ids.get(term);
      if (id === undefined) continue;
      if (name.has(term)) this.dfName[id]--;
      if (desc.has(term)) this.dfDesc[id]--;
      this.dead[id]++;
      if (this.dfName[id] + this.dfDesc[id] === 0) this.dropTerm(id);
    }
  }

  /**
   * Scores every live document matching the query. A document matches when a
   * whole term matches, or 75 % of one bigram group does.
   */
  search(plan: QueryTerm[]): Matches {
    const terms = plan.slice(0, MAX_QUERY_TERMS);
    const qs = ++this.queryStamp;
    let touchedCount = 0;
    const n = Math.max(this.live, 1);
    const avgName = this.sumName / n || 1;
    const avgDesc = this.sumDesc / n || 1;
    const { stamp, score, mask, alive, lenName, lenDesc } = this;
    const idf = (df: number) => Math.log(1 + (n - df + 0.5) / (df + 0.5));

    let wholeMask = 0;
    const groups = new Map<number, { mask: number; need: number }>();
    terms.forEach((t, i) => {
      if (t.group < 0) {
        wholeMask |= 1 << i;
        return;
      }
      const g = groups.get(t.group) ?? { mask: 0, need: 0 };
      g.mask |= 1 << i;
      groups.set(t.group, g);
    });
    for (const g of groups.values()) g.need = Math.ceil(popcount(g.mask) * GROUP_SHARE);

    for (let i = 0; i < terms.length; i++) {
      const q = terms[i];
      const bit = 1 << i;
      for (const [id, weight] of this.expand(q)) {
        const list = this.postings[id];
        if (!list) continue;
        const length = this.used[id];
        const idfName = idf(this.dfName[id]) * this.nameBoost;
        const idfDesc = idf(this.dfDesc[id]);
        const w = weight * q.boost;
        for (let k = 0; k < length; k += STRIDE) {
          const slot = list[k];
          if (!alive[slot]) continue;
          const tfN = list[k + 1];
          const tfD = list[k + 2];
          let s = 0;
          if (tfN) s += idfName * (D + (tfN * (K + 1)) / (tfN + K * (1 - B + (B * lenName[slot]) / avgName)));
          if (tfD) s += idfDesc * (D + (tfD * (K + 1)) / (tfD + K * (1 - B + (B * lenDesc[slot]) / avgDesc)));
          if (stamp[slot] !== qs) {
            stamp[slot] = qs;
            score[slot] = 0;
            mask[slot] = 0;
            this.touched[touchedCount++] = slot;
          }
          score[slot] += s * w;
          mask[slot] |= bit;
        }
        if (this.dead[id] * 4 > length / STRIDE) this.compact(id);
      }
    }

    const slots = new Int32Array(touchedCount);
    const scores = new Float64Array(touchedCount);
    let count = 0;
    for (let j = 0; j < touchedCount; j++) {
      const slot = this.touched[j];
      const m = mask[slot];
      let units = popcount(m & wholeMask);
      for (const g of groups.values()) if (popcount(m & g.mask) >= g.need) units++;
      if (units === 0) continue;
      slots[count] = slot;
      scores[count] = score[slot] * units;
      count++;
    }
    return { slots, scores, count };
  }

  /** The index terms a query term stands for, with their weights (exact 1, prefix and fuzzy less). */
  private expand(q: QueryTerm): Map<number, number> {
    const out = new Map<number, number>();
    const exact = this.ids.get(q.term);
    if (exact !== undefined) out.set(exact, 1);
    if (q.prefix) {
      for (const [term, id] of this.vocab.atPrefix(q.term)) {
        const distance = term.length - q.term.length;
        if (distance > 0) out.set(id, (PREFIX_WEIGHT * term.length) / (term.length + 0.3 * distance));
      }
    }
    if (q.fuzzy > 0) {
      for (const [term, [id, distance]] of this.vocab.fuzzyGet(q.term, q.fuzzy)) {
        if (distance > 0 && !out.has(id)) out.set(id, (FUZZY_WEIGHT * term.length) / (term.length + distance));
      }
    }
    return out;
  }

  private termId(term: string): number {
    let id = this.ids.get(term);
    if (id === undefined) {
      id = this.terms.length;
      this.ids.set(term, id);
      this.vocab.set(term, id);
      this.terms.push(term);
      this.postings.push(new Int32Array(STRIDE));
      this.used.push(0);
      this.dfName.push(0);
      this.dfDesc.push(0);
      this.dead.push(0);
    }
    return id;
  }

  private dropTerm(id: number): void {
    this.ids.delete(this.terms[id]!);
    this.vocab.delete(this.terms[id]!);
    this.terms[id] = undefined;
    this.postings[id] = undefined;
    this.used[id] = 0;
  }

  private append(id: number, slot: number, tfName: number, tfDesc: number): void {
    let list = this.postings[id]!;
    const at = this.used[id];
    if (at + STRIDE > list.length) {
      const grown = new Int32Array(list.length * 2);
      grown.set(list);
      list = this.postings[id] = grown;
    }
    list[at] = slot;
    list[at + 1] = tfName;
    list[at + 2] = tfDesc;
    this.used[id] = at + STRIDE;
  }

  private compact(id: number): void {
    const list = this.postings[id];
    if (!list) return;
    let w = 0;
    for (let k = 0; k < this.used[id]; k += STRIDE) {
      if (!this.alive[list[k]]) continue;
      list[w] = list[k];
      list[w + 1] = list[k + 1];
      list[w + 2] = list[k + 2];
      w += STRIDE;
    }
    this.used[id] = w;
    this.dead[id] = 0;
  }

  private ensureCapacity(slots: number): void {
    if (slots <= this.capacity) return;
    const cap = Math.max(1024, this.capacity * 2, slots);
    const grow = <T extends Uint8Array | Float32Array | Int32Array | Float64Array | Uint32Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a as never);
      return b;
    };
    this.alive = grow(this.alive, (c) => new Uint8Array(c));
    this.lenName = grow(this.lenName, (c) => new Float32Array(c));
    this.lenDesc = grow(this.lenDesc, (c) => new Float32Array(c));
    this.stamp = grow(this.stamp, (c) => new Int32Array(c));
    this.score = grow(this.score, (c) => new Float64Array(c));
    this.mask = grow(this.mask, (c) => new Uint32Array(c));
    this.touched = new Int32Array(cap);
    this.capacity = cap;
  }
}
