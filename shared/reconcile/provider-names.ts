import type { Lang } from '../i18n/index.js';

/**
 * The payment providers the office settles with, by the names their
 * statements carry. Profiles name a provider by a short code (`toss`,
 * `hecto`); people read the company's name. A code not listed here (a
 * provider configured later) shows as its code.
 */
const NAMES: Record<string, Record<Lang, string>> = {
  toss: { ko: '토스페이먼츠', en: 'Toss Payments' },
  hecto: { ko: '헥토파이낸셜', en: 'Hecto Financial' },
  kicc: { ko: '한국정보통신(KICC)', en: 'KICC' },
};

export function providerName(code: string, lang: Lang): string {
  return NAMES[code]?.[lang] ?? code;
}
