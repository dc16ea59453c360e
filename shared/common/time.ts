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

/** Seoul hour `YYYY-MM-DD HH` of an instant, as the report summaries key it (Seoul keeps no daylight time). */
export function seoulHourKey(iso: string): string {
  return new Date(Date.parse(iso) + SEOUL_OFFSET_MS).toISOString().slice(0, 13).replace('T', ' ');
}

/**
 * A sync works out the month and the expiry of every lot it is given; of an instant
 * in the form the ledger stores (`…T01:02:03.456Z`) both depend only on its UTC hour
 * (Seoul's offset is whole hours), so each is worked out once per hour: a Date
 * parsed and printed per purchase for each was 3-4 % of a steady sync's CPU (issue 21).
 * Any other form is worked out whole.
 */
function storedHour(iso: string): string | null {
  return iso.length === 24 && iso.charCodeAt(23) === 90 /* Z */ && iso.charCodeAt(10) === 84 /* T */ && iso.charCodeAt(13) === 58 /* : */ ? iso.slice(0, 13) : null;
}

function once(cache: Map<string, string>, key: string, make: () => string): string {
  let v = cache.get(key);
  if (v === undefined) {
    if (cache.size >= 10_000) cache.clear();
    cache.set(key, (v = make()));
  }
  return v;
}

const monthOfHour = new Map<string, string>();
const monthOf = (iso: string) => new Date(Date.parse(iso) + SEOUL_OFFSET_MS).toISOString().slice(0, 7);

/** Per stored hour (`YYYY-MM-DDTHH`): whether it is a real hour that Date prints back as it is written. */
const realHour = new Map<string, string>();
const MINUTE_AND_AFTER = /^:[0-5]\d:[0-5]\d\.\d{3}Z$/;
const printsBack = (hour: string) => {
  const ms = Date.parse(`${hour}:00:00.000Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 13) !== hour ? '' : 'y';
};

/**
 * An instant as the ledger stores it: `new Date(iso).toISOString()`, the same
 * string for every input (and the same RangeError for no instant at all).
 * An instant already in that form is returned as it is once its hour is known
 * to be a real one (checked once per hour) and its minutes, seconds and
 * milliseconds are in range: a Date parsed and printed per event, twice for
 * one with a payment reference, was 5-7 % of a steady sync's CPU (issue 21).
 */
export function storedUtc(iso: string): string {
  const hour = storedHour(iso);
  if (hour !== null && once(realHour, hour, () => printsBack(hour)) === 'y' && MINUTE_AND_AFTER.test(iso.slice(13))) return iso;
  return new Date(iso).toISOString();
}

/** Seoul calendar month key `YYYY-MM` of an instant; monthly purchase limits reset on it. */
export function seoulMonthKey(iso: string): string {
  const hour = storedHour(iso);
  return hour === null ? monthOf(iso) : once(monthOfHour, hour, () => monthOf(`${hour}:00:00.000Z`));
}

/*
 * One way to write a Seoul date and time per language, used by every screen, PDF and sheet:
 * Korean `2026. 12. 07. 09:00` (year first, as Korean forms write it), English `7 Dec 2026, 09:00`
 * (the month in words, so 07/12 cannot be read as July 12). Written from the wall-clock parts rather
 * than Intl's en-GB, whose ICU versions disagree on the month ("Sep" or "Sept") and on the separators;
 * Seoul's fixed offset makes the parts exact.
 */
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number) => String(n).padStart(2, '0');

/** The Seoul wall clock of an instant, or null for nothing or an unreadable value. */
function seoulWallClock(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : new Date(ms + SEOUL_OFFSET_MS);
}

function dayText(w: Date, lang: string): string {
  return lang === 'ko'
    ? `${w.getUTCFullYear()}. ${pad2(w.getUTCMonth() + 1)}. ${pad2(w.getUTCDate())}.`
    : `${w.getUTCDate()} ${MONTHS_EN[w.getUTCMonth()]!} ${w.getUTCFullYear()}`;
}

/** An instant's Seoul day for display: `2026. 12. 07.` / `7 Dec 2026`; '' for nothing. */
export function formatSeoulDay(iso: string | null | undefined, lang: string): string {
  const w = seoulWallClock(iso);
  return w ? dayText(w, lang) : '';
}

/** An instant as Seoul time for display: `2022. 07. 14. 10:00` / `14 Jul 2022, 10:00`; '' for nothing. */
export function formatSeoul(iso: string | null | undefined, lang: string, withSeconds = false): string {
  const w = seoulWallClock(iso);
  if (!w) return '';
  const time = `${pad2(w.getUTCHours())}:${pad2(w.getUTCMinutes())}${withSeconds ? `:${pad2(w.getUTCSeconds())}` : ''}`;
  return `${dayText(w, lang)}${lang === 'ko' ? ' ' : ', '}${time}`;
}

function addYears(iso: string, years: number): string {
  const local = new Date(Date.parse(iso) + SEOUL_OFFSET_MS);
  local.setUTCFullYear(local.getUTCFullYear() + years);
  return new Date(local.getTime() - SEOUL_OFFSET_MS).toISOString();
}

const hourYearsOn = new Map<string, string>();

/** Adds whole calendar years in Seoul time (validity runs `n` years from purchase). */
export function addYearsSeoul(iso: string, years: number): string {
  const hour = storedHour(iso);
  // Minutes and below are untouched by whole years: the hour moved, then the rest as it was.
  return hour === null ? addYears(iso, years) : once(hourYearsOn, `${years} ${hour}`, () => addYears(`${hour}:00:00.000Z`, years).slice(0, 13)) + iso.slice(13);
}
