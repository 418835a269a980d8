/** Pieces the shop's pages share: the sign-in guard, the cart count, prices, pictures, a ticking clock. */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { Redirect, useLocation, useSearch } from 'wouter';
import { unwrap } from '../shared/api';
import { useApi, useSession } from '../shared/context';
import { formatWon } from '../shared/format';
import { Spinner } from '../shared/ui';
import { useT } from './messages';

/** The page a visitor was on, to come back to after signing in. */
export function useHere(): string {
  const [location] = useLocation();
  const search = useSearch();
  return search ? `${location}?${search}` : location;
}

/** Where the sign-in page sends the buyer afterwards: a path of this shop only, never another site. */
export function nextPath(search: string): string {
  const next = new URLSearchParams(search).get('next');
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

/** Renders its children for a signed-in buyer; sends a visitor to sign-in, and back here afterwards. */
export function RequireUser({ children }: { children: ReactNode }) {
  const { user } = useSession();
  const here = useHere();
  if (!user) return <Redirect to={`/login?next=${encodeURIComponent(here)}`} replace />;
  return <>{children}</>;
}

interface CartCount {
  count: number;
  refresh: () => void;
}
const CartContext = createContext<CartCount>({ count: 0, refresh: () => undefined });

/** The number of lines in the buyer's cart, for the header; pages call `refresh` after changing the cart. */
export function CartProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const { user } = useSession();
  const [count, setCount] = useState(0);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!user) {
      setCount(0);
      return;
    }
    let live = true;
    unwrap(api.GET('/api/v1/shopping/cart')).then(
      (cart) => live && setCount(cart.itemCount),
      () => undefined, // the header count is a convenience; the cart page shows failures
    );
    return () => {
      live = false;
    };
  }, [api, user, tick]);
  const refresh = useCallback(() => setTick((n) => n + 1), []);
  return <CartContext.Provider value={{ count, refresh }}>{children}</CartContext.Provider>;
}

export const useCart = () => useContext(CartContext);

/**
 * The price a buyer pays. A product's `discountPrice` is not shown: the cart
 * and the order charge `price` (the cart keeps a snapshot of it), and a shop
 * must not promise less than it charges.
 */
export function Price({ price }: { price: number }) {
  const { lang } = useT();
  return (
    <span className="price">
      <strong>{formatWon(lang, price)}</strong>
    </span>
  );
}

/** A product picture (the service draws one for every product); a plain box when there is none. */
export function Picture({ src, alt, className }: { src: string | null | undefined; alt: string; className?: string }) {
  return src ? <img className={`picture ${className ?? ''}`} src={src} alt={alt} loading="lazy" /> : <div className={`picture picture-none ${className ?? ''}`} aria-label={alt} />;
}

/** The current time, re-read every `ms`. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

/** Time left until `iso` as `1d 02:03:04` / `02:03:04`, or null once it has passed. */
export function timeLeft(iso: string, now: number): string | null {
  const ms = new Date(iso).getTime() - now;
  if (!(ms > 0)) return null;
  const s = Math.floor(ms / 1000);
  const days = Math.floor(s / 86_400);
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = `${pad(Math.floor((s % 86_400) / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  return days > 0 ? `${days}d ${clock}` : clock;
}

export function Loading() {
  const { t } = useT();
  return (
    <div className="loading">
      <Spinner /> {t('common.loading')}
    </div>
  );
}
