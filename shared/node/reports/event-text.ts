import { districtName, DISTRICT_CODES } from '../../common/districts.js';
import { translate, type Lang } from '../../i18n/index.js';
import type { ReportParams } from '../../reports/params.js';
import { PAYMENT_METHODS } from '../../rounds/spec.js';
import { REPORT_EVENT_TYPES } from '../../reports/params.js';
import { eventFilters, type ExportSource } from './report-query.js';

/**
 * Event exports written by SQLite itself: each event's CSV line or XLSX row
 * is built by an SQL expression, and a block of them comes back as ONE string
 * (group_concat in seq order). Handing a million rows to JavaScript value by
 * value (8 million values, 5 million strings) cost more than the whole 5 s an
 * export may take; one string per block costs next to nothing.
 */

/** An SQL expression with its bound values, in order. */
export interface SqlPiece {
  sql: string;
  params: unknown[];
}

/** `case <column> when ? then ? … else <otherwise> end`: a code shown as its label (a code not listed, as itself unless told). */
export function labelCase(column: string, labels: ReadonlyMap<string, string>, otherwise = column): SqlPiece {
  const params: unknown[] = [];
  let sql = `case ${column}`;
  for (const [code, label] of labels) {
    sql += ' when ? then ?';
    params.push(code, label);
  }
  return { sql: `${sql} else ${otherwise} end`, params };
}

/**
 * The labels of the event's coded columns, each passed through `encode` (CSV quoting, XML escaping), and the
 * round's name beside its id (empty for a round this console does not hold).
 */
export function eventLabelCases(
  lang: Lang,
  encode: (s: string) => string,
  roundNames: ReadonlyMap<string, string>,
): { type: SqlPiece; district: SqlPiece; method: SqlPiece; roundName: SqlPiece } {
  const map = (codes: readonly string[], label: (c: string) => string) => new Map(codes.map((c) => [c, encode(label(c))]));
  return {
    roundName: labelCase('round_id', map([...roundNames.keys()], (id) => roundNames.get(id)!), "''"),
    type: labelCase('type', map(REPORT_EVENT_TYPES, (t) => translate(lang, `ledgerPage.type_${t}`))),
    district: labelCase('district_code', map(DISTRICT_CODES, (d) => districtName(d, lang))),
    method: labelCase('payment_method', map(PAYMENT_METHODS, (m) => translate(lang, `payment.${m}`))),
  };
}

/** Joins pieces into one expression: strings in `parts` are SQL, pieces bring their values; each in parentheses (`||` binds tighter than `-`). */
export function concat(parts: (string | SqlPiece)[]): SqlPiece {
  const params: unknown[] = [];
  const sql = parts
    .map((p) => {
      if (typeof p === 'string') return `(${p})`;
      params.push(...p.params);
      return `(${p.sql})`;
    })
    .join(' || ');
  return { sql, params };
}

/**
 * SQL for the Seoul wall-clock time (`YYYY-MM-DD HH:MM:SS`) of a UTC instant
 * stored as `toISOString()` text. strftime parses every value in full and was
 * over half of a million-row CSV export; Seoul is UTC+9 all year, so only the
 * hour moves, and the date only from 15:00 UTC on (Seoul's night, few sales).
 * Anything not in that shape goes through strftime as before.
 */
export function seoulWallTimeSql(column: string): string {
  const hour = `cast(substr(${column}, 12, 2) as integer)`;
  return `case when substr(${column}, 11, 1) = 'T' and substr(${column}, -1) = 'Z' and length(${column}) >= 20 then
    case when ${hour} < 15
      then substr(${column}, 1, 10) || ' ' || substr('091011121314151617181920212223', ${hour} * 2 + 1, 2)
      else date(substr(${column}, 1, 10), '+1 day') || ' ' || substr('000102030405060708', (${hour} - 15) * 2 + 1, 2)
    end || substr(${column}, 14, 6)
  else strftime('%Y-%m-%d %H:%M:%S', ${column}, '+9 hours') end`;
}

/** SQL that escapes a text column for XML character data. */
export const xmlEscaped = (column: string) => `replace(replace(replace(${column}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')`;

/**
 * The events in the filters as text, block by block in seq order: `line` is
 * the SQL of one event's text, and may use `rn`, the row's number counted
 * from `next().rowBase + 1` (numbered only when it does: the window costs
 * about a fifth of a CSV export). Each block is one synchronous query on the
 * console's connection, so the connection is free between blocks; `next`
 * may shrink a block (an XLSX sheet ending).
 */
export function* eventTextBlocks(
  src: ExportSource,
  p: ReportParams,
  districts: readonly string[],
  line: SqlPiece,
  next: () => { size: number; rowBase: number },
): Generator<{ text: string; rows: number }> {
  const where = eventFilters(p, districts).compile(src.db);
  const numbered = /\brn\b/.test(line.sql);
  const rows = `select seq, occurred_at, type, round_id, lot_id, district_code, payment_method, amount from ledger_events where seq > ? and ${where.sql} order by seq limit ?`;
  const stmt = src.sqlite
    .prepare(
      `select group_concat(line, '' order by seq), count(*), max(seq) from
         (select seq, ${line.sql} as line from
           ${numbered ? `(select *, row_number() over (order by seq) + cast(? as integer) as rn from (${rows}))` : `(${rows})`})`,
    )
    .raw();
  let after = 0;
  for (;;) {
    const { size, rowBase } = next();
    const args = numbered ? [...line.params, rowBase, after, ...where.parameters, size] : [...line.params, after, ...where.parameters, size];
    const [text, count, last] = stmt.get(...args) as [string | null, number, number | null];
    if (count === 0 || text === null || last === null) return;
    yield { text, rows: count };
    after = last;
    if (count < size) return;
  }
}
