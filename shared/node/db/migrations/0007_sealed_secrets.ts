import { sql, type Kysely } from 'kysely';

/**
 * Seals the server token a console kept in plain text (sync_state.token)
 * with the vault, which openDatabase binds as vault_seal/vault_open.
 * secure_delete zeroes the old text in the page; the backend truncates the
 * WAL after migrating, so no copy of the plain token stays in the files.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (!(await hasTokenColumn(db))) return;
  await sql`pragma secure_delete = on`.execute(db);
  await sql`update sync_state set token = vault_seal(token) where token is not null and token not like 'sealed:%'`.execute(db);
  await sql`pragma secure_delete = off`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (!(await hasTokenColumn(db))) return;
  await sql`update sync_state set token = vault_open(token) where token like 'sealed:%'`.execute(db);
}

async function hasTokenColumn(db: Kysely<any>): Promise<boolean> {
  const r = await sql<{ name: string }>`select name from pragma_table_info('sync_state') where name = 'token'`.execute(db);
  return r.rows.length > 0;
}
