import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../common/errors.js';
import { DEFAULT_PROFILES, type SettlementRow } from '../../reconcile/profile.js';
import { sampleLedger } from './fixtures.js';
import { generateSettlement } from './generate.js';
import { parseSettlement } from './parse.js';

const DAY = '2026-03-10';
const toss = DEFAULT_PROFILES.find((p) => p.id === 'toss-csv')!;

/** The generator's CSV with a 비고 (note) column added, each line's note given by `note(line)`; CR LF as Excel writes. */
function withNotes(note: (line: number) => string): string {
  const text = generateSettlement(sampleLedger('toss', [DAY], 12), toss, DAY, { inject: false, encoding: 'utf-8' }).bytes.toString('utf8');
  const lines = text.split('\r\n').filter((l) => l !== '');
  return lines.map((l, i) => `${l},${i === 0 ? '비고' : note(i + 1)}`).join('\r\n') + '\r\n';
}

async function rows(text: string, encoding: 'utf-8' | 'cp949' = 'utf-8'): Promise<SettlementRow[]> {
  const out: SettlementRow[] = [];
  await parseSettlement(encoding === 'cp949' ? iconv.encode(text, 'cp949') : Buffer.from(text, 'utf8'), toss, (r) => out.push(r));
  return out;
}

async function refusal(text: string): Promise<AppError> {
  try {
    await rows(text);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('the file was accepted');
}

describe('CSV: lines without quotes are split directly, quoted records go through csv-parse', () => {
  it('reads quoted cells with delimiters, doubled quotes and line breaks in them, and keeps the physical line numbers after them', async () => {
    const plain = await rows(withNotes(() => ''));
    const text = withNotes((line) => (line === 3 ? '"분할, 두 줄\r\n이어서 ""확인"""' : line === 5 ? '"a\nb\nc"' : line === 7 ? 'x"y' : ''));
    const quoted = await rows(text);
    // Same records, same values; the records after the multi-line ones keep their own physical line.
    expect(quoted.map(({ line: _, ...r }) => r)).toEqual(plain.map(({ line: _, ...r }) => r));
    expect(quoted.map((r) => r.line)).toEqual(plain.map((r) => (r.line <= 3 ? r.line : r.line <= 5 ? r.line + 1 : r.line + 3)));
    // A quoted key cell reads without its quotes, in CP949 as well.
    const t2 = withNotes(() => '').replace(/\r\n(승인),([^,]+),/, '\r\n"$1","$2",');
    expect((await rows(t2, 'cp949')).map((r) => r.tid)).toEqual(plain.map((r) => r.tid));
  });

  it('names the right physical line for a bad cell after a multi-line record', async () => {
    const text = withNotes((line) => (line === 3 ? '"one\r\ntwo"' : ''));
    const lines = text.split('\r\n');
    // Physical line 6 (1-based) is record 5: give it a non-numeric amount.
    const cells = lines[5]!.split(',');
    cells[6] = '12a00';
    lines[5] = cells.join(',');
    const e = await refusal(lines.join('\r\n'));
    expect(e.key).toBe('reconcile.bad.notNumber');
    expect(e.params).toMatchObject({ line: 6, field: '거래금액' });
  });

  it('refuses a quote that is never closed, naming the line it opened on, without reading the rest of the file into one record', async () => {
    const e = await refusal(withNotes((line) => (line === 4 ? '"never closed' : '')));
    expect(e.key).toBe('reconcile.bad.csv');
    expect(e.params).toMatchObject({ line: 4 });
  });
});
