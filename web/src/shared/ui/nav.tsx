/** The pieces of an app's header that the shop and the console share. */
import { Link, useRoute } from 'wouter';
import { LANGS, useI18n, type Lang } from '../i18n';

/** A header link, marked active on its path and below it; `badge` shows a count beside the label. */
export function NavLink({ path, label, testId, badge }: { path: string; label: string; testId: string; badge?: number }) {
  const [active] = useRoute(`${path}/*?`);
  return (
    <Link href={path} data-testid={testId} className={`nav-link ${active ? 'active' : ''}`} aria-current={active ? 'page' : undefined}>
      {label}
      {badge ? <span className="nav-badge" data-testid="cart-count">{badge}</span> : null}
    </Link>
  );
}

/** The Korean / English choice; `label` is the app's word for "language". */
export function LanguageSwitch({ label }: { label: string }) {
  const { lang, setLang } = useI18n();
  return (
    <select aria-label={label} className="lang" value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
      {LANGS.map((l) => (
        <option key={l} value={l}>
          {l === 'ko' ? '한국어' : 'English'}
        </option>
      ))}
    </select>
  );
}
