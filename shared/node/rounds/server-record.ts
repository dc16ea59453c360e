import type { Kysely } from 'kysely';
import type { RoundPublished, RoundStatusEvent } from '../../sync/protocol.js';
import type { Database } from '../db/schema.js';

/** The local user that owns what came from the server (migration 0004); auth sits above rounds, so it is named here too. */
export const SERVER_USER_ID = 'server';

/** Who wrote and who approved a version, as the server recorded its publication. */
export interface ServerAuthorship {
  /** Display names where this console knows the server account, else the server username; null when the event predates protocol 2. */
  proposedBy: string | null;
  approvedBy: string;
  at: string;
}

export interface ServerStep {
  status: RoundStatusEvent['status'];
  version: number;
  by: string;
  at: string;
}

/**
 * A round synced from the server has its versions owned by the local `server`
 * user, which would credit them to "중앙 서버". The publication event names the
 * server accounts that proposed and approved each version, and the lifecycle
 * events who moved it, so the round's page can name the officials instead.
 */
export async function serverRecord(db: Kysely<Database>, roundId: string): Promise<{ versions: Map<number, ServerAuthorship>; steps: ServerStep[] }> {
  const [pubs, statuses] = await Promise.all([
    db.selectFrom('round_publications').select(['version', 'payload']).where('round_id', '=', roundId).orderBy('seq').execute(),
    db.selectFrom('round_statuses').select(['payload']).where('round_id', '=', roundId).orderBy('seq').execute(),
  ]);
  const published = pubs.map((p) => ({ version: p.version, ev: JSON.parse(p.payload) as RoundPublished }));
  const moved = statuses.map((s) => JSON.parse(s.payload) as RoundStatusEvent);
  const usernames = new Set<string>();
  for (const { ev } of published) {
    if (ev.proposedBy) usernames.add(ev.proposedBy);
    if (ev.approvedBy) usernames.add(ev.approvedBy);
  }
  for (const ev of moved) usernames.add(ev.by);
  const known =
    usernames.size === 0
      ? []
      : await db.selectFrom('users').select(['username', 'display_name']).where('username', 'in', [...usernames]).where('id', '!=', SERVER_USER_ID).execute();
  const names = new Map(known.map((u) => [u.username, u.display_name]));
  const name = (username: string) => names.get(username) ?? username;
  const versions = new Map<number, ServerAuthorship>();
  for (const { version, ev } of published) {
    versions.set(version, {
      proposedBy: ev.proposedBy ? name(ev.proposedBy) : null,
      // publishedBy is the approver's display name on the server (who publishes approves): it names an approver
      // who never signed in here better than the username, and it is all that events before protocol 2 carry.
      approvedBy: (ev.approvedBy && names.get(ev.approvedBy)) || ev.publishedBy,
      at: ev.at,
    });
  }
  return { versions, steps: moved.map((ev) => ({ status: ev.status, version: ev.version, by: name(ev.by), at: ev.at })) };
}
