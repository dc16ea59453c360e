import type { LedgerTx } from './ledger-tx.js';

/**
 * The record's side of a reconciliation, columnar: a large sale puts a million
 * payments through one provider in a day, and a million `LedgerTx` objects
 * (object header, boxed approval instants, a string and a Map entry per key)
 * cost about 200 MB where these typed arrays and one byte buffer of keys cost
 * about 60 MB. Rows are appended in any order; `find` looks a key up.
 */
export class LedgerIndex {
  private cap: number;
  size = 0;
  /** 1 = approval (purchase), 2 = cancellation/refund. */
  kind: Uint8Array;
  approvedMs: Float64Array;
  amount: Float64Array;
  /** Index into `districts` (a city has 25; a byte is plenty, 255 = none). */
  district: Uint8Array;
  readonly districts: string[] = [];
  private readonly districtIds = new Map<string, number>();
  /** Event ids, only when the caller has them (tests, small ledgers): the loader leaves them out and looks them up for exceptions. */
  eventIds: string[] | null = null;
  readonly keys: KeyTable;

  /** `keyBytes`: the keys' total length, when the caller knows it (the loader does), so the key buffer never grows. */
  constructor(capacity = 1024, keyBytes = 0) {
    this.cap = Math.max(16, capacity);
    this.kind = new Uint8Array(this.cap);
    this.approvedMs = new Float64Array(this.cap);
    this.amount = new Float64Array(this.cap);
    this.district = new Uint8Array(this.cap);
    this.keys = new KeyTable(this.cap, keyBytes);
  }

  static from(txs: readonly LedgerTx[]): LedgerIndex {
    const ix = new LedgerIndex(txs.length);
    ix.eventIds = [];
    for (const t of txs) {
      ix.push(t.kind, t.tid, t.approvedMs, t.amount, t.districtCode);
      ix.eventIds.push(t.eventId);
    }
    return ix;
  }

  private grow(): void {
    this.cap *= 2;
    const g = <T extends Uint8Array | Float64Array>(a: T, n: number): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.kind = g(this.kind, this.cap);
    this.approvedMs = g(this.approvedMs, this.cap);
    this.amount = g(this.amount, this.cap);
    this.district = g(this.district, this.cap);
  }

  push(kind: 'approval' | 'cancel', tid: string, approvedMs: number, amount: number, districtCode: string | null): number {
    if (this.size === this.cap) this.grow();
    const i = this.size++;
    this.kind[i] = kind === 'approval' ? 1 : 2;
    this.approvedMs[i] = approvedMs;
    this.amount[i] = amount;
    this.district[i] = this.districtId(districtCode);
    this.keys.set(tid, i);
    return i;
  }

  /** A district's byte: its place in `districts` (added on first sight), 255 for none (or past 255 districts). */
  private districtId(code: string | null): number {
    if (code === null) return 255;
    let d = this.districtIds.get(code);
    if (d === undefined) {
      if (this.districts.length >= 255) return 255;
      d = this.districts.length;
      this.districts.push(code);
      this.districtIds.set(code, d);
    }
    return d;
  }

  setDistrict(i: number, code: string | null): void {
    this.district[i] = this.districtId(code);
  }

  kindOf(i: number): 'approval' | 'cancel' {
    return this.kind[i] === 1 ? 'approval' : 'cancel';
  }
  districtOf(i: number): string | null {
    return this.districts[this.district[i]!] ?? null;
  }
  tidOf(i: number): string {
    return this.keys.keyOf(i);
  }
  eventIdOf(i: number): string {
    return this.eventIds?.[i] ?? '';
  }
}

/**
 * Transaction keys → row, without a JS string per key: the keys' bytes in one
 * growing buffer and an open-addressing table of row numbers, probed with an
 * FNV-1a hash computed straight from the looked-up string's char codes. Keys are
 * ASCII in every provider's format; a key that is not goes to a plain Map.
 * A key added twice points at its latest row (as Map.set would).
 */
