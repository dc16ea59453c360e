import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { PaymentRef } from '../../shared/ledger/events.js';
import { seoulDay } from '../../shared/reconcile/days.js';
import type { LedgerTx } from '../../shared/reconcile/ledger-tx.js';
import { DEFAULT_PROFILES } from '../../shared/reconcile/profile.js';
import { generateSettlement, type FileEncoding } from '../../shared/node/reconcile/generate.js';
import type { ServerDatabase } from '../db/schema.js';

/** One provider's file for one Seoul day, and the totals it carries. */
export interface SettlementDay {
  day: string;
  provider: string;
  file: string;
  approvals: number;
  approvalAmount: number;
  cancels: number;
  cancelAmount: number;
}

/** As each provider sends its file: the card PG's CSV as Excel on Windows writes it. */
const ENCODING: Record<string, [FileEncoding, string]> = { 'hecto-pipe': ['utf-8', 'txt'], 'toss-csv': ['cp949', 'csv'], 'kicc-fixed': ['utf-8', 'txt'] };
const PAGE = 50_000;

/**
 * The settlement files the providers would send for the demo year, one per provider and Seoul day with
 * payments, written clean (no injected discrepancies: the demo's ledger and its providers agree, so what
 * reconciliation finds is what a user changes) into `dir/DAY/PROFILE.ext`, from the payments in the record.
 */
export async function writeDemoSettlement(db: Kysely<ServerDatabase>, dir: string): Promise<SettlementDay[]> {
  const byKey = new Map<string, LedgerTx[]>();
  const head = Number((await db.selectFrom('log_head').select('seq').where('id', '=', 1).executeTakeFirstOrThrow()).seq);
  for (let after = 0; after < head; after += PAGE) {
    const rows = await sql<{ payload: string; district_code: string | null }>`
      select payload, district_code from events where seq > ${after} and seq <= ${after + PAGE} and type in ('purchase', 'cancel', 'refund') order by seq`.execute(db);
    for (const r of rows.rows) {
      const ev = JSON.parse(r.payload) as { type: string; eventId: string; paid?: number; amount?: number; payment?: PaymentRef };
      const pay = ev.payment;
      if (!pay?.approvedAt) continue;
      const approvedMs = Date.parse(pay.approvedAt);
      const key = `${seoulDay(approvedMs)}|${pay.provider}`;
      const list = byKey.get(key) ?? byKey.set(key, []).get(key)!;
      list.push({
        eventId: ev.eventId,
        kind: ev.type === 'purchase' ? 'approval' : 'cancel',
        tid: pay.tid,
        originalTid: pay.originalTid ?? null,
        approvedMs,
        amount: ev.type === 'purchase' ? ev.paid! : ev.amount!,
        districtCode: r.district_code ?? '',
      });
    }
  }
  const out: SettlementDay[] = [];
  for (const [key, txs] of [...byKey].sort(([a], [b]) => a.localeCompare(b))) {
    const [day, provider] = key.split('|') as [string, string];
    for (const profile of DEFAULT_PROFILES.filter((p) => p.provider === provider)) {
      const [encoding, ext] = ENCODING[profile.id] ?? ['utf-8', 'txt'];
      const { bytes } = generateSettlement(txs, profile, day, { encoding, inject: false });
      mkdirSync(join(dir, day), { recursive: true });
      const file = join(day, `${profile.id}.${ext}`);
      writeFileSync(join(dir, file), bytes);
      const sum = (kind: LedgerTx['kind']) => txs.filter((t) => t.kind === kind).reduce((a, t) => a + t.amount, 0);
      out.push({ day, provider, file, approvals: txs.filter((t) => t.kind === 'approval').length, approvalAmount: sum('approval'), cancels: txs.filter((t) => t.kind === 'cancel').length, cancelAmount: sum('cancel') });
    }
  }
  return out;
}
