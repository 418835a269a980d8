/** The buyer's cart: lines with their quantities (changed or removed here), the total, and the way to checkout. */
import { useState } from 'react';
import { Link } from 'wouter';
import { unwrap } from '../../shared/api';
import { useApi } from '../../shared/context';
import { formatWon } from '../../shared/format';
import { useAction, useLoad } from '../../shared/hooks';
import { Button, ErrorText } from '../../shared/ui';
import { Loading, useCart } from '../common';
import { useT } from '../messages';

type CartData = Awaited<ReturnType<typeof loadCart>>;
const loadCart = (api: ReturnType<typeof useApi>) => unwrap(api.GET('/api/v1/shopping/cart'));

function Line({ item, onChanged }: { item: CartData['items'][number]; onChanged: (cart: CartData) => void }) {
  const { t, lang } = useT();
  const api = useApi();
  const [quantity, setQuantity] = useState(item.quantity);
  const update = useAction(async () => onChanged(await unwrap(api.PUT('/api/v1/shopping/cart/items/{itemId}', { params: { path: { itemId: item.id } }, body: { quantity } }))));
  const remove = useAction(async () => onChanged(await unwrap(api.DELETE('/api/v1/shopping/cart/items/{itemId}', { params: { path: { itemId: item.id } } }))));
  return (
    <li className="cart-line" data-testid="cart-line">
      <div className="cart-line-main">
        <Link href={`/products/${item.productId}`} className="product-name">
          {item.productName}
        </Link>
        <span className="muted small">{formatWon(lang, item.price)}</span>
      </div>
      <div className="cart-line-qty">
        <input
          type="number"
          min={1}
          aria-label={t('common.quantity')}
          data-testid="line-quantity"
          value={quantity}
          onChange={(e) => setQuantity(Math.max(1, Math.floor(Number(e.target.value) || 1)))}
        />
        {quantity !== item.quantity && (
          <Button data-testid="line-update" busy={update.busy} onClick={() => void update.run()}>
            {t('cart.update')}
          </Button>
        )}
        <Button variant="ghost" data-testid="line-remove" busy={remove.busy} onClick={() => void remove.run()} aria-label={t('cart.remove')}>
          ×
        </Button>
      </div>
      <strong className="cart-line-sum">{formatWon(lang, item.subtotal)}</strong>
      <ErrorText error={update.error ?? remove.error} onClose={() => (update.clearError(), remove.clearError())} />
    </li>
  );
}

export function CartPage() {
  const { t, lang } = useT();
  const api = useApi();
  const cartCount = useCart();
  const cart = useLoad(() => loadCart(api), [api]);
  const [current, setCurrent] = useState<CartData>();
  const data = current ?? cart.data;
  const changed = (next: CartData) => {
    setCurrent(next);
    cartCount.refresh();
  };

  if (cart.loading && !data) return <Loading />;
  return (
    <div className="narrow">
      <h1>{t('cart.title')}</h1>
      <ErrorText error={cart.error} />
      {data && data.items.length === 0 && (
        <p className="muted">
          {t('cart.empty')} <Link href="/">{t('cart.browse')}</Link>
        </p>
      )}
      {data && data.items.length > 0 && (
        <>
          <ul className="cart-lines">
            {data.items.map((item) => (
              <Line key={`${item.id}:${item.quantity}`} item={item} onChanged={changed} />
            ))}
          </ul>
          <div className="summary">
            <span>{t('cart.total', { count: data.totalQuantity })}</span>
            <strong data-testid="cart-total">{formatWon(lang, data.totalAmount)}</strong>
          </div>
          <div className="form-actions end">
            <Link href="/checkout" className="btn btn-primary" data-testid="to-checkout">
              {t('cart.checkout')}
            </Link>
          </div>
        </>
      )}
    </div>
  );
}
