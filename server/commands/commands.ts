import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { LedgerEvent } from '../../shared/ledger/events.js';
import { canonicalEvent, specDigest } from '../../shared/node/ledger/chain.js';
import { checkEdit, checkTransition, type LifecycleState, type RoundStatus } from '../../shared/rounds/lifecycle.js';
import type { RoundSpec } from '../../shared/rounds/spec.js';
import { makePaymentRef } from '../../shared/reconcile/payment-refs.js';
import { validateRound } from '../../shared/rounds/validate.js';
import type { Command, CommandResult, SyncEvent } from '../../shared/sync/protocol.js';
import type { ServerUser } from '../auth/server-auth.js';
import type { ServerDatabase } from '../db/schema.js';
import { lockHead, writeEvents } from '../log/append.js';
import { applyLedgerEvent, lockLot, serverRound, type ServerRound } from '../log/state.js';

export class CommandIdReused extends Error {
  constructor(readonly commandId: string) {
    super(`command id ${commandId} was already used for a different command`);
  }
}

type Trx = Transaction<ServerDatabase>;
type Params = Record<string, string | number>;
type Outcome = { event: SyncEvent } | { accepted: true } | { reason: { key: string; params?: Params } };

const reject = (key: string, params?: Params): Outcome => ({ reason: { key, ...(params ? { params } : {}) } });
const MANAGERS = ['admin', 'official'];

/**
 * What identifies a command for idempotency: everything but `sentAt`, which a
 * console sets anew on every attempt, so a retry is recognised as the same command.
 */
function requestText(cmd: Command): string {
  const { sentAt: _sentAt, ...rest } = cmd;
  return canonicalEvent(rest);
}

/**
 * Runs a user's command exactly once. The whole decision happens under the
 * log-head lock, so two consoles acting on the same lot are decided one after
 * the other against the state the first one left. The answer is stored under
 * (user, command id): that user's retry gets the same answer and changes
 * nothing; another user sending the same id is judged on their own. Events
 * get ids of the server's making and the server's time.
 */
export async function runCommand(db: Kysely<ServerDatabase>, cmd: Command, user: ServerUser, now: Date): Promise<CommandResult> {
  const request = requestText(cmd);
  return db.transaction().execute(async (trx) => {
    const head = await lockHead(trx);
    const seen = await trx.selectFrom('commands').selectAll().where('user_id', '=', user.id).where('command_id', '=', cmd.commandId).executeTakeFirst();
    if (seen) {
      if (seen.request !== request) throw new CommandIdReused(cmd.commandId);
      return {
        commandId: cmd.commandId,
        status: seen.status,
        reason: seen.reason_key ? { key: seen.reason_key, ...(seen.reason_params ? { params: JSON.parse(seen.reason_params) as Params } : {}) } : null,
        seq: seen.seq === null ? null : Number(seen.seq),
      };
    }

    const outcome = await decide(trx, cmd, user, now);
    let seq: number | null = null;
    if ('event' in outcome) {
      const next = await writeEvents(trx, head, [outcome.event], user.username, now);
      seq = next.seq;
      await recordRoundState(trx, outcome.event, seq, now);
    }
    const reason = 'reason' in outcome ? outcome.reason : null;
    await trx
      .insertInto('commands')
      .values({
        command_id: cmd.commandId,
        user_id: user.id,
        type: cmd.type,
        request,
        status: reason ? 'rejected' : 'accepted',
        reason_key: reason?.key ?? null,
        reason_params: reason?.params ? JSON.stringify(reason.params) : null,
        seq: seq === null ? null : String(seq),
        created_at: now,
      })
      .execute();
    return { commandId: cmd.commandId, status: reason ? 'rejected' : 'accepted', reason, seq };
  });
}

