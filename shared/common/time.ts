/**
 * Instants are stored as UTC ISO-8601 strings and shown in Asia/Seoul.
 * Korea has kept a fixed UTC+09:00 with no daylight saving since 1988, so a
 * fixed offset converts wall-clock input exactly for every date we handle.
 */
export const SEOUL_TIME_ZONE = 'Asia/Seoul';
const SEOUL_OFFSET_MS = 9 * 60 * 60 * 1000;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

export function isIsoInstant(value: string): boolean {
  return ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value));
}

/** Normalises any ISO instant with an offset to `...Z` with milliseconds. */
export function toUtcIso(value: string | Date): string {
  const d = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) throw new RangeError(`not an instant: ${String(value)}`);
  return d.toISOString();
}

/** UTC instant → `YYYY-MM-DDTHH:mm` wall-clock in Seoul (for datetime-local inputs). */
export function toSeoulLocalInput(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  return new Date(ms + SEOUL_OFFSET_MS).toISOString().slice(0, 16);
}

/** `YYYY-MM-DDTHH:mm[:ss]` read as Seoul wall-clock → UTC ISO instant, or null. */
export function fromSeoulLocalInput(local: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '00'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  // Date.UTC rolls 2023-02-30 over into March; reject instead of guessing.
  const check = new Date(ms);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59) {
    return null;
  }
  return new Date(ms - SEOUL_OFFSET_MS).toISOString();
}

/** Seoul calendar day `YYYY-MM-DD` of an instant: counter days and closings run on it. */
export function seoulDayKey(iso: string): string {
  return new Date(Date.parse(iso) + SEOUL_OFFSET_MS).toISOString().slice(0, 10);
}

/** The UTC instants a Seoul day `YYYY-MM-DD` runs between, [from, to). */
export function seoulDayRange(day: string): { from: string; to: string } {
  const from = Date.parse(`${day}T00:00:00.000Z`) - SEOUL_OFFSET_MS;
  return { from: new Date(from).toISOString(), to: new Date(from + 86_400_000).toISOString() };
}

/** Seoul calendar month key `YYYY-MM` of an instant; monthly purchase limits reset on it. */
export function seoulMonthKey(iso: string): string {
  return new Date(Date.parse(iso) + SEOUL_OFFSET_MS).toISOString().slice(0, 7);
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(lang: string, withSeconds: boolean): Intl.DateTimeFormat {
  const key = `${lang}:${withSeconds}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === 'ko' ? 'ko-KR' : 'en-GB', {
      timeZone: SEOUL_TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      ...(withSeconds ? { second: '2-digit' } : {}),
      hourCycle: 'h23',
    });
    formatters.set(key, f);
  }
  return f;
}

/** An instant as Seoul time for display, e.g. `2022. 07. 14. 10:00`. */
export function formatSeoul(iso: string | null | undefined, lang: string, withSeconds = false): string {
  if (!iso) return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  return formatter(lang, withSeconds).format(ms);
}

/** Adds whole calendar years in Seoul time (validity runs `n` years from purchase). */
export function addYearsSeoul(iso: string, years: number): string {
  const local = new Date(Date.parse(iso) + SEOUL_OFFSET_MS);
  local.setUTCFullYear(local.getUTCFullYear() + years);
  return new Date(local.getTime() - SEOUL_OFFSET_MS).toISOString();
}
