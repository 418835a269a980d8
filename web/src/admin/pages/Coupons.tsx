/** Coupons: create one, list them with issued / total and status, deactivate one. */
import { useState, type FormEvent } from 'react';
import { unwrap } from '../../shared/api';
import { useApi } from '../../shared/context';
import { formatDateTime, formatNumber, formatWon, isoToLocalInput, localInputToIso } from '../../shared/format';
import { useAction, useLoad } from '../../shared/hooks';
import { Alert, Badge, Button, Card, ErrorText, Field, Pager, Table, type Column } from '../../shared/ui';
import { useT } from '../messages';
import { statusTone } from '../status';

const PAGE_SIZE = 100;

interface CouponForm {
  code: string;
  name: string;
  description: string;
  discountType: 'FIXED' | 'PERCENTAGE';
  discountValue: string;
  minimumOrderAmount: string;
  maximumDiscountAmount: string;
  totalQuantity: string;
  startsAt: string;
  expiresAt: string;
}

function emptyForm(): CouponForm {
  const now = new Date();
  return {
    code: '',
    name: '',
    description: '',
    discountType: 'FIXED',
    discountValue: '',
    minimumOrderAmount: '',
    maximumDiscountAmount: '',
    totalQuantity: '',
    startsAt: isoToLocalInput(now),
    expiresAt: isoToLocalInput(new Date(now.getTime() + 7 * 86_400_000)),
  };
}

const optionalNumber = (value: string) => (value.trim() === '' ? null : Number(value));

export function CouponsPage() {
  const { t, lang } = useT();
  const api = useApi();
  const [page, setPage] = useState(1);
  const [form, setForm] = useState<CouponForm>(emptyForm);
  const [created, setCreated] = useState<string | null>(null);
  const list = useLoad(() => unwrap(api.GET('/api/v1/shopping/admin/coupons', { params: { query: { page, size: PAGE_SIZE } } })), [page]);

  const create = useAction(async () => {
    const coupon = await unwrap(
      api.POST('/api/v1/shopping/admin/coupons', {
        body: {
          code: form.code.trim(),
          name: form.name.trim(),
          description: form.description.trim() || null,
          discountType: form.discountType,
          discountValue: Number(form.discountValue),
          minimumOrderAmount: optionalNumber(form.minimumOrderAmount),
          maximumDiscountAmount: optionalNumber(form.maximumDiscountAmount),
          totalQuantity: Number(form.totalQuantity),
          startsAt: localInputToIso(form.startsAt),
          expiresAt: localInputToIso(form.expiresAt),
        },
      }),
    );
    setCreated(coupon.code);
    setForm(emptyForm());
    list.reload();
  });

  const [deactivating, setDeactivating] = useState<number | null>(null);
  const deactivate = useAction(async (id: number) => {
    setDeactivating(id);
    try {
      await unwrap(api.DELETE('/api/v1/shopping/admin/coupons/{id}', { params: { path: { id } } }));
      list.reload();
    } finally {
      setDeactivating(null);
    }
  });

  const set = (key: keyof CouponForm) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setCreated(null);
    void create.run();
  };

  type Coupon = NonNullable<typeof list.data>['items'][number];
  const columns: Column<Coupon>[] = [
    { key: 'code', header: t('coupon.code'), cell: (c) => <strong>{c.code}</strong> },
    { key: 'name', header: t('common.name'), cell: (c) => c.name },
    {
      key: 'discount',
      header: t('coupon.discount'),
      cell: (c) => (c.discountType === 'PERCENTAGE' ? `${c.discountValue}%` : formatWon(lang, c.discountValue)),
    },
    {
      key: 'issued',
      header: t('coupon.issuedOfTotal'),
      align: 'right',
      cell: (c) => (
        <span data-testid="coupon-issued">
          {formatNumber(lang, c.issuedQuantity)} / {formatNumber(lang, c.totalQuantity)}
        </span>
      ),
    },
    { key: 'status', header: t('common.status'), cell: (c) => <Badge tone={statusTone(c.status)}>{c.status}</Badge> },
    { key: 'period', header: t('coupon.period'), cell: (c) => `${formatDateTime(lang, c.startsAt)} – ${formatDateTime(lang, c.expiresAt)}` },
    {
      key: 'actions',
      header: '',
      cell: (c) =>
        c.status !== 'INACTIVE' && (
          <Button
            variant="danger"
            busy={deactivating === c.id}
            onClick={() => {
              if (window.confirm(t('coupon.deactivateConfirm', { code: c.code }))) void deactivate.run(c.id);
            }}
          >
            {t('coupon.deactivate')}
          </Button>
        ),
    },
  ];

  return (
    <>
      <Card title={t('coupon.new')}>
        <form className="form-grid" onSubmit={submit} data-testid="coupon-form">
          <Field label={t('coupon.code')}>
            <input data-testid="coupon-code" required maxLength={50} value={form.code} onChange={set('code')} />
          </Field>
          <Field label={t('common.name')}>
            <input data-testid="coupon-name" required maxLength={100} value={form.name} onChange={set('name')} />
          </Field>
          <Field label={t('coupon.total')}>
            <input data-testid="coupon-total" required type="number" min={1} step={1} value={form.totalQuantity} onChange={set('totalQuantity')} />
          </Field>
          <Field label={t('coupon.discountType')}>
            <select value={form.discountType} onChange={set('discountType')} data-testid="coupon-type">
              <option value="FIXED">{t('coupon.fixed')}</option>
              <option value="PERCENTAGE">{t('coupon.percentage')}</option>
            </select>
          </Field>
          <Field label={form.discountType === 'PERCENTAGE' ? t('coupon.percent') : t('coupon.amount')}>
            <input data-testid="coupon-value" required type="number" min={1} step={1} value={form.discountValue} onChange={set('discountValue')} />
          </Field>
          <Field label={t('coupon.minimumOrder')}>
            <input type="number" min={0} step={1} value={form.minimumOrderAmount} onChange={set('minimumOrderAmount')} />
          </Field>
          <Field label={t('coupon.maximumDiscount')}>
            <input type="number" min={0} step={1} value={form.maximumDiscountAmount} onChange={set('maximumDiscountAmount')} />
          </Field>
          <Field label={t('common.startsAt')}>
            <input type="datetime-local" required value={form.startsAt} onChange={set('startsAt')} />
          </Field>
          <Field label={t('coupon.expiresAt')}>
            <input type="datetime-local" required value={form.expiresAt} onChange={set('expiresAt')} />
          </Field>
          <Field label={t('coupon.description')} wide>
            <input maxLength={500} value={form.description} onChange={set('description')} />
          </Field>
          <div className="form-actions field-wide">
            <Button data-testid="coupon-submit" type="submit" variant="primary" busy={create.busy}>
              {t('common.create')}
            </Button>
            {created && <Alert kind="success">{t('coupon.created', { code: created })}</Alert>}
          </div>
        </form>
        <ErrorText error={create.error} onClose={create.clearError} />
      </Card>
      <Card title={t('nav.coupons')} actions={<Button onClick={list.reload} busy={list.loading}>{t('common.refresh')}</Button>}>
        <ErrorText error={list.error ?? deactivate.error} onClose={deactivate.clearError} />
        <Table columns={columns} rows={list.data?.items.slice().reverse()} rowKey={(c) => c.id} loading={list.loading} empty={t('common.empty')} />
        <Pager page={page} totalPages={list.data?.totalPages ?? 1} onPage={setPage} label={(p, n) => t('common.page', { page: p, total: n })} />
      </Card>
    </>
  );
}
