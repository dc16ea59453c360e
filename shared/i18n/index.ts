import { josa } from 'es-hangul';
import i18next, { type i18n as I18n } from 'i18next';
import { formatWon, formatWonKorean } from '../common/money.js';
import { districtName, findDistrict } from '../common/districts.js';
import type { Issue, ErrorPayload } from '../common/errors.js';
import { en } from './en.js';
import { ko } from './ko.js';

export const LANGUAGES = ['ko', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];
export const DEFAULT_LANG: Lang = 'ko';

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

function createI18n(): I18n {
  const instance = i18next.createInstance();
  void instance.init({
    resources: { ko: { translation: ko }, en: { translation: en } },
    lng: DEFAULT_LANG,
    fallbackLng: 'en',
    // Keys contain dots (`fields.refund.formula`) only as nested paths.
    keySeparator: '.',
    nsSeparator: false,
    interpolation: { escapeValue: false },
    initAsync: false,
    returnNull: false,
    showSupportNotice: false,
  });
  const f = instance.services.formatter;
  f?.add('won', (value: unknown) => (typeof value === 'number' ? formatWon(value) : String(value)));
  f?.add('wonKo', (value: unknown, lng: string | undefined) =>
    typeof value === 'number' ? (lng === 'ko' ? formatWonKorean(value) : formatWon(value)) : String(value),
  );
  // Korean particles depend on the word before them (총액은, 한도는); English leaves the word alone.
  const particle = (pair: '은/는' | '이/가' | '을/를') => (value: unknown, lng: string | undefined) =>
    lng === 'ko' && typeof value === 'string' && value !== '' ? josa(value, pair) : String(value);
  f?.add('topic', particle('은/는'));
  f?.add('subject', particle('이/가'));
  f?.add('object', particle('을/를'));
  f?.add('num', (value: unknown, lng: string | undefined) =>
    typeof value === 'number' ? new Intl.NumberFormat(lng === 'ko' ? 'ko-KR' : 'en-US').format(value) : String(value),
  );
  return instance;
}

const i18n = createI18n();

type Params = Record<string, string | number | undefined>;

/** Parameter values that are themselves keys (a status, an action, a field) are shown translated. */
function localiseParams(lang: Lang, params: Params | undefined): Params {
  const out: Params = { ...params };
  const lookup = (prefix: string, v: unknown) => (typeof v === 'string' ? i18n.t(`${prefix}.${v}`, { lng: lang, defaultValue: v }) : v);
  if (params?.status !== undefined) out.status = lookup('status', params.status) as string;
  if (params?.action !== undefined) out.action = lookup('actions', params.action) as string;
  if (params?.role !== undefined) out.role = lookup('roles', params.role) as string;
  // A district travels as its code (11440) and reads as its name (마포구).
  if (typeof params?.district === 'string' && findDistrict(params.district)) out.district = districtName(params.district, lang);
  if (params?.field !== undefined) out.fieldName = fieldLabel(lang, String(params.field));
  if (typeof params?.fields === 'string') {
    out.fields = params.fields
      .split(', ')
      .map((f) => fieldLabel(lang, f))
      .join(', ');
  }
  return out;
}

export function fieldLabel(lang: Lang, path: string): string {
  // Field paths use dots (`waitingRoom.admissionPerMinute`) but are flat keys in the catalog.
  const catalog = (lang === 'ko' ? ko.fields : en.fields) as Record<string, string>;
  return catalog[path] ?? path;
}

export function translate(lang: Lang, key: string, params?: Params): string {
  return i18n.t(key, { lng: lang, ...localiseParams(lang, params) });
}

export function hasKey(key: string): boolean {
  return i18n.exists(key, { lng: 'ko' });
}

export function formatIssue(lang: Lang, issue: Issue): string {
  return translate(lang, issue.code, issue.params);
}

export function formatError(lang: Lang, error: ErrorPayload): string {
  if (hasKey(error.key)) return translate(lang, error.key, error.params);
  return error.message;
}

export { ko, en };
