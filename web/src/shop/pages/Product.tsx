/**
 * A product: pictures, price, description, and the stock as it moves (the
 * public inventory stream). Adding to the cart needs a signed-in buyer; a
 * product already in the cart (S106) is said so, with its quantity to change.
 */
import { useEffect, useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { ApiError, unwrap } from '../../shared/api';
import { useApi, useSession } from '../../shared/context';
import { formatNumber } from '../../shared/format';
import { useAction, useLoad } from '../../shared/hooks';
import { Alert, Badge, Button, ErrorText, Field } from '../../shared/ui';
import { Loading, Picture, Price, useCart, useHere } from '../common';
import { useT } from '../messages';

/** The available quantity of one product, from the inventory stream (public: a plain EventSource). */
function useLiveStock(productId: number): { available: number | null; live: boolean } {
  const [available, setAvailable] = useState<number | null>(null);
  const [live, setLive] = useState(false);
  useEffect(() => {
    setAvailable(null);
    const source = new EventSource(`/api/v1/shopping/inventory/stream?productIds=${productId}`);
    source.onopen = () => setLive(true);
    source.onerror = () => setLive(false); // EventSource reconnects by itself
    source.addEventListener('inventory-update', (e) => {
      try {
        const frame = JSON.parse((e as MessageEvent<string>).data) as { data?: { productId?: number; available?: number } };
        if (frame.data?.productId === productId && typeof frame.data.available === 'number') setAvailable(frame.data.available);
      } catch {
        /* a frame that is not JSON is skipped */
      }
    });
    return () => source.close();
  }, [productId]);
  return { available, live };
}

interface Existing {
  itemId: number;
  quantity: number;
}

export function ProductPage() {
  const { t, lang } = useT();
  const api = useApi();
  const { user } = useSession();
  const cart = useCart();
  const [, navigate] = useLocation();
  const here = useHere();
  const params = useParams<{ id: string }>();
  const id = Number(params.id);
  const product = useLoad(() => unwrap(api.GET('/api/v1/shopping/products/{productId}', { params: { path: { productId: id } } })), [api, id]);
  const stock = useLiveStock(id);
  const [quantity, setQuantity] = useState(1);
  const [picture, setPicture] = useState(0);
  const [added, setAdded] = useState(false);
  const [existing, setExisting] = useState<Existing | null>(null);
  const [newQuantity, setNewQuantity] = useState(1);

  const available = stock.available ?? product.data?.stock ?? 0;

  const add = useAction(async () => {
    setAdded(false);
    setExisting(null);
    try {
      await unwrap(api.POST('/api/v1/shopping/cart/items', { body: { productId: id, quantity } }));
      setAdded(true);
      cart.refresh();
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'S106')) throw err;
      // Already in the cart: find the line, so its quantity can be changed instead.
      const current = await unwrap(api.GET('/api/v1/shopping/cart'));
      const line = current.items.find((i) => i.productId === id);
      if (!line) throw err;
      setExisting({ itemId: line.id, quantity: line.quantity });
      setNewQuantity(line.quantity + quantity);
    }
  });

  const change = useAction(async () => {
    if (!existing) return;
    await unwrap(api.PUT('/api/v1/shopping/cart/items/{itemId}', { params: { path: { itemId: existing.itemId } }, body: { quantity: newQuantity } }));
    setExisting(null);
    setAdded(true);
    cart.refresh();
  });

  if (product.loading && !product.data) return <Loading />;
  if (!product.data) return <ErrorText error={product.error} />;
  const p = product.data;
  const pictures = p.images.length > 0 ? p.images : p.imageUrl ? [p.imageUrl] : [];

  return (
    <div className="product-page">
      <div className="gallery">
        <Picture src={pictures[picture] ?? null} alt={p.name} className="picture-large" />
        {pictures.length > 1 && (
          <div className="thumbs">
            {pictures.map((src, i) => (
              <button key={src} type="button" className={`thumb ${i === picture ? 'active' : ''}`} onClick={() => setPicture(i)} aria-label={t('product.picture', { n: i + 1 })}>
                <img src={src} alt="" />
              </button>
            ))}
          </div>
        )}
      </div>
      <div className="product-info">
        {p.category && (
          <Link href={`/products?category=${encodeURIComponent(p.category)}`} className="muted small">
            {p.category}
          </Link>
        )}
        <h1>{p.name}</h1>
        <Price price={p.price} />
        <p className="stock-line" data-testid="stock">
          {available > 0 ? (
            <Badge tone="ok">{t('product.inStock', { count: formatNumber(lang, available) })}</Badge>
          ) : (
            <Badge tone="bad">{t('product.soldOut')}</Badge>
          )}{' '}
          <span className="muted small">{stock.live ? t('product.liveStock') : ''}</span>
        </p>
        {p.description && <p className="description">{p.description}</p>}
        <div className="buy-row">
          <Field label={t('common.quantity')}>
            <input
              type="number"
              data-testid="quantity"
              min={1}
              max={Math.max(1, available)}
              value={quantity}
              onChange={(e) => setQuantity(Math.max(1, Math.floor(Number(e.target.value) || 1)))}
            />
          </Field>
          <Button
            variant="primary"
            data-testid="add-to-cart"
            busy={add.busy}
            disabled={available <= 0}
            onClick={() => (user ? void add.run() : navigate(`/login?next=${encodeURIComponent(here)}`))}
          >
            {t('product.addToCart')}
          </Button>
        </div>
        <ErrorText error={add.error} onClose={add.clearError} />
        {added && (
          <Alert kind="success">
            {t('product.added')} <Link href="/cart">{t('product.goToCart')}</Link>
          </Alert>
        )}
        {existing && (
          <div className="alert alert-info already" data-testid="already-in-cart" role="status">
            <span>{t('product.alreadyInCart', { quantity: existing.quantity })}</span>
            <div className="row-gap">
              <input
                type="number"
                min={1}
                aria-label={t('cart.newQuantity')}
                data-testid="new-quantity"
                value={newQuantity}
                onChange={(e) => setNewQuantity(Math.max(1, Math.floor(Number(e.target.value) || 1)))}
              />
              <Button variant="primary" data-testid="change-quantity" busy={change.busy} onClick={() => void change.run()}>
                {t('product.changeQuantity')}
              </Button>
              <Button variant="ghost" onClick={() => setExisting(null)}>
                {t('common.cancel')}
              </Button>
            </div>
            <ErrorText error={change.error} />
          </div>
        )}
      </div>
    </div>
  );
}
