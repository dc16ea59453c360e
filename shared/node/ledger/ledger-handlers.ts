import { sql, type Kysely } from 'kysely';
import type { LedgerRow } from '../../api/sync-schemas.js';
import { AppError } from '../../common/errors.js';
import { readScope, totalsDistrict } from '../../common/read-scope.js';
import { fromSeoulLocalInput } from '../../common/time.js';
import { quoteRefund } from '../../ledger/rules.js';
import type { RoundPublished, RoundTotals } from '../../sync/protocol.js';
import type { SessionUser } from '../kernel/session-user.js';
import { requireUser, type HandlersFor } from '../kernel/call-context.js';
import type { KernelDeps } from '../kernel/deps.js';
import type { Database } from '../db/schema.js';
import { lotFromRow } from '../../ledger/lot-row.js';
import { toErrorPayload } from '../kernel/error-payload.js';

/**
 * The server's read scope, applied to the console's own copy: a clerk sees
 * their district's lots, an analyst none (the contract already refuses them the
 * lot procedures; this holds if it is ever widened), everyone else all.
 */
function lotScope(user: SessionUser): { all: true } | { all: false; districtCode: string | null } {
  const scope = readScope(user);
  return scope.kind === 'all' ? { all: true } : { all: false, districtCode: scope.kind === 'district' ? scope.districtCode : null };
}

const SORT_COLUMNS = { seq: 'seq', occurredAt: 'occurred_at', amount: 'amount' } as const;

/** A round's totals from the local lots; one district's when `districtCode` is given. */
export async function localTotals(db: Kysely<Database>, roundId: string, districtCode: string | null = null): Promise<RoundTotals> {
  const [t, s] = await Promise.all([
    sql<{ purchases: number; face: number; paid: number; used: number; cancelled: number; refunded: number }>`
      select count(*) as purchases, coalesce(sum(face), 0) as face, coalesce(sum(paid), 0) as paid, coalesce(sum(used), 0) as used,
             coalesce(sum(status = 'cancelled'), 0) as cancelled, coalesce(sum(refunded), 0) as refunded
      from lots where round_id = ${roundId} and (${districtCode} is null or district_code = ${districtCode})`.execute(db),
    db.selectFrom('sync_state').select('last_seq').where('id', '=', 1).executeTakeFirstOrThrow(),
  ]);
  const r = t.rows[0]!;
  return {
    roundId,
    ...(districtCode !== null ? { districtCode } : {}),
    throughSeq: s.last_seq,
    purchases: Number(r.purchases),
    faceSold: Number(r.face),
    paid: Number(r.paid),
    used: Number(r.used),
    cancelled: Number(r.cancelled),
    refundedAmount: Number(r.refunded),
  };
}

/** A lot the user may see, with the round spec the server judges it by. */
export async function visibleLot(db: Kysely<Database>, user: SessionUser, lotId: string) {
  const row = await db.selectFrom('lots').selectAll().where('lot_id', '=', lotId).executeTakeFirst();
  const scope = lotScope(user);
  if (!row || (!scope.all && row.district_code !== scope.districtCode)) throw new AppError('not_found', 'ledger.unknownLot', { lotId });
  const publication = await db.selectFrom('round_publications').select('payload').where('round_id', '=', row.round_id).orderBy('version', 'desc').limit(1).executeTakeFirst();
  if (!publication) throw new AppError('not_found', 'ledger.roundNotApproved', { roundId: row.round_id });
  return { row, lot: lotFromRow(row), spec: (JSON.parse(publication.payload) as RoundPublished).spec };
}

/** The refund or cancellation for a lot still waiting for the server's answer, if any: one at a time per lot. */
export async function pendingRequest(db: Kysely<Database>, lotId: string): Promise<string | null> {
  const row = await db.selectFrom('outbox').select('command_id').where('lot_id', '=', lotId).where('state', '=', 'pending').executeTakeFirst();
  return row?.command_id ?? null;
}

/** The server's side of a totals comparison, asked of the sync capability (which sits above the ledger). */
export interface LedgerDeps extends KernelDeps {
  sync: {
    serverDistrict(): Promise<string | null>;
    serverTotals(roundId: string, districtCode: string | null): Promise<RoundTotals>;
  };
}

