/**
 * Text analysis for the in-process search engine, written for Korean shoppers.
 *
 * Korean has no reliable spacing inside product names (스마트폰, 스마트 폰, 아이폰15) and
 * shoppers type parts of words ("폰" for 아이폰 and 스마트폰). So a Hangul word is
 * indexed with every suffix of itself (아이폰 → 아이폰, 이폰, 폰): a *prefix* search over
 * suffixes is a *substring* search, so any part of a word finds it. Long query words
 * (probably several words typed without spaces, 무선이어폰) are also split into
 * bigrams, which find the same words written apart (무선 이어폰).
 *
 * Latin words are indexed whole and searched with prefix (iph → iphone) and typo
 * tolerance (ipone → iphone). Hangul gets no typo tolerance: one wrong syllable is
 * another product (아이폰 ↔ 아이맥), not a typo.
 *
 * Autocomplete compares decomposed jamo (아잎 → ㅇㅏㅇㅣㅍ), so what an input method
 * shows mid-syllable while typing 아이폰 still finds it.
 */

/** Longest suffix term kept per Hangul word; longer query words are matched through bigrams. */
export const MAX_SUFFIX = 10;

const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** Hangul syllables, jamo and compatibility jamo. */
export function isHangulChar(code: number): boolean {
  return (code >= 0xac00 && code <= 0xd7a3) || (code >= 0x1100 && code <= 0x11ff) || (code >= 0x3130 && code <= 0x318f);
}

export function hasHangul(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isHangulChar(text.charCodeAt(i))) return true;
  return false;
}

export function hasLatin(text: string): boolean {
  return /[a-z]/i.test(text);
}

/** Compatibility form for matching: NFKC (full-width → ASCII, jamo → syllables) and lower case. */
export function normalizeText(text: string): string {
  // Most text is ASCII and Hangul syllables, which NFKC leaves as they are: skip it.
  return SIMPLE.test(text) ? text.toLowerCase() : text.normalize('NFKC').toLowerCase();
}
const SIMPLE = /^[\u0000-\u007f\uac00-\ud7a3]*$/;

/** A word of a text: `start`/`end` are offsets in the text it came from. */
export interface Word {
  text: string;
  start: number;
  end: number;
  hangul: boolean;
}

/**
 * Runs of letters and digits, split where Hangul meets anything else
 * (갤럭시S24 → 갤럭시, S24), with their offsets.
 */
export function words(text: string): Word[] {
  const out: Word[] = [];
  for (const m of text.matchAll(WORD)) {
    const run = m[0];
    const base = m.index ?? 0;
    let start = 0;
    let hangul = isHangulChar(run.charCodeAt(0));
    for (let i = 1; i < run.length; i++) {
      const h = isHangulChar(run.charCodeAt(i));
      if (h === hangul) continue;
      out.push({ text: run.slice(start, i), start: base + start, end: base + i, hangul });
      start = i;
      hangul = h;
    }
    out.push({ text: run.slice(start), start: base + start, end: base + run.length, hangul });
  }
  return out;
}

/** The terms a document field is indexed with (see the module comment). */
export function indexTerms(text: string): string[] {
  const out: string[] = [];
  for (const w of words(normalizeText(text))) {
    if (!w.hangul) {
      out.push(w.text);
      continue;
    }
    for (let i = 0; i < w.text.length; i++) out.push(w.text.slice(i, i + MAX_SUFFIX));
  }
  return out;
}

/** One term of a search query and how it is matched. */
export interface QueryTerm {
  term: string;
  hangul: boolean;
  /** Match index terms that start with it (for Hangul: any part of a word). */
  prefix: boolean;
  /** Largest edit distance tolerated (0: exact). */
  fuzzy: number;
  /** Score weight: 1 for what was typed, less for bigrams derived from it. */
  boost: number;
  /**
   * -1 for a term that matches on its own; otherwise the bigrams of one long
   * Hangul word share a group number, and most of the group must match.
   */
  group: number;
}

const BIGRAM_BOOST = 0.3;

/** Edits tolerated in a Latin word, like Elasticsearch's AUTO fuzziness but from 4 letters (short words are too ambiguous). */
export function fuzzinessOf(term: string): number {
  if (/^\d+$/.test(term) || term.length < 4) return 0;
  return term.length <= 6 ? 1 : 2;
}

/** A keyword → the terms to look up (deduplicated; empty when it has no letters or digits). */
export function queryTerms(keyword: string): QueryTerm[] {
  const out = new Map<string, QueryTerm>();
  const add = (t: QueryTerm) => {
    const seen = out.get(t.term);
    if (!seen || seen.boost < t.boost) out.set(t.term, t);
  };
  let groups = 0;
  for (const w of words(normalizeText(keyword))) {
    if (!w.hangul) {
      const digits = /^\d+$/.test(w.text);
      add({ term: w.text, hangul: false, prefix: !digits && w.text.length >= 2, fuzzy: fuzzinessOf(w.text), boost: 1, group: -1 });
      continue;
    }
    if (w.text.length <= MAX_SUFFIX) add({ term: w.text, hangul: true, prefix: true, fuzzy: 0, boost: 1, group: -1 });
    if (w.text.length >= 4) {
      const group = groups++;
      for (let i = 0; i + 2 <= w.text.length; i++) {
        add({ term: w.text.slice(i, i + 2), hangul: true, prefix: true, fuzzy: 0, boost: BIGRAM_BOOST, group });
      }
    }
  }
  return [...out.values()];
}

