import { sql, type Kysely } from 'kysely';

/**
 * Audit anchors: the heads of every console's audit chain, as the console
 * stated them at each sync, stamped with the server's clock. A console that
 * later rewrites or shortens its log cannot match what is held here. Refused
 * anchors are kept too, for an administrator to look into.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // One row per console: locked by each anchor, so two syncs of one console are judged one after the other.
  await db.schema
    .createTable('audit_consoles')
    .addColumn('console_id', 'text', (c) => c.primaryKey())
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('first_user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('last_seq', 'bigint')
    .addColumn('last_hash', 'text')
    .addColumn('last_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('audit_anchors')
    .addColumn('console_id', 'text', (c) => c.notNull().references('audit_consoles.console_id'))
    .addColumn('seq', 'bigint', (c) => c.notNull().check(sql`seq >= 1`))
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addPrimaryKeyConstraint('audit_anchors_pk', ['console_id', 'seq'])
    .execute();

  await db.schema
    .createTable('audit_anchor_conflicts')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('console_id', 'text', (c) => c.notNull().references('audit_consoles.console_id'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('reason', 'text', (c) => c.notNull().check(sql`reason in ('backwards', 'hashDiffers')`))
    .addColumn('held_seq', 'bigint', (c) => c.notNull())
    .addColumn('held_hash', 'text', (c) => c.notNull())
    .addColumn('held_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_anchor_conflicts_console').on('audit_anchor_conflicts').columns(['console_id', 'id']).execute();

  await sql`
    create function audit_anchors_append_only() returns trigger language plpgsql as $$
    begin raise exception '% is append-only', tg_table_name; end $$
  `.execute(db);
  for (const t of ['audit_anchors', 'audit_anchor_conflicts']) {
    await sql.raw(`create trigger ${t}_no_change before update or delete on ${t} for each row execute function audit_anchors_append_only()`).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['audit_anchor_conflicts', 'audit_anchors', 'audit_consoles']) await db.schema.dropTable(t).execute();
  await sql`drop function if exists audit_anchors_append_only`.execute(db);
}
