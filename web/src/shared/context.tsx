/** The session and API client of the running app, handed to every page through React context. */
import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { ApiClient } from './api';
import type { Session, SessionUser, SignOutReason } from './session';

interface AppContextValue {
  session: Session;
  api: ApiClient;
}

const AppContext = createContext<AppContextValue | null>(null);

export function AppProvider({ session, api, children }: AppContextValue & { children: ReactNode }) {
  return <AppContext.Provider value={{ session, api }}>{children}</AppContext.Provider>;
}

function useAppContext(): AppContextValue {
  const ctx = useContext(AppContext);
  if (!ctx) throw new Error('used outside AppProvider');
  return ctx;
}

export function useApi(): ApiClient {
  return useAppContext().api;
}

/** The signed-in user (re-rendering on sign-in, sign-out and expiry), and the session itself. */
export function useSession(): { session: Session; user: SessionUser | null; reason: SignOutReason | null; token: string | null } {
  const { session } = useAppContext();
  const token = useSyncExternalStore(session.subscribe, () => session.getToken());
  const reason = useSyncExternalStore(session.subscribe, () => session.getReason());
  return { session, user: token ? session.getUser() : null, reason, token };
}
