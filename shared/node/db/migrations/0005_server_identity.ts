import { sql, type Kysely } from 'kysely';

/**
 * Each console user acts on the server as themselves: `server_tokens` keeps
 * the server token of every user who signed in while a server was configured,
 * so their queued commands go out under their own name, even after they signed
 * out of the console. `round_statuses` keeps the server's lifecycle events
 * verbatim: they share the log's sequence with ledger events and round
 * publications, and are append-only like them (a repair may cut them back).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('server_tokens')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('server_user', 'text', (c) => c.notNull())
    .addColumn('obtained_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('round_statuses')
    .addColumn('seq', 'integer', (c) => c.primaryKey())
    .addColumn('event_id', 'text', (c) => c.notNull().unique())
    .addColumn('round_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('by', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('round_statuses_round').on('round_statuses').columns(['round_id', 'seq']).execute();
  await sql`create trigger round_statuses_no_update before update on round_statuses begin select raise(abort, 'round_statuses is append-only'); end`.execute(db);
  await sql`create trigger round_statuses_no_delete before delete on round_statuses when not exists (select 1 from sync_repair) begin select raise(abort, 'round_statuses is append-only'); end`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger round_statuses_no_delete`.execute(db);
  await sql`drop trigger round_statuses_no_update`.execute(db);
  await db.schema.dropTable('round_statuses').execute();
  await db.schema.dropTable('server_tokens').execute();
}
