import { isUtf8 } from 'node:buffer';
import { parse as csvParse } from 'csv-parse';
import iconv from 'iconv-lite';
import { AppError } from '../../common/errors.js';
import { seoulInstant } from '../../reconcile/days.js';
import { FIELD_LABELS, REQUIRED_FIELDS, type SettlementField, type SettlementProfile, type SettlementRow } from '../../reconcile/profile.js';

/** A file that cannot be read as the profile says: the message names the line and the field; nothing is written. */
export function badFile(key: string, line: number, field?: SettlementField | string): AppError {
  const label = field === undefined ? '' : ((FIELD_LABELS as Record<string, string>)[field] ?? field);
  return new AppError('validation_failed', `reconcile.bad.${key}`, { line, field: label });
}

export type DetectedEncoding = 'utf-8' | 'utf-8-bom' | 'cp949';

/**
 * The file's encoding: a BOM says UTF-8; otherwise bytes that are valid UTF-8
 * are UTF-8 (Korean text in CP949 almost never is); otherwise CP949, as Windows
 * and Excel write Korean. A profile may fix the encoding instead.
 */
export function detectEncoding(bytes: Uint8Array, profile: Pick<SettlementProfile, 'encoding'>): DetectedEncoding {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8-bom';
  if (profile.encoding === 'cp949') return 'cp949';
  if (profile.encoding === 'utf-8') return 'utf-8';
  return isUtf8(bytes) ? 'utf-8' : 'cp949';
}

export interface ParseProgress {
  bytes: number;
  total: number;
  rows: number;
}

export interface ParseOptions {
  signal?: AbortSignal;
  onProgress?: (p: ParseProgress) => void;
}

const CHUNK = 1 << 20;

/** Decoded text in chunks, with the byte offset reached; a byte the encoding cannot read becomes U+FFFD. */
function* decodeChunks(bytes: Uint8Array, enc: DetectedEncoding): Generator<[string, number]> {
  const start = enc === 'utf-8-bom' ? 3 : 0;
  if (enc === 'cp949') {
    const dec = iconv.getDecoder('cp949');
    for (let o = start; o < bytes.length; o += CHUNK) yield [dec.write(Buffer.from(bytes.buffer, bytes.byteOffset + o, Math.min(CHUNK, bytes.length - o))), Math.min(bytes.length, o + CHUNK)];
    const end = dec.end();
    if (end) yield [end, bytes.length];
    return;
  }
  const dec = new TextDecoder('utf-8');
  for (let o = start; o < bytes.length; o += CHUNK) yield [dec.decode(bytes.subarray(o, Math.min(bytes.length, o + CHUNK)), { stream: true }), Math.min(bytes.length, o + CHUNK)];
  const end = dec.decode();
  if (end) yield [end, bytes.length];
}

/** Reads the columns of one record (cells of a delimited line, or a fixed-width line) into a settlement row. */
class RowReader {
  private readonly map = new Map<SettlementField, { index?: number; start?: number; width?: number }>();
  private readonly needed: number;

  constructor(private readonly p: SettlementProfile) {
    for (const c of p.columns) this.map.set(c.field, c);
    this.needed = p.shape === 'fixed' ? Math.max(...p.columns.map((c) => c.start! + c.width!)) : 0;
  }

  /** Named headers: find each column by its name in the header line. */
  bindHeader(cells: string[]): void {
    for (const c of this.p.columns) {
      if (!c.header) continue;
      const i = cells.findIndex((h) => h.trim() === c.header);
      if (i < 0) {
        if (REQUIRED_FIELDS.includes(c.field)) throw badFile('headerMissing', 1, c.header);
        this.map.delete(c.field);
      } else this.map.set(c.field, { index: i });
    }
  }

  private cell(cells: string[] | string, f: SettlementField, line: number, required: boolean): string | null {
    const c = this.map.get(f);
    if (!c) {
      if (required) throw badFile('missingField', line, f);
      return null;
    }
    let v: string | undefined;
    if (typeof cells === 'string') v = cells.length >= c.start! + c.width! ? cells.slice(c.start!, c.start! + c.width!) : undefined;
    else v = cells[c.index!];
    if (v === undefined) {
      if (required) throw badFile('missingField', line, f);
      return null;
    }
    v = v.trim();
    if (v.includes('\uFFFD')) throw badFile('encoding', line, f);
    if (v === '') {
      if (required) throw badFile('emptyField', line, f);
      return null;
    }
    return v;
  }