/** Keeps the round tables in step with a round event just appended. */
async function recordRoundState(trx: Trx, e: SyncEvent, seq: number, now: Date): Promise<void> {
  if (e.type === 'round_published') {
    await trx.insertInto('published_rounds').values({ round_id: e.roundId, version: e.version, spec: JSON.stringify(e.spec), seq: String(seq) }).execute();
    // A first publication makes the round approved; a later one keeps an on-sale round on sale and sends a scheduled one back to approved.
    await sql`
      insert into server_rounds (round_id, status, version, updated_at) values (${e.roundId}, 'approved', ${e.version}, ${now})
      on conflict (round_id) do update set version = excluded.version, updated_at = excluded.updated_at,
        status = case when server_rounds.status = 'on_sale' then 'on_sale' else 'approved' end`.execute(trx);
  } else if (e.type === 'round_status') {
    await trx.updateTable('server_rounds').set({ status: e.status, updated_at: now }).where('round_id', '=', e.roundId).execute();
  }
}

/** The lifecycle rules' view of a round on the server: its status, the spec in effect, and a pending version. */
function lifecycleOf(round: ServerRound | undefined, pending?: { version: number; spec: RoundSpec; authorId: string }): LifecycleState {
  const spec = pending?.spec ?? round!.spec;
  return {
    status: (round?.status ?? 'draft') as RoundStatus,
    currentVersion: pending?.version ?? round!.version,
    approvedVersion: round?.version ?? null,
    currentAuthorId: pending?.authorId ?? '',
    spec,
    hasErrors: validateRound(spec).errors.length > 0,
  };
}

/**
 * The on-sale lock and the closed/settled lock for a new version, judged
 * against the published spec by the console's own edit rule. A version equal
 * to the published one (a change reverted) is no change to lock.
 */
function checkAgainstPublished(round: ServerRound | undefined, spec: RoundSpec, user: ServerUser, now: Date): Outcome | null {
  if (!round) return null;
  const verdict = checkEdit(lifecycleOf(round), spec, user, now);
  if (!verdict.ok && verdict.key !== 'lifecycle.noChanges') return reject(verdict.key, verdict.params);
  return null;
}

/** Refunds above this need a countersignature; null when the administrator set none. */
export async function countersignThreshold(trx: Trx): Promise<number | null> {
  const row = await trx.selectFrom('refund_settings').select('countersign_above').where('id', '=', 1).executeTakeFirst();
  return row?.countersign_above == null ? null : Number(row.countersign_above);
}

