import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalEvent, chainHash, chainHashBeforeDigests, LOG_GENESIS } from '../../chain/log-hash.js';
import { migrateTo, openDatabase, type LedgerDb } from '../open.js';

let l: LedgerDb;
beforeEach(async () => {
  l = openDatabase(':memory:');
  await migrateTo(l.db, '0004_sync');
});
afterEach(() => l.close());

type Link = (prev: string, seq: number, text: string) => string;
const payload = (seq: number) => canonicalEvent({ n: seq });

/** A synced log as 0004 kept it: publications at 1 and 4, ledger events between and after, linked the old way. */
function oldLog(n: number, link: Link = chainHashBeforeDigests): string {
  let hash = LOG_GENESIS;
  const s = l.sqlite;
  for (let seq = 1; seq <= n; seq++) {
    hash = link(hash, seq, payload(seq));
    if (seq === 1 || seq === 4) {
      s.prepare("insert into round_publications (seq, event_id, round_id, version, published_by, payload, hash) values (?, ?, 'r1', ?, 'kim', ?, ?)").run(seq, `p${seq}`, seq, payload(seq), hash);
    } else {
      s.prepare("insert into ledger_events (seq, event_id, type, round_id, lot_id, district_code, amount, payment_method, occurred_at, payload, hash) values (?, ?, 'use', 'r1', 'lot', '11110', 1, 'bank_transfer', 'x', ?, ?)").run(seq, `e${seq}`, payload(seq), hash);
    }
  }
  s.prepare("update sync_state set last_seq = ?, last_hash = ?, chain_status = 'ok'").run(n, hash);
  return hash;
}

const LOG = 'select seq, hash from ledger_events union all select seq, hash from round_publications order by seq';
const hashes = () => l.sqlite.prepare(LOG).all() as { seq: number; hash: string }[];
const cursor = () => l.sqlite.prepare('select last_seq, last_hash, chain_status from sync_state').get() as { last_seq: number; last_hash: string; chain_status: string };

describe('migration 0006_digest_chain', () => {
  it('re-links ledger events, publications and the cursor with the digest link, and keeps them append-only', async () => {
    const oldHead = oldLog(12);
    await migrateTo(l.db, '0006_digest_chain');
    let prev = LOG_GENESIS;
    for (const r of hashes()) expect(r.hash).toBe((prev = chainHash(prev, r.seq, payload(r.seq))));
    expect(hashes()).toHaveLength(12);
    expect(cursor()).toEqual({ last_seq: 12, last_hash: prev, chain_status: 'unchecked' });
    await expect(sql`update ledger_events set hash = 'x'`.execute(l.db)).rejects.toThrow(/append-only/);
    await expect(sql`update round_publications set hash = 'x'`.execute(l.db)).rejects.toThrow(/append-only/);

    // Redacted events are append-only too, deletable only under the repair flag.
    await sql`insert into redacted_events (seq, hash, digest) values (13, ${'a'.repeat(64)}, ${'b'.repeat(64)})`.execute(l.db);
    await expect(sql`insert into redacted_events (seq, hash, digest) values (14, 'h', 'short')`.execute(l.db)).rejects.toThrow(/CHECK/);
    await expect(sql`update redacted_events set hash = 'x'`.execute(l.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from redacted_events`.execute(l.db)).rejects.toThrow(/append-only/);
    await expect(migrateTo(l.db, '0004_sync')).rejects.toThrow(/digests only/);
    await sql`insert into sync_repair (id) values (1)`.execute(l.db);
    await sql`delete from redacted_events`.execute(l.db);
    await sql`delete from sync_repair`.execute(l.db);

    // Rolled back, the old links and the old cursor return.
    await migrateTo(l.db, '0004_sync');
    expect(cursor()).toMatchObject({ last_seq: 12, last_hash: oldHead });
    await expect(sql`update ledger_events set hash = 'x'`.execute(l.db)).rejects.toThrow(/append-only/);
  });

  it('re-links a log longer than one batch', async () => {
    oldLog(5_200);
    await migrateTo(l.db, '0006_digest_chain');
    const rows = hashes();
    let prev = LOG_GENESIS;
    for (const r of rows) prev = chainHash(prev, r.seq, payload(r.seq));
    expect(rows.at(-1)!.hash).toBe(prev);
    expect(cursor().last_hash).toBe(prev);
  });

  it('stops at an event edited under the old link, so the copy still shows the break', async () => {
    const edited: Link = (prev, seq, text) => (seq === 7 ? 'f'.repeat(64) : chainHashBeforeDigests(prev, seq, text));
    const oldHead = oldLog(10, edited);
    const before = hashes();
    await migrateTo(l.db, '0006_digest_chain');
    const after = hashes();
    let prev = LOG_GENESIS;
    for (const r of after.slice(0, 6)) expect(r.hash).toBe((prev = chainHash(prev, r.seq, payload(r.seq))));
    expect(after.slice(6)).toEqual(before.slice(6));
    expect(cursor()).toMatchObject({ last_seq: 10, last_hash: oldHead });
  });
});
