/**
 * Money is always a safe integer number of won. Certificates are sold in
 * 10,000-won units, so every face amount the ledger sees is a multiple of it.
 */
export type Won = number;

export const SALE_UNIT: Won = 10_000;
/** 10조 won: far above any real round (the largest Seoul round was 3,000억) and safe for integer math. */
export const MAX_ROUND_AMOUNT: Won = 10_000_000_000_000;

export function isWon(value: unknown): value is Won {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

export function isMultipleOf(amount: Won, unit: Won): boolean {
  return amount % unit === 0;
}

/**
 * `amount × bp / 10,000`, rounded down. BigInt because amount × bp can pass
 * 2^53 for round totals; the quotient always fits back into a number.
 */
export function basisPointsOf(amount: Won, bp: number): Won {
  if (!isWon(amount) || !Number.isInteger(bp)) throw new RangeError(`basisPointsOf needs integers, got ${amount}, ${bp}`);
  return Number((BigInt(amount) * BigInt(bp)) / 10_000n);
}

const groupFormatter = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `₩25,000,000,000` */
export function formatWon(amount: Won): string {
  const sign = amount < 0 ? '-' : '';
  return `${sign}₩${groupFormatter.format(Math.abs(amount))}`;
}

/** `25,000,000,000` — digits only, for inputs. */
export function formatWonDigits(amount: Won): string {
  return groupFormatter.format(amount);
}

const KOREAN_UNITS: ReadonlyArray<[bigint, string]> = [
  [1_000_000_000_000n, '조'],
  [100_000_000n, '억'],
  [10_000n, '만'],
];

/**
 * Reads the way Korean officials write budgets: `250억 원`, `1억 2,500만 원`,
 * `40만 원`, `5,000원`. Intl's compact notation rounds (`12.5억`), which is
 * not acceptable for money.
 */
export function formatWonKorean(amount: Won): string {
  if (amount === 0) return '0원';
  const negative = amount < 0;
  let rest = BigInt(Math.abs(amount));
  const parts: string[] = [];
  for (const [unit, name] of KOREAN_UNITS) {
    const q = rest / unit;
    if (q > 0n) {
      parts.push(`${groupFormatter.format(Number(q))}${name}`);
      rest %= unit;
    }
  }
  if (rest > 0n) parts.push(groupFormatter.format(Number(rest)));
  const text = parts.join(' ');
  // `5,000원` and `1만 2,345원` attach the unit; `40만 원` and `250억 원` space it.
  const suffix = rest > 0n ? '원' : ' 원';
  return `${negative ? '-' : ''}${text}${suffix}`;
}

/** Prose and printed reports: 만/억 in Korean (`250억 원`), the full amount in English (`₩25,000,000,000`); exact either way. */
export function formatWonReadable(amount: Won, lang: string): string {
  return lang === 'ko' ? formatWonKorean(amount) : formatWon(amount);
}

const englishCompact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 2 });

/** Short form for tight cells: Korean units in Korean, `₩25B` in English. */
export function formatWonShort(amount: Won, lang: string): string {
  if (lang === 'ko') return formatWonKorean(amount);
  return `${amount < 0 ? '-' : ''}₩${englishCompact.format(Math.abs(amount))}`;
}

const englishHeadline = new Intl.NumberFormat('en-US', { notation: 'compact', compactDisplay: 'long', maximumSignificantDigits: 3 });
/** Below this, English headlines keep every digit (`₩400,000`); above, `₩1.2 billion`. */
const ENGLISH_COMPACT_FROM = 1_000_000;

/**
 * A large amount as a headline (a card, a tile, a chart axis), where the
 * reader wants its size at a glance: `4,000억 원`, `1억 2,000만 원`, `9,500원`;
 * `₩400 billion`, `₩1.2 billion`, `₩400,000`. Korean keeps the two largest
 * units and rounds the rest to the nearer of the second (half up), so
 * `1억 2,345만 6,789원` reads `1억 2,346만 원`; English keeps three significant
 * digits from a million on. It may round: whoever shows it puts the exact
 * amount in a title beside it. Grids, exports and inputs stay exact.
 */
export function formatWonHeadline(amount: Won, lang: string): string {
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount);
  if (lang !== 'ko') return abs < ENGLISH_COMPACT_FROM ? formatWon(amount) : `${sign}₩${englishHeadline.format(abs)}`;
  const value = BigInt(abs);
  const top = KOREAN_UNITS.findIndex(([unit]) => value >= unit);
  // The second unit down from the largest one present; below 만 everything is kept.
  const keep = top < 0 || top + 1 >= KOREAN_UNITS.length ? 1n : KOREAN_UNITS[top + 1]![0];
  const rounded = ((value + keep / 2n) / keep) * keep;
  return `${sign}${formatWonKorean(Number(rounded))}`;
}

const UNIT_VALUE: Record<string, bigint> = { 조: 1_000_000_000_000n, 억: 100_000_000n, 만: 10_000n, 천: 1_000n };

/**
 * Parses what people type into a money field: `25,000,000,000`, `₩400,000`,
 * `250억`, `1억 2,500만 원`, `40만원`. Returns null for anything else
 * (fractions, negative amounts, stray text), never a guess.
 */
export function parseWon(text: string): Won | null {
  const s = text.replace(/[\s,₩]/g, '').replace(/원$/, '');
  if (s === '') return null;
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    return Number.isSafeInteger(n) ? n : null;
  }
  const re = /(\d+)(조|억|만|천)/y;
  let total = 0n;
  let lastUnit = Infinity;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(s)) !== null) {
    const unit = UNIT_VALUE[m[2]!]!;
    // Units must descend (억 before 만) or the text is ambiguous.
    if (Number(unit) >= lastUnit) return null;
    lastUnit = Number(unit);
    total += BigInt(m[1]!) * unit;
    pos = re.lastIndex;
  }
  if (pos === 0) return null;
  const tail = s.slice(pos);
  if (tail !== '') {
    if (!/^\d+$/.test(tail)) return null;
    const tailValue = BigInt(tail);
    if (tailValue >= BigInt(lastUnit)) return null;
    total += tailValue;
  }
  const n = Number(total);
  return Number.isSafeInteger(n) ? n : null;
}

/** Basis points as a percent string: 700 → `7%`, 750 → `7.5%`. */
export function formatBasisPoints(bp: number): string {
  return `${Number((bp / 100).toFixed(2))}%`;
}

/** Percent text (`7`, `7.5`, `7.25%`) to basis points; null if not a number with at most two decimals. */
export function parsePercentToBasisPoints(text: string): number | null {
  const s = text.trim().replace(/%$/, '').trim();
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(s)) return null;
  const [whole, frac = ''] = s.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}