async function decide(trx: Trx, cmd: Command, user: ServerUser, now: Date): Promise<Outcome> {
  const at = now.toISOString();
  switch (cmd.type) {
    case 'propose_round': {
      if (!MANAGERS.includes(user.role)) return reject('sync.roleNotAllowed');
      // The refusal names the first rule broken, so the console can say why (not just "has errors").
      const broken = validateRound(cmd.spec).errors[0];
      if (broken) return reject('sync.invalidRoundBecause', { issue: broken.code, issueField: broken.path, ...broken.params });
      const round = await serverRound(trx, cmd.roundId, true);
      if (round && cmd.version <= round.version) return reject('sync.staleVersion', { current: round.version });
      const existing = await trx.selectFrom('round_proposals').select('spec').where('round_id', '=', cmd.roundId).where('version', '=', cmd.version).executeTakeFirst();
      if (existing) return existing.spec === canonicalEvent(cmd.spec) ? { accepted: true } : reject('sync.versionConflict', { version: cmd.version });
      const locked = checkAgainstPublished(round, cmd.spec, user, now);
      if (locked) return locked;
      await trx
        .insertInto('round_proposals')
        .values({ round_id: cmd.roundId, version: cmd.version, spec: canonicalEvent(cmd.spec), proposed_by: user.id, proposed_at: now })
        .execute();
      return { accepted: true };
    }
    case 'publish_round': {
      if (!MANAGERS.includes(user.role)) return reject('sync.roleNotAllowed');
      const proposal = await trx
        .selectFrom('round_proposals as p')
        .innerJoin('users as u', 'u.id', 'p.proposed_by')
        .select(['p.spec', 'p.proposed_by', 'u.username'])
        .where('p.round_id', '=', cmd.roundId)
        .where('p.version', '=', cmd.version)
        .executeTakeFirst();
      if (!proposal) return reject('sync.noSuchProposal', { roundId: cmd.roundId, version: cmd.version });
      const spec = JSON.parse(proposal.spec) as RoundSpec;
      // Only the spec the approver saw: another proposal for this round and version is not theirs to publish.
      if (specDigest(spec) !== cmd.specDigest) return reject('sync.versionConflict', { version: cmd.version });
      const round = await serverRound(trx, cmd.roundId, true);
      // The same version published again (a retry, or a second approver): nothing new to record.
      if (round && cmd.version === round.version) return { accepted: true };
      if (round && cmd.version < round.version) return reject('sync.staleVersion', { current: round.version });
      // Two people: the approver is judged by the same rule as in the console, against the server's ids.
      const approval = checkTransition(
        { ...lifecycleOf(round, { version: cmd.version, spec, authorId: proposal.proposed_by }), status: round?.status === 'on_sale' ? 'on_sale' : 'draft' },
        'approve',
        user,
        now,
      );
      if (!approval.ok) {
        if (approval.key === 'lifecycle.hasErrors') return reject('sync.invalidRound');
        // A round already closed or settled: no new version may take effect.
        if (approval.key === 'lifecycle.notInStatus' && round) return reject('lifecycle.locked', { status: round.status });
        return reject(approval.key, approval.params);
      }
      const locked = checkAgainstPublished(round, spec, user, now);
      if (locked) return locked;
      const sold = await trx.selectFrom('round_sales').select('sold_face').where('round_id', '=', cmd.roundId).executeTakeFirst();
      if (sold && spec.totalAmount < Number(sold.sold_face)) return reject('sync.belowSold', { sold: Number(sold.sold_face) });
      return {
        event: {
          type: 'round_published',
          eventId: randomUUID(),
          roundId: cmd.roundId,
          version: cmd.version,
          spec,
          publishedBy: user.displayName,
          proposedBy: proposal.username,
          approvedBy: user.username,
          at,
        },
      };
    }
    case 'round_transition': {
      if (!MANAGERS.includes(user.role)) return reject('sync.roleNotAllowed');
      const round = await serverRound(trx, cmd.roundId, true);
      if (!round) return reject('sync.roundNotPublished', { roundId: cmd.roundId });
      const verdict = checkTransition(lifecycleOf(round), cmd.action, user, now);
      if (!verdict.ok) return reject(verdict.key, verdict.params);
      const status = verdict.value as Exclude<RoundStatus, 'draft' | 'approved'>;
      return { event: { type: 'round_status', eventId: randomUUID(), roundId: cmd.roundId, status, version: round.version, by: user.username, at } };
    }
    case 'approve_refund': {
      if (user.role === 'analyst') return reject('sync.roleNotAllowed');
      const lot = await lockLot(trx, cmd.lotId);
      if (!lot || lot.roundId !== cmd.roundId) return reject('ledger.unknownLot', { lotId: cmd.lotId });
      // District clerks act on their own district's lots only, here as in the console.
      if (user.role === 'clerk' && lot.districtCode !== user.districtCode) return reject('sync.otherDistrict', { district: lot.districtCode });
      // Above the administrator's amount, a second person must already have approved this very request.
      const threshold = await countersignThreshold(trx);
      let countersignedBy: string | undefined;
      if (threshold !== null && cmd.amount > threshold) {
        const sign = await trx
          .selectFrom('refund_countersigns as c')
          .innerJoin('users as u', 'u.id', 'c.countersigned_by')
          .select(['c.lot_id', 'c.kind', 'c.amount', 'c.countersigned_by', 'u.username'])
          .where('c.requested_by', '=', user.username)
          .where('c.request_command_id', '=', cmd.commandId)
          .executeTakeFirst();
        if (!sign || sign.lot_id !== cmd.lotId || sign.kind !== cmd.kind || Number(sign.amount) !== cmd.amount || sign.countersigned_by === user.id) {
          return reject('refunds.needsCountersign', { threshold });
        }
        countersignedBy = sign.username;
      }
      // Quoted again at the server's time: the console's clock decides neither expiry nor the amount.
      const event: Extract<LedgerEvent, { type: 'cancel' | 'refund' }> = {
        type: cmd.kind,
        eventId: randomUUID(),
        roundId: cmd.roundId,
        lotId: cmd.lotId,
        at,
        amount: cmd.amount,
        by: user.username,
        ...(countersignedBy ? { countersignedBy } : {}),
      };
      // The money goes back through the purchase's provider: a reversal with its own key naming the original.
      const paid = await trx.selectFrom('lots').select(['payment_provider', 'payment_tid']).where('lot_id', '=', cmd.lotId).executeTakeFirst();
      if (paid?.payment_provider && paid.payment_tid) event.payment = makePaymentRef(paid.payment_provider, event.eventId, at, paid.payment_tid);
      const verdict = await applyLedgerEvent(trx, event, now);
      if (!verdict.ok) return reject(verdict.key, verdict.params);
      return { event };
    }
    case 'countersign_refund': {
      if (user.role === 'analyst') return reject('sync.roleNotAllowed');
      if (cmd.requestedBy === user.username) return reject('refunds.selfCountersign');
      const lot = await lockLot(trx, cmd.lotId);
      if (!lot || lot.roundId !== cmd.roundId) return reject('ledger.unknownLot', { lotId: cmd.lotId });
      // A second clerk of the lot's district, or an official: never a clerk of another district.
      if (user.role === 'clerk' && lot.districtCode !== user.districtCode) return reject('sync.otherDistrict', { district: lot.districtCode });
      const requester = await trx.selectFrom('users').select(['role', 'district_code']).where('username', '=', cmd.requestedBy).executeTakeFirst();
      if (!requester) return reject('refunds.unknownRequester', { name: cmd.requestedBy });
      const held = await trx
        .selectFrom('refund_countersigns')
        .select(['lot_id', 'kind', 'amount', 'countersigned_by'])
        .where('requested_by', '=', cmd.requestedBy)
        .where('request_command_id', '=', cmd.requestCommandId)
        .executeTakeFirst();
      if (held) {
        const same = held.lot_id === cmd.lotId && held.kind === cmd.kind && Number(held.amount) === cmd.amount && held.countersigned_by === user.id;
        return same ? { accepted: true } : reject('refunds.countersignConflict');
      }
      await trx
        .insertInto('refund_countersigns')
        .values({
          requested_by: cmd.requestedBy,
          request_command_id: cmd.requestCommandId,
          lot_id: cmd.lotId,
          kind: cmd.kind,
          amount: String(cmd.amount),
          countersigned_by: user.id,
          countersigned_at: now,
        })
        .execute();
      return { accepted: true };
    }
    case 'book_adjustment': {
      // Officials and administrators reconcile; the author and the time are the server's, never the console's.
      if (!MANAGERS.includes(user.role)) return reject('sync.roleNotAllowed');
      await trx
        .insertInto('reconcile_adjustments')
        .values({
          command_id: cmd.commandId,
          booked_by: user.id,
          booked_at: now,
          provider: cmd.provider,
          day: cmd.day,
          exception: JSON.stringify(cmd.exception),
          amount: cmd.amount,
          reason: cmd.reason,
          text: cmd.text,
        })
        .execute();
      return { accepted: true };
    }
    case 'set_refund_threshold': {
      if (user.role !== 'admin') return reject('sync.roleNotAllowed');
      await trx
        .updateTable('refund_settings')
        .set({ countersign_above: cmd.amount === null ? null : String(cmd.amount), updated_by: user.id, updated_at: now })
        .where('id', '=', 1)
        .execute();
      return { accepted: true };
    }
  }
}
