import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { principal } from '../../platform/http/auth';
import { ok } from '../../platform/http/envelope';
import { EmptyEnvelope, Envelope, Ref } from '../../platform/http/schema';
import type { SearchService } from './service';
import {
  KeywordList,
  PopularQuerystring,
  RecentKeywordParams,
  RecentKeywordQuerystring,
  RecentQuerystring,
  ReindexResponse,
  SearchQuerystring,
  SearchResponse,
  SuggestQuerystring,
} from './schemas';

/** Search routes (contract §3 #39–45): reads are public; `GET /search/recent` is personalised with a token. */
export function searchRoutes(search: SearchService): FastifyPluginAsyncTypebox {
  return async (app) => {
    // Two paths for one search (both are in use by clients): same parameters, same answer.
    const searchIds = { '/search': 'search', '/search/products': 'searchProducts' };
    for (const path of ['/search', '/search/products'] as const) {
      app.get(
        path,
        {
          config: { auth: 'public' },
          schema: {
            operationId: searchIds[path],
            summary: `Search the catalog by keyword and price, 0-based pages${path === '/search' ? ' (the same as searchProducts)' : ''}`,
            tags: ['search'],
            querystring: SearchQuerystring,
            response: { 200: Envelope(Ref(SearchResponse)) },
          },
        },
        async (request) => ok(await search.search(request.query, request.principal?.userId)),
      );
    }

    app.get(
      '/search/suggest',
      {
        config: { auth: 'public' },
        schema: {
          operationId: 'suggestKeywords',
          summary: 'Keywords that complete what was typed (none for fewer than 2 characters)',
          tags: ['search'],
          querystring: SuggestQuerystring,
          response: { 200: Envelope(KeywordList) },
        },
      },
      async (request) => ok(await search.suggest(request.query.keyword, request.query.size)),
    );

    app.get(
      '/search/popular',
      {
        config: { auth: 'public' },
        schema: {
          operationId: 'listPopularKeywords',
          summary: 'The most searched keywords, most first',
          tags: ['search'],
          querystring: PopularQuerystring,
          response: { 200: Envelope(KeywordList) },
        },
      },
      async (request) => ok(await search.popular(request.query.size)),
    );

    app.get(
      '/search/recent',
      {
        config: { auth: 'public' },
        schema: {
          operationId: 'listRecentKeywords',
          summary: "The caller's recent keywords, newest first (none without a token)",
          tags: ['search'],
          querystring: RecentQuerystring,
          response: { 200: Envelope(KeywordList) },
        },
      },
      async (request) => ok(await search.recent(request.principal?.userId, request.query.size)),
    );

    app.post(
      '/search/recent',
      {
        schema: {
          operationId: 'addRecentKeyword',
          summary: "Put a keyword first in the caller's recent keywords (and count it as popular)",
          tags: ['search'],
          querystring: RecentKeywordQuerystring,
          response: { 200: Ref(EmptyEnvelope) },
        },
      },
      async (request) => {
        await search.addRecent(principal(request).userId, request.query.keyword);
        return { success: true as const };
      },
    );

    app.delete(
      '/search/recent/:keyword',
      {
        schema: {
          operationId: 'removeRecentKeyword',
          summary: "Remove a keyword from the caller's recent keywords",
          tags: ['search'],
          params: RecentKeywordParams,
          response: { 200: Ref(EmptyEnvelope) },
        },
      },
      async (request) => {
        await search.removeRecent(principal(request).userId, request.params.keyword);
        return { success: true as const };
      },
    );

    app.delete(
      '/search/recent',
      {
        schema: {
          operationId: 'clearRecentKeywords',
          summary: "Remove all of the caller's recent keywords",
          tags: ['search'],
          response: { 200: Ref(EmptyEnvelope) },
        },
      },
      async (request) => {
        await search.clearRecent(principal(request).userId);
        return { success: true as const };
      },
    );
  };
}

/** Under /admin (admins only): rebuild the index from MySQL. */
export function adminSearchRoutes(search: SearchService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/search/reindex',
      {
        schema: {
          operationId: 'adminReindexSearch',
          summary: 'Rebuild the search index from the catalog',
          tags: ['search'],
          response: { 200: Envelope(Ref(ReindexResponse)) },
        },
      },
      async () => ok(await search.rebuild()),
    );
  };
}
