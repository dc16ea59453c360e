import type { Kysely, Transaction } from 'kysely';
import type { CounterLot, CounterRequestView, WorkingView } from '../../api/refund-schemas.js';
import { seoulDayKey } from '../../common/time.js';
import type { RefundWorking } from '../../ledger/rules.js';
import type { RoundPublished } from '../../sync/protocol.js';
import type { SessionUser } from '../kernel/session-user.js';
import type { Database, LotsTable } from '../db/schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/** Clerks work on their own district only; everyone else city-wide. */
export function counterScope(user: SessionUser): string | null {
  return user.role === 'clerk' ? user.districtCode : null;
}

/** Round names for the lots shown, from the latest publication of each round. */
export async function roundNames(db: Db, roundIds: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const id of new Set(roundIds)) {
    const p = await db.selectFrom('round_publications').select('payload').where('round_id', '=', id).orderBy('version', 'desc').limit(1).executeTakeFirst();
    names.set(id, p ? (JSON.parse(p.payload) as RoundPublished).spec.name : id);
  }
  return names;
}

export function lotView(r: LotsTable, roundName: string): CounterLot {
  return {
    lotId: r.lot_id,
    roundId: r.round_id,
    roundName,
    buyerId: r.buyer_id,
    districtCode: r.district_code,
    face: r.face,
    paid: r.paid,
    used: r.used,
    usedBp: r.face > 0 ? Math.floor((r.used * 10_000) / r.face) : 0,
    remaining: r.status === 'active' ? r.face - r.used : 0,
    refunded: r.refunded,
    paymentMethod: r.payment_method,
    status: r.status,
    purchasedAt: r.purchased_at,
    expiresAt: r.expires_at,
  };
}

export function workingView(w: RefundWorking): WorkingView {
  const { outcome, ...figures } = w;
  return {
    ...figures,
    outcome: outcome.ok ? { ok: true, kind: outcome.value.kind, amount: outcome.value.amount } : { ok: false, key: outcome.key, ...(outcome.params ? { params: outcome.params } : {}) },
  };
}

/** Counter requests with their status: the counter's own state, the outbox's answer, and whether the ledger shows it yet. */
export async function requestViews(
  db: Db,
  filter: { districtCode?: string | null; commandId?: string; lotId?: string; fromAt?: string; toAt?: string; clerkId?: string; receiptNo?: string },
): Promise<CounterRequestView[]> {
  let q = db
    .selectFrom('counter_requests as r')
    .innerJoin('users as c', 'c.id', 'r.clerk_id')
    .leftJoin('users as s', 's.id', 'r.countersigned_by')
    .leftJoin('outbox as o', 'o.command_id', 'r.command_id')
    .leftJoin('lots as l', 'l.lot_id', 'r.lot_id')
    .selectAll('r')
    .select(['c.display_name as clerk_name', 's.display_name as second_name', 'o.state as outbox_state', 'o.reason_key', 'o.reason_params', 'o.resolved_at', 'l.status as lot_status']);
  if (filter.districtCode) q = q.where('r.district_code', '=', filter.districtCode);
  if (filter.commandId) q = q.where('r.command_id', '=', filter.commandId);
  if (filter.lotId) q = q.where('r.lot_id', '=', filter.lotId);
  if (filter.receiptNo) q = q.where('r.receipt_no', '=', filter.receiptNo);
  if (filter.clerkId) q = q.where('r.clerk_id', '=', filter.clerkId);
  if (filter.fromAt) q = q.where('r.created_at', '>=', filter.fromAt);
  if (filter.toAt) q = q.where('r.created_at', '<', filter.toAt);
  const rows = await q.orderBy('r.created_at', 'desc').limit(2_000).execute();
  return rows.map((r) => {
    let status: CounterRequestView['status'];
    if (r.state === 'awaiting_second' || r.state === 'withdrawn') status = r.state;
    else if (r.outbox_state === 'rejected') status = 'rejected';
    else if (r.outbox_state === 'accepted') status = r.lot_status === 'active' ? 'sent' : 'accepted';
    else status = 'pending';
    return {
      commandId: r.command_id,
      receiptNo: r.receipt_no,
      lotId: r.lot_id,
      roundId: r.round_id,
      buyerId: r.buyer_id,
      districtCode: r.district_code,
      kind: r.kind,
      amount: r.amount,
      working: JSON.parse(r.working) as WorkingView,
      reasonCode: r.reason_code,
      reasonText: r.reason_text,
      accountMasked: r.account_masked,
      clerkId: r.clerk_id,
      clerkName: r.clerk_name,
      createdAt: r.created_at,
      status,
      serverReason: status === 'rejected' && r.reason_key ? { key: r.reason_key, ...(r.reason_params ? { params: JSON.parse(r.reason_params) as Record<string, string | number> } : {}) } : null,
      countersignedByName: r.second_name ?? null,
      resolvedAt: r.resolved_at ?? null,
    };
  });
}

/** A receipt number no other console makes: district, Seoul day, this console, a running number. */
export async function nextReceiptNo(db: Db, districtCode: string, at: string): Promise<string> {
  const day = seoulDayKey(at).replaceAll('-', '');
  const consoleId = (await db.selectFrom('console_identity').select('console_id').where('id', '=', 1).executeTakeFirstOrThrow()).console_id;
  const prefix = `${districtCode}-${day}-${consoleId.slice(0, 4).toUpperCase()}-`;
  const last = await db.selectFrom('counter_requests').select('receipt_no').where('receipt_no', 'like', `${prefix}%`).orderBy('receipt_no', 'desc').limit(1).executeTakeFirst();
  const n = last ? Number(last.receipt_no.slice(prefix.length)) + 1 : 1;
  return `${prefix}${String(n).padStart(4, '0')}`;
}

/** `신한은행 110-123-456789` → `신한은행 ****6789`: enough for the buyer to recognise, too little to use. */
export function maskAccount(bank: string, digits: string): string {
  return `${bank} ${'*'.repeat(Math.max(4, digits.length - 4))}${digits.slice(-4)}`;
}
