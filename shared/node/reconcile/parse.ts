import { isUtf8 } from 'node:buffer';
import { parse as csvParseSync } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { AppError } from '../../common/errors.js';
import { seoulInstant } from '../../reconcile/days.js';
import { FIELD_LABELS, REQUIRED_FIELDS, SETTLEMENT_FIELDS, type SettlementField, type SettlementProfile, type SettlementRow } from '../../reconcile/profile.js';

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

/**
 * Decoded 64 KB at a time: a text chunk (and the line slices that keep it alive) stays below V8's
 * large-object size, so it dies young in a scavenge instead of piling up in old space until a full
 * collection (a million-row CSV with Korean in every line left ~150 MB of dead 2 MB chunks at 1 MB).
 */
const CHUNK = 1 << 16;
/** Bytes between yields to the event loop (a cancel, the job's progress poll). */
const YIELD_BYTES = 1 << 20;
/** Lines one quoted CSV record may span (a note with line breaks in it); more is a quote never closed. */
const MAX_RECORD_LINES = 50;

/** Decoded text in chunks, with the byte offset reached; a byte the encoding cannot read becomes U+FFFD. */
function* decodeChunks(bytes: Uint8Array, enc: DetectedEncoding): Generator<[string, number]> {
  const start = enc === 'utf-8-bom' ? 3 : 0;
  const dec = decoder(enc, enc === 'cp949' && !plainEucKr(bytes, start));
  for (let o = start; o < bytes.length; o += CHUNK) yield [dec.write(bytes.subarray(o, Math.min(bytes.length, o + CHUNK))), Math.min(bytes.length, o + CHUNK)];
  const end = dec.end();
  if (end) yield [end, bytes.length];
}

/**
 * Whether CP949 bytes stay within the part of CP949 that Node's ICU `euc-kr` decoder reads the same,
 * twice as fast as iconv-lite: KS X 1001 pairs (lead and trail bytes A1–FE), less the user-defined rows
 * (C9, FE) and the two symbols CP949 added later (€ A2E6, ® A2E7). ICU does not read the UHC
 * extension Windows adds (갂, 똠, 햏… with bytes 81–A0 or a trail below A1): a file that has any of
 * these, or any byte neither reads, goes through iconv-lite's cp949. One pass, ~0.1 s for 100 MB.
 */
export function plainEucKr(bytes: Uint8Array, from = 0): boolean {
  const n = bytes.length;
  // Four bytes at a time while they are ASCII (most of a settlement file), when the buffer is aligned for it.
  const words = bytes.byteOffset % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, n >>> 2) : null;
  let i = from;
  while (i < n) {
    if (words && (i & 3) === 0) {
      let w = i >>> 2;
      while (w < words.length && (words[w]! & 0x80808080) === 0) w++;
      i = w << 2;
      if (i >= n) break;
    }
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const t = bytes[i + 1] ?? 0;
    if (b < 0xa1 || b > 0xfd || b === 0xc9 || t < 0xa1 || t > 0xfe || (b === 0xa2 && (t === 0xe6 || t === 0xe7))) return false;
    i += 2;
  }
  return true;
}

/** A streaming decoder: for CP949, ICU's euc-kr unless `iconvCp949` (or this Node was built without it). */
export function decoder(enc: DetectedEncoding, iconvCp949 = false): { write(b: Uint8Array): string; end(): string } {
  if (enc === 'cp949') {
    let td: InstanceType<typeof TextDecoder> | null = null;
    try {
      if (!iconvCp949) td = new TextDecoder('euc-kr');
    } catch {
      td = null;
    }
    if (!td) {
      const d = iconv.getDecoder('cp949');
      return { write: (b) => d.write(Buffer.from(b.buffer, b.byteOffset, b.byteLength)), end: () => d.end() ?? '' };
    }
    const t = td;
    return { write: (b) => t.decode(b, { stream: true }), end: () => t.decode() };
  }
  const t = new TextDecoder('utf-8');
  return { write: (b) => t.decode(b, { stream: true }), end: () => t.decode() };
}

interface Column {
  /** Delimited: the cell's index; -1 when the profile or the header does not have the field. */
  index: number;
  /** Fixed width. */
  start: number;
  end: number;
}

const NONE: Column = { index: -1, start: -1, end: -1 };

/**
 * Reads the columns of one record (cells of a delimited line, or a fixed-width
 * line) into a settlement row. Columns are looked up by field once, not per
 * cell, and the U+FFFD check runs per cell only on the rare line that has one:
 * a million rows pass through here.
 */
class RowReader {
  private readonly cols = new Map<SettlementField, Column>();
  private readonly needed: number;
  private readonly fixed: boolean;
  /** Each field's column, looked up when the profile or the header is bound (the constructor does) rather than per cell. */
  private col!: Record<SettlementField, Column>;
  /** Whether the line being read holds a character the decoder could not read. */
  private suspect = false;

