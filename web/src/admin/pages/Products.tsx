/**
 * Products and their stock: list (or search), create, edit, set the available
 * stock or add incoming stock with a reason, and each product's movement history.
 */
import { useState, type FormEvent } from 'react';
import { unwrap } from '../../shared/api';
import { useApi } from '../../shared/context';
import { formatDateTime, formatNumber, formatWon } from '../../shared/format';
import { useAction, useLoad } from '../../shared/hooks';
import { Alert, Badge, Button, Card, ErrorText, Field, Pager, Table, type Column } from '../../shared/ui';
import { useT } from '../messages';

const PAGE_SIZE = 20;

interface ProductRow {
  id: number;
  name: string;
  price: number;
  stock: number;
}

interface ProductForm {
  name: string;
  description: string;
  price: string;
  discountPrice: string;
  stock: string;
  category: string;
  imageUrl: string;
  featured: boolean;
}

const EMPTY_FORM: ProductForm = { name: '', description: '', price: '', discountPrice: '', stock: '0', category: '', imageUrl: '', featured: false };

const orNull = (value: string) => (value.trim() === '' ? null : value.trim());
const numberOrNull = (value: string) => (value.trim() === '' ? null : Number(value));

function ProductFields({ form, setForm, withStock }: { form: ProductForm; setForm: (f: ProductForm) => void; withStock: boolean }) {
  const { t } = useT();
  const set = (key: keyof ProductForm) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  return (
    <>
      <Field label={t('common.name')}>
        <input data-testid="product-name" required maxLength={200} value={form.name} onChange={set('name')} />
      </Field>
      <Field label={t('product.price')}>
        <input data-testid="product-price" required type="number" min={0} step={1} value={form.price} onChange={set('price')} />
      </Field>
      <Field label={t('product.discountPrice')}>
        <input type="number" min={0} step={1} value={form.discountPrice} onChange={set('discountPrice')} />
      </Field>
      {withStock && (
        <Field label={t('product.stock')}>
          <input data-testid="product-stock" required type="number" min={0} step={1} value={form.stock} onChange={set('stock')} />
        </Field>
      )}
      <Field label={t('product.category')}>
        <input maxLength={100} value={form.category} onChange={set('category')} />
      </Field>
      <Field label={t('product.imageUrl')}>
        <input type="url" value={form.imageUrl} onChange={set('imageUrl')} />
      </Field>
      <Field label={t('product.description')} wide>
        <textarea value={form.description} onChange={set('description')} />
      </Field>
      <label className="row-gap">
        <input type="checkbox" style={{ width: 'auto', minHeight: 0 }} checked={form.featured} onChange={(e) => setForm({ ...form, featured: e.target.checked })} />
        {t('product.featured')}
      </label>
    </>
  );
}

function body(form: ProductForm, stock: number) {
  return {
    name: form.name.trim(),
    description: orNull(form.description),
    price: Number(form.price),
    discountPrice: numberOrNull(form.discountPrice),
    stock,
    imageUrl: orNull(form.imageUrl),
    category: orNull(form.category),
    featured: form.featured,
  };
}

function NewProduct({ onCreated }: { onCreated: (id: number) => void }) {
  const { t } = useT();
  const api = useApi();
  const [form, setForm] = useState<ProductForm>(EMPTY_FORM);
  const create = useAction(async () => {
    const product = await unwrap(api.POST('/api/v1/shopping/admin/products', { body: body(form, Number(form.stock)) }));
    setForm(EMPTY_FORM);
    onCreated(product.id);
  });
  return (
    <Card title={t('product.new')}>
      <form
        className="form-grid"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <ProductFields form={form} setForm={setForm} withStock />
        <div className="form-actions field-wide">
          <Button type="submit" variant="primary" busy={create.busy} data-testid="product-submit">
            {t('common.create')}
          </Button>
        </div>
      </form>
      <ErrorText error={create.error} onClose={create.clearError} />
    </Card>
  );
}

