import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type LedgerDb } from '../db/open.js';
import { appendAudit, auditHash, GENESIS_HASH } from '../kernel/audit-append.js';
import { verifyAuditChain } from './chain.js';

let l: LedgerDb;
beforeEach(async () => {
  l = openDatabase(':memory:');
  await migrateToLatest(l.db);
  for (let i = 1; i <= 5; i++) {
    await l.db.transaction().execute((trx) =>
      appendAudit(trx, { at: `2026-03-02T00:0${i}:00.000Z`, actorId: 'u1', actorName: '김', action: 'round.update', entityType: 'round', entityId: 'r1', details: { version: i } }),
    );
  }
});
afterEach(() => l.close());

/** What someone with the file and a SQLite shell could do: drop the guard and edit. */
async function tamper(statement: ReturnType<typeof sql>): Promise<void> {
  await sql`drop trigger audit_log_no_update`.execute(l.db);
  await sql`drop trigger audit_log_no_delete`.execute(l.db);
  await statement.execute(l.db);
}

describe('audit hash chain', () => {
  it('chains each entry to the previous one from a fixed genesis', async () => {
    const rows = await l.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    expect(rows[0]!.hash).toBe(
      auditHash(GENESIS_HASH, 1, { at: rows[0]!.at, actorId: 'u1', actorName: '김', action: 'round.update', entityType: 'round', entityId: 'r1', details: { version: 1 } }),
    );
  });

  it('verifies an untouched log', async () => {
    const r = await verifyAuditChain(l.db);
    expect(r).toMatchObject({ ok: true, checked: 5, firstBadSeq: null });
    expect(r.headHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('detects an edited entry', async () => {
    await tamper(sql`update audit_log set details = '{"version":99}' where seq = 3`);
    expect(await verifyAuditChain(l.db)).toMatchObject({ ok: false, firstBadSeq: 3, reason: 'content does not match its hash' });
  });

  it('detects an edit whose hash was recomputed, at the next entry', async () => {
    const forged = auditHash((await l.db.selectFrom('audit_log').select('prev_hash').where('seq', '=', 3).executeTakeFirstOrThrow()).prev_hash, 3, {
      at: '2026-03-02T00:03:00.000Z', actorId: 'u1', actorName: '김', action: 'round.update', entityType: 'round', entityId: 'r1', details: { version: 99 },
    });
    await tamper(sql`update audit_log set details = '{"version":99}', hash = ${forged} where seq = 3`);
    expect(await verifyAuditChain(l.db)).toMatchObject({ ok: false, firstBadSeq: 4, reason: 'previous hash does not match' });
  });

  it('detects a deleted entry in the middle and at the end', async () => {
    await tamper(sql`delete from audit_log where seq = 2`);
    expect(await verifyAuditChain(l.db)).toMatchObject({ ok: false, firstBadSeq: 2, reason: 'missing entry' });
  });

  it('detects entries cut from the end', async () => {
    await tamper(sql`delete from audit_log where seq >= 4`);
    expect(await verifyAuditChain(l.db)).toMatchObject({ ok: false, firstBadSeq: 4, reason: 'entries missing from the end' });
  });

  it('detects a changed actor', async () => {
    await tamper(sql`update audit_log set actor_name = '박' where seq = 5`);
    expect(await verifyAuditChain(l.db)).toMatchObject({ ok: false, firstBadSeq: 5 });
  });

  it('pages through long logs', async () => {
    expect(await verifyAuditChain(l.db, 2)).toMatchObject({ ok: true, checked: 5 });
  });
});
