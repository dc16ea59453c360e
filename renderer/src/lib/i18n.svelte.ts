import { DEFAULT_LANG, fieldLabel, formatError, formatIssue, isLang, translate, type Lang } from '#shared/i18n/index.js';
import type { ErrorPayload, Issue } from '#shared/common/errors.js';
import { formatBasisPoints, formatWon, formatWonShort } from '#shared/common/money.js';
import { formatSeoul, formatSeoulDay } from '#shared/common/time.js';

const STORAGE_KEY = 'console.lang';

function initialLang(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  return isLang(saved) ? saved : DEFAULT_LANG;
}

/** The current language. Reading it inside a template makes that part re-render on change. */
export const i18n = $state({ lang: initialLang() });

export function setLang(lang: Lang): void {
  i18n.lang = lang;
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
}
document.documentElement.lang = i18n.lang;

export function t(key: string, params?: Record<string, string | number | undefined>): string {
  return translate(i18n.lang, key, params);
}

export const field = (path: string): string => fieldLabel(i18n.lang, path);
export const issueText = (issue: Issue): string => formatIssue(i18n.lang, issue);
export const errorText = (error: ErrorPayload): string => formatError(i18n.lang, error);
export const won = (amount: number): string => formatWon(amount);
export const wonShort = (amount: number): string => formatWonShort(amount, i18n.lang);
export const pct = (bp: number): string => formatBasisPoints(bp);
export const seoul = (iso: string | null | undefined, seconds = false): string => formatSeoul(iso, i18n.lang, seconds);
/** An instant's Seoul day alone, e.g. a lot's expiry: `2026. 12. 07.` / `7 Dec 2026`. */
export const seoulDay = (iso: string | null | undefined): string => formatSeoulDay(iso, i18n.lang);
export const num = (n: number): string => new Intl.NumberFormat(i18n.lang === 'ko' ? 'ko-KR' : 'en-US').format(n);
