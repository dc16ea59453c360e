import type { Transaction } from 'kysely';
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
