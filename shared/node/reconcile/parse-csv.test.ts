import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../common/errors.js';
import { DEFAULT_PROFILES, type SettlementRow } from '../../reconcile/profile.js';
import { sampleLedger } from './fixtures.js';
import { generateSettlement } from './generate.js';
import { decoder, parseSettlement, plainEucKr } from './parse.js';

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

describe('decoding CP949', () => {
  const decode = (buf: Buffer, iconvCp949: boolean) => {
    const d = decoder('cp949', iconvCp949);
    let s = '';
    // Chunks of an odd size cut double-byte characters in two.
    for (let o = 0; o < buf.length; o += 4_097) s += d.write(buf.subarray(o, o + 4_097));
    return s + d.end();
  };
  const pairs = (lead: [number, number], trail: [number, number]) => {
    const bytes: number[] = [];
    for (let hi = lead[0]; hi <= lead[1]; hi++) for (let lo = trail[0]; lo <= trail[1]; lo++) bytes.push(hi, lo, 0x2c);
    return Buffer.from(bytes);
  };

  it('reads every pair it calls plain EUC-KR through ICU as iconv-lite cp949 does, and real text across chunk boundaries', () => {
    const all = pairs([0xa1, 0xfe], [0xa1, 0xfe]);
    let plain = 0;
    for (let i = 0; i < all.length; i += 3) {
      const b = all.subarray(i, i + 2);
      if (!plainEucKr(b)) continue;
      plain++;
      const [viaIcu, viaIconv] = [decode(b, false), decode(b, true)];
      // A code neither assigns is unreadable either way (the file is refused); every other reads the same.
      expect(viaIcu.includes('\uFFFD')).toBe(viaIconv.includes('\uFFFD'));
      if (!viaIconv.includes('\uFFFD')) expect(viaIcu).toBe(viaIconv);
    }
    expect(plain).toBeGreaterThan(8_000);
    // Every KS X 1001 syllable (B0A1–C8FE), in odd-sized chunks that cut pairs in two.
    const syllables = pairs([0xb0, 0xc8], [0xa1, 0xfe]);
    expect(plainEucKr(syllables)).toBe(true);
    expect(decode(syllables, false)).toBe(decode(syllables, true));
    expect(decode(syllables, false)).toContain('승');
  });

  it('sends a file with UHC-only syllables (갂, 똠) to iconv-lite, which ICU euc-kr would garble', async () => {
    const uhc = iconv.encode('갂,똠,승인', 'cp949');
    expect(plainEucKr(uhc)).toBe(false);
    expect(decode(uhc, false)).not.toBe('갂,똠,승인');
    // Through the parser: a CSV whose tid holds a UHC syllable reads it back.
    const text = withNotes(() => '').replace(/\r\n(승인),tgen_/, '\r\n$1,똠tgen_');
    expect((await rows(text, 'cp949')).some((r) => r.tid.startsWith('똠tgen_'))).toBe(true);
    // Bytes neither reads also go to iconv-lite (and are refused as before).
    expect(plainEucKr(Buffer.from([0x41, 0xff, 0xfe]))).toBe(false);
    expect(plainEucKr(Buffer.from([0x41, 0xb0]))).toBe(false);
  });

  it('decides the same reading four ASCII bytes at a time as byte by byte, at any alignment', () => {
    const byteByByte = (b: Uint8Array, from: number) => {
      for (let i = from; i < b.length; i++) {
        const x = b[i]!;
        if (x < 0x80) continue;
        const t = b[i + 1] ?? 0;
        if (x < 0xa1 || x > 0xfd || x === 0xc9 || t < 0xa1 || t > 0xfe || (x === 0xa2 && (t === 0xe6 || t === 0xe7))) return false;
        i++;
      }
      return true;
    };
    const pieces = fc.oneof(fc.constantFrom('승인', '취소', '갂', '€'), fc.string({ maxLength: 12 }), fc.constantFrom('\xff', '\x81'));
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 30 }), fc.nat(7), fc.nat(3), (parts, pad, from) => {
        const body = Buffer.concat(parts.map((p) => (p === '\xff' || p === '\x81' ? Buffer.from([p.charCodeAt(0)]) : iconv.encode(p, 'cp949'))));
        // The same bytes at another offset in a larger buffer (aligned or not).
        const big = new Uint8Array(new ArrayBuffer(body.length + 16), pad, body.length);
        big.set(body);
        expect(plainEucKr(big, Math.min(from, big.length))).toBe(byteByByte(big, Math.min(from, big.length)));
      }),
      { numRuns: 500 },
    );
  });
});