  private won(cells: string[] | string, f: SettlementField, line: number, required = true): number | null {
    const v = this.cell(cells, f, line, required);
    if (v === null) return null;
    const plain = v.replaceAll(',', '');
    if (!/^-?\d{1,15}$/.test(plain)) throw badFile('notNumber', line, f);
    return Number(plain);
  }

  /** Dates seen so far: a file holds a handful, so each is checked once. */
  private readonly days = new Map<string, { iso: string; startMs: number }>();

  private day(v: string, f: SettlementField, line: number): { iso: string; startMs: number } {
    let d = this.days.get(v);
    if (!d) {
      const iso = this.p.dateFormat === 'YYYYMMDD' ? (/^\d{8}$/.test(v) ? `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}` : '') : v;
      const startMs = seoulInstant(iso, '000000');
      if (Number.isNaN(startMs)) throw badFile('badDate', line, f);
      this.days.set(v, (d = { iso, startMs }));
    }
    return d;
  }

  /** HHmmss (or HH:mm:ss) as ms into the day, or NaN. */
  private static time(t: string): number {
    if (t.length === 8 && t[2] === ':' && t[5] === ':') t = t.slice(0, 2) + t.slice(3, 5) + t.slice(6);
    if (t.length !== 6) return NaN;
    let v = 0;
    for (let i = 0; i < 6; i++) {
      const c = t.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return NaN;
      v = v * 10 + c;
    }
    const h = Math.floor(v / 10_000);
    const m = Math.floor(v / 100) % 100;
    const s = v % 100;
    return h > 23 || m > 59 || s > 59 ? NaN : ((h * 60 + m) * 60 + s) * 1_000;
  }

  read(cells: string[] | string, line: number): SettlementRow {
    if (typeof cells === 'string' && cells.includes('\uFFFD')) throw badFile('encoding', line);
    if (typeof cells === 'string' && cells.length < this.needed) {
      const missing = this.p.columns.find((c) => c.start! + c.width! > cells.length)!;
      throw badFile('missingField', line, missing.field);
    }
    const typeText = this.cell(cells, 'type', line, true)!;
    const type = typeText === this.p.approvalValue ? 'approval' : typeText === this.p.cancelValue ? 'cancel' : null;
    if (!type) throw badFile('badType', line, 'type');
    const tid = this.cell(cells, 'tid', line, true)!;
    const date = this.day(this.cell(cells, 'approvedDate', line, true)!, 'approvedDate', line);
    const offset = RowReader.time(this.cell(cells, 'approvedTime', line, false) ?? '000000');
    if (Number.isNaN(offset)) throw badFile('badTime', line, 'approvedTime');
    const amount = this.won(cells, 'amount', line)!;
    const fee = this.won(cells, 'fee', line)!;
    const vat = this.won(cells, 'vat', line)!;
    const net = this.won(cells, 'net', line, false) ?? amount - fee - vat;
    if (amount < 0 || fee < 0 || vat < 0) throw badFile('negative', line, amount < 0 ? 'amount' : fee < 0 ? 'fee' : 'vat');
    return {
      line,
      type,
      tid,
      originalTid: this.cell(cells, 'originalTid', line, false),
      approvalNo: this.cell(cells, 'approvalNo', line, false),
      approvedMs: date.startMs + offset,
      approvedDay: date.iso,
      amount,
      fee,
      vat,
      net,
      payoutDay: this.day(this.cell(cells, 'payoutDate', line, true)!, 'payoutDate', line).iso,
    };
  }
}

/**
 * Streams a settlement file through the profile: decodes it chunk by chunk,
 * splits delimited text with csv-parse (fixed-width by line), and hands each
 * row to `onRow`. The first problem stops it with a message naming the line
 * and the field; callers write nothing until it has finished cleanly.
 */
