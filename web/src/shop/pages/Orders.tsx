/**
 * The buyer's orders, and one order: what was bought, the amounts, where it
 * goes, paying before the deadline (an unpaid order is cancelled then), the
 * delivery's progress, and cancelling.
 */
import { useState } from 'react';
import { Link, useLocation, useParams, useSearch } from 'wouter';
import { ApiError, unwrap } from '../../shared/api';
import { useApi } from '../../shared/context';
import { formatDateTime, formatWon } from '../../shared/format';
import { useAction, useLoad } from '../../shared/hooks';
import { Alert, Badge, Button, ErrorText, Field, Pager } from '../../shared/ui';
import { Loading, timeLeft, useNow } from '../common';
import { useT, type MessageKey } from '../messages';

const PAY_METHODS = ['CARD', 'KAKAO_PAY', 'NAVER_PAY', 'BANK_TRANSFER', 'VIRTUAL_ACCOUNT', 'MOBILE', 'POINTS'] as const;
type PayMethod = (typeof PAY_METHODS)[number];

const STATUS_TONE: Record<string, 'ok' | 'warn' | 'bad' | 'muted' | 'info'> = {
  PENDING: 'warn',
  PAID: 'ok',
  CONFIRMED: 'ok',
  SHIPPING: 'info',
  DELIVERED: 'ok',
  CANCELLED: 'muted',
  REFUNDED: 'muted',
};

export function OrderStatus({ status }: { status: string }) {
  const { t } = useT();
  return (
    <Badge tone={STATUS_TONE[status] ?? 'muted'}>
      <span data-testid="order-status" data-status={status}>
        {t(`orderStatus.${status}` as MessageKey)}
      </span>
    </Badge>
  );
}

/** "Pay by …, … left" for an unpaid order; ticking every second. */
export function PaymentDeadline({ dueAt }: { dueAt: string }) {
  const { t, lang } = useT();
  const now = useNow();
  const left = timeLeft(dueAt, now);
  return (
    <p className="deadline" data-testid="payment-due">
      {left ? t('order.payBy', { time: formatDateTime(lang, dueAt), left }) : t('order.payOverdue')}
    </p>
  );
}

export function OrdersPage() {
  const { t, lang } = useT();
  const api = useApi();
  const search = useSearch();
  const [, navigate] = useLocation();
  const page = Math.max(1, Number(new URLSearchParams(search).get('page')) || 1);
  const orders = useLoad(() => unwrap(api.GET('/api/v1/shopping/orders', { params: { query: { page, size: 10 } } })), [api, page]);
  return (
    <div className="narrow">
      <h1>{t('orders.title')}</h1>
      <ErrorText error={orders.error} />
      {orders.loading && !orders.data && <Loading />}
      {orders.data && orders.data.items.length === 0 && (
        <p className="muted">
          {t('orders.none')} <Link href="/">{t('cart.browse')}</Link>
        </p>
      )}
      <ul className="order-list">
        {orders.data?.items.map((o) => (
          <li key={o.orderNumber}>
            <Link href={`/orders/${o.orderNumber}`} data-testid="order-row" className="order-row">
              <span className="order-row-head">
                <strong>{o.orderNumber}</strong>
                <OrderStatus status={o.status} />
              </span>
              <span className="muted small">
                {o.items[0]?.productName}
                {o.items.length > 1 ? ` ${t('orders.andMore', { count: o.items.length - 1 })}` : ''} · {formatDateTime(lang, o.createdAt)}
              </span>
              <span className="order-row-amount">{formatWon(lang, o.finalAmount)}</span>
              {o.paymentDueAt && <span className="badge badge-warn">{t('orders.awaitingPayment')}</span>}
            </Link>
          </li>
        ))}
      </ul>
      {orders.data && <Pager page={page} totalPages={orders.data.totalPages} onPage={(p) => navigate(`/orders?page=${p}`)} label={(p, total) => t('common.page', { page: p, total })} />}
    </div>
  );
}