function ProductDetail({ id, onChanged, onClose }: { id: number; onChanged: () => void; onClose: () => void }) {
  const { t, lang } = useT();
  const api = useApi();
  const [form, setForm] = useState<ProductForm | null>(null);
  const [stock, setStock] = useState({ mode: 'adjust' as 'adjust' | 'inbound', quantity: '', reason: '' });
  const [notice, setNotice] = useState<string | null>(null);
  const [movementsPage, setMovementsPage] = useState(1);

  const product = useLoad(async () => {
    const p = await unwrap(api.GET('/api/v1/shopping/products/{productId}', { params: { path: { productId: id } } }));
    setForm({
      name: p.name,
      description: p.description ?? '',
      price: String(p.price),
      discountPrice: p.discountPrice === null ? '' : String(p.discountPrice),
      stock: String(p.stock),
      category: p.category ?? '',
      imageUrl: p.imageUrl ?? '',
      featured: p.featured,
    });
    return p;
  }, [id]);
  const movements = useLoad(
    () => unwrap(api.GET('/api/v1/shopping/admin/inventory/{productId}/movements', { params: { path: { productId: id }, query: { page: movementsPage, size: 10 } } })),
    [id, movementsPage],
  );

  const save = useAction(async () => {
    if (!form || !product.data) return;
    await unwrap(api.PUT('/api/v1/shopping/admin/products/{id}', { params: { path: { id } }, body: body(form, product.data.stock) }));
    setNotice(t('common.saved'));
    product.reload();
    onChanged();
  });
  const changeStock = useAction(async () => {
    const reason = stock.reason.trim() || null;
    if (stock.mode === 'adjust') {
      await unwrap(
        api.PUT('/api/v1/shopping/admin/inventory/{productId}/adjust', { params: { path: { productId: id } }, body: { availableQuantity: Number(stock.quantity), reason } }),
      );
    } else {
      await unwrap(api.POST('/api/v1/shopping/admin/inventory/{productId}/inbound', { params: { path: { productId: id } }, body: { quantity: Number(stock.quantity), reason } }));
    }
    setStock({ ...stock, quantity: '', reason: '' });
    setNotice(t('product.stockChanged'));
    product.reload();
    movements.reload();
    onChanged();
  });
  const remove = useAction(async () => {
    await unwrap(api.DELETE('/api/v1/shopping/admin/products/{id}', { params: { path: { id } } }));
    onChanged();
    onClose();
  });

  type Movement = NonNullable<typeof movements.data>['items'][number];
  const movementColumns: Column<Movement>[] = [
    { key: 'at', header: t('common.createdAt'), cell: (m) => formatDateTime(lang, m.createdAt) },
    { key: 'type', header: t('product.movementType'), cell: (m) => <Badge>{m.movementType}</Badge> },
    { key: 'qty', header: t('common.quantity'), align: 'right', cell: (m) => formatNumber(lang, m.quantity) },
    { key: 'avail', header: t('product.available'), align: 'right', cell: (m) => `${formatNumber(lang, m.previousAvailable)} → ${formatNumber(lang, m.afterAvailable)}` },
    { key: 'reserved', header: t('product.reserved'), align: 'right', cell: (m) => `${formatNumber(lang, m.previousReserved)} → ${formatNumber(lang, m.afterReserved)}` },
    { key: 'ref', header: t('product.reference'), cell: (m) => (m.referenceType ? `${m.referenceType} ${m.referenceId ?? ''}` : '–') },
    { key: 'reason', header: t('common.reason'), cell: (m) => m.reason ?? '–' },
  ];

  return (
    <Card
      title={product.data ? `#${id} ${product.data.name}` : `#${id}`}
      actions={
        <>
          <Button
            variant="danger"
            busy={remove.busy}
            onClick={() => {
              if (window.confirm(t('product.deleteConfirm'))) void remove.run();
            }}
          >
            {t('common.delete')}
          </Button>
          <Button onClick={onClose}>{t('common.close')}</Button>
        </>
      }
    >
      <ErrorText error={product.error ?? remove.error} />
      {notice && (
        <Alert kind="success" onClose={() => setNotice(null)}>
          {notice}
        </Alert>
      )}
      <div className="grid-2">
        <form
          className="form-grid"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            setNotice(null);
            void save.run();
          }}
        >
          {form && <ProductFields form={form} setForm={setForm} withStock={false} />}
          <div className="form-actions field-wide">
            <Button type="submit" variant="primary" busy={save.busy} disabled={!form}>
              {t('common.save')}
            </Button>
          </div>
          <div className="field-wide">
            <ErrorText error={save.error} onClose={save.clearError} />
          </div>
        </form>
        <form
          className="form-grid"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            setNotice(null);
            void changeStock.run();
          }}
        >
          <div className="field-wide stat">
            <span className="stat-label">{t('product.stock')}</span>
            <span className="stat-value" data-testid="product-stock-value">
              {formatNumber(lang, product.data?.stock)}
            </span>
          </div>
          <Field label={t('product.stockAction')}>
            <select value={stock.mode} onChange={(e) => setStock({ ...stock, mode: e.target.value as 'adjust' | 'inbound' })}>
              <option value="adjust">{t('product.setAvailable')}</option>
              <option value="inbound">{t('product.inbound')}</option>
            </select>
          </Field>
          <Field label={stock.mode === 'adjust' ? t('product.newAvailable') : t('product.inboundQuantity')}>
            <input
              data-testid="stock-quantity"
              required
              type="number"
              min={stock.mode === 'adjust' ? 0 : 1}
              step={1}
              value={stock.quantity}
              onChange={(e) => setStock({ ...stock, quantity: e.target.value })}
            />
          </Field>
          <Field label={t('common.reason')} wide>
            <input data-testid="stock-reason" required maxLength={255} value={stock.reason} onChange={(e) => setStock({ ...stock, reason: e.target.value })} />
          </Field>
          <div className="form-actions field-wide">
            <Button type="submit" variant="primary" busy={changeStock.busy} data-testid="stock-submit">
              {t('product.applyStock')}
            </Button>
          </div>
          <div className="field-wide">
            <ErrorText error={changeStock.error} onClose={changeStock.clearError} />
          </div>
        </form>
      </div>
      <h3 style={{ margin: '16px 0 8px' }}>{t('product.movements')}</h3>
      <ErrorText error={movements.error} />
      <Table columns={movementColumns} rows={movements.data?.items} rowKey={(m) => m.id} loading={movements.loading} empty={t('common.empty')} />
      <Pager
        page={movementsPage}
        totalPages={movements.data?.totalPages ?? 1}
        onPage={setMovementsPage}
        label={(p, n) => t('common.page', { page: p, total: n })}
      />
    </Card>
  );
}

