/**
 * How a buyer's identity is typed and shown, the same on the server (which
 * judges) and in the console (which checks before asking). Masks follow the
 * usual public-office form: 010-****-5678, 홍*동.
 */

/** A mobile number as digits only: '010-1234-5678', '010 1234 5678' and '01012345678' are one number. */
export function phoneDigits(text: string): string {
  return text.replace(/[\s-]/g, '');
}

/** Korean mobile numbers: 010 (and the older 011/016–019) then 7 or 8 digits. */
export function isMobileNumber(digits: string): boolean {
  return /^01[016789]\d{7,8}$/.test(digits);
}

/** A name as it is compared: NFC, inner spaces removed ('홍 길동' is '홍길동'). */
export function normalName(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, '');
}

export function isBuyerName(name: string): boolean {
  return /^[\p{Script=Hangul}A-Za-z]{2,20}$/u.test(normalName(name));
}

/** YYYY-MM-DD naming a real calendar day (1985-02-30 is not one). */
export function isCalendarDay(d: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(d)) && new Date(d).toISOString().slice(0, 10) === d;
}

/** 010-****-5678: the last four digits only, which is what a clerk reads back to the buyer. */
export function maskPhone(phone: string): string {
  const d = phoneDigits(phone);
  return `${d.slice(0, 3)}-****-${d.slice(-4)}`;
}

/** 홍*동, 이*, 남궁**: first and (from three letters) last letter shown. */
export function maskName(name: string): string {
  const letters = [...normalName(name)];
  if (letters.length <= 1) return letters.join('');
  if (letters.length === 2) return `${letters[0]}*`;
  return `${letters[0]}${'*'.repeat(letters.length - 2)}${letters.at(-1)}`;
}

/** A lookup's reason, as the access log keeps it. */
export const LOOKUP_REASON_MAX = 200;
export function lookupReasonOk(reason: string): boolean {
  const r = reason.trim();
  return r.length >= 2 && r.length <= LOOKUP_REASON_MAX;
}

/**
 * The message key for what is wrong with a lookup, or null when it may be sent:
 * the one rule both the console (before asking) and the server (before answering) apply.
 */
export function lookupProblem(s: { by: 'phone' | 'nameBirth'; phone?: string | undefined; name?: string | undefined; birthDate?: string | undefined; reason: string }): { key: string; params?: Record<string, string | number> } | null {
  if (s.by === 'phone') {
    if (!isMobileNumber(phoneDigits(s.phone ?? ''))) return { key: 'directory.badPhone', params: { phone: s.phone ?? '' } };
  } else {
    if (!isBuyerName(s.name ?? '')) return { key: 'directory.badName', params: { name: s.name ?? '' } };
    if (!isCalendarDay(s.birthDate ?? '')) return { key: 'directory.badBirthDate', params: { day: s.birthDate ?? '' } };
  }
  if (!lookupReasonOk(s.reason)) return { key: 'directory.reasonNeeded', params: { max: LOOKUP_REASON_MAX } };
  return null;
}
