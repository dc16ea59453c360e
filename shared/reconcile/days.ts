import * as gazette from '@hyunbinseo/holidays-kr/all';

/**
 * Seoul days and business days for settlement. Korea has no daylight saving:
 * Seoul is UTC+9 all year, so a fixed offset is exact and fast (a million rows).
 * Business days skip Saturdays, Sundays and Korean public holidays as the
 * official gazette lists them (substitute holidays and election days included),
 * because banks and card companies pay nothing out on them.
 */
const SEOUL_MS = 9 * 3_600_000;
const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` in Seoul of a UTC instant (ms). */
export function seoulDay(ms: number): string {
  return new Date(ms + SEOUL_MS).toISOString().slice(0, 10);
}

/** The UTC instant of a Seoul date and time, or NaN when the date or time does not exist (2023-02-30, 25:00). */
export function seoulInstant(day: string, hhmmss: string): number {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  const d = Number(day.slice(8, 10));
  const h = Number(hhmmss.slice(0, 2));
  const mi = Number(hhmmss.slice(2, 4));
  const s = Number(hhmmss.slice(4, 6));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !/^\d{6}$/.test(hhmmss)) return NaN;
  if (m < 1 || m > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return NaN;
  const ms = Date.UTC(y, m - 1, d, h, mi, s) - SEOUL_MS;
  // Date.UTC rolls 2023-02-30 over into March: the day must come back unchanged.
  if (new Date(Date.UTC(y, m - 1, d)).getUTCDate() !== d) return NaN;
  return ms;
}

const dayNumber = (day: string) => Math.floor(Date.parse(`${day}T00:00:00Z`) / DAY_MS);

/** Day numbers of every public holiday the package knows, read once: a Set lookup per day keeps matching fast. */
const HOLIDAYS: ReadonlySet<number> = new Set(Object.values(gazette).flatMap((year) => Object.keys(year).map(dayNumber)));
/** The years the gazette data covers; outside them only weekends are known, and `holidaysKnown` says so. */
const YEARS = Object.keys(gazette).map((k) => Number(k.slice(1)));
export const HOLIDAY_YEARS = { first: Math.min(...YEARS), last: Math.max(...YEARS) } as const;

/** Whether the year of `day` has gazette holiday data (outside it, business days skip weekends only). */
export function holidaysKnown(day: string): boolean {
  const y = Number(day.slice(0, 4));
  return y >= HOLIDAY_YEARS.first && y <= HOLIDAY_YEARS.last;
}

const isWeekend = (n: number) => {
  const wd = (n + 4) % 7; // 1970-01-01 was a Thursday (4)
  return wd === 0 || wd === 6;
};
const isOffDay = (n: number) => isWeekend(n) || HOLIDAYS.has(n);

/** Whether a Seoul day `YYYY-MM-DD` is a business day: not a weekend, not a public holiday. */
export function isBusinessDay(day: string): boolean {
  return !isOffDay(dayNumber(day));
}

/** `day` moved by `n` business days (n may be negative). */
export function addBusinessDays(day: string, n: number): string {
  let d = dayNumber(day);
  const step = n < 0 ? -1 : 1;
  for (let left = Math.abs(n); left > 0; ) {
    d += step;
    if (!isOffDay(d)) left--;
  }
  return new Date(d * DAY_MS).toISOString().slice(0, 10);
}

/** Business days between two days, counting the days passed over (a weekend between Friday and Monday counts 1). */
export function businessDaysBetween(a: string, b: string): number {
  let x = dayNumber(a);
  let y = dayNumber(b);
  if (x === y) return 0;
  const sign = x < y ? 1 : -1;
  if (x > y) [x, y] = [y, x];
  let n = 0;
  for (let d = x + 1; d <= y; d++) if (!isOffDay(d)) n++;
  // Friday → Sunday (or into a holiday) is 0 business days apart but not the same day: count it as 1.
  return sign * Math.max(n, 1);
}

/** Calendar days the widest side of a ±`n` business-day window around `day` spans (Chuseok can make 1 business day 8 calendar days). */
export function calendarDaysSpanned(day: string, n: number): number {
  const d = dayNumber(day);
  return Math.max(d - dayNumber(addBusinessDays(day, -n)), dayNumber(addBusinessDays(day, n)) - d);
}
