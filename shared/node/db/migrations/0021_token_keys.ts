import { sql, type Kysely } from 'kysely';

/**
 * Server tokens sealed under a key derived from each user's password
 * (secrets/user-keys.ts), not only under the data folder's key: a copy of the
 * web console's folder holds the key file too, and opened every token.
 * - `users.token_salt`: the per-user scrypt salt of that key, made at the first sign-in.
 * - `connection_wraps`: the connection account's token, sealed once for each
 *   console user who signed in while it was open; any of them opens it later.
 * The tokens kept so far can only be opened with the folder's key: they are
 * dropped. Users get new ones at their next sign-in (their queued commands
 * wait for it), and an administrator connects the console again once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('token_salt', 'text').execute();
  await db.schema
    .createTable('connection_wraps')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('token', 'text', (c) => c.notNull())
    .execute();
  await sql`delete from server_tokens`.execute(db);
  await sql`update sync_state set token = null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('connection_wraps').execute();
  await db.schema.alterTable('users').dropColumn('token_salt').execute();
}
