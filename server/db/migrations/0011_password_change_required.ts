import { sql, type Kysely } from 'kysely';

/**
 * A server account whose password fails today's policy must change it before
 * any other request. The plain password is known only at sign-in, so sign-in
 * sets the flag and a change clears it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table users add column must_change_password boolean not null default false`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table users drop column must_change_password`.execute(db);
}
