/**
 * Coupons: the first-come ones still open to claim (claiming needs a signed-in
 * buyer; a refusal says exactly why: sold out, already claimed, not started,
 * expired), and the buyer's own.
 */
import { useState } from 'react';
import { useLocation } from 'wouter';
import { ApiError, unwrap } from '../../shared/api';
import { useApi, useSession } from '../../shared/context';
import { formatDateTime, formatNumber, formatWon } from '../../shared/format';
import { useLoad } from '../../shared/hooks';
import { Alert, Badge, Button, ErrorText } from '../../shared/ui';
import { Loading, useHere } from '../common';
import { useT, type MessageKey } from '../messages';
import { couponLabel } from './Checkout';

/** Why a claim was refused, by the envelope's code. */
const REFUSALS: Record<string, MessageKey> = {
  S602: 'coupon.refused.S602',
  S603: 'coupon.refused.S603',
  S604: 'coupon.refused.S604',
  S605: 'coupon.refused.S605',
  S606: 'coupon.refused.S606',
  S601: 'coupon.refused.S601',
};

type Outcome = { ok: true } | { ok: false; code: string; message: string };

export function CouponsPage() {
  const { t, lang } = useT();
  const api = useApi();
  const { user } = useSession();
  const [, navigate] = useLocation();
  const here = useHere();
  const open = useLoad(() => unwrap(api.GET('/api/v1/shopping/coupons')), [api]);
  const mine = useLoad(() => (user ? unwrap(api.GET('/api/v1/shopping/coupons/my')) : Promise.resolve([])), [api, user]);
  const [busy, setBusy] = useState<number | null>(null);
  const [outcomes, setOutcomes] = useState<Record<number, Outcome>>({});
  const held = new Set(mine.data?.map((c) => c.couponId));

  const claim = async (couponId: number) => {
    if (!user) {
      navigate(`/login?next=${encodeURIComponent(here)}`);
      return;
    }
    setBusy(couponId);
    try {
      await unwrap(api.POST('/api/v1/shopping/coupons/{couponId}/issue', { params: { path: { couponId } } }));
      setOutcomes((o) => ({ ...o, [couponId]: { ok: true } }));
      mine.reload();
    } catch (err) {
      const code = err instanceof ApiError ? err.code : 'NETWORK';
      setOutcomes((o) => ({ ...o, [couponId]: { ok: false, code, message: err instanceof Error ? err.message : String(err) } }));
    } finally {
      setBusy(null);
      open.reload();
    }
  };

  const outcomeOf = (id: number) => {
    const outcome = outcomes[id];
    if (!outcome) return null;
    if (outcome.ok) return <Alert kind="success">{t('coupon.claimed')}</Alert>;
    const reason = REFUSALS[outcome.code];
    return (
      <div className="alert alert-error" role="alert" data-testid="claim-refused" data-code={outcome.code}>
        <span>
          {reason ? <strong>{t(reason)}</strong> : null} {outcome.message}
        </span>
      </div>
    );
  };

  return (
    <div>
      <h1>{t('coupon.title')}</h1>
      <p className="muted">{t('coupon.intro')}</p>
      <ErrorText error={open.error} />
      {open.loading && !open.data && <Loading />}
      {open.data && open.data.length === 0 && <p className="muted">{t('coupon.noneOpen')}</p>}
      <div className="coupon-grid">
        {open.data?.map((c) => (
          <article key={c.id} className="coupon" data-testid="coupon" data-code={c.code}>
            <div className="coupon-value">{couponLabel(c, lang)}</div>
            <div className="coupon-body">
              <strong>{c.name}</strong>
              {c.description && <span className="muted small">{c.description}</span>}
              <span className="small">
                {c.minimumOrderAmount ? t('coupon.minimum', { amount: formatWon(lang, c.minimumOrderAmount) }) : t('coupon.noMinimum')}
                {c.discountType === 'PERCENTAGE' && c.maximumDiscountAmount ? ` · ${t('coupon.maximum', { amount: formatWon(lang, c.maximumDiscountAmount) })}` : ''}
              </span>
              <span className="small muted">
                {t('coupon.left', { left: formatNumber(lang, c.remainingQuantity), total: formatNumber(lang, c.totalQuantity) })} · {t('coupon.until', { time: formatDateTime(lang, c.expiresAt) })}
              </span>
            </div>
            <Button variant={held.has(c.id) ? 'secondary' : 'primary'} data-testid="coupon-claim" busy={busy === c.id} disabled={held.has(c.id)} onClick={() => void claim(c.id)}>
              {held.has(c.id) ? t('coupon.held') : t('coupon.claim')}
            </Button>
            {outcomeOf(c.id)}
          </article>
        ))}
      </div>
      {/* A claim refused after the coupon left the list (sold out just now) still shows why. */}
      {Object.entries(outcomes)
        .filter(([id]) => !open.data?.some((c) => c.id === Number(id)))
        .map(([id]) => (
          <div key={id}>{outcomeOf(Number(id))}</div>
        ))}
      {user && (
        <section className="card mine">
          <h2>{t('coupon.mine')}</h2>
          <ErrorText error={mine.error} />
          {mine.data && mine.data.length === 0 && <p className="muted">{t('coupon.noneMine')}</p>}
          <ul className="plain-list">
            {mine.data?.map((c) => (
              <li key={c.id} data-testid="my-coupon" data-code={c.couponCode}>
                <span>
                  <strong>{c.couponName}</strong> <span className="badge badge-info">{couponLabel(c, lang)}</span>
                </span>
                <span>
                  <Badge tone={c.status === 'AVAILABLE' ? 'ok' : 'muted'}>{t(`userCoupon.${c.status}` as MessageKey)}</Badge>{' '}
                  <span className="muted small">{t('coupon.until', { time: formatDateTime(lang, c.expiresAt) })}</span>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
