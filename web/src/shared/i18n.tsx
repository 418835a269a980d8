/**
 * Korean and English labels. Each app defines its messages once per language
 * (`defineMessages`: the Korean set must have every English key); `t(key, vars)`
 * fills `{name}` placeholders. The choice is kept in localStorage; the first
 * visit follows the browser's language.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

export type Lang = 'ko' | 'en';
export const LANGS: readonly Lang[] = ['ko', 'en'];

export type Messages<K extends string> = Record<Lang, Record<K, string>>;

export function defineMessages<K extends string>(en: Record<K, string>, ko: Record<K, string>): Messages<K> {
  return { en, ko };
}

export type Translate<K extends string> = (key: K, vars?: Record<string, string | number>) => string;

interface I18nValue {
  lang: Lang;
  setLang: (lang: Lang) => void;
  messages: Messages<string>;
}

const I18nContext = createContext<I18nValue | null>(null);
const STORAGE_KEY = 'lang';

function initialLang(): Lang {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    if (stored === 'ko' || stored === 'en') return stored;
  } catch {
    /* storage blocked */
  }
  return navigator.language.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

export function I18nProvider<K extends string>({ messages, children }: { messages: Messages<K>; children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      /* storage blocked: the choice lasts as long as the page */
    }
  }, []);
  const value = useMemo(() => ({ lang, setLang, messages: messages as Messages<string> }), [lang, setLang, messages]);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** The current language, a setter, and `t` for an app's message keys. */
export function useI18n<K extends string>(): { lang: Lang; setLang: (lang: Lang) => void; t: Translate<K> } {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  const { lang, setLang, messages } = ctx;
  const t = useCallback<Translate<K>>(
    (key, vars) => {
      const text = messages[lang][key] ?? messages.en[key] ?? key;
      return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
    },
    [lang, messages],
  );
  return { lang, setLang, t };
}
