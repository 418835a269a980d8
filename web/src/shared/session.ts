/**
 * The signed-in user of one browser app: the access token from
 * `POST /api/v1/auth/login`, kept under the app's own key — in localStorage
 * (every tab, the default) or sessionStorage (this tab only) — and
 * what its claims say (who, which roles, until when). The claims are read, not
 * verified — the service checks every call; the app only uses them to choose
 * what to show and to notice that the token has run out.
 */

export type Role = 'ROLE_USER' | 'ROLE_SHOPPING_SELLER' | 'ROLE_SHOPPING_ADMIN' | 'ROLE_SUPER_ADMIN';

export const ADMIN_ROLES: readonly Role[] = ['ROLE_SHOPPING_ADMIN', 'ROLE_SUPER_ADMIN'];

export interface SessionUser {
  userId: string;
  roles: string[];
  /** Milliseconds since the epoch when the token stops working. */
  expiresAt: number;
}

/** Why the user was signed out, shown on the sign-in page. */
export type SignOutReason = 'signed-out' | 'expired';

type Listener = () => void;

function decodeClaims(token: string): Record<string, unknown> | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The user a token names, or null when it is not a readable token with a subject and an expiry. */
export function userOf(token: string): SessionUser | null {
  const claims = decodeClaims(token);
  if (!claims || typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return null;
  const raw = claims.effectiveRoles ?? claims.roles;
  const roles = Array.isArray(raw) ? raw.filter((r): r is string => typeof r === 'string') : typeof raw === 'string' ? raw.split(',') : [];
  return { userId: claims.sub, roles, expiresAt: claims.exp * 1000 };
}

export function hasAnyRole(user: SessionUser, roles: readonly string[]): boolean {
  return user.roles.some((r) => roles.includes(r));
}

/** A token store with change notifications, for `useSyncExternalStore`. */
export class Session {
  private token: string | null;
  private user: SessionUser | null;
  private reason: SignOutReason | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<Listener>();

  constructor(
    private readonly storageKey: string,
    private readonly storage: StorageKind = 'local',
  ) {
    this.token = null;
    this.user = null;
    const stored = safeStorage(storage)?.getItem(storageKey) ?? null;
    if (stored) this.set(stored, false);
  }

  /**
   * The current token, or null when signed out or past its expiry. Pure (it is read while
   * rendering): the expiry timer, or the service's 401, is what ends the session.
   */
  getToken(): string | null {
    if (this.user && this.user.expiresAt <= Date.now()) return null;
    return this.token;
  }

  getUser(): SessionUser | null {
    return this.getToken() ? this.user : null;
  }

  /** Why the last sign-out happened (cleared by the next sign-in). */
  getReason(): SignOutReason | null {
    return this.reason;
  }

  /** Keeps a token from sign-in; false if it is not a readable, unexpired token. */
  signIn(token: string): boolean {
    return this.set(token, true);
  }

  signOut(reason: SignOutReason = 'signed-out'): void {
    if (this.timer) clearTimeout(this.timer);
    const changed = this.token !== null || this.reason !== reason;
    this.token = null;
    this.user = null;
    this.reason = reason;
    safeStorage(this.storage)?.removeItem(this.storageKey);
    if (changed) this.emit();
  }

  /** The service refused the token (401), or its expiry passed. */
  expire(): void {
    if (this.token !== null) this.signOut('expired');
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(token: string, persist: boolean): boolean {
    const user = userOf(token);
    if (!user || user.expiresAt <= Date.now()) {
      safeStorage(this.storage)?.removeItem(this.storageKey);
      return false;
    }
    this.token = token;
    this.user = user;
    this.reason = null;
    if (persist) safeStorage(this.storage)?.setItem(this.storageKey, token);
    if (this.timer) clearTimeout(this.timer);
    // Signed out at the expiry even if no call is made; timers cap at ~24.8 days.
    this.timer = setTimeout(() => this.expire(), Math.min(user.expiresAt - Date.now(), 2 ** 31 - 1));
    this.emit();
    return true;
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}

/** `local`: the token outlives the tab; `session`: it is kept for this tab only. */
export type StorageKind = 'local' | 'session';

function safeStorage(kind: StorageKind): Storage | null {
  try {
    return kind === 'session' ? window.sessionStorage : window.localStorage;
  } catch {
    return null; // storage blocked: the session lasts as long as the page
  }
}
