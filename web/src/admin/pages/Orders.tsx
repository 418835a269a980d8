/**
 * Orders: find them by number, user or status; an order's detail with its
 * saga's state, payments and delivery; move the delivery on, cancel the order,
 * refund a payment.
 */
import { useState, type FormEvent } from 'react';
import { useLocation, useParams } from 'wouter';
import type { paths } from '../../api/schema';
import { unwrap } from '../../shared/api';
import { useApi } from '../../shared/context';
import { formatDateTime, formatNumber, formatWon } from '../../shared/format';
import { useAction, useLoad } from '../../shared/hooks';
import { Alert, Badge, Button, Card, ErrorText, Field, Pager, Table, type Column } from '../../shared/ui';
import { useT } from '../messages';
import { statusTone } from '../status';

type OrderStatus = NonNullable<NonNullable<paths['/api/v1/shopping/admin/orders']['get']['parameters']['query']>['status']>;
type DeliveryStatus = paths['/api/v1/shopping/deliveries/{trackingNumber}/status']['put']['requestBody']['content']['application/json']['status'];

const ORDER_STATUSES: OrderStatus[] = ['PENDING', 'CONFIRMED', 'PAID', 'SHIPPING', 'DELIVERED', 'CANCELLED', 'REFUNDED'];

/** The moves the service allows a delivery (it refuses others with S506); offered first in the form. */
const NEXT_DELIVERY: Record<string, DeliveryStatus[]> = {
  PREPARING: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['IN_TRANSIT'],
  IN_TRANSIT: ['DELIVERED', 'RETURNED'],
  DELIVERED: ['RETURNED'],
};

const PAGE_SIZE = 20;

export function OrdersPage() {
  const { t, lang } = useT();
  const api = useApi();
  const [, navigate] = useLocation();
  const [page, setPage] = useState(1);
  const [filter, setFilter] = useState({ keyword: '', userId: '', status: '' as OrderStatus | '' });
  const [applied, setApplied] = useState(filter);
  const list = useLoad(
    () =>
      unwrap(
        api.GET('/api/v1/shopping/admin/orders', {
          params: {
            query: {
              page,
              size: PAGE_SIZE,
              ...(applied.keyword.trim() ? { keyword: applied.keyword.trim() } : {}),
              ...(applied.userId.trim() ? { userId: applied.userId.trim() } : {}),
              ...(applied.status ? { status: applied.status } : {}),
            },
          },
        }),
      ),
    [page, applied],
  );

  type Order = NonNullable<typeof list.data>['items'][number];
  const columns: Column<Order>[] = [
    { key: 'number', header: t('order.number'), cell: (o) => <strong>{o.orderNumber}</strong> },
    { key: 'user', header: t('order.user'), cell: (o) => <span className="muted">{o.userId}</span> },
    { key: 'status', header: t('common.status'), cell: (o) => <Badge tone={statusTone(o.status)}>{o.status}</Badge> },
    { key: 'items', header: t('order.items'), wrap: true, cell: (o) => o.items.map((i) => `${i.productName} × ${i.quantity}`).join(', ') },
    { key: 'amount', header: t('order.amount'), align: 'right', cell: (o) => formatWon(lang, o.finalAmount) },
    { key: 'at', header: t('common.createdAt'), cell: (o) => formatDateTime(lang, o.createdAt) },
  ];

  return (
    <Card title={t('nav.orders')}>
      <form
        className="toolbar"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          setPage(1);
          setApplied(filter);
        }}
      >
        <Field label={t('order.number')}>
          <input data-testid="order-keyword" value={filter.keyword} onChange={(e) => setFilter({ ...filter, keyword: e.target.value })} />
        </Field>
        <Field label={t('order.user')}>
          <input data-testid="order-user" value={filter.userId} onChange={(e) => setFilter({ ...filter, userId: e.target.value })} />
        </Field>
        <Field label={t('common.status')}>
          <select data-testid="order-status" value={filter.status} onChange={(e) => setFilter({ ...filter, status: e.target.value as OrderStatus | '' })}>
            <option value="">{t('common.all')}</option>
            {ORDER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <Button type="submit" busy={list.loading} data-testid="order-search">
          {t('common.search')}
        </Button>
        <span className="muted">{list.data && t('order.count', { count: formatNumber(lang, list.data.totalElements) })}</span>
      </form>
      <ErrorText error={list.error} />
      <Table
        columns={columns}
        rows={list.data?.items}
        rowKey={(o) => o.id}
        loading={list.loading}
        empty={t('common.empty')}
        onRowClick={(o) => navigate(`/orders/${encodeURIComponent(o.orderNumber)}`)}
      />
      <Pager page={page} totalPages={list.data?.totalPages ?? 1} onPage={setPage} label={(p, n) => t('common.page', { page: p, total: n })} />
    </Card>
  );
}