  constructor(private readonly p: SettlementProfile) {
    this.fixed = p.shape === 'fixed';
    for (const c of p.columns) this.cols.set(c.field, { index: c.index ?? -1, start: c.start ?? -1, end: (c.start ?? 0) + (c.width ?? 0) });
    this.needed = this.fixed ? Math.max(...p.columns.map((c) => c.start! + c.width!)) : 0;
    this.bind();
  }

  private bind(): void {
    this.col = Object.fromEntries(SETTLEMENT_FIELDS.map((f) => [f, this.cols.get(f) ?? NONE])) as Record<SettlementField, Column>;
  }

  /** Named headers: find each column by its name in the header line. */
  bindHeader(cells: string[]): void {
    for (const c of this.p.columns) {
      if (!c.header) continue;
      const i = cells.findIndex((h) => h.trim() === c.header);
      if (i < 0) {
        if (REQUIRED_FIELDS.includes(c.field)) throw badFile('headerMissing', 1, c.header);
        this.cols.delete(c.field);
      } else this.cols.set(c.field, { index: i, start: -1, end: -1 });
    }
    this.bind();
  }

  private fieldOf(c: Column): SettlementField {
    for (const [f, x] of this.cols) if (x === c) return f;
    return 'type';
  }

  private cell(cells: string[] | string, c: Column, line: number, required: boolean): string | null {
    let v: string | undefined;
    if (c === NONE) v = undefined;
    else if (typeof cells === 'string') v = cells.length >= c.end ? cells.slice(c.start, c.end) : undefined;
    else v = c.index >= 0 ? cells[c.index] : undefined;
    if (v === undefined) {
      if (required) throw badFile('missingField', line, c === NONE ? this.requiredMissing() : this.fieldOf(c));
      return null;
    }
    v = v.trim();
    if (this.suspect && v.includes('\uFFFD')) throw badFile('encoding', line, this.fieldOf(c));
    if (v === '') {
      if (required) throw badFile('emptyField', line, this.fieldOf(c));
      return null;
    }
    return v;
  }

  /** The first required field the profile does not map (a profile is checked on save; this is the backstop). */
  private requiredMissing(): SettlementField {
    return REQUIRED_FIELDS.find((f) => !this.cols.has(f)) ?? 'type';
  }

  /** Whole won: digits, an optional minus and thousands commas, at most 15 digits (exact in a double). */
  private won(cells: string[] | string, c: Column, line: number, required = true): number | null {
    const v = this.cell(cells, c, line, required);
    if (v === null) return null;
    let n = 0;
    let digits = 0;
    let neg = false;
    for (let i = 0; i < v.length; i++) {
      const ch = v.charCodeAt(i);
      if (ch >= 48 && ch <= 57) {
        n = n * 10 + (ch - 48);
        digits++;
      } else if (ch === 44 /* , */) continue;
      else if (ch === 45 /* - */ && i === 0) neg = true;
      else throw badFile('notNumber', line, this.fieldOf(c));
    }
    if (digits === 0 || digits > 15) throw badFile('notNumber', line, this.fieldOf(c));
    return neg ? -n : n;
  }

  /** Dates seen so far: a file holds a handful, so each is checked once. */
  private readonly days = new Map<string, { iso: string; startMs: number }>();

