import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { codeOf, OTHER_USER_ID, TEST_USER_ID, TestApp } from '../../../test/helpers';
import { isAppError } from '../../platform/http/errors';
import { MemorySearchEngine } from './memory-engine';
import { POPULAR_FLUSH_MS, POPULAR_KEY, recentKey, SearchService } from './service';

let t: TestApp;
let search: SearchService;

before(async () => {
  t = await TestApp.start();
  search = t.services.search;
});
after(async () => {
  await search.close();
  await t.close();
});

/** A realistic little catalog: Korean names, English in descriptions, one English name, HTML in a description. */
const CATALOG: [string, string, number][] = [
  ['아이폰 15 프로', 'Apple iPhone 15 Pro, 티타늄 디자인의 플래그십 스마트폰', 1_550_000],
  ['아이폰 15', 'Apple iPhone 15 기본 모델', 1_250_000],
  ['아이패드 에어', 'Apple iPad Air M2 태블릿, 애플 펜슬 지원', 899_000],
  ['아이맥 24', 'Apple iMac 24형 올인원 데스크탑', 1_990_000],
  ['갤럭시 S24 울트라 스마트폰', '삼성 Galaxy S24 Ultra, S펜 내장', 1_698_000],
  ['갤럭시 버즈', '삼성 Galaxy Buds 무선 이어폰, 노이즈 캔슬링', 199_000],
  ['무선 이어폰', '블루투스 5.3 무선이어폰, 생활 방수', 39_000],
  ['맥북 에어', 'Apple MacBook Air M3 13형 노트북', 1_390_000],
  ['Apple iPhone 15 케이스', '아이폰 15 전용 실리콘 케이스', 59_000],
  ['에어팟 프로', 'Apple AirPods Pro 2세대 무선 이어폰', 359_000],
  ['다이슨 에어랩', 'Dyson Airwrap 멀티 스타일러', 699_000],
  ['나이키 에어포스 1', "Nike Air Force 1 '07 화이트 스니커즈 <한정판>", 139_000],
  ['스마트폰 거치대', '차량용 스마트폰 거치대', 25_000],
  ['로지텍 MX Master 3S', '무선 마우스', 149_000],
];
const ids = new Map<string, number>();
const id = (name: string) => ids.get(name)!;

async function names(query: Record<string, string | number>, token: string | null = null): Promise<string[]> {
  const res = await t.call('GET', '/search', { query, token });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.data.results.map((r: { name: string }) => r.name);
}

