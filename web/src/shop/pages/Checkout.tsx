/**
 * Checkout: the cart's lines, where to send them, and one of the buyer's
 * coupons (or none). Placing the order reserves the stock; the order's page
 * then takes the payment before its deadline.
 */
import { useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { unwrap } from '../../shared/api';
import { useApi } from '../../shared/context';
import { formatWon } from '../../shared/format';
import { useAction, useLoad } from '../../shared/hooks';
import { Button, ErrorText, Field } from '../../shared/ui';
import { Loading, useCart } from '../common';
import { useT } from '../messages';

export interface CouponLike {
  discountType: string;
  discountValue: number;
  minimumOrderAmount: number | null;
  maximumDiscountAmount: number | null;
}

/** The discount a coupon gives on `total`, as the service reckons it: whole won, capped, never above the total. */
export function discountOf(coupon: CouponLike, total: number): number {
  if (coupon.minimumOrderAmount !== null && total < coupon.minimumOrderAmount) return 0;
  let amount = coupon.discountType === 'PERCENTAGE' ? Math.floor((total * coupon.discountValue) / 100) : coupon.discountValue;
  if (coupon.maximumDiscountAmount !== null) amount = Math.min(amount, coupon.maximumDiscountAmount);
  return Math.max(0, Math.min(amount, total));
}

export function couponLabel(coupon: CouponLike, lang: 'ko' | 'en'): string {
  return coupon.discountType === 'PERCENTAGE' ? `${coupon.discountValue}%` : formatWon(lang, coupon.discountValue);
}

const ADDRESS_KEY = 'shop.address';

interface Address {
  receiverName: string;
  receiverPhone: string;
  zipCode: string;
  address1: string;
  address2: string;
}

function savedAddress(): Address {
  const empty = { receiverName: '', receiverPhone: '', zipCode: '', address1: '', address2: '' };
  try {
    return { ...empty, ...(JSON.parse(window.localStorage.getItem(ADDRESS_KEY) ?? '{}') as Partial<Address>) };
  } catch {
    return empty;
  }
}

export function CheckoutPage() {
  const { t, lang } = useT();
  const api = useApi();
  const cartCount = useCart();
  const [, navigate] = useLocation();
  const cart = useLoad(() => unwrap(api.GET('/api/v1/shopping/cart')), [api]);
  const coupons = useLoad(() => unwrap(api.GET('/api/v1/shopping/coupons/my/available')), [api]);
  const [address, setAddress] = useState<Address>(savedAddress);
  const [couponId, setCouponId] = useState<number | null>(null);

  const set = (key: keyof Address) => (e: { target: { value: string } }) => setAddress((a) => ({ ...a, [key]: e.target.value }));
  const total = cart.data?.totalAmount ?? 0;
  const chosen = coupons.data?.find((c) => c.id === couponId) ?? null;
  const discount = chosen ? discountOf(chosen, total) : 0;

  const place = useAction(async () => {
    const shippingAddress = { ...address, address2: address.address2.trim() || null };
    const order = await unwrap(api.POST('/api/v1/shopping/orders', { body: { shippingAddress, userCouponId: couponId } }));
    try {
      window.localStorage.setItem(ADDRESS_KEY, JSON.stringify(address));
    } catch {
      /* storage blocked: the address is typed again next time */
    }
    cartCount.refresh();
    navigate(`/orders/${order.orderNumber}`, { replace: true });
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void place.run();
  };

  if (cart.loading && !cart.data) return <Loading />;
  if (!cart.data) return <ErrorText error={cart.error} />;
  if (cart.data.items.length === 0)
    return (
      <div className="narrow">
        <h1>{t('checkout.title')}</h1>
        <p className="muted">
          {t('cart.empty')} <Link href="/">{t('cart.browse')}</Link>
        </p>
      </div>
    );

  return (
    <form className="narrow" onSubmit={submit}>
      <h1>{t('checkout.title')}</h1>
      <section className="card">
        <h2>{t('checkout.items')}</h2>
        <ul className="plain-list">
          {cart.data.items.map((i) => (
            <li key={i.id}>
              <span>
                {i.productName} × {i.quantity}
              </span>
              <span>{formatWon(lang, i.subtotal)}</span>
            </li>
          ))}
        </ul>
      </section>
      <section className="card">
        <h2>{t('checkout.address')}</h2>
        <div className="form-grid">
          <Field label={t('checkout.receiverName')}>
            <input data-testid="receiver-name" required maxLength={100} autoComplete="name" value={address.receiverName} onChange={set('receiverName')} />
          </Field>
          <Field label={t('checkout.receiverPhone')}>
            <input data-testid="receiver-phone" required maxLength={20} type="tel" autoComplete="tel" value={address.receiverPhone} onChange={set('receiverPhone')} />
          </Field>
          <Field label={t('checkout.zipCode')}>
            <input data-testid="zip-code" required maxLength={10} autoComplete="postal-code" value={address.zipCode} onChange={set('zipCode')} />
          </Field>
          <Field label={t('checkout.address1')} wide>
            <input data-testid="address1" required maxLength={255} autoComplete="address-line1" value={address.address1} onChange={set('address1')} />
          </Field>
          <Field label={t('checkout.address2')} wide>
            <input data-testid="address2" maxLength={255} autoComplete="address-line2" value={address.address2} onChange={set('address2')} />
          </Field>
        </div>
      </section>
      <section className="card">
        <h2>{t('checkout.coupon')}</h2>
        <ErrorText error={coupons.error} />
        {coupons.loading && !coupons.data && <Loading />}
        <div className="choices" role="radiogroup">
          <label className="choice">
            <input type="radio" name="coupon" checked={couponId === null} onChange={() => setCouponId(null)} data-testid="coupon-none" />
            <span>{t('checkout.noCoupon')}</span>
          </label>
          {coupons.data?.map((c) => {
            const short = c.minimumOrderAmount !== null && total < c.minimumOrderAmount;
            return (
              <label key={c.id} className={`choice ${short ? 'disabled' : ''}`}>
                <input type="radio" name="coupon" disabled={short} checked={couponId === c.id} onChange={() => setCouponId(c.id)} data-testid="coupon-option" value={c.couponCode} />
                <span>
                  <strong>{c.couponName}</strong> <span className="badge badge-info">{couponLabel(c, lang)}</span>
                  <br />
                  <span className="muted small">
                    {short ? t('checkout.minimumNotMet', { amount: formatWon(lang, c.minimumOrderAmount) }) : t('checkout.saves', { amount: formatWon(lang, discountOf(c, total)) })}
                  </span>
                </span>
              </label>
            );
          })}
        </div>
        {coupons.data && coupons.data.length === 0 && (
          <p className="muted small">
            {t('checkout.noCoupons')} <Link href="/coupons">{t('checkout.getCoupons')}</Link>
          </p>
        )}
      </section>
      <section className="card summary-card">
        <div className="summary">
          <span>{t('order.subtotal')}</span>
          <span>{formatWon(lang, total)}</span>
        </div>
        <div className="summary">
          <span>{t('order.discount')}</span>
          <span data-testid="checkout-discount">−{formatWon(lang, discount)}</span>
        </div>
        <div className="summary total">
          <span>{t('order.final')}</span>
          <strong data-testid="checkout-final">{formatWon(lang, total - discount)}</strong>
        </div>
        <ErrorText error={place.error} onClose={place.clearError} />
        <Button type="submit" variant="primary" className="wide" data-testid="checkout-submit" busy={place.busy}>
          {t('checkout.submit')}
        </Button>
      </section>
    </form>
  );
}