  private day(v: string, c: Column, line: number): { iso: string; startMs: number } {
    let d = this.days.get(v);
    if (!d) {
      const iso = this.p.dateFormat === 'YYYYMMDD' ? (/^\d{8}$/.test(v) ? `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}` : '') : v;
      const startMs = seoulInstant(iso, '000000');
      if (Number.isNaN(startMs)) throw badFile('badDate', line, this.fieldOf(c));
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

  /** `suspect`: the line holds U+FFFD somewhere (the caller checks the line once). */
  read(cells: string[] | string, line: number, suspect: boolean): SettlementRow {
    this.suspect = suspect;
    if (typeof cells === 'string' && suspect) throw badFile('encoding', line);
    if (typeof cells === 'string' && cells.length < this.needed) {
      const missing = this.p.columns.find((c) => c.start! + c.width! > cells.length)!;
      throw badFile('missingField', line, missing.field);
    }
    const typeText = this.cell(cells, this.col.type, line, true)!;
    const type = typeText === this.p.approvalValue ? 'approval' : typeText === this.p.cancelValue ? 'cancel' : null;
    if (!type) throw badFile('badType', line, 'type');
    const tid = this.cell(cells, this.col.tid, line, true)!;
    const date = this.day(this.cell(cells, this.col.approvedDate, line, true)!, this.col.approvedDate, line);
    const offset = RowReader.time(this.cell(cells, this.col.approvedTime, line, false) ?? '000000');
    if (Number.isNaN(offset)) throw badFile('badTime', line, 'approvedTime');
    const amount = this.won(cells, this.col.amount, line)!;
    const fee = this.won(cells, this.col.fee, line)!;
    const vat = this.won(cells, this.col.vat, line)!;
    const net = this.won(cells, this.col.net, line, false) ?? amount - fee - vat;
    if (amount < 0 || fee < 0 || vat < 0) throw badFile('negative', line, amount < 0 ? 'amount' : fee < 0 ? 'fee' : 'vat');
    return {
      line,
      type,
      tid,
      originalTid: this.cell(cells, this.col.originalTid, line, false),
      approvalNo: this.cell(cells, this.col.approvalNo, line, false),
      approvedMs: date.startMs + offset,
      approvedDay: date.iso,
      amount,
      fee,
      vat,
      net,
      payoutDay: this.day(this.cell(cells, this.col.payoutDate, line, true)!, this.col.payoutDate, line).iso,
    };
  }
}

/**
 * Streams a settlement file through the profile: decodes it chunk by chunk,
 * splits it into lines and hands each row to `onRow`. The first problem stops it
 * with a message naming the line and the field; callers write nothing until it
 * has finished cleanly.
 *
 * Delimited lines without a double quote are split on the delimiter directly
 * (csv-parse costs about 20 µs a record, which a million-row file cannot
 * afford); a line with a quote goes to csv-parse, joined with the lines after it
 * while its quote is still open, so quoted delimiters and line breaks read as
 * the CSV standard says. Hecto's pipe records are never quoted.
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
  const fixed = profile.shape === 'fixed';
  const delimiter = profile.delimiter ?? ',';
  const quotes = !fixed && profile.header !== 'hecto';
  const csvOptions = { delimiter, relax_quotes: true, relax_column_count: true, record_delimiter: ['\r\n', '\n'] };

  const onRecord = (cells: string[] | string, line: number, suspect: boolean) => {
    if (line === 1 && profile.header === 'hecto') {
      const c = typeof cells === 'string' ? cells.split('|') : cells;
      if (suspect) throw badFile('encoding', 1);
      if (!/^\d+$/.test((c[2] ?? '').trim())) throw badFile('hectoHeader', 1, 'count');
      declared = Number(c[2]);
      return;
    }
    if (line === 1 && profile.header === 'named') {
      if (suspect) throw badFile('encoding', 1);
      reader.bindHeader(cells as string[]);
      return;
    }
    onRow(reader.read(cells, line, suspect));
    rows++;
  };

  /** A quoted record being gathered over several lines: its text so far and its first line. */
  let open: { text: string; line: number } | null = null;
  /** csv-parse's cells of a record with quotes, or null while a quote is still open. */
  const quoted = (text: string, line: number): string[] | null => {
    try {
      const recs = csvParseSync(text, csvOptions) as string[][];
      if (recs.length !== 1) throw badFile('csv', line);
      return recs[0]!;
    } catch (e) {
      if ((e as { code?: string }).code === 'CSV_QUOTE_NOT_CLOSED') return null;
      if (e instanceof AppError) throw e;
      throw badFile('csv', line);
    }
  };

  const onLine = (raw: string, line: number) => {
    if (open) {
      // A record never spans many lines: a quote left open would otherwise gather (and re-read) the whole rest of the file.
      if (line - open.line >= MAX_RECORD_LINES) throw badFile('csv', open.line);
      open.text += '\n' + raw;
      const cells = quoted(open.text.endsWith('\r') ? open.text.slice(0, -1) : open.text, open.line);
      if (cells) {
        const at = open.line;
        open = null;
        onRecord(cells, at, cells.some((c) => c.includes('\uFFFD')));
      }
      return;
    }
    const l = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (l.trim() === '') return;
    const suspect = l.includes('\uFFFD');
    if (fixed) onRecord(l, line, suspect);
    else if (quotes && l.includes('"')) {
      const cells = quoted(l, line);
      if (cells) onRecord(cells, line, suspect);
      else open = { text: raw, line };
    } else onRecord(l.split(delimiter), line, suspect);
  };

  let rest = '';
  let line = 0;
  for (const [text, reached] of decodeChunks(bytes, encoding)) {
    abortCheck();
    const chunk = rest + text;
    let from = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', from)) {
      onLine(chunk.slice(from, nl), ++line);
      from = nl + 1;
    }
    rest = chunk.slice(from);
    if (reached - bytesDone >= YIELD_BYTES || reached === bytes.length) {
      bytesDone = reached;
      progress();
      // Let a cancel (and the job's progress poll) in between chunks.
      await new Promise((r) => setImmediate(r));
    }
  }
  if (rest !== '') onLine(rest, ++line);
  if (open !== null) throw badFile('csv', (open as { line: number }).line);
  abortCheck();
  if (declared !== null && declared !== rows) throw new AppError('validation_failed', 'reconcile.bad.hectoCount', { line: 1, field: 'count', declared, rows });
  if (rows === 0) throw badFile('empty', 1);
  progress();
  return { encoding, rows };
}