function PayPanel({ orderNumber, amount, dueAt, onPaid }: { orderNumber: string; amount: number; dueAt: string | null; onPaid: () => void }) {
  const { t, lang } = useT();
  const api = useApi();
  const [method, setMethod] = useState<PayMethod>('CARD');
  const pay = useAction(async () => {
    await unwrap(api.POST('/api/v1/shopping/payments', { body: { orderNumber, paymentMethod: method } }));
    onPaid();
  });
  return (
    <section className="card pay-card">
      <h2>{t('pay.title')}</h2>
      {dueAt && <PaymentDeadline dueAt={dueAt} />}
      <div className="choices" role="radiogroup" aria-label={t('pay.method')}>
        {PAY_METHODS.map((m) => (
          <label key={m} className="choice choice-inline">
            <input type="radio" name="method" value={m} checked={method === m} onChange={() => setMethod(m)} />
            <span>{t(`payMethod.${m}`)}</span>
          </label>
        ))}
      </div>
      <ErrorText error={pay.error} onClose={pay.clearError} />
      <Button variant="primary" className="wide" data-testid="pay-submit" busy={pay.busy} onClick={() => void pay.run()}>
        {t('pay.submit', { amount: formatWon(lang, amount) })}
      </Button>
    </section>
  );
}

function Delivery({ orderNumber }: { orderNumber: string }) {
  const { t, lang } = useT();
  const api = useApi();
  const delivery = useLoad(async () => {
    try {
      return await unwrap(api.GET('/api/v1/shopping/deliveries/order/{orderNumber}', { params: { path: { orderNumber } } }));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'S501') return null; // made once the order is paid
      throw err;
    }
  }, [api, orderNumber]);
  return (
    <section className="card" data-testid="delivery">
      <div className="section-head">
        <h2>{t('delivery.title')}</h2>
        <Button variant="ghost" busy={delivery.loading} onClick={delivery.reload}>
          {t('common.refresh')}
        </Button>
      </div>
      <ErrorText error={delivery.error} />
      {delivery.data === null && <p className="muted">{t('delivery.none')}</p>}
      {delivery.data && (
        <>
          <dl className="detail">
            <dt>{t('common.status')}</dt>
            <dd data-testid="delivery-status">{t(`deliveryStatus.${delivery.data.status}` as MessageKey)}</dd>
            <dt>{t('delivery.tracking')}</dt>
            <dd>
              {delivery.data.carrier} {delivery.data.trackingNumber}
            </dd>
            <dt>{delivery.data.actualDeliveryDate ? t('delivery.delivered') : t('delivery.estimated')}</dt>
            <dd>{delivery.data.actualDeliveryDate ?? delivery.data.estimatedDeliveryDate}</dd>
          </dl>
          {delivery.data.histories.length > 0 && (
            <ol className="timeline">
              {delivery.data.histories.map((h) => (
                <li key={h.id}>
                  <strong>{t(`deliveryStatus.${h.status}` as MessageKey)}</strong> <span className="muted small">{formatDateTime(lang, h.createdAt)}</span>
                  {(h.location || h.description) && <div className="small">{[h.location, h.description].filter(Boolean).join(' · ')}</div>}
                </li>
              ))}
            </ol>
          )}
        </>
      )}
    </section>
  );
}

