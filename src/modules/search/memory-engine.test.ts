import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SearchDocument, SearchQuery } from './engine';
import { editDistance, escapeHtml, highlight, indexTerms, queryTerms, suggestKey, words } from './korean';
import { MemorySearchEngine, topK } from './memory-engine';

const doc = (id: number, name: string, price: number, description: string | null = null, stock = 1): SearchDocument => ({
  id,
  name,
  description,
  price,
  stock,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, id)),
});
const q = (over: Partial<SearchQuery>): SearchQuery => ({ sort: 'relevance', page: 0, size: 20, ...over });
const names = async (e: MemorySearchEngine, over: Partial<SearchQuery>) => (await e.search(q(over))).hits.map((h) => h.name);

describe('Korean text analysis', () => {
  test('words split at spaces, punctuation and where Hangul meets Latin, with offsets', () => {
    assert.deepEqual(
      words('갤럭시S24 울트라, iPhone').map((w) => [w.text, w.start, w.end, w.hangul]),
      [['갤럭시', 0, 3, true], ['S24', 3, 6, false], ['울트라', 7, 10, true], ['iPhone', 12, 18, false]],
    );
  });

  test('a Hangul word is indexed with its suffixes; Latin words whole and lower-cased; full-width folded', () => {
    assert.deepEqual(indexTerms('아이폰 Pro'), ['아이폰', '이폰', '폰', 'pro']);
    assert.deepEqual(indexTerms('ＩＰＨＯＮＥ'), ['iphone']);
    assert.equal(indexTerms('가나다라마바사아자차카타파하').length, 14);
    assert.ok(indexTerms('가나다라마바사아자차카타파하').every((t) => t.length <= 10));
  });

  test('query terms: Hangul by substring, long Hangul words also as bigrams; Latin prefix and typo tolerance', () => {
    assert.deepEqual(queryTerms('폰'), [{ term: '폰', hangul: true, prefix: true, fuzzy: 0, boost: 1, group: -1 }]);
    assert.deepEqual(queryTerms('무선이어폰 스마트폰케이스').map((t) => [t.term, t.boost, t.group]), [
      ['무선이어폰', 1, -1], ['무선', 0.3, 0], ['선이', 0.3, 0], ['이어', 0.3, 0], ['어폰', 0.3, 0],
      ['스마트폰케이스', 1, -1], ['스마', 0.3, 1], ['마트', 0.3, 1], ['트폰', 0.3, 1], ['폰케', 0.3, 1], ['케이', 0.3, 1], ['이스', 0.3, 1],
    ]);
    assert.deepEqual(queryTerms('ipone 15 a'), [
      { term: 'ipone', hangul: false, prefix: true, fuzzy: 1, boost: 1, group: -1 },
      { term: '15', hangul: false, prefix: false, fuzzy: 0, boost: 1, group: -1 },
      { term: 'a', hangul: false, prefix: false, fuzzy: 0, boost: 1, group: -1 },
    ]);
    assert.equal(queryTerms('samsnggalaxy')[0].fuzzy, 2);
    assert.deepEqual(queryTerms('?! --'), []);
  });

  test('highlight escapes HTML, wraps matches, merges overlaps, cuts long text around the first match', () => {
    assert.equal(highlight('<b>아이폰</b> & 스마트폰', queryTerms('폰')), '&lt;b&gt;아이<em>폰</em>&lt;/b&gt; &amp; 스마트<em>폰</em>');
    assert.equal(highlight('무선 이어폰', queryTerms('무선이어폰')), '<em>무선</em> <em>이어폰</em>');
    assert.equal(highlight('Apple iPhone 15', queryTerms('iph')), 'Apple <em>iPhone</em> 15');
    assert.equal(highlight('nothing here', queryTerms('폰')), null);
    assert.equal(highlight(null, queryTerms('폰')), null);
    const long = `${'가'.repeat(300)} 아이폰 ${'나'.repeat(300)}`;
    const cut = highlight(long, queryTerms('아이폰'), 150)!;
    assert.ok(cut.startsWith('…') && cut.endsWith('…'));
    assert.ok(cut.includes('<em>아이폰</em>'));
    assert.ok(cut.length < 170);
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  test('autocomplete keys spell Hangul out as typed, so mid-syllable input is a prefix', () => {
    assert.equal(suggestKey('아이폰'), 'ㅇㅏㅇㅣㅍㅗㄴ');
    for (const typing of ['아', '앙', '아이', '아잎', '아이포']) assert.ok(suggestKey('아이폰').startsWith(suggestKey(typing)), typing);
    assert.equal(suggestKey('닭'), 'ㄷㅏㄹㄱ');
    assert.equal(suggestKey('과'), 'ㄱㅗㅏ');
    assert.equal(suggestKey('  iPhone   15 '), 'iphone 15');
    assert.equal(editDistance('ipone', 'iphone', 1), 1);
    assert.equal(editDistance('galaxy', 'iphone', 2), 3);
  });
});

describe('MemorySearchEngine', () => {
  test('a long Hangul word matches the same words written apart, but not a different word sharing a part', async () => {
    const e = new MemorySearchEngine();
    await e.index([doc(1, '무선 이어폰', 1), doc(2, '스마트워치', 1), doc(3, '갤럭시 스마트폰', 1), doc(4, '무선 마우스', 1)]);
    assert.deepEqual(await names(e, { keyword: '무선이어폰' }), ['무선 이어폰']);
    assert.deepEqual(await names(e, { keyword: '스마트폰' }), ['갤럭시 스마트폰']);
  });

  test('topK returns the best k in order, like a full sort', () => {
    const items = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
    const cmp = (a: number, b: number) => a - b;
    assert.deepEqual(topK([...items], 10, cmp), Array.from({ length: 10 }, (_, i) => i));
    assert.deepEqual(topK([...items], 600, cmp), Array.from({ length: 600 }, (_, i) => i));
    assert.deepEqual(topK([3, 1, 2], 0, cmp), []);
  });

  test('upsert replaces by id, remove forgets; count follows', async () => {
    const e = new MemorySearchEngine();
    await e.index([doc(1, '아이폰 15', 100), doc(2, '갤럭시 S24', 200)]);
    await e.upsert(doc(1, '아이폰 16', 110));
    assert.deepEqual(await names(e, { keyword: '아이폰 15' }), ['아이폰 16']);
    assert.deepEqual(await names(e, { keyword: '16' }), ['아이폰 16']);
    assert.deepEqual(await names(e, { keyword: '15' }), []);
    await e.remove(2);
    await e.remove(2);
    assert.equal(await e.count(), 1);
    assert.deepEqual(await e.suggest('갤럭', 5), []);
    await e.clear();
    assert.equal(await e.count(), 0);
  });

  test('cached results follow price changes (filters and price sorts) and stock changes', async () => {
    const e = new MemorySearchEngine();
    await e.index([doc(1, '케이스 A', 300), doc(2, '케이스 B', 100), doc(3, '케이스 C', 200)]);
    assert.deepEqual(await names(e, { keyword: '케이스', sort: 'price_asc' }), ['케이스 B', '케이스 C', '케이스 A']);
    assert.deepEqual(await names(e, { keyword: '케이스', maxPrice: 150 }), ['케이스 B']);
    await e.upsert(doc(1, '케이스 A', 50, null, 9));
    assert.deepEqual(await names(e, { keyword: '케이스', sort: 'price_asc' }), ['케이스 A', '케이스 B', '케이스 C']);
    assert.deepEqual(new Set(await names(e, { keyword: '케이스', maxPrice: 150 })), new Set(['케이스 A', '케이스 B']));
    assert.deepEqual(await names(e, { sort: 'price_asc', size: 1 }), ['케이스 A']);
    await e.upsert(doc(1, '케이스 A', 50, null, 0));
    assert.equal((await e.search(q({ keyword: '케이스', sort: 'price_asc' }))).hits[0].stock, 0);
    const uncached = new MemorySearchEngine({ cacheSize: 0 });
    await uncached.index([doc(1, '케이스 A', 300)]);
    assert.equal((await uncached.search(q({ keyword: '케이스' }))).total, 1);
  });

  test('browse: price slices by binary search, newest scans; paging past the end is empty', async () => {
    const e = new MemorySearchEngine();
    await e.index(Array.from({ length: 50 }, (_, i) => doc(i + 1, `상품 ${i + 1}`, (i + 1) * 10)));
    const mid = await e.search(q({ sort: 'price_asc', minPrice: 100, maxPrice: 200, page: 1, size: 4 }));
    assert.equal(mid.total, 11);
    assert.deepEqual(mid.hits.map((h) => h.price), [140, 150, 160, 170]);
    const desc = await e.search(q({ sort: 'price_desc', minPrice: 100, maxPrice: 200, size: 3 }));
    assert.deepEqual(desc.hits.map((h) => h.price), [200, 190, 180]);
    const newest = await e.search(q({ minPrice: 455, size: 2 }));
    assert.equal(newest.total, 5);
    assert.deepEqual(newest.hits.map((h) => h.id), [50, 49]);
    assert.deepEqual((await e.search(q({ page: 100 }))).hits, []);
  });

  test('replaceAll swaps in a new index; searches answer from the old one meanwhile', async () => {
    const e = new MemorySearchEngine();
    await e.index([doc(1, '구형 상품', 100)]);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    async function* batches() {
      yield [doc(2, '신형 상품', 100)];
      await gate;
      yield [doc(3, '신형 상품 플러스', 100)];
    }
    const building = e.replaceAll(batches());
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(await names(e, { keyword: '상품' }), ['구형 상품']);
    release();
    assert.equal(await building, 2);
    assert.deepEqual(new Set(await names(e, { keyword: '상품' })), new Set(['신형 상품', '신형 상품 플러스']));
  });

  test('suggestions rank words shared by more names first, then whole names; deleted names leave', async () => {
    const e = new MemorySearchEngine();
    await e.index([doc(1, '아이폰 15', 1), doc(2, '아이폰 15 프로', 1), doc(3, '아이패드 미니', 1), doc(4, 'Apple iPhone 케이스', 1)]);
    assert.deepEqual(await e.suggest('아이', 10), ['아이폰', '아이패드', '아이폰 15', '아이패드 미니', '아이폰 15 프로']);
    assert.deepEqual(await e.suggest('아이', 1), ['아이폰']);
    assert.deepEqual(await e.suggest('IPH', 5), ['iPhone']);
    assert.deepEqual(await e.suggest('iphome', 5), ['iPhone']);
    await e.remove(3);
    assert.deepEqual(await e.suggest('아이패', 5), []);
  });
});
