/** Numbers, money and times as the chosen language writes them. Times are shown in the browser's zone. */
import type { Lang } from './i18n';

const locale = (lang: Lang) => (lang === 'ko' ? 'ko-KR' : 'en-US');

export function formatNumber(lang: Lang, value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return value.toLocaleString(locale(lang), { maximumFractionDigits: digits });
}

/** Won have no minor unit: amounts are whole numbers. */
export function formatWon(lang: Lang, value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return lang === 'ko' ? `${value.toLocaleString('ko-KR')}원` : `₩${value.toLocaleString('en-US')}`;
}

export function formatDateTime(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(locale(lang), { dateStyle: 'short', timeStyle: 'short' });
}

/** A `datetime-local` input's value (local time) as the ISO-8601 instant the API takes. */
export function localInputToIso(value: string): string {
  return new Date(value).toISOString();
}

/** An instant as a `datetime-local` input's value, in local time. */
export function isoToLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A time of day with seconds. */
export function formatTime(lang: Lang, iso: string): string {
  return new Date(iso).toLocaleTimeString(locale(lang), { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