function CancelPanel({ orderNumber, paid, onCancelled }: { orderNumber: string; paid: boolean; onCancelled: () => void }) {
  const { t } = useT();
  const api = useApi();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const cancel = useAction(async () => {
    await unwrap(api.PUT('/api/v1/shopping/orders/{orderNumber}/cancel', { params: { path: { orderNumber } }, body: { reason } }));
    setOpen(false);
    onCancelled();
  });
  if (!open)
    return (
      <Button variant="danger" data-testid="order-cancel" onClick={() => setOpen(true)}>
        {t('order.cancel')}
      </Button>
    );
  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault();
        void cancel.run();
      }}
    >
      <p>{paid ? t('order.cancelPaid') : t('order.cancelPending')}</p>
      <Field label={t('order.cancelReason')}>
        <input data-testid="cancel-reason" required maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
      </Field>
      <ErrorText error={cancel.error} />
      <div className="form-actions">
        <Button type="submit" variant="danger" data-testid="cancel-submit" busy={cancel.busy}>
          {t('order.cancelConfirm')}
        </Button>
        <Button variant="ghost" onClick={() => setOpen(false)}>
          {t('common.back')}
        </Button>
      </div>
    </form>
  );
}

export function OrderPage() {
  const { t, lang } = useT();
  const api = useApi();
  const { orderNumber } = useParams<{ orderNumber: string }>();
  const order = useLoad(() => unwrap(api.GET('/api/v1/shopping/orders/{orderNumber}', { params: { path: { orderNumber } } })), [api, orderNumber]);
  const [note, setNote] = useState<MessageKey | null>(null);

  if (order.loading && !order.data) return <Loading />;
  if (!order.data) return <ErrorText error={order.error} />;
  const o = order.data;
  const cancellable = ['PENDING', 'PAID', 'CONFIRMED'].includes(o.status);

  return (
    <div className="narrow">
      <div className="section-head">
        <h1>
          {t('order.title')} <span data-testid="order-number">{o.orderNumber}</span>
        </h1>
        <OrderStatus status={o.status} />
      </div>
      {note && <Alert kind="success">{t(note)}</Alert>}
      <ErrorText error={order.error} />
      {o.status === 'PENDING' && (
        <PayPanel
          orderNumber={o.orderNumber}
          amount={o.finalAmount}
          dueAt={o.paymentDueAt}
          onPaid={() => {
            setNote('pay.done');
            order.reload();
          }}
        />
      )}
      <section className="card">
        <h2>{t('checkout.items')}</h2>
        <ul className="plain-list">
          {o.items.map((i) => (
            <li key={i.id}>
              <Link href={`/products/${i.productId}`}>
                {i.productName} × {i.quantity}
              </Link>
              <span>{formatWon(lang, i.subtotal)}</span>
            </li>
          ))}
        </ul>
        <div className="summary">
          <span>{t('order.subtotal')}</span>
          <span>{formatWon(lang, o.totalAmount)}</span>
        </div>
        {o.discountAmount > 0 && (
          <div className="summary">
            <span>{t('order.discount')}</span>
            <span data-testid="order-discount">−{formatWon(lang, o.discountAmount)}</span>
          </div>
        )}
        <div className="summary total">
          <span>{t('order.final')}</span>
          <strong data-testid="order-final">{formatWon(lang, o.finalAmount)}</strong>
        </div>
        <dl className="detail">
          <dt>{t('order.placedAt')}</dt>
          <dd>{formatDateTime(lang, o.createdAt)}</dd>
          {o.shippingAddress && (
            <>
              <dt>{t('order.shipTo')}</dt>
              <dd>
                {o.shippingAddress.receiverName} · {o.shippingAddress.receiverPhone}
                <br />
                {o.shippingAddress.fullAddress}
              </dd>
            </>
          )}
          {o.cancelReason && (
            <>
              <dt>{t('order.cancelReason')}</dt>
              <dd>{o.cancelReason}</dd>
            </>
          )}
        </dl>
      </section>
      {!['PENDING', 'CANCELLED'].includes(o.status) && <Delivery key={o.status} orderNumber={o.orderNumber} />}
      {cancellable && (
        <CancelPanel
          orderNumber={o.orderNumber}
          paid={o.status !== 'PENDING'}
          onCancelled={() => {
            setNote('order.cancelled');
            order.reload();
          }}
        />
      )}
    </div>
  );
}
