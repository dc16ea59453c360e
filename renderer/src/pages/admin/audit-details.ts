import { districtName } from '#shared/common/districts.js';
import { formatWon } from '#shared/common/money.js';
import { hasKey, translate, type Lang } from '#shared/i18n/index.js';
import { providerName } from '#shared/reconcile/provider-names.js';

/** Amounts in won among the details (written with ₩ and thousands separators). */
const MONEY = new Set(['amount', 'total', 'countersignAbove']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function value(key: string, v: unknown, lang: Lang): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return translate(lang, v ? 'auditDetails.yes' : 'auditDetails.no');
  if (key === 'districtCode' && typeof v === 'string') return districtName(v, lang);
  if ((key === 'role' || key === 'serverRole') && typeof v === 'string' && hasKey(`roles.${v}`)) return translate(lang, `roles.${v}`);
  if (key === 'provider' && typeof v === 'string') return providerName(v, lang);
  if (key === 'reasonKey' && typeof v === 'string' && hasKey(v)) return translate(lang, v);
  if (MONEY.has(key) && typeof v === 'number') return formatWon(v);
  // A UUID (a command's id) by its first eight characters, as the grid's other ids: enough to find it.
  if (typeof v === 'string' && UUID.test(v)) return v.slice(0, 8);
  if (typeof v === 'number') return new Intl.NumberFormat(lang === 'ko' ? 'ko-KR' : 'en-US').format(v);
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object')) return v.join(', ');
  // Nested records (a profile before and after, a user's changes) stay as written: the tooltip shows them whole.
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * An audit entry's details as an auditor reads them: "아이디 admin · 역할 구청 담당자 · 담당 자치구 마포구", with
 * district, role and provider names instead of their codes; a key the catalog does not name keeps its own name.
 */
export function auditDetailsText(details: Record<string, unknown>, lang: Lang): string {
  return Object.entries(details)
    .map(([k, v]) => `${hasKey(`auditDetails.keys.${k}`) ? translate(lang, `auditDetails.keys.${k}`) : k} ${value(k, v, lang)}`)
    .join(' · ');
}

/** The entry's target: its kind in words and the start of its id ("사용자 3b43d54d"). */
export function auditTargetText(entityType: string, entityId: string | null, lang: Lang): string {
  const kind = hasKey(`auditDetails.entities.${entityType}`) ? translate(lang, `auditDetails.entities.${entityType}`) : entityType;
  if (!entityId) return kind;
  // A district's day is "11440:2026-12-07", a provider's day "2026-12-07/toss": named, not coded.
  const districtDay = /^(\d{5}):(\d{4}-\d{2}-\d{2})$/.exec(entityId);
  if (districtDay) return `${kind} ${districtName(districtDay[1], lang)} ${districtDay[2]}`;
  const providerDay = /^(\d{4}-\d{2}-\d{2})\/(\S+)$/.exec(entityId);
  if (providerDay) return `${kind} ${providerDay[1]} ${providerName(providerDay[2]!, lang)}`;
  // A UUID by its first eight characters, as the grid's other ids.
  return `${kind} ${UUID.test(entityId) ? entityId.slice(0, 8) : entityId}`;
}