export function ProductsPage() {
  const { t, lang } = useT();
  const api = useApi();
  const [page, setPage] = useState(1);
  const [keyword, setKeyword] = useState('');
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);

  const list = useLoad(async (): Promise<{ rows: ProductRow[]; totalPages: number; total: number }> => {
    if (query) {
      // Search pages count from 0, lists from 1.
      const found = await unwrap(api.GET('/api/v1/shopping/search/products', { params: { query: { keyword: query, page: page - 1, size: PAGE_SIZE } } }));
      return { rows: found.results, totalPages: found.totalPages, total: found.totalHits };
    }
    const all = await unwrap(api.GET('/api/v1/shopping/products', { params: { query: { page, size: PAGE_SIZE } } }));
    return { rows: all.items, totalPages: all.totalPages, total: all.totalElements };
  }, [page, query]);

  const columns: Column<ProductRow>[] = [
    { key: 'id', header: t('common.id'), cell: (p) => p.id },
    { key: 'name', header: t('common.name'), cell: (p) => p.name },
    { key: 'price', header: t('product.price'), align: 'right', cell: (p) => formatWon(lang, p.price) },
    {
      key: 'stock',
      header: t('product.stock'),
      align: 'right',
      cell: (p) => (p.stock === 0 ? <Badge tone="bad">{t('product.soldOut')}</Badge> : formatNumber(lang, p.stock)),
    },
  ];

  return (
    <>
      {selected !== null && <ProductDetail key={selected} id={selected} onChanged={list.reload} onClose={() => setSelected(null)} />}
      {creating && (
        <NewProduct
          onCreated={(id) => {
            setCreating(false);
            setSelected(id);
            list.reload();
          }}
        />
      )}
      <Card
        title={t('nav.products')}
        actions={
          <Button variant={creating ? 'secondary' : 'primary'} onClick={() => setCreating(!creating)}>
            {creating ? t('common.cancel') : t('product.new')}
          </Button>
        }
      >
        <form
          className="toolbar"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            setPage(1);
            setQuery(keyword.trim());
          }}
        >
          <Field label={t('product.searchLabel')}>
            <input data-testid="product-search" type="search" value={keyword} onChange={(e) => setKeyword(e.target.value)} />
          </Field>
          <Button type="submit" busy={list.loading}>
            {t('common.search')}
          </Button>
          {query && (
            <Button
              variant="ghost"
              onClick={() => {
                setKeyword('');
                setQuery('');
                setPage(1);
              }}
            >
              {t('common.reset')}
            </Button>
          )}
          <span className="muted">{list.data && t('product.count', { count: formatNumber(lang, list.data.total) })}</span>
        </form>
        <ErrorText error={list.error} />
        <Table columns={columns} rows={list.data?.rows} rowKey={(p) => p.id} loading={list.loading} empty={t('common.empty')} onRowClick={(p) => {
            setSelected(p.id);
            window.scrollTo({ top: 0, behavior: 'smooth' });
          }} />
        <Pager page={page} totalPages={list.data?.totalPages ?? 1} onPage={setPage} label={(p, n) => t('common.page', { page: p, total: n })} />
      </Card>
    </>
  );
}
