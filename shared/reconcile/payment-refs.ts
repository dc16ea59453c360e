import type { PaymentRef } from '../ledger/events.js';
import type { PaymentMethod } from '../rounds/spec.js';
import { fnv1a as fnv } from '../common/fnv.js';

/**
 * The payment providers the sale goes through, one per payment method as an
 * office contracts them: bank transfers through Hecto Financial (pipe-delimited
 * settlement files), credit cards through a PG sending Korean CSV, debit cards
 * through a VAN sending fixed-width records. A provider is a code; how its file
 * reads is a column-mapping profile in the console's database, not code.
 */
export const PROVIDER_BY_METHOD: Record<PaymentMethod, string> = {
  bank_transfer: 'hecto',
  credit_card: 'toss',
  debit_card: 'kicc',
};

const digits = (n: number, len: number) => String(n % 10 ** len).padStart(len, '0');
const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A transaction key in the provider's style: Hecto's `STFP`+date+digits, a
 * Toss-like `tgen_` paymentKey, a VAN's 20 digits. Unique per event id.
 */
export function makeTid(provider: string, eventId: string, at: string): string {
  const a = fnv(eventId);
  const b = fnv(eventId, a ^ 0x9e3779b9);
  const c = fnv(eventId, b ^ 0x85ebca6b);
  const day = at.slice(2, 10).replaceAll('-', '');
  if (provider === 'hecto') return `STFP${day}${digits(a, 9)}${digits(b, 9)}`;
  if (provider === 'toss') {
    let s = 'tgen_';
    for (const x of [a, b, c]) for (let k = 0; k < 7; k++) s += ALNUM[(x >>> (k * 4)) % ALNUM.length];
    return s;
  }
  return `${day}${digits(a, 7)}${digits(b, 7)}`;
}

/** The provider's references for a payment approved at `at` (the provider approves a moment before the record is made). */
export function makePaymentRef(provider: string, eventId: string, at: string, originalTid?: string): PaymentRef {
  const h = fnv(eventId, 0x27d4eb2f);
  return {
    provider,
    tid: makeTid(provider, eventId, at),
    approvalNo: digits(h, 8),
    approvedAt: new Date(Date.parse(at) - (h % 2_000)).toISOString(),
    ...(originalTid ? { originalTid } : {}),
  };
}
