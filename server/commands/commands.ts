import type { Kysely } from 'kysely';
import { canonicalEvent } from '../../shared/node/ledger/chain.js';
import { validateRound } from '../../shared/rounds/validate.js';
import type { LedgerEvent } from '../../shared/ledger/events.js';
import type { Command, CommandResult, SyncEvent } from '../../shared/sync/protocol.js';
import type { ServerUser } from '../auth/server-auth.js';
import type { ServerDatabase } from '../db/schema.js';
import { lockHead, writeEvents } from '../log/append.js';
import { applyLedgerEvent, lockLot, publishedSpec } from '../log/state.js';

export class CommandIdReused extends Error {
  constructor(readonly commandId: string) {
    super(`command id ${commandId} was already used for a different command`);
  }
}

type Outcome = { event: SyncEvent } | { accepted: true } | { reason: { key: string; params?: Record<string, string | number> } };

const reject = (key: string, params?: Record<string, string | number>): Outcome => ({ reason: { key, ...(params ? { params } : {}) } });

/**
 * Runs a console's command exactly once. The whole decision happens under the
 * log-head lock, so two consoles acting on the same lot are decided one after
 * the other against the state the first one left. The answer is stored with
 * the command id: a retry gets the same answer and changes nothing.
 */
export async function runCommand(db: Kysely<ServerDatabase>, cmd: Command, user: ServerUser, now: Date): Promise<CommandResult> {
  const request = canonicalEvent(cmd);
  return db.transaction().execute(async (trx) => {
    const head = await lockHead(trx);
    const seen = await trx.selectFrom('commands').selectAll().where('command_id', '=', cmd.commandId).executeTakeFirst();
    if (seen) {
      if (seen.request !== request) throw new CommandIdReused(cmd.commandId);
      return {
        commandId: cmd.commandId,
        status: seen.status,
        reason: seen.reason_key ? { key: seen.reason_key, ...(seen.reason_params ? { params: JSON.parse(seen.reason_params) as Record<string, string | number> } : {}) } : null,
        seq: seen.seq === null ? null : Number(seen.seq),
      };
    }

    const outcome = await decide(trx as unknown as Kysely<ServerDatabase>, cmd, user, now);
    let seq: number | null = null;
    if ('event' in outcome) {
      const next = await writeEvents(trx, head, [outcome.event], user.username, now);
      seq = next.seq;
      const e = outcome.event;
      if (e.type === 'round_published') {
        await trx.insertInto('published_rounds').values({ round_id: e.roundId, version: e.version, spec: JSON.stringify(e.spec), seq: String(seq) }).execute();
      }
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

async function decide(trx: Kysely<ServerDatabase>, cmd: Command, user: ServerUser, now: Date): Promise<Outcome> {
  const t = trx as never;
  switch (cmd.type) {
    case 'publish_round': {
      if (user.role !== 'admin' && user.role !== 'official') return reject('sync.roleNotAllowed');
      if (validateRound(cmd.spec).errors.length > 0) return reject('sync.invalidRound');
      const current = await publishedSpec(t, cmd.roundId);
      if (current) {
        if (cmd.version < current.version) return reject('sync.staleVersion', { current: current.version });
        if (cmd.version === current.version) {
          // The same version published again (a retry from another console): nothing new to record.
          return canonicalEvent(current.spec) === canonicalEvent(cmd.spec) ? { accepted: true } : reject('sync.versionConflict', { version: cmd.version });
        }
      }
      const sold = await trx.selectFrom('round_sales').select('sold_face').where('round_id', '=', cmd.roundId).executeTakeFirst();
      if (sold && cmd.spec.totalAmount < Number(sold.sold_face)) return reject('sync.belowSold', { sold: Number(sold.sold_face) });
      const event: SyncEvent = { type: 'round_published', eventId: cmd.commandId, roundId: cmd.roundId, version: cmd.version, spec: cmd.spec, publishedBy: user.displayName, at: now.toISOString() };
      return { event };
    }
    case 'approve_refund': {
      if (user.role === 'analyst') return reject('sync.roleNotAllowed');
      const lot = await lockLot(t, cmd.lotId);
      if (!lot || lot.roundId !== cmd.roundId) return reject('ledger.unknownLot', { lotId: cmd.lotId });
      // District clerks act on their own district's lots only, here as in the console.
      if (user.role === 'clerk' && lot.districtCode !== user.districtCode) return reject('sync.otherDistrict', { district: lot.districtCode });
      const event: LedgerEvent = { type: cmd.kind, eventId: cmd.commandId, roundId: cmd.roundId, lotId: cmd.lotId, at: cmd.at, amount: cmd.amount };
      const verdict = await applyLedgerEvent(t, event);
      if (!verdict.ok) return reject(verdict.key, verdict.params);
      return { event };
    }
  }
}
