import { sql, type Kysely } from 'kysely';

/**
 * The server decides rounds and identities itself:
 * - `round_proposals`: versions written by one official, waiting for another to approve (not events: nothing is
 *   on the record until the approval);
 * - `server_rounds`: each published round's lifecycle status and published version, the state sales are judged by;
 * - commands are idempotent per user: another user replaying an id gets their own evaluation.
 * Rounds published before this migration get the status their sale window implies at migration time, so a round
 * that was already selling stays on sale and an old one is closed.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('round_proposals')
    .addColumn('round_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('proposed_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('proposed_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('round_proposals_pk', ['round_id', 'version'])
    .execute();

  await db.schema
    .createTable('server_rounds')
    .addColumn('round_id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('approved', 'scheduled', 'on_sale', 'closed', 'settled')`))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`
    insert into server_rounds (round_id, status, version, updated_at)
    select p.round_id,
           case when now() < (p.spec::jsonb ->> 'opensAt')::timestamptz then 'approved'
                when now() < (p.spec::jsonb ->> 'closesAt')::timestamptz then 'on_sale'
                else 'closed' end,
           p.version, now()
    from published_rounds p
    where p.version = (select max(version) from published_rounds q where q.round_id = p.round_id)
  `.execute(db);

  await sql`alter table commands drop constraint commands_pkey`.execute(db);
  await sql`alter table commands add constraint commands_pkey primary key (user_id, command_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // Per-user ids may repeat across users; the global key cannot come back while they do.
  await sql`alter table commands drop constraint commands_pkey`.execute(db);
  await sql`alter table commands add constraint commands_pkey primary key (command_id)`.execute(db);
  await db.schema.dropTable('server_rounds').execute();
  await db.schema.dropTable('round_proposals').execute();
}