export async function parseSettlement(bytes: Uint8Array, profile: SettlementProfile, onRow: (row: SettlementRow) => void, o: ParseOptions = {}): Promise<{ encoding: DetectedEncoding; rows: number }> {
  const encoding = detectEncoding(bytes, profile);
  const reader = new RowReader(profile);
  let rows = 0;
  let declared: number | null = null;
  let bytesDone = 0;
  const progress = () => o.onProgress?.({ bytes: bytesDone, total: bytes.length, rows });
  const abortCheck = () => {
    if (o.signal?.aborted) throw new AppError('conflict', 'reconcile.cancelled');
  };

  const onRecord = (cells: string[] | string, line: number) => {
    if (line === 1 && profile.header === 'hecto') {
      const c = typeof cells === 'string' ? cells.split('|') : cells;
      if (c.some((x) => x.includes('\uFFFD'))) throw badFile('encoding', 1);
      if (!/^\d+$/.test((c[2] ?? '').trim())) throw badFile('hectoHeader', 1, 'count');
      declared = Number(c[2]);
      return;
    }
    if (line === 1 && profile.header === 'named') {
      const c = cells as string[];
      if (c.some((x) => x.includes('\uFFFD'))) throw badFile('encoding', 1);
      reader.bindHeader(c);
      return;
    }
    onRow(reader.read(cells, line));
    rows++;
  };

  // Fixed-width records, and Hecto's pipe records (which its layout never quotes), split by line directly:
  // csv-parse costs about 20 µs a record here, which a million-row file cannot afford. CSV goes through csv-parse.
  const byLine = profile.shape === 'fixed' || profile.header === 'hecto';
  const delimiter = profile.delimiter ?? ',';
  if (byLine) {
    let rest = '';
    let line = 0;
    for (const [text, reached] of decodeChunks(bytes, encoding)) {
      abortCheck();
      const parts = (rest + text).split('\n');
      rest = parts.pop()!;
      for (const p of parts) {
        line++;
        const l = p.endsWith('\r') ? p.slice(0, -1) : p;
        if (l.trim() !== '') onRecord(profile.shape === 'fixed' ? l : l.split(delimiter), line);
      }
      bytesDone = reached;
      progress();
      await new Promise((r) => setImmediate(r));
    }
    if (rest.trim() !== '') onRecord(profile.shape === 'fixed' ? rest : rest.split(delimiter), ++line);
  } else {
    let lineOffset = 0;
    let pendingHeader = '';
    const parser = csvParse({ delimiter: profile.delimiter ?? ',', relax_column_count: true, skip_empty_lines: true, info: true, relax_quotes: true, record_delimiter: ['\r\n', '\n'] });
    let failure: unknown = null;
    parser.on('readable', () => {
      let rec: { record: string[]; info: { lines: number } } | null;
      while ((rec = parser.read() as typeof rec) !== null) {
        if (failure) continue;
        try {
          onRecord(rec.record, rec.info.lines + lineOffset);
        } catch (e) {
          failure = e;
        }
      }
    });
    const done = new Promise<void>((resolve, reject) => {
      parser.on('end', resolve);
      parser.on('error', reject);
    });
    let first = profile.header === 'hecto';
    for (const [chunk, reached] of decodeChunks(bytes, encoding)) {
      let text = chunk;
      abortCheck();
      if (failure) break;
      if (first) {
        // Hecto's header has fewer columns than its records: read it here, so csv-parse sees records of one width
        // (with relax_column_count it builds a CsvError, stack and all, for every record of another width than the first).
        pendingHeader += text;
        const nl = pendingHeader.indexOf('\n');
        if (nl < 0) continue;
        onRecord(pendingHeader.slice(0, nl).replace(/\r$/, '').split('|'), 1);
        text = pendingHeader.slice(nl + 1);
        lineOffset = 1;
        first = false;
      }
      // Wait for the parser to take each chunk, so a large file is never all in memory as text.
      if (!parser.write(text)) await new Promise((r) => parser.once('drain', r));
      bytesDone = reached;
      progress();
      await new Promise((r) => setImmediate(r));
    }
    parser.end();
    try {
      await done;
    } catch (e) {
      throw failure ?? badFile('csv', (e as { lines?: number }).lines ?? 0);
    }
    if (failure) throw failure;
  }
  abortCheck();
  if (declared !== null && declared !== rows) throw new AppError('validation_failed', 'reconcile.bad.hectoCount', { line: 1, field: 'count', declared, rows });
  if (rows === 0) throw badFile('empty', 1);
  progress();
  return { encoding, rows };
}
