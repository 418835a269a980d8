/** Starts a browser app: its messages, its session and the API client around its frame. */
import { StrictMode, type ComponentType } from 'react';
import { createRoot } from 'react-dom/client';
import { createApi } from './api';
import { AppProvider } from './context';
import { I18nProvider, type Messages } from './i18n';
import type { Session } from './session';

export function mountApp<K extends string>(App: ComponentType, messages: Messages<K>, session: Session): void {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <I18nProvider messages={messages}>
        <AppProvider session={session} api={createApi(session)}>
          <App />
        </AppProvider>
      </I18nProvider>
    </StrictMode>,
  );
}
