import { sql, type Kysely } from 'kysely';

/**
 * Runs of consecutive events this console may not read (another district's,
 * for a clerk), as a snapshot carries them: the run's first and last sequence
 * and the chain hash at its last, in place of one row per event in
 * redacted_events (a seq, a hash and a digest each: most of a clerk's
 * snapshot). The console's chain check takes a run's hash as the link the
 * next event must follow from, so a changed run still breaks the chain before
 * the signed head. Append-only like redacted_events.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('redacted_ranges')
    .addColumn('seq', 'integer', (c) => c.primaryKey())
    .addColumn('from_seq', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().check(sql`length(hash) = 64`))
    .addCheckConstraint('redacted_ranges_order', sql`from_seq >= 1 and from_seq < seq`)
    .execute();
  await sql`create trigger redacted_ranges_no_update before update on redacted_ranges begin select raise(abort, 'redacted_ranges is append-only'); end`.execute(db);
  await sql`create trigger redacted_ranges_no_delete before delete on redacted_ranges when not exists (select 1 from sync_repair) begin select raise(abort, 'redacted_ranges is append-only'); end`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const held = (await sql<{ n: number }>`select count(*) as n from redacted_ranges`.execute(db)).rows[0]!.n;
  if (held > 0) throw new Error(`cannot roll back 0043_redacted_ranges: ${held} runs of events are held as one hash each`);
  await sql`drop trigger redacted_ranges_no_delete`.execute(db);
  await sql`drop trigger redacted_ranges_no_update`.execute(db);
  await db.schema.dropTable('redacted_ranges').execute();
}
