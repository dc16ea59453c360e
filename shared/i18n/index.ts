import { josa } from 'es-hangul';
import i18next, { type i18n as I18n } from 'i18next';
import { formatWon, formatWonReadable } from '../common/money.js';
import { districtName, findDistrict } from '../common/districts.js';
import { formatSeoul } from '../common/time.js';
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
    typeof value === 'number' ? formatWonReadable(value, lng ?? '') : String(value),
  );
  // Korean particles depend on the word before them (총액은, 한도는); English leaves the word alone.
  const particle = (pair: Pair) => (value: unknown, lng: string | undefined) => {
    const text = String(value);
    if (lng !== 'ko' || text === '') return text;
    return withParticle(text, pair);
  };
  f?.add('topic', particle('은/는'));
  f?.add('toward', particle('으로/로'));
  f?.add('subject', particle('이/가'));
  f?.add('object', particle('을/를'));
  f?.add('with', particle('와/과'));
  // An instant travels as ISO UTC and reads as Seoul wall-clock time in the reader's format.
  f?.add('seoul', (value: unknown, lng: string | undefined) => (typeof value === 'string' ? formatSeoul(value, lng ?? 'ko') : String(value)));
  f?.add('num', (value: unknown, lng: string | undefined) =>
    typeof value === 'number' ? new Intl.NumberFormat(lng === 'ko' ? 'ko-KR' : 'en-US').format(value) : String(value),
  );
  return instance;
}

type Pair = '은/는' | '이/가' | '을/를' | '으로/로' | '와/과';
const FALLBACK: Record<Pair, string> = { '은/는': '은(는)', '이/가': '이(가)', '을/를': '을(를)', '으로/로': '(으)로', '와/과': '과(와)' };

/**
 * A Korean particle after any text. Hangul takes the particle its last
 * syllable calls for; a trailing number takes the one of how it is read (2로,
 * 3으로). Anything else (a Latin user name `lee.official`, a file-format id)
 * cannot be read reliably (es-hangul would guess `lee.official가`): it is
 * quoted and gets both forms, `‘mapo’을(를)`. Messages avoid even that by
 * putting a Korean noun last (`‘mapo’ 사용자를`); this is the last resort.
 */
export function withParticle(text: string, pair: Pair): string {
  if (/[가-힣]$/.test(text)) return josa(text, pair);
  const spoken = numberTail(text);
  if (spoken !== null) return text + josa.pick(spoken, pair);
  return `‘${text}’${FALLBACK[pair]}`;
}

/** The last syllable of how a trailing number is read in Korean (3 → 삼, 10 → 십, 2,000 → 천), or null. */
export function numberTail(text: string): string | null {
  const m = /(\d[\d,]*)\s*$/.exec(text);
  if (!m) return null;
  const digits = m[1]!.replace(/,/g, '');
  const last = Number(digits.at(-1));
  if (last !== 0 || /^0+$/.test(digits)) return '영일이삼사오육칠팔구'[last]!;
  const zeros = digits.length - digits.replace(/0+$/, '').length;
  return zeros === 1 ? '십' : zeros === 2 ? '백' : zeros === 3 ? '천' : zeros % 4 === 0 ? (zeros === 4 ? '만' : zeros === 8 ? '억' : '조') : zeros % 4 === 1 ? '십' : zeros % 4 === 2 ? '백' : '천';
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
  // A settlement file's field (amount, payoutDate) reads as offices name it, in the reader's language.
  if (typeof params?.settlementField === 'string') out.column = lookup('reconcile.fields', params.settlementField) as string;
  // A server refusal carries the domain rule it applied (`issues.denominationNotIssued` and its params): say it in words.
  if (typeof params?.issue === 'string' && i18n.exists(params.issue, { lng: lang })) {
    const { issue, issueField, ...rest } = params;
    out.issueText = translate(lang, issue, { ...rest, ...(typeof issueField === 'string' ? { field: issueField } : {}) });
  }
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
  if (catalog[path]) return catalog[path];
  // Inputs nest fields (`spec.totalAmount`, `params.visitors`): try the path without its leading parts.
  const parts = path.split('.');
  for (let k = 1; k < parts.length; k++) {
    const rest = parts.slice(k).join('.');
    if (catalog[rest]) return catalog[rest];
  }
  return path;
}

export function translate(lang: Lang, key: string, params?: Params): string {
  return i18n.t(key, { lng: lang, ...localiseParams(lang, params) });
}

export function hasKey(key: string): boolean {
  return i18n.exists(key, { lng: 'ko' });
}

export function formatIssue(lang: Lang, issue: Issue): string {
  const fieldPath = issue.params?.fieldPath;
  // Boundary issues name the field by its label in the reader's language.
  const params = typeof fieldPath === 'string' ? { ...issue.params, field: fieldLabel(lang, fieldPath) } : issue.params;
  return translate(lang, issue.code, params);
}

export function formatError(lang: Lang, error: ErrorPayload): string {
  // Malformed input: say what is wrong with each field, not the schema's English.
  if (error.key === 'errors.invalid_input' && error.issues && error.issues.length > 0 && error.issues.every((i) => i.code.startsWith('issues.input.'))) {
    return translate(lang, 'errors.invalid_fields', { detail: error.issues.slice(0, 3).map((i) => formatIssue(lang, i)).join(' · ') });
  }
  if (hasKey(error.key)) return translate(lang, error.key, error.params);
  return error.message;
}

export { ko, en };
