import { sql, type Kysely } from 'kysely';

/**
 * Sign-in attempt counters, kept in the database so every server process on
 * it shares them and a restart does not hand an attacker a fresh allowance.
 * One row per key: a username, a client address, or the pair.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sign_in_attempts')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('count', 'integer', (c) => c.notNull().check(sql`count >= 0`))
    .addColumn('locked_until', 'timestamptz')
    .addColumn('last_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sign_in_attempts_last').on('sign_in_attempts').column('last_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sign_in_attempts').execute();
}
