import type { LedgerTx } from '../../reconcile/ledger-tx.js';
import { makePaymentRef } from '../../reconcile/payment-refs.js';
import { INSERT_PAY_KEY, insertPayKeys, payKey } from '../db/pay-keys.js';

/**
 * A provider's transactions over a few days, as the record holds them: purchases
 * spread through each day (paid amounts of 10,000-won units at 7% off) and some
 * cancellations naming their purchase. For tests and the benchmark.
 */
export function sampleLedger(provider: string, days: readonly string[], perDay: number, cancelEvery = 10): LedgerTx[] {
  const out: LedgerTx[] = [];
  const districts = ['11110', '11440', '11680', '11650'];
  let n = 0;
  for (const day of days) {
    const start = Date.parse(`${day}T09:00:00+09:00`);
    for (let k = 0; k < perDay; k++, n++) {
      const at = new Date(start + Math.floor((k * 12 * 3_600_000) / perDay)).toISOString();
      const eventId = `${provider}-p${n}`;
      const ref = makePaymentRef(provider, eventId, at);
      const units = 1 + (n % 40);
      const tx: LedgerTx = { eventId, kind: 'approval', tid: ref.tid, originalTid: null, approvedMs: Date.parse(ref.approvedAt), amount: units * 9_300, districtCode: districts[n % districts.length]! };
      out.push(tx);
      if (cancelEvery > 0 && k % cancelEvery === cancelEvery - 1) {
        const cid = `${provider}-c${n}`;
        const cat = new Date(Date.parse(at) + 60_000).toISOString();
        const c = makePaymentRef(provider, cid, cat, ref.tid);
        out.push({ eventId: cid, kind: 'cancel', tid: c.tid, originalTid: ref.tid, approvedMs: Date.parse(c.approvedAt), amount: tx.amount, districtCode: tx.districtCode });
      }
    }
  }
  return out;
}

/**
 * Writes transactions straight into a console's ledger_events, as sync would
 * have stored them (payment columns filled), for tests and the benchmark.
 */
/**
 * `firstSeq` numbers the seeded events from there: a test that also syncs with a
 * server keeps them clear of the sequence numbers the server's log hands out.
 */
export function seedLedger(sqlite: import('better-sqlite3').Database, provider: string, txs: readonly LedgerTx[], roundId = 'round-reconcile', firstSeq?: number): void {
  let seq = firstSeq;
  const st = sqlite.prepare(
    `insert into ledger_events (seq, event_id, type, round_id, lot_id, district_code, amount, payment_method, occurred_at, payload, hash,
       pay_provider, pay_tid, pay_approval_no, pay_approved_at, pay_original_tid, pay_amount)
     values (?, ?, ?, ?, ?, ?, ?, 'bank_transfer', ?, ?, null, ?, ?, ?, ?, ?, ?)`,
  );
  // Each key also goes where sync puts it (pay_keys, migration 0044), in key order as sync writes a slice's.
  const keys: [number, number][] = [];
  sqlite.transaction(() => {
    for (const t of txs) {
      const at = new Date(t.approvedMs).toISOString();
      const payment = { provider, tid: t.tid, approvalNo: String(t.approvedMs % 100_000_000).padStart(8, '0'), approvedAt: at, ...(t.originalTid ? { originalTid: t.originalTid } : {}) };
      const { lastInsertRowid } = st.run(seq === undefined ? null : seq++, t.eventId, t.kind === 'approval' ? 'purchase' : 'cancel', roundId, `lot-${t.originalTid ?? t.tid}`, t.districtCode, t.amount, at, JSON.stringify({ eventId: t.eventId, payment }), provider, t.tid, payment.approvalNo, at, t.originalTid, t.amount);
      keys.push([payKey(provider, t.tid), Number(lastInsertRowid)]);
    }
    insertPayKeys(sqlite.prepare(INSERT_PAY_KEY), keys);
  })();
}
