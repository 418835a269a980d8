import { type Static, Type } from '@sinclair/typebox';
import { Money, msg, Nullable, Ref, SINGLE_LINE_TEXT_PATTERN, Text } from '../../platform/http/schema';

export const MAX_KEYWORD_LENGTH = 100;
export const MAX_SEARCH_SIZE = 100;
export const KEYWORD_TOO_LONG = `Keyword must be at most ${MAX_KEYWORD_LENGTH} characters`;

const keyword = () => Text({ label: 'Keyword', maxLength: MAX_KEYWORD_LENGTH, maxMessage: KEYWORD_TOO_LONG });

/** A keyword that must be sent, though it may be empty (a suggestion for "" is simply `[]`). */
function presentKeyword() {
  const schema = keyword();
  return msg(schema, { ...schema['x-messages'], required: 'Keyword is required' });
}

const price = (name: string) =>
  msg(Type.Number({ minimum: 0 }), { minimum: `${name} must be non-negative`, required: `${name} must be a number` });

const size = (fallback: number, max: number) =>
  msg(Type.Integer({ minimum: 1, maximum: max, default: fallback }), {
    minimum: 'size must be at least 1',
    maximum: `size must be at most ${max}`,
    required: 'size must be a whole number',
  });

/** `GET /search` and `GET /search/products` (contract §3 #39). */
export const SearchQuerystring = Type.Object({
  keyword: Type.Optional(keyword()),
  minPrice: Type.Optional(price('minPrice')),
  maxPrice: Type.Optional(price('maxPrice')),
  /** relevance | price_asc | price_desc | newest; anything else counts as relevance. */
  sort: Type.Optional(Type.String({ maxLength: 50, default: 'relevance' })),
  page: Type.Optional(
    msg(Type.Integer({ minimum: 0, default: 0 }), { minimum: 'page must be at least 0', required: 'page must be a whole number' }),
  ),
  size: Type.Optional(size(20, MAX_SEARCH_SIZE)),
});
export type SearchQuerystring = Static<typeof SearchQuerystring>;

export const SuggestQuerystring = Type.Object({
  keyword: presentKeyword(),
  size: Type.Optional(size(5, 20)),
});

export const PopularQuerystring = Type.Object({ size: Type.Optional(size(10, 100)) });
export const RecentQuerystring = Type.Object({ size: Type.Optional(size(10, 20)) });

/** `POST /search/recent?keyword=` */
export const RecentKeywordQuerystring = Type.Object({
  keyword: Text({ label: 'Keyword', maxLength: MAX_KEYWORD_LENGTH, maxMessage: KEYWORD_TOO_LONG, required: 'Keyword is required' }),
});

export const RecentKeywordParams = Type.Object({
  keyword: msg(Type.String({ minLength: 1, maxLength: MAX_KEYWORD_LENGTH, pattern: SINGLE_LINE_TEXT_PATTERN }), {
    maxLength: KEYWORD_TOO_LONG,
    pattern: 'Keyword must not contain control characters, line breaks or unpaired surrogates',
  }),
});

/** One result (contract §3.2 SearchResponse, in its field order). */
export const SearchResultItem = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Nullable(Type.String()),
  price: Money,
  stock: Type.Integer(),
  highlightedName: Nullable(Type.String()),
  highlightedDescription: Nullable(Type.String()),
  score: Nullable(Type.Number()),
}, { $id: 'SearchHit' });

/** Search paging (§1.4): `page` is 0-based, as sent; `totalPages` = ceil(totalHits / size). */
export const SearchResponse = Type.Object({
  results: Type.Array(Ref(SearchResultItem)),
  totalHits: Type.Integer(),
  page: Type.Integer(),
  size: Type.Integer(),
  totalPages: Type.Integer(),
}, {
  $id: 'SearchResults',
  examples: [
    {
      results: [
        {
          id: 42,
          name: '아이폰 15 프로',
          description: '티타늄 디자인, A17 Pro 칩',
          price: 1550000,
          stock: 120,
          highlightedName: '<em>아이폰</em> 15 프로',
          highlightedDescription: null,
          score: 7.31,
        },
      ],
      totalHits: 1,
      page: 0,
      size: 20,
      totalPages: 1,
    },
  ],
});
export type SearchResponse = Static<typeof SearchResponse>;

export const KeywordList = Type.Array(Type.String(), { examples: [['아이폰', '아이패드', '에어팟']] });

export const ReindexResponse = Type.Object({
  engine: Type.String(),
  indexed: Type.Integer(),
  tookMs: Type.Integer(),
}, { $id: 'ReindexResult', examples: [{ engine: 'memory', indexed: 110, tookMs: 42 }] });
export type ReindexResponse = Static<typeof ReindexResponse>;

/** The shared schemas this module names in the OpenAPI document (the app registers them). */
export const searchSchemas = [SearchResultItem, SearchResponse, ReindexResponse];
