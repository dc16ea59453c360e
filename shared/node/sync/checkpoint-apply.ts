import type BetterSqlite3 from 'better-sqlite3';
import { canonicalEvent, eventDigest } from '../chain/log-hash.js';
import { foldDigest, foldRoot } from '../chain/fold-digest.js';
import { checkpointShapeProblem, useCheckpointSchema, type UseCheckpoint, type UsesFoldedEvent } from '../../sync/use-checkpoint.js';
import { SyncError } from './sync-error.js';
import { seoulHourKey } from '../../common/time.js';

/**
 * The console's side of compaction (design: shared/sync/use-checkpoint.ts),
 * inside the applier's page transaction. A checkpoint is checked against the
 * chain before it touches anything: every sequence number it names must be
 * held here, as a use of its lot in full or as the digest the chain linked,
 * and foldDigest over those digests must be its digest. The uses held in full
 * stay as they are (a console that pulled them keeps them) and must appear in
 * the checkpoint's hours; only the rest is added to the lot and handed to the
 * report summaries.
 */
export class CheckpointApplier {
  private readonly st;

  constructor(private readonly sqlite: BetterSqlite3.Database) {
    const s = (q: string) => sqlite.prepare(q);
    this.st = {
      full: s('select type, lot_id, occurred_at, amount, payload from ledger_events where seq = ?'),
      digest: s('select digest from redacted_events where seq = ?').pluck(),
      lot: s('select round_id, district_code, face, used, status from lots where lot_id = ?'),
      addUsed: s('update lots set used = used + ? where lot_id = ?'),
      insertCheckpoint: s('insert into use_checkpoints (id, fold_id, lot_id, district_code, seq, count, amount, applied, payload) values (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      insertUses: s('insert into checkpoint_uses (checkpoint_id, round_id, lot_id, hour, merchant_district, n, amount) values (?, ?, ?, ?, ?, ?, ?)'),
      ofFold: s('select payload from use_checkpoints where fold_id = ? and district_code = ?').pluck(),
      insertFold: s('insert into use_folds (seq, event_id, fold_id, by, at, payload, hash) values (?, ?, ?, ?, ?, ?, ?)'),
    };
  }

  apply(c: UseCheckpoint, seq: number): void {
    const bad = (detail: string) => new SyncError('compaction.badCheckpoint', { seq, lot: c.lotId, detail });
    const shape = checkpointShapeProblem(c);
    if (shape) throw bad(shape);
    if (c.lastSeq !== seq) throw bad(`placed after event ${seq}, not its last one ${c.lastSeq}`);
    const left = new Map<string, { hour: string; merchant: string | null; n: number; amount: number }>();
    for (const [hour, merchant, n, amount] of c.uses) left.set(`${hour}\t${merchant ?? ''}`, { hour, merchant, n, amount });
    const digests: string[] = [];
    let held = 0;
    for (const s of c.seqs) {
      const row = this.st.full.get(s) as { type: string; lot_id: string; occurred_at: string; amount: number; payload: string } | undefined;
      if (row) {
        if (row.type !== 'use' || row.lot_id !== c.lotId) throw bad(`event ${s} is not a use of this lot`);
        digests.push(eventDigest(row.payload));
        const merchant = (JSON.parse(row.payload) as { merchantDistrict: string | null }).merchantDistrict;
        const cell = left.get(`${seoulHourKey(row.occurred_at)}\t${merchant ?? ''}`);
        if (!cell || cell.n < 1 || cell.amount < row.amount) throw bad(`the use held as event ${s} is not in its hours`);
        cell.n--;
        cell.amount -= row.amount;
        held += row.amount;
        continue;
      }
      const digest = this.st.digest.get(s) as string | undefined;
      if (digest === undefined) throw bad(`event ${s} is not in this ledger`);
      digests.push(digest);
    }
    if (foldDigest(digests) !== c.digest) throw bad('its digest does not cover the events it names');
    const applied = c.amount - held;
    const lot = this.st.lot.get(c.lotId) as { round_id: string; district_code: string; face: number; used: number; status: string } | undefined;
    if (!lot || lot.round_id !== c.roundId || lot.district_code !== c.districtCode) throw bad('unknown lot');
    if (applied > 0 && lot.status !== 'active') throw bad(`lot is ${lot.status}`);
    if (lot.used + applied > lot.face) throw bad(`uses above the face (${lot.used + applied} > ${lot.face})`);
    this.st.addUsed.run(applied, c.lotId);
    this.st.insertCheckpoint.run(c.id, c.foldId, c.lotId, c.districtCode, seq, c.count, c.amount, applied, canonicalEvent(c));
    for (const cell of left.values()) if (cell.n > 0) this.st.insertUses.run(c.id, c.roundId, c.lotId, cell.hour, cell.merchant, cell.n, cell.amount);
  }

  /** The chained fold event: where this console received every checkpoint of a district, they must hash to its root. */
  checkFold(ev: UsesFoldedEvent, seq: number): void {
    for (const [district, { checkpoints, root }] of Object.entries(ev.roots)) {
      const mine = (this.st.ofFold.all(ev.foldId, district) as string[]).map((p) => useCheckpointSchema.parse(JSON.parse(p)));
      if (mine.length > checkpoints) throw new SyncError('compaction.foldMismatch', { seq, district, detail: `${mine.length} checkpoints, the fold made ${checkpoints}` });
      if (mine.length === checkpoints && foldRoot(mine) !== root) throw new SyncError('compaction.foldMismatch', { seq, district, detail: 'checkpoints differ from the fold' });
    }
  }

  /** Where the first checkpoint taken for any of these folds sits, or null when none was. */
  firstSeqOf(foldIds: readonly string[]): number | null {
    let first: number | null = null;
    for (const id of foldIds) {
      const seq = this.sqlite.prepare('select min(seq) from use_checkpoints where fold_id = ?').pluck().get(id) as number | null;
      if (seq !== null && (first === null || seq < first)) first = seq;
    }
    return first;
  }

  recordFold(seq: number, ev: UsesFoldedEvent, text: string, hash: string): void {
    this.st.insertFold.run(seq, ev.eventId, ev.foldId, ev.by, new Date(ev.at).toISOString(), text, hash);
  }

  /**
   * A repair cutting the log back to `fromSeq`: the checkpoints and folds from
   * there go (the caller has raised the repair flag); returns what the rest
   * added to each lot, by the sequence number to add it at when replaying.
   */
  cutFrom(fromSeq: number): Map<number, { lotId: string; applied: number }[]> {
    this.sqlite.prepare('delete from checkpoint_uses where checkpoint_id in (select id from use_checkpoints where seq >= ?)').run(fromSeq);
    this.sqlite.prepare('delete from use_checkpoints where seq >= ?').run(fromSeq);
    this.sqlite.prepare('delete from use_folds where seq >= ?').run(fromSeq);
    const bySeq = new Map<number, { lotId: string; applied: number }[]>();
    for (const r of this.sqlite.prepare('select seq, lot_id, applied from use_checkpoints').all() as { seq: number; lot_id: string; applied: number }[]) {
      const list = bySeq.get(r.seq) ?? [];
      list.push({ lotId: r.lot_id, applied: r.applied });
      bySeq.set(r.seq, list);
    }
    return bySeq;
  }
}
