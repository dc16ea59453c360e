/**
 * One CSV cell, the one rule every CSV writer uses. A spreadsheet runs a text
 * cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return as a
 * formula (`=HYPERLINK(...)` in a round's name opens a link), so such text is
 * prefixed with `'` (OWASP "CSV injection"). Numbers are written as numbers,
 * a negative refund amount included; only text is ever neutralised.
 */
export const FORMULA_STARTS: readonly string[] = ['=', '+', '-', '@', '\t', '\r'];

export function csvCell(v: string | number): string {
  if (typeof v === 'number') return String(v);
  const text = FORMULA_STARTS.includes(v.charAt(0)) ? `'${v}` : v;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const sqlChar = (c: string) => (c === '\t' ? 'char(9)' : c === '\r' ? 'char(13)' : `'${c.replace(/'/g, "''")}'`);

/** The same rule as SQL over a text column, for the exports SQLite writes line by line. */
export function csvCellSql(column: string): string {
  const text = `(case when substr(${column}, 1, 1) in (${FORMULA_STARTS.map(sqlChar).join(', ')}) then '''' || ${column} else ${column} end)`;
  return `case when instr(${text}, '"') or instr(${text}, ',') or instr(${text}, char(10)) or instr(${text}, char(13)) then '"' || replace(${text}, '"', '""') || '"' else ${text} end`;
}
