/** Sign-in with email and password; only the admin roles get past it. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { unwrap } from '../../shared/api';
import { useApi, useSession } from '../../shared/context';
import { useAction } from '../../shared/hooks';
import { ADMIN_ROLES, hasAnyRole, userOf } from '../../shared/session';
import { Alert, Button, ErrorText, Field } from '../../shared/ui';
import { useT } from '../messages';

export function LoginPage({ languageSwitch }: { languageSwitch: ReactNode }) {
  const { t } = useT();
  const api = useApi();
  const { session, reason } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [refused, setRefused] = useState(false);

  const login = useAction(async () => {
    setRefused(false);
    const data = await unwrap(api.POST('/api/v1/auth/login', { body: { email, password } }));
    const user = userOf(data.accessToken);
    if (!user) throw new Error(t('login.badToken'));
    // A non-operator's token is not kept: the console has nothing it may use.
    if (!hasAnyRole(user, ADMIN_ROLES)) {
      setRefused(true);
      return;
    }
    session.signIn(data.accessToken);
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void login.run();
  };

  return (
    <div className="login">
      <form className="card login-card" onSubmit={submit}>
        <div className="login-head">
          <h1>{t('login.title')}</h1>
          {languageSwitch}
        </div>
        {reason === 'expired' && !login.error && !refused && <Alert kind="info">{t('login.expired')}</Alert>}
        {reason === 'signed-out' && !login.error && !refused && <Alert kind="info">{t('login.signedOut')}</Alert>}
        {refused && <Alert kind="error">{t('login.notAdmin')}</Alert>}
        <ErrorText error={login.error} />
        <Field label={t('login.email')}>
          <input data-testid="login-email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label={t('login.password')}>
          <input
            data-testid="login-password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <Button data-testid="login-submit" type="submit" variant="primary" busy={login.busy}>
          {t('login.submit')}
        </Button>
      </form>
    </div>
  );
}
