/**
 * The shop's frame: a header (search with suggestions, deals, coupons, orders,
 * cart, language, sign-in/out) and the page the path names. The sections here
 * are the page paths the service answers with this app (`SHOP_SECTIONS` in
 * the service's web plugin).
 */
import type { ComponentType } from 'react';
import { Link, Redirect, Route, Switch } from 'wouter';
import { useSession } from '../shared/context';
import { Button } from '../shared/ui';
import { LanguageSwitch, NavLink } from '../shared/ui/nav';
import { CartProvider, RequireUser, useCart } from './common';
import { useT, type MessageKey } from './messages';
import { CartPage } from './pages/Cart';
import { CheckoutPage } from './pages/Checkout';
import { CouponsPage } from './pages/Coupons';
import { DealPage, DealsPage } from './pages/Deals';
import { HomePage } from './pages/Home';
import { LoginPage } from './pages/Login';
import { OrderPage, OrdersPage } from './pages/Orders';
import { ProductPage } from './pages/Product';
import { QueuePage } from './pages/Queue';
import { SearchBox, SearchPage } from './pages/Search';

const NAV: { path: string; key: MessageKey; testId: string }[] = [
  { path: '/deals', key: 'nav.deals', testId: 'nav-deals' },
  { path: '/coupons', key: 'nav.coupons', testId: 'nav-coupons' },
  { path: '/orders', key: 'nav.orders', testId: 'nav-orders' },
];

function Header() {
  const { t } = useT();
  const { user, session } = useSession();
  const { count } = useCart();
  return (
    <header className="topbar shop-top">
      <Link href="/" className="brand" data-testid="home">
        {t('app.title')}
      </Link>
      <SearchBox />
      <nav className="nav" aria-label="main">
        {NAV.map((n) => (
          <NavLink key={n.path} path={n.path} label={t(n.key)} testId={n.testId} />
        ))}
        <NavLink path="/cart" label={t('nav.cart')} testId="nav-cart" badge={count} />
      </nav>
      <div className="topbar-end">
        <LanguageSwitch label={t('app.language')} />
        {user ? (
          <Button variant="ghost" data-testid="sign-out" onClick={() => session.signOut()}>
            {t('nav.signOut')}
          </Button>
        ) : (
          <Link href="/login" className="btn btn-ghost" data-testid="nav-sign-in">
            {t('nav.signIn')}
          </Link>
        )}
      </div>
    </header>
  );
}

const guarded = (Page: ComponentType) =>
  function Guarded() {
    return (
      <RequireUser>
        <Page />
      </RequireUser>
    );
  };

const Cart = guarded(CartPage);
const Checkout = guarded(CheckoutPage);
const Orders = guarded(OrdersPage);
const Order = guarded(OrderPage);
const Queue = guarded(QueuePage);

export function App() {
  return (
    <CartProvider>
      <div className="shell">
        <Header />
        <main className="page">
          <Switch>
            <Route path="/" component={HomePage} />
            <Route path="/products" component={HomePage} />
            <Route path="/products/:id" component={ProductPage} />
            <Route path="/search" component={SearchPage} />
            <Route path="/login" component={LoginPage} />
            <Route path="/signup" component={LoginPage} />
            <Route path="/cart" component={Cart} />
            <Route path="/checkout" component={Checkout} />
            <Route path="/orders" component={Orders} />
            <Route path="/orders/:orderNumber" component={Order} />
            <Route path="/coupons" component={CouponsPage} />
            <Route path="/deals" component={DealsPage} />
            <Route path="/deals/:id" component={DealPage} />
            <Route path="/queue/:type/:id" component={Queue} />
            <Route>
              <Redirect to="/" replace />
            </Route>
          </Switch>
        </main>
      </div>
    </CartProvider>
  );
}
