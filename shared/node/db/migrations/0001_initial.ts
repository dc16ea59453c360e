import { sql, type Kysely } from 'kysely';

/** Users, rounds with immutable versions, and the hash-chained audit log. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'official', 'clerk', 'analyst')`))
    .addColumn('district_code', 'text')
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addCheckConstraint('clerk_has_district', sql`(role = 'clerk') = (district_code is not null)`)
    .execute();

  await db.schema
    .createTable('rounds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('draft', 'approved', 'scheduled', 'on_sale', 'closed', 'settled')`),
    )
    .addColumn('current_version', 'integer', (c) => c.notNull())
    .addColumn('approved_version', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('round_versions')
    .addColumn('round_id', 'text', (c) => c.notNull().references('rounds.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('changed', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('author_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('approved_by', 'text', (c) => c.references('users.id'))
    .addColumn('approved_at', 'text')
    .addPrimaryKeyConstraint('round_versions_pk', ['round_id', 'version'])
    .execute();

  // A version's content never changes; only its approval may be recorded, once.
  await sql`
    create trigger round_versions_immutable before update on round_versions
    when new.spec is not old.spec or new.author_id is not old.author_id or new.created_at is not old.created_at
      or new.changed is not old.changed or old.approved_by is not null
    begin select raise(abort, 'round_versions rows are immutable'); end
  `.execute(db);
  await sql`
    create trigger round_versions_no_delete before delete on round_versions
    begin select raise(abort, 'round_versions rows are never deleted'); end
  `.execute(db);

  await db.schema
    .createTable('audit_log')
    .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text')
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .execute();
  await db.schema.createIndex('audit_log_entity').on('audit_log').columns(['entity_type', 'entity_id', 'seq']).execute();

  // Triggers stop accidents; the hash chain (audit/chain.ts) detects deliberate edits of the file.
  await sql`create trigger audit_log_no_update before update on audit_log begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
  await sql`create trigger audit_log_no_delete before delete on audit_log begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_log').execute();
  await db.schema.dropTable('round_versions').execute();
  await db.schema.dropTable('rounds').execute();
  await db.schema.dropTable('users').execute();
}