export const ledgerHandlers: HandlersFor<'ledger', LedgerDeps> = {
  /** One block of the ledger grid; the grid asks block by block, so nothing holds every row. */
  'ledger.rows': async (q, ctx) => {
    const user = requireUser(ctx);
    const { db } = ctx.deps;
    let query = db.selectFrom('ledger_events').where('round_id', '=', q.roundId);
    const scope = lotScope(user);
    // Every ledger event is a lot event: with no district in scope, nothing matches.
    if (!scope.all) query = scope.districtCode === null ? query.where((eb) => eb.lit(false)) : query.where('district_code', '=', scope.districtCode);
    else if (q.districtCode) query = query.where('district_code', '=', q.districtCode);
    if (q.paymentMethod) query = query.where('payment_method', '=', q.paymentMethod);
    if (q.lotId) query = query.where('lot_id', '=', q.lotId);
    if (q.types && q.types.length > 0) query = query.where('type', 'in', q.types);
    if (q.fromDay) query = query.where('occurred_at', '>=', fromSeoulLocalInput(`${q.fromDay}T00:00`)!);
    if (q.toDay) {
      const end = new Date(Date.parse(fromSeoulLocalInput(`${q.toDay}T00:00`)!) + 86_400_000).toISOString();
      query = query.where('occurred_at', '<', end);
    }
    const rows = await query
      .select(['seq', 'type', 'lot_id', 'district_code', 'amount', 'payment_method', 'occurred_at'])
      .orderBy(SORT_COLUMNS[q.sort], q.direction)
      .orderBy('seq', q.direction)
      .limit(q.endRow - q.startRow)
      .offset(q.startRow)
      .execute();
    let lastRow: number | null = null;
    if (rows.length < q.endRow - q.startRow) lastRow = q.startRow + rows.length;
    else if (q.startRow === 0) lastRow = Number((await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    return {
      rows: rows.map(
        (r): LedgerRow => ({
          seq: r.seq,
          type: r.type,
          lotId: r.lot_id,
          districtCode: r.district_code,
          amount: r.amount,
          paymentMethod: r.payment_method,
          occurredAt: r.occurred_at,
        }),
      ),
      lastRow,
    };
  },

  /**
   * The round's totals here, and the server's when it can be reached, for the
   * two to be compared. A clerk's cover their own district on both sides; so
   * does everyone's on a console synced with a clerk's server account, which
   * holds only that district in full.
   */
  'ledger.totals': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, sync } = ctx.deps;
    const district = totalsDistrict(readScope(user)) ?? (await sync.serverDistrict());
    const local = await localTotals(db, input.roundId, district);
    try {
      const server = await sync.serverTotals(input.roundId, district);
      return { local, server, serverError: null };
    } catch (e) {
      return { local, server: null, serverError: toErrorPayload(e) };
    }
  },

  'ledger.lot': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, now } = ctx.deps;
    const { row, lot, spec } = await visibleLot(db, user, input.lotId);
    const events = await db
      .selectFrom('ledger_events')
      .select(['seq', 'type', 'lot_id', 'district_code', 'amount', 'payment_method', 'occurred_at'])
      .where('lot_id', '=', input.lotId)
      .orderBy('seq')
      .execute();
    const pending = await pendingRequest(db, input.lotId);
    const q = quoteRefund(lot, spec, now().toISOString());
    return {
      lotId: row.lot_id,
      roundId: row.round_id,
      districtCode: row.district_code,
      paymentMethod: row.payment_method,
      face: row.face,
      paid: row.paid,
      used: row.used,
      refunded: row.refunded,
      status: row.status,
      purchasedAt: row.purchased_at,
      expiresAt: row.expires_at,
      gifted: row.gifted === 1,
      events: events.map((e) => ({ seq: e.seq, type: e.type, lotId: e.lot_id, districtCode: e.district_code, amount: e.amount, paymentMethod: e.payment_method, occurredAt: e.occurred_at })),
      quote: q.ok ? { ok: true as const, kind: q.value.kind, amount: q.value.amount } : { ok: false as const, key: q.key, ...(q.params ? { params: q.params } : {}) },
      pendingRequest: pending,
    };
  },
};
