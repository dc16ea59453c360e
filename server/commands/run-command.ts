import { sql, type Kysely } from 'kysely';
import { canonicalEvent } from '../../shared/node/chain/log-hash.js';
import type { Command, CommandResult, SyncEvent } from '../../shared/sync/protocol.js';
import type { ServerUser } from '../auth/server-auth.js';
import type { ServerDatabase } from '../db/schema.js';
import { lockHead, writeEvents } from '../log/append.js';
import type { Params, Trx } from './command-kit.js';
import { decide } from './command-handlers.js';

export class CommandIdReused extends Error {
  constructor(readonly commandId: string) {
    super(`command id ${commandId} was already used for a different command`);
  }
}

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

    const outcome = await decide(cmd, { trx, user, now });
    let seq: number | null = null;
    if ('event' in outcome) {
      const next = await writeEvents(trx, head, [outcome.event], user.username, now);
      seq = next.seq;
      await recordRoundState(trx, outcome.event, seq, user, now);
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

/** Keeps the round tables and the counter's closed days in step with an event just appended. */
async function recordRoundState(trx: Trx, e: SyncEvent, seq: number, user: ServerUser, now: Date): Promise<void> {
  if (e.type === 'round_published') {
    await trx.insertInto('published_rounds').values({ round_id: e.roundId, version: e.version, spec: JSON.stringify(e.spec), seq: String(seq) }).execute();
    // A first publication makes the round approved; a later one keeps an on-sale round on sale and sends a scheduled one back to approved.
    await sql`
      insert into server_rounds (round_id, status, version, updated_at) values (${e.roundId}, 'approved', ${e.version}, ${now})
      on conflict (round_id) do update set version = excluded.version, updated_at = excluded.updated_at,
        status = case when server_rounds.status = 'on_sale' then 'on_sale' else 'approved' end`.execute(trx);
  } else if (e.type === 'round_status') {
    await trx.updateTable('server_rounds').set({ status: e.status, updated_at: now }).where('round_id', '=', e.roundId).execute();
  } else if (e.type === 'sale_steered') {
    // What every sale process reads each second; the event in the log is the history.
    const row = { revision: e.controls.revision, controls: JSON.stringify(e.controls), changed_by: user.id, changed_at: now, seq: String(seq) };
    await trx
      .insertInto('sale_controls')
      .values({ round_id: e.roundId, ...row })
      .onConflict((oc) => oc.column('round_id').doUpdateSet(row))
      .execute();
    if (e.proposalId) await trx.updateTable('sale_change_proposals').set({ decided_seq: String(seq) }).where('round_id', '=', e.roundId).where('proposal_id', '=', e.proposalId).execute();
  } else if (e.type === 'day_closing') {
    const row = { closed: e.closed, changed_by: user.id, changed_at: now, seq: String(seq) };
    await trx
      .insertInto('day_closings')
      .values({ district_code: e.districtCode, day: e.day, ...row })
      .onConflict((oc) => oc.columns(['district_code', 'day']).doUpdateSet(row))
      .execute();
  }
}
