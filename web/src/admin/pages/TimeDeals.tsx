/** Time deals: create one with its products and schedule, list them with sold / left, cancel one. */
import { useState, type FormEvent } from 'react';
import { unwrap } from '../../shared/api';
import { useApi } from '../../shared/context';
import { formatDateTime, formatNumber, formatWon, isoToLocalInput, localInputToIso } from '../../shared/format';
import { useAction, useLoad } from '../../shared/hooks';
import { Alert, Badge, Button, Card, ErrorText, Field, Pager, Table, type Column } from '../../shared/ui';
import { useT } from '../messages';
import { statusTone } from '../status';

const PAGE_SIZE = 50;

interface DealLine {
  productId: number;
  productName: string;
  price: number;
  dealPrice: string;
  dealQuantity: string;
  maxPerUser: string;
}

function emptyForm() {
  const start = new Date(Date.now() + 5 * 60_000);
  return {
    name: '',
    description: '',
    startsAt: isoToLocalInput(start),
    endsAt: isoToLocalInput(new Date(start.getTime() + 2 * 3_600_000)),
    lines: [] as DealLine[],
  };
}

/** Finds products by name and adds them to the deal being written. */
function ProductPicker({ onPick, picked }: { onPick: (p: { id: number; name: string; price: number }) => void; picked: number[] }) {
  const { t, lang } = useT();
  const api = useApi();
  const [keyword, setKeyword] = useState('');
  const search = useAction(async (word: string) => unwrap(api.GET('/api/v1/shopping/search/products', { params: { query: { keyword: word, size: 8 } } })));
  const [results, setResults] = useState<{ id: number; name: string; price: number; stock: number }[] | null>(null);
  const find = async () => {
    const found = await search.run(keyword.trim());
    if (found) setResults(found.results);
  };
  return (
    <div className="field-wide">
      <div className="toolbar">
        <Field label={t('timedeal.findProduct')}>
          <input
            data-testid="timedeal-product-search"
            type="search"
            value={keyword}
            onChange={(e) => setKeyword(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                void find();
              }
            }}
          />
        </Field>
        <Button busy={search.busy} onClick={() => void find()} disabled={!keyword.trim()}>
          {t('common.search')}
        </Button>
      </div>
      <ErrorText error={search.error} />
      {results?.length === 0 && <p className="muted">{t('timedeal.noProducts')}</p>}
      {results && results.length > 0 && (
        <ul className="pick-list">
          {results.map((p) => (
            <li key={p.id}>
              <span>
                #{p.id} {p.name} · {formatWon(lang, p.price)} · {t('product.stock')} {formatNumber(lang, p.stock)}
              </span>
              <Button data-testid="timedeal-product-add" disabled={picked.includes(p.id)} onClick={() => onPick(p)}>
                {t('timedeal.add')}
              </Button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function TimeDealsPage() {
  const { t, lang } = useT();
  const api = useApi();
  const [page, setPage] = useState(1);
  const [form, setForm] = useState(emptyForm);
  const [created, setCreated] = useState<string | null>(null);
  const list = useLoad(() => unwrap(api.GET('/api/v1/shopping/admin/time-deals', { params: { query: { page, size: PAGE_SIZE } } })), [page]);

  const create = useAction(async () => {
    const deal = await unwrap(
      api.POST('/api/v1/shopping/admin/time-deals', {
        body: {
          name: form.name.trim(),
          description: form.description.trim() || null,
          startsAt: localInputToIso(form.startsAt),
          endsAt: localInputToIso(form.endsAt),
          products: form.lines.map((l) => ({
            productId: l.productId,
            dealPrice: Number(l.dealPrice),
            dealQuantity: Number(l.dealQuantity),
            maxPerUser: Number(l.maxPerUser),
          })),
        },
      }),
    );
    setCreated(deal.name);
    setForm(emptyForm());
    list.reload();
  });
  const [cancelling, setCancelling] = useState<number | null>(null);
  const cancel = useAction(async (id: number) => {
    setCancelling(id);
    try {
      await unwrap(api.DELETE('/api/v1/shopping/admin/time-deals/{timeDealId}', { params: { path: { timeDealId: id } } }));
      list.reload();
    } finally {
      setCancelling(null);
    }
  });

  const setLine = (index: number, key: 'dealPrice' | 'dealQuantity' | 'maxPerUser', value: string) =>
    setForm((f) => ({ ...f, lines: f.lines.map((l, i) => (i === index ? { ...l, [key]: value } : l)) }));

  type Deal = NonNullable<typeof list.data>['items'][number];
  const columns: Column<Deal>[] = [
    { key: 'id', header: t('common.id'), cell: (d) => d.id },
    { key: 'name', header: t('common.name'), cell: (d) => <strong>{d.name}</strong> },
    { key: 'status', header: t('common.status'), cell: (d) => <Badge tone={statusTone(d.status)}>{d.status}</Badge> },
    { key: 'products', header: t('timedeal.products'), wrap: true, cell: (d) => d.products.map((p) => p.productName).join(', ') },
    {
      key: 'sold',
      header: t('timedeal.soldLeft'),
      align: 'right',
      cell: (d) => {
        const sold = d.products.reduce((n, p) => n + p.soldQuantity, 0);
        const left = d.products.reduce((n, p) => n + p.remainingQuantity, 0);
        return `${formatNumber(lang, sold)} / ${formatNumber(lang, left)}`;
      },
    },
    { key: 'period', header: t('coupon.period'), cell: (d) => `${formatDateTime(lang, d.startsAt)} – ${formatDateTime(lang, d.endsAt)}` },
    {
      key: 'actions',
      header: '',
      cell: (d) =>
        (d.status === 'SCHEDULED' || d.status === 'ACTIVE') && (
          <Button
            variant="danger"
            busy={cancelling === d.id}
            onClick={() => {
              if (window.confirm(t('timedeal.cancelConfirm', { name: d.name }))) void cancel.run(d.id);
            }}
          >
            {t('timedeal.cancel')}
          </Button>
        ),
    },
  ];

  return (
    <>
      <Card title={t('timedeal.new')}>
        <form
          className="form-grid"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            setCreated(null);
            void create.run();
          }}
        >
          <Field label={t('common.name')}>
            <input data-testid="timedeal-name" required maxLength={100} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
          </Field>
          <Field label={t('common.startsAt')}>
            <input data-testid="timedeal-starts" type="datetime-local" required value={form.startsAt} onChange={(e) => setForm({ ...form, startsAt: e.target.value })} />
          </Field>
          <Field label={t('common.endsAt')}>
            <input data-testid="timedeal-ends" type="datetime-local" required value={form.endsAt} onChange={(e) => setForm({ ...form, endsAt: e.target.value })} />
          </Field>
          <Field label={t('coupon.description')} wide>
            <input maxLength={500} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
          </Field>
          <ProductPicker
            picked={form.lines.map((l) => l.productId)}
            onPick={(p) =>
              setForm((f) => ({
                ...f,
                lines: [...f.lines, { productId: p.id, productName: p.name, price: p.price, dealPrice: String(Math.round(p.price * 0.8)), dealQuantity: '10', maxPerUser: '1' }],
              }))
            }
          />
          {form.lines.length > 0 && (
            <div className="field-wide table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th>{t('timedeal.product')}</th>
                    <th className="num">{t('product.price')}</th>
                    <th>{t('timedeal.dealPrice')}</th>
                    <th>{t('timedeal.dealQuantity')}</th>
                    <th>{t('timedeal.maxPerUser')}</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {form.lines.map((l, i) => (
                    <tr key={l.productId} data-testid="timedeal-line">
                      <td>
                        #{l.productId} {l.productName}
                      </td>
                      <td className="num">{formatWon(lang, l.price)}</td>
                      <td>
                        <input required type="number" min={1} step={1} value={l.dealPrice} onChange={(e) => setLine(i, 'dealPrice', e.target.value)} aria-label={t('timedeal.dealPrice')} />
                      </td>
                      <td>
                        <input required type="number" min={1} step={1} value={l.dealQuantity} onChange={(e) => setLine(i, 'dealQuantity', e.target.value)} aria-label={t('timedeal.dealQuantity')} />
                      </td>
                      <td>
                        <input required type="number" min={1} step={1} value={l.maxPerUser} onChange={(e) => setLine(i, 'maxPerUser', e.target.value)} aria-label={t('timedeal.maxPerUser')} />
                      </td>
                      <td>
                        <Button variant="ghost" onClick={() => setForm((f) => ({ ...f, lines: f.lines.filter((_, j) => j !== i) }))} aria-label={t('common.delete')}>
                          ×
                        </Button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div className="form-actions field-wide">
            <Button data-testid="timedeal-submit" type="submit" variant="primary" busy={create.busy} disabled={form.lines.length === 0}>
              {t('common.create')}
            </Button>
            {form.lines.length === 0 && <span className="muted">{t('timedeal.needProduct')}</span>}
            {created && <Alert kind="success">{t('timedeal.created', { name: created })}</Alert>}
          </div>
        </form>
        <ErrorText error={create.error} onClose={create.clearError} />
      </Card>
      <Card title={t('nav.timedeals')} actions={<Button onClick={list.reload} busy={list.loading}>{t('common.refresh')}</Button>}>
        <ErrorText error={list.error ?? cancel.error} onClose={cancel.clearError} />
        <Table columns={columns} rows={list.data?.items.slice().reverse()} rowKey={(d) => d.id} loading={list.loading} empty={t('common.empty')} />
        <Pager page={page} totalPages={list.data?.totalPages ?? 1} onPage={setPage} label={(p, n) => t('common.page', { page: p, total: n })} />
      </Card>
    </>
  );
}
