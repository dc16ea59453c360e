import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { canonicalEvent, chainHash, chainHashBeforeDigests, LOG_GENESIS } from '../../../shared/node/chain/log-hash.js';
import type { SyncEvent } from '../../../shared/sync/protocol.js';
import { spec2022 } from '../../../tests/support/specs.js';
import { createDatabase } from '../../../tests/support/postgres.js';
import { connectServerDb, type ServerDb } from '../connect.js';
import { serverMigrationProvider } from './index.js';

let sdb: ServerDb;
const migrateTo = async (name: string) => {
  const r = await new Migrator({ db: sdb.db, provider: serverMigrationProvider }).migrateTo(name);
  if (r.error) throw r.error;
};

const AT = '2026-03-10T01:00:00.000Z';
const events: SyncEvent[] = [
  { type: 'round_published', eventId: 'pub', roundId: 'r1', version: 1, spec: spec2022(), publishedBy: 'kim', at: AT },
  { type: 'purchase', eventId: 'p1', roundId: 'r1', lotId: 'lot1', at: AT, buyerId: 'b1', districtCode: '11680', face: 100_000, paid: 93_000, paymentMethod: 'bank_transfer' },
  { type: 'use', eventId: 'u1', roundId: 'r1', lotId: 'lot1', at: AT, amount: 10_000, merchantDistrict: null },
  { type: 'purchase', eventId: 'p2', roundId: 'r1', lotId: 'lot2', at: AT, buyerId: 'b2', districtCode: '11110', face: 100_000, paid: 93_000, paymentMethod: 'bank_transfer' },
  { type: 'cancel', eventId: 'c2', roundId: 'r1', lotId: 'lot2', at: AT, amount: 93_000 },
];

/** Writes the log as the server before 0003 did: the old link, a district only on purchases. */
async function oldLog(link = chainHashBeforeDigests): Promise<string> {
  let hash = LOG_GENESIS;
  for (const [i, e] of events.entries()) {
    const payload = canonicalEvent(e);
    hash = link(hash, i + 1, payload);
    const lot = 'lotId' in e ? e.lotId : null;
    await sql`insert into events (seq, event_id, type, round_id, lot_id, district_code, payload, hash, recorded_at, recorded_by)
      values (${i + 1}, ${e.eventId}, ${e.type}, ${'roundId' in e ? e.roundId : null}, ${lot}, ${e.type === 'purchase' ? e.districtCode : null}, ${payload}, ${hash}, now(), 'test')`.execute(sdb.db);
  }
  for (const [lot, district] of [['lot1', '11680'], ['lot2', '11110']]) {
    await sql`insert into lots (lot_id, round_id, buyer_id, holder_id, scope, district_code, payment_method, face, paid, discount_bp, purchased_at, month, expires_at, used, refunded, status, gifted)
      values (${lot}, 'r1', 'b', 'b', 'city', ${district}, 'bank_transfer', 100000, 93000, 700, ${AT}, '2026-03', '2031-03-10T01:00:00.000Z', 0, 0, 'active', false)`.execute(sdb.db);
  }
  await sql`update log_head set seq = ${events.length}, hash = ${hash} where id = 1`.execute(sdb.db);
  return hash;
}

const stored = async () => (await sql<{ seq: number; payload: string; hash: string; district_code: string | null }>`select seq, payload, hash, district_code from events order by seq`.execute(sdb.db)).rows;
const head = async () => (await sql<{ seq: number; hash: string }>`select seq, hash from log_head`.execute(sdb.db)).rows[0]!;

beforeAll(async () => {
  sdb = await connectServerDb({ url: await createDatabase(inject('pgUrl')) });
});
afterAll(() => sdb.close());

describe('server migration 0003_digest_chain', () => {
  it('re-links every event and the head with the digest link, files lot events under their district, and restores the append-only trigger', async () => {
    await migrateTo('0001_log');
    const oldHead = await oldLog();
    await migrateTo('0003_digest_chain');
    const rows = await stored();
    let prev = LOG_GENESIS;
    for (const r of rows) {
      prev = chainHash(prev, Number(r.seq), r.payload);
      expect(r.hash).toBe(prev);
    }
    expect(await head()).toEqual({ seq: events.length, hash: prev });
    expect(prev).not.toBe(oldHead);
    expect(rows.map((r) => r.district_code)).toEqual([null, '11680', '11680', '11110', '11110']);
    await expect(sql`update events set hash = 'x' where seq = 1`.execute(sdb.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from events where seq = 5`.execute(sdb.db)).rejects.toThrow(/append-only/);

    // Rolled back, the log links the old way again, to the old head.
    await migrateTo('0001_log');
    expect(await head()).toEqual({ seq: events.length, hash: oldHead });
    await expect(sql`update events set hash = 'x' where seq = 1`.execute(sdb.db)).rejects.toThrow(/append-only/);
    await sql`delete from lots`.execute(sdb.db);
    await sql`alter table events disable trigger events_no_change`.execute(sdb.db);
    await sql`delete from events`.execute(sdb.db);
    await sql`alter table events enable trigger events_no_change`.execute(sdb.db);
    await sql`update log_head set seq = 0, hash = ${LOG_GENESIS}`.execute(sdb.db);
  });

  it('refuses a log that does not chain under the old link, changing nothing', async () => {
    await migrateTo('0001_log');
    await oldLog((prev, seq, text) => (seq === 3 ? 'f'.repeat(64) : chainHashBeforeDigests(prev, seq, text)));
    const before = await stored();
    await expect(migrateTo('0003_digest_chain')).rejects.toThrow(/does not chain at 3/);
    expect(await stored()).toEqual(before);
    await expect(sql`update events set hash = 'x' where seq = 1`.execute(sdb.db)).rejects.toThrow(/append-only/);
  });
});
