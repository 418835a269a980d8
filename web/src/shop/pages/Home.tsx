/** The product list (`/`, `/products`): categories, a page of products, pages. The choice lives in the address. */
import { Link, useLocation, useSearch } from 'wouter';
import { unwrap, type ApiClient } from '../../shared/api';
import { useApi } from '../../shared/context';
import { useLoad } from '../../shared/hooks';
import { ErrorText, Pager } from '../../shared/ui';
import { Loading, Picture, Price } from '../common';
import { useT } from '../messages';

const PAGE_SIZE = 12;

let categoriesOnce: Promise<string[]> | null = null;

/**
 * The catalog's categories, in the order they first appear. The API has no
 * list of them, so they are read once per visit from the product pages.
 */
function loadCategories(api: ApiClient): Promise<string[]> {
  categoriesOnce ??= (async () => {
    const seen = new Set<string>();
    for (let page = 1; page <= 20; page++) {
      const data = await unwrap(api.GET('/api/v1/shopping/products', { params: { query: { page, size: 100 } } }));
      for (const p of data.items) if (p.category) seen.add(p.category);
      if (page >= data.totalPages) break;
    }
    return [...seen];
  })().catch((err: unknown) => {
    categoriesOnce = null; // try again on the next visit
    throw err;
  });
  return categoriesOnce;
}

export type ProductItem = {
  id: number;
  name: string;
  price: number;
  discountPrice: number | null;
  stock: number;
  imageUrl: string | null;
  category: string | null;
};

export function ProductCard({ product }: { product: ProductItem }) {
  const { t } = useT();
  return (
    <Link href={`/products/${product.id}`} className="product-card" data-testid="product-card">
      <Picture src={product.imageUrl} alt={product.name} />
      <div className="product-card-body">
        {product.category && <span className="muted small">{product.category}</span>}
        <span className="product-name">{product.name}</span>
        <Price price={product.price} />
        {product.stock <= 0 && <span className="badge badge-bad">{t('product.soldOut')}</span>}
      </div>
    </Link>
  );
}

export function HomePage() {
  const { t } = useT();
  const api = useApi();
  const search = useSearch();
  const [, navigate] = useLocation();
  const params = new URLSearchParams(search);
  const category = params.get('category') ?? undefined;
  const page = Math.max(1, Number(params.get('page')) || 1);

  const categories = useLoad(() => loadCategories(api), [api]);
  const products = useLoad(
    () => unwrap(api.GET('/api/v1/shopping/products', { params: { query: { page, size: PAGE_SIZE, ...(category ? { category } : {}) } } })),
    [api, page, category],
  );

  const go = (next: { category?: string; page?: number }) => {
    const q = new URLSearchParams();
    if (next.category) q.set('category', next.category);
    if (next.page && next.page > 1) q.set('page', String(next.page));
    const text = q.toString();
    navigate(text ? `/products?${text}` : '/');
  };

  return (
    <div>
      <nav className="chips" aria-label={t('product.categories')}>
        <button type="button" className={`chip ${!category ? 'active' : ''}`} onClick={() => go({})} data-testid="category-all">
          {t('product.allCategories')}
        </button>
        {categories.data?.map((c) => (
          <button key={c} type="button" className={`chip ${c === category ? 'active' : ''}`} onClick={() => go({ category: c })} data-testid="category">
            {c}
          </button>
        ))}
      </nav>
      <ErrorText error={categories.error} />
      <div className="section-head">
        <h1>{category ?? t('product.allProducts')}</h1>
        {products.data && <span className="muted">{t('product.count', { count: products.data.totalElements })}</span>}
      </div>
      <ErrorText error={products.error} />
      {products.loading && !products.data && <Loading />}
      {products.data && products.data.items.length === 0 && <p className="muted">{t('product.none')}</p>}
      <div className="product-grid" aria-busy={products.loading}>
        {products.data?.items.map((p) => <ProductCard key={p.id} product={p} />)}
      </div>
      {products.data && (
        <Pager page={page} totalPages={products.data.totalPages} onPage={(p) => go({ category, page: p })} label={(p, total) => t('common.page', { page: p, total })} />
      )}
    </div>
  );
}