export function OrderDetailPage() {
  const { t, lang } = useT();
  const api = useApi();
  const params = useParams<{ orderNumber: string }>();
  const orderNumber = decodeURIComponent(params.orderNumber);
  const [notice, setNotice] = useState<string | null>(null);
  const [move, setMove] = useState<{ status: DeliveryStatus | ''; location: string; description: string }>({ status: '', location: '', description: '' });
  const [cancelReason, setCancelReason] = useState('');
  const detail = useLoad(() => unwrap(api.GET('/api/v1/shopping/admin/orders/{orderNumber}/detail', { params: { path: { orderNumber } } })), [orderNumber]);

  const moveDelivery = useAction(async (trackingNumber: string, status: DeliveryStatus) => {
    await unwrap(
      api.PUT('/api/v1/shopping/deliveries/{trackingNumber}/status', {
        params: { path: { trackingNumber } },
        body: { status, location: move.location.trim() || null, description: move.description.trim() || null },
      }),
    );
    setMove({ status: '', location: '', description: '' });
    setNotice(t('order.deliveryMoved', { status }));
    detail.reload();
  });
  const cancel = useAction(async () => {
    await unwrap(api.PUT('/api/v1/shopping/orders/{orderNumber}/cancel', { params: { path: { orderNumber } }, body: { reason: cancelReason.trim() } }));
    setCancelReason('');
    setNotice(t('order.cancelled'));
    detail.reload();
  });
  const refund = useAction(async (paymentNumber: string) => {
    await unwrap(api.POST('/api/v1/shopping/payments/{paymentNumber}/refund', { params: { path: { paymentNumber } } }));
    setNotice(t('order.refunded'));
    detail.reload();
  });

  const d = detail.data;
  const order = d?.order;
  const delivery = d?.delivery;
  const next = delivery ? (NEXT_DELIVERY[delivery.status] ?? []) : [];

  return (
    <>
      <div className="row-gap" style={{ marginBottom: 12 }}>
        <a href="#back" onClick={(e) => (e.preventDefault(), history.back())}>
          ← {t('nav.orders')}
        </a>
      </div>
      <ErrorText error={detail.error} />
      {notice && (
        <Alert kind="success" onClose={() => setNotice(null)}>
          {notice}
        </Alert>
      )}
      {order && (
        <Card
          title={
            <>
              {order.orderNumber} <Badge tone={statusTone(order.status)}>{order.status}</Badge>
            </>
          }
          actions={<Button onClick={detail.reload} busy={detail.loading}>{t('common.refresh')}</Button>}
        >
          <dl className="detail">
            <dt>{t('order.user')}</dt>
            <dd>{order.userId}</dd>
            <dt>{t('order.amount')}</dt>
            <dd>
              {formatWon(lang, order.finalAmount)}
              {order.discountAmount > 0 && <span className="muted"> ({t('order.discount', { amount: formatWon(lang, order.discountAmount) })})</span>}
            </dd>
            <dt>{t('common.createdAt')}</dt>
            <dd>{formatDateTime(lang, order.createdAt)}</dd>
            {order.shippingAddress && (
              <>
                <dt>{t('order.shipTo')}</dt>
                <dd>
                  {order.shippingAddress.receiverName} · {order.shippingAddress.fullAddress}
                </dd>
              </>
            )}
            {order.cancelReason && (
              <>
                <dt>{t('order.cancelReason')}</dt>
                <dd>{order.cancelReason}</dd>
              </>
            )}
          </dl>
          <Table
            columns={[
              { key: 'name', header: t('timedeal.product'), cell: (i) => `#${i.productId} ${i.productName}` },
              { key: 'price', header: t('product.price'), align: 'right', cell: (i) => formatWon(lang, i.price) },
              { key: 'qty', header: t('common.quantity'), align: 'right', cell: (i) => formatNumber(lang, i.quantity) },
              { key: 'sub', header: t('order.subtotal'), align: 'right', cell: (i) => formatWon(lang, i.subtotal) },
            ]}
            rows={order.items}
            rowKey={(i) => i.id}
            empty={t('common.empty')}
          />
          {(order.status === 'PENDING' || order.status === 'CONFIRMED' || order.status === 'PAID') && (
            <form
              className="toolbar"
              style={{ marginTop: 12 }}
              onSubmit={(e: FormEvent) => {
                e.preventDefault();
                setNotice(null);
                if (window.confirm(t('order.cancelConfirm'))) void cancel.run();
              }}
            >
              <Field label={t('order.cancelReason')}>
                <input data-testid="order-cancel-reason" required maxLength={500} value={cancelReason} onChange={(e) => setCancelReason(e.target.value)} />
              </Field>
              <Button type="submit" variant="danger" busy={cancel.busy} data-testid="order-cancel">
                {t('order.cancel')}
              </Button>
            </form>
          )}
          <ErrorText error={cancel.error} onClose={cancel.clearError} />
        </Card>
      )}
      {d && (
        <div className="grid-2">
          <Card title={t('order.saga')}>
            {d.saga ? (
              <dl className="detail" data-testid="saga">
                <dt>{t('common.status')}</dt>
                <dd>
                  <Badge tone={statusTone(d.saga.status)}>{d.saga.status}</Badge>
                </dd>
                <dt>{t('order.currentStep')}</dt>
                <dd>{d.saga.currentStep}</dd>
                <dt>{t('order.completedSteps')}</dt>
                <dd>{d.saga.completedSteps.join(' → ') || '–'}</dd>
                {d.saga.lastErrorMessage && (
                  <>
                    <dt>{t('order.lastError')}</dt>
                    <dd>{d.saga.lastErrorMessage}</dd>
                  </>
                )}
                <dt>{t('order.compensationAttempts')}</dt>
                <dd>{d.saga.compensationAttempts}</dd>
                <dt>{t('order.updated')}</dt>
                <dd>{formatDateTime(lang, d.saga.updatedAt)}</dd>
              </dl>
            ) : (
              <p className="muted">{t('order.noSaga')}</p>
            )}
          </Card>
          <Card title={t('order.payments')}>
            <ErrorText error={refund.error} onClose={refund.clearError} />
            <Table
              columns={[
                { key: 'n', header: t('order.paymentNumber'), cell: (p) => p.paymentNumber },
                { key: 's', header: t('common.status'), cell: (p) => <Badge tone={statusTone(p.status)}>{p.status}</Badge> },
                { key: 'a', header: t('order.amount'), align: 'right', cell: (p) => formatWon(lang, p.amount) },
                { key: 'm', header: t('order.method'), cell: (p) => p.paymentMethodDescription },
                { key: 'f', header: t('order.failure'), cell: (p) => p.failureReason ?? '–' },
                {
                  key: 'x',
                  header: '',
                  cell: (p) =>
                    p.status === 'COMPLETED' && (
                      <Button
                        variant="danger"
                        busy={refund.busy}
                        data-testid="payment-refund"
                        onClick={() => {
                          if (window.confirm(t('order.refundConfirm', { amount: formatWon(lang, p.amount) }))) void refund.run(p.paymentNumber);
                        }}
                      >
                        {t('order.refund')}
                      </Button>
                    ),
                },
              ]}
              rows={d.payments}
              rowKey={(p) => p.id}
              empty={t('order.noPayments')}
            />
          </Card>
        </div>
      )}
      {d && (
        <Card title={t('order.delivery')}>
          {delivery ? (
            <>
              <dl className="detail">
                <dt>{t('order.trackingNumber')}</dt>
                <dd data-testid="delivery-tracking">{delivery.trackingNumber}</dd>
                <dt>{t('common.status')}</dt>
                <dd>
                  <Badge tone={statusTone(delivery.status)}>
                    <span data-testid="delivery-status">{delivery.status}</span>
                  </Badge>
                </dd>
                <dt>{t('order.carrier')}</dt>
                <dd>{delivery.carrier}</dd>
              </dl>
              {next.length > 0 && (
                <form
                  className="toolbar"
                  style={{ marginTop: 12 }}
                  onSubmit={(e: FormEvent) => {
                    e.preventDefault();
                    setNotice(null);
                    const status = move.status || next[0];
                    void moveDelivery.run(delivery.trackingNumber, status);
                  }}
                >
                  <Field label={t('order.nextStatus')}>
                    <select data-testid="delivery-next" value={move.status || next[0]} onChange={(e) => setMove({ ...move, status: e.target.value as DeliveryStatus })}>
                      {next.map((s) => (
                        <option key={s} value={s}>
                          {s}
                        </option>
                      ))}
                    </select>
                  </Field>
                  <Field label={t('order.location')}>
                    <input maxLength={200} value={move.location} onChange={(e) => setMove({ ...move, location: e.target.value })} />
                  </Field>
                  <Field label={t('order.note')}>
                    <input maxLength={500} value={move.description} onChange={(e) => setMove({ ...move, description: e.target.value })} />
                  </Field>
                  <Button type="submit" variant="primary" busy={moveDelivery.busy} data-testid="delivery-submit">
                    {t('order.moveDelivery')}
                  </Button>
                </form>
              )}
              <ErrorText error={moveDelivery.error} onClose={moveDelivery.clearError} />
              <Table
                columns={[
                  { key: 'at', header: t('common.createdAt'), cell: (h) => formatDateTime(lang, h.createdAt) },
                  { key: 's', header: t('common.status'), cell: (h) => <Badge tone={statusTone(h.status)}>{h.status}</Badge> },
                  { key: 'l', header: t('order.location'), cell: (h) => h.location ?? '–' },
                  { key: 'd', header: t('order.note'), cell: (h) => h.description ?? '–' },
                ]}
                rows={delivery.histories}
                rowKey={(h) => h.id}
                empty={t('common.empty')}
              />
            </>
          ) : (
            <p className="muted">{t('order.noDelivery')}</p>
          )}
        </Card>
      )}
    </>
  );
}