describe('search', () => {
  before(async () => {
    for (const [name, description, price] of CATALOG) {
      const p = await t.services.products.create({ name, description, price, stock: 7 }, 'test');
      ids.set(name, p.id);
    }
    const built = await search.rebuild();
    assert.equal(built.engine, 'memory');
    assert.equal(built.indexed, CATALOG.length);
    assert.equal(search.isReady(), true);
  });

  describe('relevance (fixed suite)', () => {
    /** keyword → names expected first (in this order), and names that must appear somewhere. */
    const SUITE: { keyword: string; top?: string[]; topSet?: string[]; includes?: string[]; excludes?: string[] }[] = [
      { keyword: '아이폰', topSet: ['아이폰 15 프로', '아이폰 15'], includes: ['Apple iPhone 15 케이스'], excludes: ['아이패드 에어', '아이맥 24'] },
      { keyword: '아이폰 15 프로', top: ['아이폰 15 프로'] },
      { keyword: '폰', includes: ['아이폰 15 프로', '아이폰 15', '갤럭시 S24 울트라 스마트폰', '스마트폰 거치대', '무선 이어폰'] },
      { keyword: '스마트폰', topSet: ['갤럭시 S24 울트라 스마트폰', '스마트폰 거치대'], includes: ['아이폰 15 프로'] },
      { keyword: 'ipone', top: ['Apple iPhone 15 케이스'], includes: ['아이폰 15 프로', '아이폰 15'] },
      { keyword: 'iphone', top: ['Apple iPhone 15 케이스'], includes: ['아이폰 15 프로', '아이폰 15'] },
      { keyword: 'IPHONE 15', top: ['Apple iPhone 15 케이스'] },
      { keyword: 'macbok', top: ['맥북 에어'] },
      { keyword: 'galaxy', topSet: ['갤럭시 S24 울트라 스마트폰', '갤럭시 버즈'] },
      { keyword: '갤럭시 버즈', top: ['갤럭시 버즈'] },
      { keyword: '에어', topSet: ['아이패드 에어', '맥북 에어', '에어팟 프로', '다이슨 에어랩', '나이키 에어포스 1'] },
      { keyword: '이어폰', top: ['무선 이어폰'], includes: ['갤럭시 버즈', '에어팟 프로'] },
      { keyword: '무선이어폰', top: ['무선 이어폰'] },
      { keyword: 'airpods', top: ['에어팟 프로'] },
      { keyword: 'nike', top: ['나이키 에어포스 1'] },
      { keyword: '다이슨', top: ['다이슨 에어랩'] },
      { keyword: 'mx master', top: ['로지텍 MX Master 3S'] },
      { keyword: '거치대', top: ['스마트폰 거치대'] },
    ];
    for (const c of SUITE) {
      test(`"${c.keyword}"`, async () => {
        const got = await names({ keyword: c.keyword });
        if (c.top) assert.deepEqual(got.slice(0, c.top.length), c.top, `${c.keyword}: ${got.join(', ')}`);
        if (c.topSet) assert.deepEqual(new Set(got.slice(0, c.topSet.length)), new Set(c.topSet), `${c.keyword}: ${got.join(', ')}`);
        for (const name of c.includes ?? []) assert.ok(got.includes(name), `${c.keyword} should find ${name}: ${got.join(', ')}`);
        for (const name of c.excludes ?? []) assert.ok(!got.includes(name), `${c.keyword} should not find ${name}: ${got.join(', ')}`);
      });
    }

    test('a word that is nowhere finds nothing', async () => {
      const res = await t.call('GET', '/search', { query: { keyword: '냉장고' }, token: null });
      assert.deepEqual(res.body.data, { results: [], totalHits: 0, page: 0, size: 20, totalPages: 0 });
      const punct = await t.call('GET', '/search', { query: { keyword: '!!!' }, token: null });
      assert.equal(punct.body.data.totalHits, 0);
    });

    test('the name weighs more than the description', async () => {
      // 무선 이어폰 has it in the name; 갤럭시 버즈 and 에어팟 프로 in the description only.
      const res = await t.call('GET', '/search', { query: { keyword: '이어폰' }, token: null });
      const [first, ...rest] = res.body.data.results;
      assert.equal(first.name, '무선 이어폰');
      for (const r of rest) assert.ok(r.score < first.score);
      // And an exact name hit outranks the same word deeper in a description.
      const phones = await names({ keyword: '아이폰' });
      assert.ok(phones.indexOf('아이폰 15') < phones.indexOf('Apple iPhone 15 케이스'));
    });
  });

  describe('filters, sorts, paging', () => {
    test('price range filter, with and without a keyword', async () => {
      assert.deepEqual(new Set(await names({ keyword: '에어', minPrice: 500000 })), new Set(['아이패드 에어', '맥북 에어', '다이슨 에어랩']));
      assert.deepEqual(new Set(await names({ keyword: '에어', minPrice: 500000, maxPrice: 1000000 })), new Set(['아이패드 에어', '다이슨 에어랩']));
      assert.deepEqual(await names({ maxPrice: 40000, sort: 'price_asc' }), ['스마트폰 거치대', '무선 이어폰']);
      assert.deepEqual(await names({ minPrice: 139000, maxPrice: 139000 }), ['나이키 에어포스 1']);
    });

    test('sorts: price_asc, price_desc, newest; unknown sorts count as relevance', async () => {
      const byPrice = ['나이키 에어포스 1', '에어팟 프로', '다이슨 에어랩', '아이패드 에어', '맥북 에어'];
      assert.deepEqual(await names({ keyword: '에어', sort: 'price_asc' }), byPrice);
      assert.deepEqual(await names({ keyword: '에어', sort: 'price_desc' }), [...byPrice].reverse());
      const newest = ['나이키 에어포스 1', '다이슨 에어랩', '에어팟 프로', '맥북 에어', '아이패드 에어'];
      assert.deepEqual(await names({ keyword: '에어', sort: 'newest' }), newest);
      assert.deepEqual(await names({ keyword: '폰', sort: 'bogus' }), await names({ keyword: '폰', sort: 'relevance' }));
      assert.deepEqual(await names({ keyword: '폰', sort: 'bogus' }), await names({ keyword: '폰' }));
    });

    test('no keyword browses everything: newest first by default, sorts and filters apply', async () => {
      const all = await t.call('GET', '/search', { token: null });
      assert.equal(all.body.data.totalHits, CATALOG.length);
      assert.deepEqual(all.body.data.results.map((r: { name: string }) => r.name), CATALOG.map(([n]) => n).reverse());
      for (const r of all.body.data.results) {
        assert.equal(r.score, null);
        assert.equal(r.highlightedName, null);
        assert.equal(r.highlightedDescription, null);
      }
      const cheap = await names({ sort: 'price_asc', size: 3 });
      assert.deepEqual(cheap, ['스마트폰 거치대', '무선 이어폰', 'Apple iPhone 15 케이스']);
      const dear = await names({ sort: 'price_desc', size: 2 });
      assert.deepEqual(dear, ['아이맥 24', '갤럭시 S24 울트라 스마트폰']);
      const blank = await t.call('GET', '/search', { query: { keyword: '   ' }, token: null });
      assert.equal(blank.body.data.totalHits, CATALOG.length);
    });

    test('paging: 0-based page as sent, size, totalPages = ceil(totalHits / size), results in order', async () => {
      const full = await names({ keyword: '에어' });
      const res = await t.call('GET', '/search', { query: { keyword: '에어', page: 1, size: 2 }, token: null });
      assert.equal(res.status, 200);
      assert.deepEqual(Object.keys(res.body.data), ['results', 'totalHits', 'page', 'size', 'totalPages']);
      assert.deepEqual(
        { totalHits: res.body.data.totalHits, page: res.body.data.page, size: res.body.data.size, totalPages: res.body.data.totalPages },
        { totalHits: 5, page: 1, size: 2, totalPages: 3 },
      );
      assert.deepEqual(res.body.data.results.map((r: { name: string }) => r.name), full.slice(2, 4));
      const last = await t.call('GET', '/search', { query: { keyword: '에어', page: 2, size: 2 }, token: null });
      assert.deepEqual(last.body.data.results.map((r: { name: string }) => r.name), full.slice(4));
      const beyond = await t.call('GET', '/search', { query: { keyword: '에어', page: 9, size: 2 }, token: null });
      assert.deepEqual(beyond.body.data.results, []);
      assert.equal(beyond.body.data.totalHits, 5);
      const defaults = await t.call('GET', '/search', { query: { keyword: '에어' }, token: null });
      assert.equal(defaults.body.data.page, 0);
      assert.equal(defaults.body.data.size, 20);
    });

    test('each result has the SearchResponse fields in order, with price and stock', async () => {
      const res = await t.call('GET', '/search/products', { query: { keyword: '아이폰 15 프로' }, token: null });
      const [first] = res.body.data.results;
      assert.deepEqual(Object.keys(first), ['id', 'name', 'description', 'price', 'stock', 'highlightedName', 'highlightedDescription', 'score']);
      assert.equal(first.id, id('아이폰 15 프로'));
      assert.equal(first.price, 1550000);
      assert.equal(first.stock, 7);
      assert.equal(typeof first.score, 'number');
    });

    test('/search and /search/products answer the same', async () => {
      const query = { keyword: '폰', minPrice: 30000, sort: 'price_desc', page: 0, size: 3 };
      const a = await t.call('GET', '/search', { query, token: null });
      const b = await t.call('GET', '/search/products', { query, token: null });
      assert.equal(a.status, 200);
      assert.deepEqual(a.body, b.body);
    });
  });

  describe('highlights', () => {
    test('<em> around matches in the name and the description; null where nothing matched', async () => {
      const res = await t.call('GET', '/search', { query: { keyword: '아이폰' }, token: null });
      const pro = res.body.data.results.find((r: { id: number }) => r.id === id('아이폰 15 프로'));
      assert.equal(pro.highlightedName, '<em>아이폰</em> 15 프로');
      assert.equal(pro.highlightedDescription, null);
      const kase = res.body.data.results.find((r: { id: number }) => r.id === id('Apple iPhone 15 케이스'));
      assert.equal(kase.highlightedName, null);
      assert.equal(kase.highlightedDescription, '<em>아이폰</em> 15 전용 실리콘 케이스');
    });

    test('part of a word, typo and case are highlighted as found', async () => {
      const part = await t.call('GET', '/search', { query: { keyword: '폰' }, token: null });
      const galaxy = part.body.data.results.find((r: { id: number }) => r.id === id('갤럭시 S24 울트라 스마트폰'));
      assert.equal(galaxy.highlightedName, '갤럭시 S24 울트라 스마트<em>폰</em>');
      const typo = await t.call('GET', '/search', { query: { keyword: 'ipone' }, token: null });
      assert.equal(typo.body.data.results[0].highlightedName, 'Apple <em>iPhone</em> 15 케이스');
    });

    test('the source text is HTML-escaped before <em> is added', async () => {
      const res = await t.call('GET', '/search', { query: { keyword: 'nike' }, token: null });
      assert.equal(res.body.data.results[0].highlightedDescription, '<em>Nike</em> Air Force 1 &#39;07 화이트 스니커즈 &lt;한정판&gt;');
    });
  });

  describe('suggest', () => {
    test('"아이" suggests 아이폰, 아이패드, 아이맥 (the most common first)', async () => {
      const res = await t.call('GET', '/search/suggest', { query: { keyword: '아이' }, token: null });
      assert.equal(res.status, 200);
      const got: string[] = res.body.data;
      assert.equal(got[0], '아이폰');
      for (const word of ['아이폰', '아이패드', '아이맥']) assert.ok(got.includes(word), got.join(', '));
      assert.equal(got.length, 5);
      const three = await t.call('GET', '/search/suggest', { query: { keyword: '아이', size: 3 }, token: null });
      assert.deepEqual(new Set(three.body.data), new Set(['아이폰', '아이패드', '아이맥']));
    });

    test('whole names complete a longer prefix; Hangul typed mid-syllable still completes', async () => {
      const res = await t.call('GET', '/search/suggest', { query: { keyword: '아이폰 15 ' }, token: null });
      assert.deepEqual(new Set(res.body.data), new Set(['아이폰 15', '아이폰 15 프로']));
      // An input method shows 아잎 on the way to 아이폰.
      const typing = await t.call('GET', '/search/suggest', { query: { keyword: '아잎' }, token: null });
      assert.ok(typing.body.data.includes('아이폰'), typing.body.data.join(', '));
      assert.ok(!typing.body.data.includes('아이맥'));
    });

    test('Latin prefixes and typos', async () => {
      const prefix = await t.call('GET', '/search/suggest', { query: { keyword: 'iph' }, token: null });
      assert.equal(prefix.body.data[0], 'iPhone');
      const typo = await t.call('GET', '/search/suggest', { query: { keyword: 'ipone' }, token: null });
      assert.ok(typo.body.data.includes('iPhone'), typo.body.data.join(', '));
    });

    test('under 2 characters → []; keyword required; nothing known → []', async () => {
      for (const keyword of ['아', 'a', ' 아 ', '']) {
        const res = await t.call('GET', '/search/suggest', { query: { keyword }, token: null });
        assert.equal(res.status, 200, keyword);
        assert.deepEqual(res.body, { success: true, data: [] });
      }
      const missing = await t.call('GET', '/search/suggest', { token: null });
      assert.equal(missing.status, 400);
      assert.equal(codeOf(missing), 'C002');
      const none = await t.call('GET', '/search/suggest', { query: { keyword: '냉장' }, token: null });
      assert.deepEqual(none.body.data, []);
    });
  });

  describe('popular and recent keywords', () => {
    beforeEach(async () => {
      await search.flush();
      await t.redis.del(POPULAR_KEY, recentKey(TEST_USER_ID), recentKey(OTHER_USER_ID));
    });

    test('every keyword search counts toward popular (highest first); browsing does not', async () => {
      for (const [keyword, times] of [['아이폰', 3], ['갤럭시', 2], ['에어', 1]] as const) {
        for (let i = 0; i < times; i++) await t.call('GET', '/search', { query: { keyword }, token: null });
      }
      await t.call('GET', '/search', { token: null });
      await t.call('GET', '/search/products', { query: { keyword: ' 아이폰 ' }, token: null });
      await search.flush();
      const res = await t.call('GET', '/search/popular', { token: null });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.data, ['아이폰', '갤럭시', '에어']);
      assert.equal(await t.redis.zscore(POPULAR_KEY, '아이폰'), '4');
      const top1 = await t.call('GET', '/search/popular', { query: { size: 1 }, token: null });
      assert.deepEqual(top1.body.data, ['아이폰']);
    });

    test('popular counts are sent in batches: one ZINCRBY per keyword within POPULAR_FLUSH_MS, no flush needed', async () => {
      for (let i = 0; i < 5; i++) await t.call('GET', '/search', { query: { keyword: '맥북' }, token: null });
      await t.call('GET', '/search', { query: { keyword: '아이맥' }, token: null });
      await new Promise((r) => setTimeout(r, POPULAR_FLUSH_MS + 300));
      assert.deepEqual(await t.redis.zrevrange(POPULAR_KEY, 0, -1, 'WITHSCORES'), ['맥북', '5', '아이맥', '1']);
    });

    test("a logged-in user's searches become recent: newest first, no duplicates; anonymous ones don't", async () => {
      for (const keyword of ['아이폰', '갤럭시', 'iPhone', '아이폰']) await t.call('GET', '/search', { query: { keyword } });
      await t.call('GET', '/search', { query: { keyword: '익명' }, token: null });
      await search.flush();
      const res = await t.call('GET', '/search/recent');
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.data, ['아이폰', 'iphone', '갤럭시']);
      const other = await t.call('GET', '/search/recent', { token: t.otherToken });
      assert.deepEqual(other.body.data, []);
    });

    test('the search answers before the history is written (recording is not awaited)', async () => {
      const slow = t.redis.multi;
      let writes = 0;
      // Hold the history write back: the search must still answer.
      t.redis.multi = function (this: typeof t.redis, ...args: Parameters<typeof slow>) {
        writes++;
        const tx = slow.apply(this, args);
        const exec = tx.exec.bind(tx);
        tx.exec = (() => new Promise((r) => setTimeout(r, 300)).then(() => exec())) as typeof tx.exec;
        return tx;
      } as typeof slow;
      try {
        const started = Date.now();
        const res = await t.call('GET', '/search', { query: { keyword: '다이슨' } });
        assert.equal(res.status, 200);
        assert.ok(Date.now() - started < 250, `answered after ${Date.now() - started} ms`);
        assert.equal(writes, 1);
        assert.deepEqual(await t.redis.lrange(recentKey(TEST_USER_ID), 0, -1), []);
        await search.flush();
        assert.deepEqual(await t.redis.lrange(recentKey(TEST_USER_ID), 0, -1), ['다이슨']);
      } finally {
        t.redis.multi = slow;
      }
    });

    test('at most 20 recent keywords are kept; size picks how many come back (default 10)', async () => {
      for (let i = 1; i <= 25; i++) {
        const res = await t.call('POST', '/search/recent', { query: { keyword: `검색어${i}` } });
        assert.equal(res.status, 200);
        assert.deepEqual(res.body, { success: true });
      }
      assert.equal(await t.redis.llen(recentKey(TEST_USER_ID)), 20);
      const ten = await t.call('GET', '/search/recent');
      assert.deepEqual(ten.body.data, Array.from({ length: 10 }, (_, i) => `검색어${25 - i}`));
      const all = await t.call('GET', '/search/recent', { query: { size: 20 } });
      assert.deepEqual(all.body.data, Array.from({ length: 20 }, (_, i) => `검색어${25 - i}`));
      const tooMany = await t.call('GET', '/search/recent', { query: { size: 21 } });
      assert.equal(codeOf(tooMany), 'C002');
    });

    test('POST /search/recent moves a duplicate to the front and adds 1 to popular', async () => {
      for (const keyword of ['에어팟', '버즈', '에어팟']) await t.call('POST', '/search/recent', { query: { keyword } });
      const res = await t.call('GET', '/search/recent');
      assert.deepEqual(res.body.data, ['에어팟', '버즈']);
      assert.equal(await t.redis.zscore(POPULAR_KEY, '에어팟'), '2');
      const blank = await t.call('POST', '/search/recent', { query: { keyword: '  ' } });
      assert.equal(blank.status, 400);
      assert.equal(codeOf(blank), 'C002');
      const missing = await t.call('POST', '/search/recent');
      assert.equal(codeOf(missing), 'C002');
    });

    test('DELETE one keyword, DELETE all', async () => {
      for (const keyword of ['맥북 에어', '아이맥', '갤럭시 버즈']) await t.call('POST', '/search/recent', { query: { keyword } });
      const one = await t.call('DELETE', `/search/recent/${encodeURIComponent('맥북 에어')}`);
      assert.equal(one.status, 200);
      assert.deepEqual(one.body, { success: true });
      assert.deepEqual((await t.call('GET', '/search/recent')).body.data, ['갤럭시 버즈', '아이맥']);
      const unknown = await t.call('DELETE', `/search/recent/${encodeURIComponent('없는 검색어')}`);
      assert.equal(unknown.status, 200);
      const all = await t.call('DELETE', '/search/recent');
      assert.equal(all.status, 200);
      assert.deepEqual(all.body, { success: true });
      assert.deepEqual((await t.call('GET', '/search/recent')).body.data, []);
    });

    test('without a token: GET /search/recent is [] (a bad token counts as none); writes need a user', async () => {
      await t.call('POST', '/search/recent', { query: { keyword: '아이폰' } });
      const anon = await t.call('GET', '/search/recent', { token: null });
      assert.equal(anon.status, 200);
      assert.deepEqual(anon.body, { success: true, data: [] });
      const bad = await t.call('GET', '/search/recent', { token: 'not-a-jwt' });
      assert.deepEqual(bad.body.data, []);
      for (const [method, path] of [['POST', '/search/recent?keyword=x'], ['DELETE', '/search/recent/x'], ['DELETE', '/search/recent']] as const) {
        const res = await t.call(method, path, { token: null });
        assert.equal(res.status, 401, `${method} ${path}`);
        assert.equal(codeOf(res), 'C005');
      }
    });
  });

  describe('validation', () => {
    test('a keyword over 100 characters is 400 C002 with a detail, never a 500', async () => {
      const keyword = '가'.repeat(101);
      const res = await t.call('GET', '/search', { query: { keyword }, token: null });
      assert.equal(res.status, 400);
      assert.equal(codeOf(res), 'C002');
      assert.equal(res.body.error.details[0].field, 'keyword');
      assert.equal(res.body.error.details[0].message, 'Keyword must be at most 100 characters');
      const exactly = await t.call('GET', '/search', { query: { keyword: '가'.repeat(100) }, token: null });
      assert.equal(exactly.status, 200);
      await assert.rejects(search.search({ keyword: 'x'.repeat(101) }), (err) => isAppError(err, 'INVALID_INPUT_VALUE'));
      const suggest = await t.call('GET', '/search/suggest', { query: { keyword }, token: null });
      assert.equal(codeOf(suggest), 'C002');
    });

    test('minPrice above maxPrice, negative or non-numeric prices, bad page or size: 400 C002', async () => {
      const swapped = await t.call('GET', '/search', { query: { minPrice: 100, maxPrice: 10 }, token: null });
      assert.equal(swapped.status, 400);
      assert.equal(codeOf(swapped), 'C002');
      assert.equal(swapped.body.error.details[0].field, 'minPrice');
      const bad: Record<string, string | number>[] = [{ minPrice: -1 }, { maxPrice: 'abc' }, { page: -1 }, { size: 0 }, { size: 101 }, { page: 'x' }];
      for (const query of bad) {
        const res = await t.call('GET', '/search', { query, token: null });
        assert.equal(res.status, 400, JSON.stringify(query));
        assert.equal(codeOf(res), 'C002');
      }
      const edge = await t.call('GET', '/search', { query: { minPrice: 139000, maxPrice: 139000, size: 100 }, token: null });
      assert.equal(edge.status, 200);
    });
  });

  describe('index sync', () => {
    test('the index follows create, update, stock and delete through applyProductChange', async () => {
      const started = Date.now();
      const created = await t.services.products.create({ name: '갤럭시 탭 S9', description: 'Galaxy Tab S9 태블릿', price: 999000, stock: 3 }, 'test');
      await search.applyProductChange({ productId: created.id, change: 'CREATED' });
      let found = await t.call('GET', '/search', { query: { keyword: '갤럭시 탭' }, token: null });
      assert.equal(found.body.data.results[0].id, created.id);
      assert.equal(found.body.data.results[0].stock, 3);

      await t.services.products.update(created.id, { name: '갤럭시 탭 S10', description: 'Galaxy Tab S10 태블릿', price: 1099000, stock: 3 }, 'test');
      await search.applyProductChange({ productId: created.id, change: 'UPDATED' });
      assert.ok(!(await names({ keyword: 's9' })).includes('갤럭시 탭 S9'));
      found = await t.call('GET', '/search', { query: { keyword: 's10' }, token: null });
      assert.equal(found.body.data.results[0].name, '갤럭시 탭 S10');
      assert.equal(found.body.data.results[0].price, 1099000);
      assert.deepEqual(await names({ keyword: '탭', minPrice: 1000000 }), ['갤럭시 탭 S10']);

      await t.services.products.setStock(created.id, 42, 'test');
      await search.applyProductChange({ productId: String(created.id), change: 'STOCK' });
      found = await t.call('GET', '/search', { query: { keyword: '갤럭시 탭' }, token: null });
      assert.equal(found.body.data.results[0].stock, 42);

      await t.services.products.delete(created.id);
      await search.applyProductChange({ productId: created.id, change: 'DELETED' });
      assert.ok(!(await names({ keyword: '갤럭시 탭' })).includes('갤럭시 탭 S10'));
      assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
    });

    test('changes are idempotent and order-proof: the product is re-read', async () => {
      const p = await t.services.products.create({ name: '버즈 케이스', price: 15000, stock: 1 }, 'test');
      await search.applyProductChange({ productId: p.id, change: 'CREATED' });
      await search.applyProductChange({ productId: p.id, change: 'CREATED' });
      assert.deepEqual(await names({ keyword: '버즈 케이스' }).then((n) => n.filter((x) => x === '버즈 케이스')), ['버즈 케이스']);
      await t.services.products.delete(p.id);
      // A late UPDATED after the delete does not bring it back; a repeated DELETED is harmless.
      await search.applyProductChange({ productId: p.id, change: 'UPDATED' });
      await search.applyProductChange({ productId: p.id, change: 'DELETED' });
      assert.ok(!(await names({ keyword: '버즈 케이스' })).includes('버즈 케이스'));
      // Unknown ids and junk are ignored.
      await search.applyProductChange({ productId: 987654321, change: 'UPDATED' });
      await search.applyProductChange({ productId: 'x', change: 'UPDATED' });
    });

    test('a batch of changes (repeats, junk, a delete) ends in each product\'s current state', async () => {
      const a = await t.services.products.create({ name: '배치 동기화 램프', price: 76900, stock: 5 }, 'test');
      const b = await t.services.products.create({ name: '배치 동기화 의자', price: 35900, stock: 5 }, 'test');
      await t.services.products.setStock(a.id, 1, 'test');
      await t.services.products.delete(b.id);
      await search.applyProductChanges([
        { productId: a.id, change: 'CREATED' },
        { productId: b.id, change: 'CREATED' },
        { productId: a.id, change: 'STOCK' },
        { productId: 'junk', change: 'STOCK' },
        { productId: b.id, change: 'DELETED' },
      ]);
      const found = await t.call('GET', '/search', { query: { keyword: '배치 동기화' }, token: null });
      assert.deepEqual(
        found.body.data.results.map((r: { id: number; stock: number }) => [r.id, r.stock]),
        [[a.id, 1]],
      );
      await t.services.products.delete(a.id);
      await search.applyProductChanges([{ productId: a.id, change: 'DELETED' }]);
      assert.deepEqual(await names({ keyword: '배치 동기화' }), []);
    });

    test('POST /admin/search/reindex rebuilds from MySQL (admins only); changes during a rebuild are kept', async () => {
      // Written straight to MySQL behind the index's back (no outbox event): only a rebuild finds it.
      const inserted = await t.db
        .insertInto('products')
        .values({ name: '닌텐도 스위치', description: 'Nintendo Switch OLED', price: '415000.00' })
        .executeTakeFirstOrThrow();
      const quiet = { id: Number(inserted.insertId) };
      await t.db.insertInto('inventory').values({ product_id: quiet.id, available_quantity: 2, reserved_quantity: 0, total_quantity: 2 }).execute();
      assert.deepEqual(await names({ keyword: '닌텐도' }), []);
      const denied = await t.call('POST', '/admin/search/reindex');
      assert.equal(denied.status, 403);
      const res = await t.call('POST', '/admin/search/reindex', { token: t.adminToken });
      assert.equal(res.status, 200);
      assert.equal(res.body.data.engine, 'memory');
      assert.equal(res.body.data.indexed, CATALOG.length + 1);
      assert.equal(typeof res.body.data.tookMs, 'number');
      assert.deepEqual(await names({ keyword: 'nintendo' }), ['닌텐도 스위치']);

      // A product deleted while a rebuild runs stays deleted once the new index is swapped in.
      const rebuilding = search.rebuild();
      assert.equal(search.rebuild(), rebuilding, 'concurrent rebuilds share one');
      await t.services.products.delete(quiet.id);
      await search.applyProductChange({ productId: quiet.id, change: 'DELETED' });
      await rebuilding;
      assert.deepEqual(await names({ keyword: 'nintendo' }), []);
      assert.equal(await search.engine.count(), CATALOG.length);
    });
  });
});

test('a fresh service with an empty catalog builds an empty index and browses nothing', async () => {
  const empty = new SearchService({
    engine: new MemorySearchEngine(),
    products: { liveAfterForSearch: async () => [], liveByIdsForSearch: async () => [] },
    redis: t.redis,
    log: t.infra.log,
  });
  assert.equal(empty.isReady(), false);
  const built = await empty.start();
  assert.equal(built.engine, 'memory');
  assert.equal(built.indexed, 0);
  assert.equal(empty.isReady(), true);
  const res = await empty.search({}, randomUUID());
  assert.deepEqual(res, { results: [], totalHits: 0, page: 0, size: 20, totalPages: 0 });
  await empty.close();
});
