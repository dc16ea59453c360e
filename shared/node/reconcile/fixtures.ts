import type { LedgerTx } from '../../reconcile/match.js';
import { makePaymentRef } from '../../reconcile/payment-refs.js';

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
