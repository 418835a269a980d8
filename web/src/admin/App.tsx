/**
 * The console's frame: the sign-in page until an operator is signed in, then
 * the navigation and the page the path names (under `/admin`).
 */
import { Link, Redirect, Route, Router, Switch } from 'wouter';
import { useSession } from '../shared/context';
import { ADMIN_ROLES, hasAnyRole } from '../shared/session';
import { Button } from '../shared/ui';
import { LanguageSwitch, NavLink } from '../shared/ui/nav';
import { useT, type MessageKey } from './messages';
import { LoginPage } from './pages/Login';
import { CouponsPage } from './pages/Coupons';
import { DashboardPage } from './pages/Dashboard';
import { InsightsPage } from './pages/Insights';
import { OrderDetailPage, OrdersPage } from './pages/Orders';
import { ProductsPage } from './pages/Products';
import { QueuesPage } from './pages/Queues';
import { TimeDealsPage } from './pages/TimeDeals';

export const BASE = '/admin';

const NAV: { path: string; key: MessageKey; testId: string }[] = [
  { path: '/dashboard', key: 'nav.dashboard', testId: 'nav-dashboard' },
  { path: '/products', key: 'nav.products', testId: 'nav-products' },
  { path: '/coupons', key: 'nav.coupons', testId: 'nav-coupons' },
  { path: '/timedeals', key: 'nav.timedeals', testId: 'nav-timedeals' },
  { path: '/queues', key: 'nav.queues', testId: 'nav-queues' },
  { path: '/orders', key: 'nav.orders', testId: 'nav-orders' },
  { path: '/insights', key: 'nav.insights', testId: 'nav-insights' },
];

export function App() {
  const { user, session } = useSession();
  const { t } = useT();
  const operator = user && hasAnyRole(user, ADMIN_ROLES);

  return (
    <Router base={BASE}>
      {!operator ? (
        <LoginPage languageSwitch={<LanguageSwitch label={t('app.language')} />} />
      ) : (
        <div className="shell">
          <header className="topbar">
            <Link href="/dashboard" className="brand">
              {t('app.title')}
            </Link>
            <nav className="nav" aria-label="main">
              {NAV.map((n) => (
                <NavLink key={n.path} path={n.path} label={t(n.key)} testId={n.testId} />
              ))}
            </nav>
            <div className="topbar-end">
              <LanguageSwitch label={t('app.language')} />
              <Button variant="ghost" data-testid="sign-out" onClick={() => session.signOut()}>
                {t('nav.signOut')}
              </Button>
            </div>
          </header>
          <main className="page">
            <Switch>
              <Route path="/dashboard" component={DashboardPage} />
              <Route path="/products" component={ProductsPage} />
              <Route path="/coupons" component={CouponsPage} />
              <Route path="/timedeals" component={TimeDealsPage} />
              <Route path="/queues" component={QueuesPage} />
              <Route path="/orders" component={OrdersPage} />
              <Route path="/orders/:orderNumber" component={OrderDetailPage} />
              <Route path="/insights" component={InsightsPage} />
              <Route>
                <Redirect to="/dashboard" replace />
              </Route>
            </Switch>
          </main>
        </div>
      )}
    </Router>
  );
}
