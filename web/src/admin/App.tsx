/**
 * The console's frame: the sign-in page until an operator is signed in, then
 * the navigation and the page the path names (under `/admin`).
 */
import { Link, Redirect, Route, Router, Switch, useRoute } from 'wouter';
import { useSession } from '../shared/context';
import { LANGS, type Lang } from '../shared/i18n';
import { ADMIN_ROLES, hasAnyRole } from '../shared/session';
import { Button } from '../shared/ui';
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

function NavLink({ path, label, testId }: { path: string; label: string; testId: string }) {
  const [active] = useRoute(`${path}/*?`);
  return (
    <Link href={path} data-testid={testId} className={`nav-link ${active ? 'active' : ''}`} aria-current={active ? 'page' : undefined}>
      {label}
    </Link>
  );
}

function LanguageSwitch() {
  const { lang, setLang, t } = useT();
  return (
    <select aria-label={t('app.language')} className="lang" value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
      {LANGS.map((l) => (
        <option key={l} value={l}>
          {l === 'ko' ? '한국어' : 'English'}
        </option>
      ))}
    </select>
  );
}

export function App() {
  const { user, session } = useSession();
  const { t } = useT();
  const operator = user && hasAnyRole(user, ADMIN_ROLES);

  return (
    <Router base={BASE}>
      {!operator ? (
        <LoginPage languageSwitch={<LanguageSwitch />} />
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
              <LanguageSwitch />
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
