/**
 * Search: the box in the header suggests names as the buyer types and offers
 * popular and recent keywords; `/search?q=…` lists the results page by page.
 * A signed-in buyer's searches are kept as their recent keywords by the service.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { unwrap } from '../../shared/api';
import { useApi, useSession } from '../../shared/context';
import { useAction, useLoad } from '../../shared/hooks';
import { Button, ErrorText, Pager } from '../../shared/ui';
import { Loading, Price } from '../common';
import { useT } from '../messages';

const PAGE_SIZE = 12;

function searchHref(keyword: string): string {
  return `/search?q=${encodeURIComponent(keyword)}`;
}

export function SearchBox() {
  const { t } = useT();
  const api = useApi();
  const [location, navigate] = useLocation();
  const search = useSearch();
  const current = location === '/search' ? (new URLSearchParams(search).get('q') ?? '') : '';
  const [text, setText] = useState(current);
  const [open, setOpen] = useState(false);
  const [suggestions, setSuggestions] = useState<string[]>([]);
  const box = useRef<HTMLFormElement>(null);

  useEffect(() => setText(current), [current]);

  // Suggestions for what is typed, a moment after the last key (the service answers [] under 2 characters).
  useEffect(() => {
    const keyword = text.trim();
    if (keyword.length < 2) {
      setSuggestions([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      unwrap(api.GET('/api/v1/shopping/search/suggest', { params: { query: { keyword, size: 6 } } })).then(
        (list) => live && setSuggestions(list),
        () => live && setSuggestions([]),
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, text]);

  useEffect(() => {
    const close = (e: MouseEvent) => {
      if (box.current && !box.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, []);

  const go = (keyword: string) => {
    const k = keyword.trim();
    if (!k) return;
    setOpen(false);
    navigate(searchHref(k));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    go(text);
  };

  return (
    <form className="search-box" role="search" onSubmit={submit} ref={box}>
      <input
        type="search"
        data-testid="search-input"
        aria-label={t('search.label')}
        placeholder={t('search.placeholder')}
        value={text}
        maxLength={100}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
      />
      {open && suggestions.length > 0 && (
        <ul className="suggestions" data-testid="suggestions">
          {suggestions.map((s) => (
            <li key={s}>
              <button type="button" data-testid="suggestion" onClick={() => go(s)}>
                {s}
              </button>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}

/** Popular keywords for everyone, and the buyer's own recent ones (each removable); read again after each search (`after`). */
function Keywords({ after }: { after: unknown }) {
  const { t } = useT();
  const api = useApi();
  const { user } = useSession();
  const popular = useLoad(() => unwrap(api.GET('/api/v1/shopping/search/popular', { params: { query: { size: 10 } } })), [api, after]);
  const recent = useLoad(
    () => (user ? unwrap(api.GET('/api/v1/shopping/search/recent', { params: { query: { size: 10 } } })) : Promise.resolve([] as string[])),
    [api, user, after],
  );
  const remove = useAction(async (keyword?: string) => {
    if (keyword) await unwrap(api.DELETE('/api/v1/shopping/search/recent/{keyword}', { params: { path: { keyword } } }));
    else await unwrap(api.DELETE('/api/v1/shopping/search/recent'));
    recent.reload();
  });
  return (
    <div className="keywords">
      <div>
        <h2>{t('search.popular')}</h2>
        <ErrorText error={popular.error} />
        <div className="chips" data-testid="popular-keywords">
          {popular.data?.length === 0 && <span className="muted">{t('search.noPopular')}</span>}
          {popular.data?.map((k, i) => (
            <Link key={k} href={searchHref(k)} className="chip">
              <span className="muted">{i + 1}</span> {k}
            </Link>
          ))}
        </div>
      </div>
      {user && (
        <div>
          <div className="section-head">
            <h2>{t('search.recent')}</h2>
            {recent.data && recent.data.length > 0 && (
              <Button variant="ghost" busy={remove.busy} onClick={() => void remove.run()}>
                {t('search.clearRecent')}
              </Button>
            )}
          </div>
          <ErrorText error={recent.error ?? remove.error} />
          <div className="chips" data-testid="recent-keywords">
            {recent.data?.length === 0 && <span className="muted">{t('search.noRecent')}</span>}
            {recent.data?.map((k) => (
              <span key={k} className="chip">
                <Link href={searchHref(k)}>{k}</Link>
                <button type="button" className="chip-x" aria-label={t('search.removeRecent', { keyword: k })} onClick={() => void remove.run(k)}>
                  ×
                </button>
              </span>
            ))}
          </div>
        </div>
      )}
    </div>
  );
}

/** The service marks matches with `<em>`; shown as marks without trusting any other markup. */
function Highlighted({ text }: { text: string }) {
  const parts = text.split(/(<em>.*?<\/em>)/g);
  return (
    <>
      {parts.map((part, i) => {
        const m = /^<em>(.*)<\/em>$/.exec(part);
        return m ? <mark key={i}>{m[1]}</mark> : <span key={i}>{part.replace(/<\/?em>/g, '')}</span>;
      })}
    </>
  );
}

export function SearchPage() {
  const { t } = useT();
  const api = useApi();
  const search = useSearch();
  const [, navigate] = useLocation();
  const params = new URLSearchParams(search);
  const keyword = (params.get('q') ?? '').trim();
  const page = Math.max(1, Number(params.get('page')) || 1);
  const results = useLoad(
    () =>
      keyword
        ? unwrap(api.GET('/api/v1/shopping/search', { params: { query: { keyword, page: page - 1, size: PAGE_SIZE } } }))
        : Promise.resolve(undefined),
    [api, keyword, page],
  );

  return (
    <div>
      {keyword && (
        <div className="section-head">
          <h1>{t('search.resultsFor', { keyword })}</h1>
          {results.data && <span className="muted">{t('search.hits', { count: results.data.totalHits })}</span>}
        </div>
      )}
      <ErrorText error={results.error} />
      {keyword && results.loading && !results.data && <Loading />}
      {results.data && results.data.results.length === 0 && <p className="muted">{t('search.none')}</p>}
      <ul className="result-list">
        {results.data?.results.map((r) => (
          <li key={r.id}>
            <Link href={`/products/${r.id}`} data-testid="search-result">
              <span className="product-name">{r.highlightedName ? <Highlighted text={r.highlightedName} /> : r.name}</span>
              <Price price={r.price} />
              {r.stock <= 0 && <span className="badge badge-bad">{t('product.soldOut')}</span>}
            </Link>
            {r.description && <p className="muted small">{r.highlightedDescription ? <Highlighted text={r.highlightedDescription} /> : r.description}</p>}
          </li>
        ))}
      </ul>
      {results.data && (
        <Pager
          page={page}
          totalPages={results.data.totalPages}
          onPage={(p) => navigate(`/search?q=${encodeURIComponent(keyword)}&page=${p}`)}
          label={(p, total) => t('common.page', { page: p, total })}
        />
      )}
      <Keywords after={results.data} />
    </div>
  );
}
