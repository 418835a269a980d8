/** Sign-in and sign-up (`/login`, `/signup`); afterwards the buyer goes back to the page that sent them here. */
import { useState, type FormEvent } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { unwrap } from '../../shared/api';
import { useApi, useSession } from '../../shared/context';
import { useAction } from '../../shared/hooks';
import { Alert, Button, ErrorText, Field } from '../../shared/ui';
import { nextPath } from '../common';
import { useT } from '../messages';

export function LoginPage() {
  const { t } = useT();
  const api = useApi();
  const { session, reason } = useSession();
  const [location, navigate] = useLocation();
  const search = useSearch();
  const signUp = location === '/signup';
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [nickname, setNickname] = useState('');
  const next = nextPath(search);
  const keepNext = search ? `?${search}` : '';

  const submit = useAction(async () => {
    const data = signUp
      ? await unwrap(api.POST('/api/v1/auth/signup', { body: { email, password, nickname } }))
      : await unwrap(api.POST('/api/v1/auth/login', { body: { email, password } }));
    if (!session.signIn(data.accessToken)) throw new Error(t('login.badToken'));
    navigate(next, { replace: true });
  });

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void submit.run();
  };

  return (
    <div className="login">
      <form className="card login-card" onSubmit={onSubmit}>
        <h1>{signUp ? t('login.signUpTitle') : t('login.title')}</h1>
        {!signUp && next !== '/' && !reason && !submit.error && <Alert kind="info">{t('login.needed')}</Alert>}
        {!signUp && reason === 'expired' && !submit.error && <Alert kind="info">{t('login.expired')}</Alert>}
        {!signUp && reason === 'signed-out' && !submit.error && <Alert kind="info">{t('login.signedOut')}</Alert>}
        <ErrorText error={submit.error} />
        <Field label={t('login.email')}>
          <input data-testid="login-email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        {signUp && (
          <Field label={t('login.nickname')}>
            <input data-testid="signup-nickname" autoComplete="nickname" required maxLength={50} value={nickname} onChange={(e) => setNickname(e.target.value)} />
          </Field>
        )}
        <Field label={t('login.password')} hint={signUp ? t('login.passwordHint') : undefined}>
          <input
            data-testid="login-password"
            type="password"
            autoComplete={signUp ? 'new-password' : 'current-password'}
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <Button data-testid="login-submit" type="submit" variant="primary" busy={submit.busy}>
          {signUp ? t('login.signUp') : t('login.submit')}
        </Button>
        <p className="muted center">
          {signUp ? (
            <Link href={`/login${keepNext}`} data-testid="to-sign-in">
              {t('login.haveAccount')}
            </Link>
          ) : (
            <Link href={`/signup${keepNext}`} data-testid="to-sign-up">
              {t('login.noAccount')}
            </Link>
          )}
        </p>
      </form>
    </div>
  );
}
