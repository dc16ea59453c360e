import { sql, type Kysely } from 'kysely';

/**
 * The buyer directory and its access log (개인정보 보호법; /work/shared/README.md
 * "Personal information at the counter"). Personal data stays here, on the
 * server, never in the event log consoles copy. No column holds a plain
 * mobile number, name or birth date: each is a sealed copy (AES-256-GCM), and
 * two keyed hashes make them searchable. The access log is append-only: an
 * entry once written cannot be altered or removed, as the rule asks of it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('buyer_directory')
    .addColumn('buyer_id', 'text', (c) => c.primaryKey())
    .addColumn('district_code', 'text', (c) => c.notNull())
    .addColumn('phone_hash', 'text', (c) => c.notNull())
    .addColumn('name_birth_hash', 'text', (c) => c.notNull())
    .addColumn('phone_sealed', 'text', (c) => c.notNull())
    .addColumn('name_sealed', 'text', (c) => c.notNull())
    .addColumn('birth_sealed', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .execute();
  // A lookup is always within the clerk's district, so the district leads each index.
  await db.schema.createIndex('buyer_directory_phone').on('buyer_directory').columns(['district_code', 'phone_hash']).execute();
  await db.schema.createIndex('buyer_directory_name_birth').on('buyer_directory').columns(['district_code', 'name_birth_hash']).execute();

  await db.schema
    .createTable('directory_access_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('district_code', 'text')
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`length(btrim(reason)) > 0`))
    // Whose data was shown: the buyer ids returned, none when nothing matched.
    .addColumn('buyer_ids', sql`text[]`, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('directory_access_log_at').on('directory_access_log').columns(['at']).execute();
  await sql`
    create function directory_access_log_append_only() returns trigger language plpgsql as $$
    begin raise exception '% is append-only', tg_table_name; end $$
  `.execute(db);
  await sql`create trigger directory_access_log_no_change before update or delete on directory_access_log for each row execute function directory_access_log_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('directory_access_log').execute();
  await sql`drop function if exists directory_access_log_append_only`.execute(db);
  await db.schema.dropTable('buyer_directory').execute();
}
