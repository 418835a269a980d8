/**
 * Time deals: the running ones with their countdowns, and one deal's page to
 * buy from. A purchase makes an unpaid order at the deal price, so the buyer
 * goes straight to paying it (before its deadline). A deal behind a waiting
 * room sends the buyer to the line first and back here once admitted.
 */
import { useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { ApiError, unwrap } from '../../shared/api';
import { useApi, useSession } from '../../shared/context';
import { formatNumber, formatWon } from '../../shared/format';
import { useAction, useLoad } from '../../shared/hooks';
import { Alert, Badge, Button, ErrorText } from '../../shared/ui';
import { Loading, Picture, timeLeft, useHere, useNow } from '../common';
import { useT } from '../messages';

function Countdown({ endsAt, startsAt }: { endsAt: string; startsAt: string }) {
  const { t } = useT();
  const now = useNow();
  const toStart = timeLeft(startsAt, now);
  const toEnd = timeLeft(endsAt, now);
  return (
    <span className="countdown" data-testid="deal-countdown">
      {toStart ? t('deal.startsIn', { left: toStart }) : toEnd ? t('deal.endsIn', { left: toEnd }) : t('deal.ended')}
    </span>
  );
}

export function DealsPage() {
  const { t, lang } = useT();
  const api = useApi();
  const deals = useLoad(() => unwrap(api.GET('/api/v1/shopping/time-deals')), [api]);
  return (
    <div>
      <h1>{t('deal.title')}</h1>
      <ErrorText error={deals.error} />
      {deals.loading && !deals.data && <Loading />}
      {deals.data && deals.data.length === 0 && <p className="muted">{t('deal.none')}</p>}
      <div className="deal-grid">
        {deals.data?.map((d) => (
          <Link key={d.id} href={`/deals/${d.id}`} className="deal-card" data-testid="deal-card">
            <div className="section-head">
              <strong>{d.name}</strong>
              <Countdown startsAt={d.startsAt} endsAt={d.endsAt} />
            </div>
            {d.description && <span className="muted small">{d.description}</span>}
            <ul className="plain-list">
              {d.products.map((p) => (
                <li key={p.id}>
                  <span>{p.productName}</span>
                  <span>
                    <span className="price-rate">{Math.round(p.discountRate)}%</span> <strong>{formatWon(lang, p.dealPrice)}</strong>
                  </span>
                </li>
              ))}
            </ul>
          </Link>
        ))}
      </div>
    </div>
  );
}

/** Whether the deal has a waiting room, and the buyer's place in it. */
type Gate = { kind: 'open' } | { kind: 'line'; status: string | null };

export function DealPage() {
  const { t, lang } = useT();
  const api = useApi();
  const { user } = useSession();
  const [, navigate] = useLocation();
  const here = useHere();
  const id = Number(useParams<{ id: string }>().id);
  const deal = useLoad(() => unwrap(api.GET('/api/v1/shopping/time-deals/{timeDealId}', { params: { path: { timeDealId: id } } })), [api, id]);
  // Only a signed-in buyer can ask the line: S801 = no waiting room, S803 = one, and not in it yet.
  const gate = useLoad<Gate>(async () => {
    if (!user) return { kind: 'open' };
    try {
      const entry = await unwrap(api.GET('/api/v1/shopping/queue/{eventType}/{eventId}/status', { params: { path: { eventType: 'TIMEDEAL', eventId: id } } }));
      return { kind: 'line', status: entry.status };
    } catch (err) {
      if (err instanceof ApiError && err.code === 'S801') return { kind: 'open' };
      if (err instanceof ApiError && err.code === 'S803') return { kind: 'line', status: null };
      throw err;
    }
  }, [api, id, user]);
  const [quantities, setQuantities] = useState<Record<number, number>>({});
  const queuePath = `/queue/TIMEDEAL/${id}?next=${encodeURIComponent(`/deals/${id}`)}`;
  const admitted = gate.data?.kind === 'line' && gate.data.status === 'ENTERED';
  const mustQueue = gate.data?.kind === 'line' && !admitted;

  const buy = useAction(async (timeDealProductId: number) => {
    try {
      const purchase = await unwrap(api.POST('/api/v1/shopping/time-deals/purchase', { body: { timeDealProductId, quantity: quantities[timeDealProductId] ?? 1 } }));
      if (purchase.orderNumber) navigate(`/orders/${purchase.orderNumber}`);
      else deal.reload();
    } catch (err) {
      // A waiting room opened (or the admission ran out) since the page loaded: to the line.
      if (err instanceof ApiError && (err.code === 'S806' || err.code === 'S805')) {
        navigate(queuePath);
        return;
      }
      deal.reload();
      throw err;
    }
  });

  if (deal.loading && !deal.data) return <Loading />;
  if (!deal.data) return <ErrorText error={deal.error} />;
  const d = deal.data;
  const running = d.status === 'ACTIVE';

  return (
    <div className="narrow">
      <div className="section-head">
        <h1>{d.name}</h1>
        <Countdown startsAt={d.startsAt} endsAt={d.endsAt} />
      </div>
      {d.description && <p className="muted">{d.description}</p>}
      {!running && <Alert kind="info">{t('deal.notRunning')}</Alert>}
      <ErrorText error={gate.error} />
      {mustQueue && <Alert kind="info">{t('deal.gated')}</Alert>}
      {admitted && <Alert kind="success">{t('deal.admitted')}</Alert>}
      <ErrorText error={buy.error} onClose={buy.clearError} />
      <div className="deal-products">
        {d.products.map((p) => (
          <article key={p.id} className="card deal-product" data-testid="deal-product">
            <Picture src={`/images/products/${p.productId}.svg`} alt={p.productName} className="picture-small" />
            <div className="deal-product-body">
              <Link href={`/products/${p.productId}`} className="product-name">
                {p.productName}
              </Link>
              <span className="price">
                <span className="price-rate">{Math.round(p.discountRate)}%</span>
                <strong>{formatWon(lang, p.dealPrice)}</strong>
                <s className="muted">{formatWon(lang, p.originalPrice)}</s>
              </span>
              <span className="small muted">
                {t('deal.left', { left: formatNumber(lang, p.remainingQuantity), total: formatNumber(lang, p.dealQuantity) })} · {t('deal.maxPerUser', { n: p.maxPerUser })}
              </span>
              {!p.available && <Badge tone="bad">{t('product.soldOut')}</Badge>}
            </div>
            <div className="deal-buy">
              <input
                type="number"
                min={1}
                max={p.maxPerUser}
                aria-label={t('common.quantity')}
                value={quantities[p.id] ?? 1}
                onChange={(e) => setQuantities((q) => ({ ...q, [p.id]: Math.min(p.maxPerUser, Math.max(1, Math.floor(Number(e.target.value) || 1))) }))}
              />
              <Button
                variant="primary"
                data-testid="deal-buy"
                busy={buy.busy || gate.loading}
                disabled={!running || !p.available}
                onClick={() => {
                  if (!user) navigate(`/login?next=${encodeURIComponent(here)}`);
                  else if (mustQueue) navigate(queuePath);
                  else void buy.run(p.id);
                }}
              >
                {mustQueue ? t('deal.enterLine') : t('deal.buy')}
              </Button>
            </div>
          </article>
        ))}
      </div>
    </div>
  );
}
