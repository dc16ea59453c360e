import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

/**
 * This console's identity for audit anchoring: a random id made once, under
 * which the server keeps the heads of this console's audit chain.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('console_identity')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('console_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await sql`insert into console_identity (id, console_id, created_at) values (1, ${randomUUID()}, ${new Date().toISOString()})`.execute(db);
  // A changed id would make the server see a new console with nothing anchored.
  await sql`create trigger console_identity_no_update before update on console_identity begin select raise(abort, 'console_identity is fixed'); end`.execute(db);
  await sql`create trigger console_identity_no_delete before delete on console_identity begin select raise(abort, 'console_identity is fixed'); end`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('console_identity').execute();
}