// ---- highlighting ---------------------------------------------------------------

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** Levenshtein distance, giving up (returning max + 1) once it must exceed `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

type Range = [number, number];

/** Where the query terms occur in `text` (offsets into `text`), merged and sorted. */
export function matchRanges(text: string, terms: QueryTerm[]): Range[] {
  const ranges: Range[] = [];
  const hangulTerms = terms.filter((t) => t.hangul);
  const latinTerms = terms.filter((t) => !t.hangul);
  for (const w of words(text)) {
    const norm = normalizeText(w.text);
    if (w.hangul) {
      // Offsets inside the word are exact only when normalising kept its length.
      const exact = norm.length === w.text.length;
      for (const t of hangulTerms) {
        for (let at = norm.indexOf(t.term); at >= 0; at = norm.indexOf(t.term, at + 1)) {
          ranges.push(exact ? [w.start + at, w.start + at + t.term.length] : [w.start, w.end]);
        }
      }
    } else {
      const hit = latinTerms.some(
        (t) =>
          norm === t.term ||
          (t.prefix && norm.startsWith(t.term)) ||
          (t.fuzzy > 0 && editDistance(norm, t.term, t.fuzzy) <= t.fuzzy),
      );
      if (hit) ranges.push([w.start, w.end]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: Range[] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/**
 * `text` with HTML escaped and each match wrapped in `<em>…</em>`; null when
 * nothing matches. With `fragment`, a longer text is cut to about that many
 * characters around the first match, with "…" where it was cut.
 */
export function highlight(text: string | null, terms: QueryTerm[], fragment?: number): string | null {
  if (!text || terms.length === 0) return null;
  let ranges = matchRanges(text, terms);
  if (ranges.length === 0) return null;
  let from = 0;
  let to = text.length;
  if (fragment !== undefined && text.length > fragment) {
    from = Math.max(0, Math.min(ranges[0][0] - Math.floor(fragment / 5), text.length - fragment));
    to = Math.min(text.length, from + fragment);
    // Never cut a match in two.
    for (const [s, e] of ranges) {
      if (s < from && e > from) from = s;
      if (s < to && e > to) to = e;
    }
    ranges = ranges.filter(([s, e]) => s >= from && e <= to);
  }
  let out = from > 0 ? '…' : '';
  let at = from;
  for (const [s, e] of ranges) {
    out += `${escapeHtml(text.slice(at, s))}<em>${escapeHtml(text.slice(s, e))}</em>`;
    at = e;
  }
  out += escapeHtml(text.slice(at, to));
  if (to < text.length) out += '…';
  return out;
}

// ---- autocomplete keys ------------------------------------------------------------

const CHO = 'ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ';
const JUNG = ['ㅏ', 'ㅐ', 'ㅑ', 'ㅒ', 'ㅓ', 'ㅔ', 'ㅕ', 'ㅖ', 'ㅗ', 'ㅗㅏ', 'ㅗㅐ', 'ㅗㅣ', 'ㅛ', 'ㅜ', 'ㅜㅓ', 'ㅜㅔ', 'ㅜㅣ', 'ㅠ', 'ㅡ', 'ㅡㅣ', 'ㅣ'];
const JONG = ['', 'ㄱ', 'ㄲ', 'ㄱㅅ', 'ㄴ', 'ㄴㅈ', 'ㄴㅎ', 'ㄷ', 'ㄹ', 'ㄹㄱ', 'ㄹㅁ', 'ㄹㅂ', 'ㄹㅅ', 'ㄹㅌ', 'ㄹㅍ', 'ㄹㅎ', 'ㅁ', 'ㅂ', 'ㅂㅅ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅊ', 'ㅋ', 'ㅌ', 'ㅍ', 'ㅎ'];
/** Compound compatibility jamo typed on their own, split like the syllables above. */
const COMPOUND: Record<string, string> = {
  ㄳ: 'ㄱㅅ', ㄵ: 'ㄴㅈ', ㄶ: 'ㄴㅎ', ㄺ: 'ㄹㄱ', ㄻ: 'ㄹㅁ', ㄼ: 'ㄹㅂ', ㄽ: 'ㄹㅅ', ㄾ: 'ㄹㅌ', ㄿ: 'ㄹㅍ', ㅀ: 'ㄹㅎ', ㅄ: 'ㅂㅅ',
  ㅘ: 'ㅗㅏ', ㅙ: 'ㅗㅐ', ㅚ: 'ㅗㅣ', ㅝ: 'ㅜㅓ', ㅞ: 'ㅜㅔ', ㅟ: 'ㅜㅣ', ㅢ: 'ㅡㅣ',
};

/**
 * The key autocomplete compares: normalised, spaces collapsed, Hangul spelled
 * out as the keys typed (아이폰 → ㅇㅏㅇㅣㅍㅗㄴ), so every state an input method
 * shows on the way (아, 앙, 아이, 아잎, 아이포) is a prefix of it.
 */
export function suggestKey(text: string): string {
  // NFC, not NFKC, for Hangul: NFKC would turn a typed ㅇ into a conjoining jamo.
  const norm = text.normalize('NFC').toLowerCase().trim().replace(/\s+/g, ' ');
  let out = '';
  for (const ch of norm) {
    const code = ch.charCodeAt(0);
    if (code >= 0xac00 && code <= 0xd7a3) {
      const s = code - 0xac00;
      out += CHO[Math.floor(s / 588)] + JUNG[Math.floor((s % 588) / 28)] + JONG[s % 28];
    } else if (code >= 0x3130 && code <= 0x318f) {
      out += COMPOUND[ch] ?? ch;
    } else {
      out += ch.normalize('NFKC').toLowerCase();
    }
  }
  return out;
}
