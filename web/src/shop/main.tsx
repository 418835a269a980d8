import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createApi } from '../shared/api';
import { AppProvider } from '../shared/context';
import { I18nProvider } from '../shared/i18n';
import { Session } from '../shared/session';
import { App } from './App';
import { messages } from './messages';
import './shop.css';

// The buyer's token is kept for this tab only: closing it signs out.
const session = new Session('shop.token', 'session');
const api = createApi(session);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider messages={messages}>
      <AppProvider session={session} api={api}>
        <App />
      </AppProvider>
    </I18nProvider>
  </StrictMode>,
);
