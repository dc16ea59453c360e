import { sql, type Kysely } from 'kysely';

/**
 * Tokens last 12 hours now, renewed while in use up to 30 days from sign-in
 * (server/auth/server-auth.ts). Tokens handed out for a month before this
 * change are cut to the same 12 hours: a token copied with a console's data
 * folder stops working within a working day.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`update sessions set expires_at = least(expires_at, now() + interval '12 hours')`.execute(db);
}

/** The cut cannot be undone (the old lives are not kept), and needs no undoing. */
export async function down(): Promise<void> {}
