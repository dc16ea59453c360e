import type { Selectable, Transaction } from 'kysely';
import type { Command, SyncEvent } from '../../shared/sync/protocol.js';
import type { ServerUser } from '../auth/server-auth.js';
import type { ServerDatabase } from '../db/schema.js';

export type Trx = Transaction<ServerDatabase>;
export type Params = Record<string, string | number>;

/** A decision: an event to append, acceptance with nothing to append, or a refusal with its reason. */
export type Outcome = { event: SyncEvent } | { accepted: true } | { reason: { key: string; params?: Params } };

export const reject = (key: string, params?: Params): Outcome => ({ reason: { key, ...(params ? { params } : {}) } });
export const ACCEPTED: Outcome = { accepted: true };
export const MANAGERS = ['admin', 'official'];

/** What every handler decides against: the open transaction (log head held), the sender, and the server's time. */
export interface CommandContext {
  trx: Trx;
  user: ServerUser;
  now: Date;
}

export type CommandType = Command['type'];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;

/** Decides one command type; the input is that command's own payload. */
export type CommandHandler<T extends CommandType> = (cmd: CommandOf<T>, ctx: CommandContext) => Promise<Outcome>;

/** One handler for every command type the protocol names, as the console's `HandlersFor` does for procedures. */
export type CommandHandlers = { [T in CommandType]: CommandHandler<T> };

type CountersignTable = 'refund_countersigns' | 'adjustment_countersigns';

/**
 * The second person's approval recorded for this very request (the requester's command id), with the
 * countersigner's username. Null when there is none, when the requester signed it themself, when its
 * amount differs, or when `same` finds it names something else (another lot or kind, another file or
 * exception): both two-person rules, refunds and reconcile bookings, decide through this one lookup.
 */
export async function heldCountersign<T extends CountersignTable>(
  trx: Trx,
  table: T,
  requester: { id: string; username: string },
  commandId: string,
  amount: number,
  same: (sign: Selectable<ServerDatabase[T]>) => boolean,
): Promise<{ id: string; username: string } | null> {
  // Both tables carry the request's key, the amount and the countersigner under the same names, so one
  // query serves either; typed as the refunds' table for Kysely, the caller's `same` sees its own.
  // A request may hold several countersignatures (one per colleague, since a wrong one must not block the
  // right one); any by someone else for exactly this amount and content will do. The amount is matched in
  // the query, so only this request's signatures for this very amount are read.
  const signs = await trx
    .selectFrom(`${table as 'refund_countersigns'} as c`)
    .innerJoin('users as u', 'u.id', 'c.countersigned_by')
    .selectAll('c')
    .select('u.username')
    .where('c.requested_by', '=', requester.username)
    .where('c.request_command_id', '=', commandId)
    .where('c.countersigned_by', '!=', requester.id)
    .where('c.amount', '=', String(amount))
    .orderBy('c.countersigned_at')
    .execute();
  const sign = signs.find((c) => same(c as unknown as Selectable<ServerDatabase[T]>));
  if (!sign) return null;
  return { id: sign.countersigned_by, username: sign.username };
}
