import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../common/errors.js';
import { translate } from '../../i18n/index.js';
import { DEFAULT_PROFILES } from '../../reconcile/profile.js';
import { sampleLedger } from './fixtures.js';
import { generateSettlement } from './generate.js';
import { parseSettlement } from './parse.js';

const DAY = '2026-03-10';
const profile = (id: string) => DEFAULT_PROFILES.find((p) => p.id === id)!;
const file = (id: string, encoding: 'utf-8' | 'cp949' = 'utf-8') => {
  const p = profile(id);
  return generateSettlement(sampleLedger(p.provider, [DAY], 20), p, DAY, { inject: false, encoding }).bytes;
};
/** Replaces line `n` (1-based) of a UTF-8 file. */
const editLine = (bytes: Buffer, n: number, f: (l: string) => string, enc: 'utf8' | 'cp949' = 'utf8') => {
  const lines = (enc === 'utf8' ? bytes.toString('utf8') : iconv.decode(bytes, 'cp949')).split('\n');
  lines[n - 1] = f(lines[n - 1]!);
  return enc === 'utf8' ? Buffer.from(lines.join('\n'), 'utf8') : iconv.encode(lines.join('\n'), 'cp949');
};

async function refusal(bytes: Uint8Array, id: string): Promise<{ key: string; line: unknown; field: unknown; ko: string; rowsSeen: number }> {
  let rowsSeen = 0;
  try {
    await parseSettlement(bytes, profile(id), () => rowsSeen++);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    return { key: e.key, line: e.params?.line, field: e.params?.field, ko: translate('ko', e.key, e.params), rowsSeen };
  }
  throw new Error('the file was accepted');
}

describe('bad settlement files are refused naming the line and the field', () => {
  it('a non-numeric amount (Hecto pipe)', async () => {
    const r = await refusal(editLine(file('hecto-pipe'), 5, (l) => l.replace(/\|(\d+)\|(\d+)\|(\d+)\|(\d+)\|(\d{8})\|$/, '|12a00|$2|$3|$4|$5|')), 'hecto-pipe');
    expect(r).toMatchObject({ key: 'reconcile.bad.notNumber', line: 5, field: '거래금액' });
    expect(r.ko).toContain('5행');
    expect(r.ko).toContain('거래금액');
  });

  it('a date that does not exist (CSV in CP949)', async () => {
    const r = await refusal(editLine(file('toss-csv', 'cp949'), 4, (l) => l.replace(/2026-03-10/, '2026-02-30'), 'cp949'), 'toss-csv');
    expect(r).toMatchObject({ key: 'reconcile.bad.badDate', line: 4, field: '승인일자' });
  });

  it('a line with missing fields (fixed width, cut short)', async () => {
    const r = await refusal(editLine(file('kicc-fixed'), 3, (l) => l.slice(0, 70)), 'kicc-fixed');
    expect(r).toMatchObject({ key: 'reconcile.bad.missingField', line: 3, field: '거래금액' });
  });

  it('a line with missing fields (CSV)', async () => {
    const r = await refusal(editLine(file('toss-csv'), 6, (l) => l.split(',').slice(0, 7).join(',')), 'toss-csv');
    expect(r).toMatchObject({ key: 'reconcile.bad.missingField', line: 6, field: '수수료' });
  });

  it('a wrong encoding: bytes neither UTF-8 nor CP949', async () => {
    const bytes = Buffer.concat([file('toss-csv', 'cp949').subarray(0, 200), Buffer.from([0xff, 0xfe, 0xff, 0x80]), file('toss-csv', 'cp949').subarray(200)]);
    const r = await refusal(bytes, 'toss-csv');
    expect(r.key).toBe('reconcile.bad.encoding');
    expect(typeof r.line).toBe('number');
  });

  it('a CSV whose header lacks a required column', async () => {
    const r = await refusal(editLine(file('toss-csv'), 1, (l) => l.replace('거래금액', '금액')), 'toss-csv');
    expect(r).toMatchObject({ key: 'reconcile.bad.headerMissing', line: 1, field: '거래금액' });
  });

  it('a Hecto header whose count disagrees with the records', async () => {
    const r = await refusal(editLine(file('hecto-pipe'), 1, (l) => l.replace(/\|\d+\|$/, '|999|')), 'hecto-pipe');
    expect(r).toMatchObject({ key: 'reconcile.bad.hectoCount', line: 1 });
  });

  it('an unknown transaction type', async () => {
    const r = await refusal(editLine(file('kicc-fixed'), 2, (l) => 'X' + l.slice(1)), 'kicc-fixed');
    expect(r).toMatchObject({ key: 'reconcile.bad.badType', line: 2, field: '거래구분' });
  });

  it('an empty file', async () => {
    expect((await refusal(Buffer.alloc(0), 'kicc-fixed')).key).toBe('reconcile.bad.empty');
  });
});