export class KeyTable {
  private bytes: Uint8Array;
  private used = 0;
  /** Row i's key is bytes[start[i], start[i] + len[i]). */
  private start: Uint32Array;
  private len: Uint16Array;
  private slots: Int32Array;
  private mask: number;
  private count = 0;
  private readonly wide = new Map<string, number>();
  private readonly wideKeys = new Map<number, string>();

  constructor(capacity: number, keyBytes = 0) {
    this.bytes = new Uint8Array(keyBytes > 0 ? keyBytes : capacity * 24);
    this.start = new Uint32Array(capacity);
    this.len = new Uint16Array(capacity);
    const n = 1 << Math.ceil(Math.log2(capacity * 2 + 2));
    this.slots = new Int32Array(n).fill(-1);
    this.mask = n - 1;
  }

  private static hash(s: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    return h >>> 0;
  }

  private static ascii(s: string): boolean {
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
    return s.length < 0xffff;
  }

  private same(row: number, s: string): boolean {
    const l = this.len[row]!;
    if (l !== s.length) return false;
    const o = this.start[row]!;
    for (let k = 0; k < l; k++) if (this.bytes[o + k] !== s.charCodeAt(k)) return false;
    return true;
  }

  private ensureRow(row: number): void {
    if (row < this.start.length) return;
    let n = this.start.length * 2;
    while (n <= row) n *= 2;
    const s = new Uint32Array(n);
    s.set(this.start);
    this.start = s;
    const l = new Uint16Array(n);
    l.set(this.len);
    this.len = l;
  }

  private rehash(): void {
    const n = this.slots.length * 2;
    const slots = new Int32Array(n).fill(-1);
    const mask = n - 1;
    for (const row of this.slots) {
      if (row < 0) continue;
      const o = this.start[row]!;
      let h = 0x811c9dc5;
      for (let k = 0; k < this.len[row]!; k++) h = Math.imul(h ^ this.bytes[o + k]!, 0x01000193);
      let j = (h >>> 0) & mask;
      while (slots[j]! >= 0) j = (j + 1) & mask;
      slots[j] = row;
    }
    this.slots = slots;
    this.mask = mask;
  }

  set(key: string, row: number): void {
    if (!KeyTable.ascii(key)) {
      this.wide.set(key, row);
      this.wideKeys.set(row, key);
      return;
    }
    this.ensureRow(row);
    let j = KeyTable.hash(key) & this.mask;
    for (;;) {
      const r = this.slots[j]!;
      if (r < 0) break;
      if (this.same(r, key)) {
        // Same key again: the new row takes the slot; the old row keeps its bytes for keyOf.
        this.slots[j] = row;
        this.copyKey(row, key);
        return;
      }
      j = (j + 1) & this.mask;
    }
    this.copyKey(row, key);
    this.slots[j] = row;
    if (++this.count * 2 > this.slots.length) this.rehash();
  }

  private copyKey(row: number, key: string): void {
    if (this.used + key.length > this.bytes.length) {
      const b = new Uint8Array(Math.max(Math.ceil(this.bytes.length * 1.5), this.used + key.length));
      b.set(this.bytes.subarray(0, this.used));
      this.bytes = b;
    }
    for (let k = 0; k < key.length; k++) this.bytes[this.used + k] = key.charCodeAt(k);
    this.start[row] = this.used;
    this.len[row] = key.length;
    this.used += key.length;
  }

  /** The row of `key`, or -1. */
  get(key: string): number {
    if (this.wide.size > 0 && !KeyTable.ascii(key)) return this.wide.get(key) ?? -1;
    let j = KeyTable.hash(key) & this.mask;
    for (;;) {
      const r = this.slots[j]!;
      if (r < 0) return -1;
      if (this.same(r, key)) return r;
      j = (j + 1) & this.mask;
    }
  }

  has(key: string): boolean {
    return this.get(key) >= 0;
  }

  /** The key of a row, as a string again (for the few rows that become exceptions). */
  keyOf(row: number): string {
    const w = this.wideKeys.get(row);
    if (w !== undefined) return w;
    const o = this.start[row]!;
    return String.fromCharCode(...this.bytes.subarray(o, o + this.len[row]!));
  }
}
