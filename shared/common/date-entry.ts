/**
 * Typed dates and times, read the same whatever the computer's locale.
 *
 * The console's date fields are text, not `<input type="date">`: a native
 * picker lays out its segments in the browser's locale (mm/dd/yyyy in an
 * en-US Chromium, even in the Korean UI), and the web host cannot set the
 * locale of the browser it is opened in. Typed text is also what a clerk
 * enters fastest: `20261126` or `2026-11-26` in one go (or `11-26` for this
 * year), pasted dates work, and there are no segments to tab between. Times
 * are 24-hour (`14:00`, `1400`, `14`), as Korean offices write them.
 *
 * Shown back: Korean `2026-11-26` (year first, the order of `2026. 11. 26.`),
 * English `26 Nov 2026` (day first, like the console's other English dates,
 * with the month in words so no reader can mistake 05/11 for May 11).
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function dayKey(y: number, m: number, d: number): string | null {
  if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1) return null;
  const ms = Date.UTC(y, m - 1, d);
  const check = new Date(ms);
  // 2026-02-30 does not roll over into March: it is refused.
  if (check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return null;
  return check.toISOString().slice(0, 10);
}

/**
 * What was typed → `YYYY-MM-DD`, `''` for an empty field, or null when it is
 * not a date. `today` (`YYYY-MM-DD`) supplies the year of a date typed without one.
 */
export function parseDayEntry(text: string, lang: string, today: string): string | null {
  const s = text.trim().replace(/\.$/, '');
  if (s === '') return '';
  const year = Number(today.slice(0, 4));
  let m: RegExpExecArray | null;
  // Year first, in every language: 2026-11-26, 2026.11.26, 2026. 11. 26., 2026/11/26, 20261126.
  if ((m = /^(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})$/.exec(s))) return dayKey(+m[1]!, +m[2]!, +m[3]!);
  if ((m = /^(\d{4})(\d{2})(\d{2})$/.exec(s))) return dayKey(+m[1]!, +m[2]!, +m[3]!);
  if (lang === 'ko') {
    // 11-26, 11.26, 1126: this year.
    if ((m = /^(\d{1,2})\s*[-./]\s*(\d{1,2})$/.exec(s))) return dayKey(year, +m[1]!, +m[2]!);
    if ((m = /^(\d{2})(\d{2})$/.exec(s))) return dayKey(year, +m[1]!, +m[2]!);
    return null;
  }
  // English: day first (26/11/2026, 26/11, 26-11-2026) or with the month in words (26 Nov 2026, Nov 26 2026).
  if ((m = /^(\d{1,2})\s*[-./]\s*(\d{1,2})(?:\s*[-./]\s*(\d{4}))?$/.exec(s))) return dayKey(m[3] ? +m[3] : year, +m[2]!, +m[1]!);
  const words = s.toLowerCase().replace(/,/g, ' ').split(/\s+/);
  const monthAt = words.findIndex((w) => MONTHS.includes(w.slice(0, 3)) && /^[a-z]+$/.test(w));
  if (monthAt >= 0) {
    const nums = words.filter((_, i) => i !== monthAt).map(Number);
    if (nums.some((n) => !Number.isInteger(n))) return null;
    const month = MONTHS.indexOf(words[monthAt]!.slice(0, 3)) + 1;
    if (nums.length === 1) return dayKey(year, month, nums[0]!);
    if (nums.length === 2) return dayKey(nums[1]!, month, nums[0]!);
  }
  return null;
}

/** `YYYY-MM-DD` as the field shows it in `lang`. */
export function formatDayEntry(day: string, lang: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  return lang === 'ko' ? day : `${Number(m[3])} ${MONTH_NAMES[Number(m[2]) - 1]} ${m[1]}`;
}

/** A typed 24-hour time → `HH:mm`, or null: `14:00`, `14:5` (14:05), `1400`, `930`, `14`. */
export function parseTimeEntry(text: string): string | null {
  const s = text.trim();
  let m: RegExpExecArray | null;
  let h: number;
  let mi: number;
  if ((m = /^(\d{1,2})\s*[:시.]\s*(\d{1,2})\s*분?$/.exec(s))) [h, mi] = [+m[1]!, +m[2]!];
  else if ((m = /^(\d{1,2})(\d{2})$/.exec(s))) [h, mi] = [+m[1]!, +m[2]!];
  else if ((m = /^(\d{1,2})\s*시?$/.exec(s))) [h, mi] = [+m[1]!, 0];
  else return null;
  if (h > 23 || mi > 59) return null;
  return `${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}`;
}

export type TimeEntryProblem = 'missing' | 'hourRange' | 'minuteRange' | 'unreadable';

/**
 * Why a typed time is not one, so the message can name the valid range: `2500`
 * has the shape of a time but hour 25 (0–23), `1460` minute 60 (0–59).
 * null when parseTimeEntry reads it.
 */
export function timeEntryProblem(text: string): TimeEntryProblem | null {
  const s = text.trim();
  if (s === '') return 'missing';
  if (parseTimeEntry(s) !== null) return null;
  const m = /^(\d{1,2})\s*[:시.]\s*(\d{1,2})\s*분?$/.exec(s) ?? /^(\d{1,2})(\d{2})$/.exec(s) ?? /^(\d{1,2})()\s*시?$/.exec(s);
  if (!m) return 'unreadable';
  return Number(m[1]) > 23 ? 'hourRange' : 'minuteRange';
}
