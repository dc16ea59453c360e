import { sql, type Kysely } from 'kysely';

/**
 * A user whose stored password fails today's policy must change it before
 * anything else. Only sign-in knows the plain password, so sign-in sets the
 * flag and a password change clears it; existing rows start at 0.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table users add column must_change_password integer not null default 0 check (must_change_password in (0, 1))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table users drop column must_change_password`.execute(db);
}
