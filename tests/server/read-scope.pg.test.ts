import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainHash, linkHash, LOG_GENESIS } from '../../shared/node/chain/log-hash.js';
import { parsePage } from '../../shared/node/sync/client.js';
import type { RoundTotals } from '../../shared/sync/protocol.js';
import { ServerHarness } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';

/** Reads scoped by role and district, tried with hand-made requests and each role's own token. */
let s: ServerHarness;
let admin: string;
let official: string;
let clerk: string;
let analyst: string;
const GANGNAM = '11680';
const roundId = 'round-scoped';

beforeAll(async () => {
  s = await ServerHarness.start();
  const staff = await s.staff();
  ({ admin, official } = staff);
  clerk = await s.user('gangnam', 'clerk', GANGNAM);
  analyst = await s.user('ana', 'analyst');
  const spec = spec2022({ paymentMethods: ['bank_transfer', 'debit_card'] });
  await s.openSale(roundId, spec, staff, new Date(Date.parse(spec.opensAt) + 3_600_000), { purchases: 600, seed: 11, usesShare: 0.5 });
  // A cancellation in another district: a lot event that names no district of its own.
  const lot = await s.sdb.db.selectFrom('lots').select(['lot_id', 'paid']).where('district_code', '<>', GANGNAM).where('used', '=', '0').executeTakeFirstOrThrow();
  const cancel = { type: 'approve_refund', roundId, lotId: lot.lot_id, kind: 'cancel', amount: Number(lot.paid), requestedAt: s.now().toISOString() };
  expect((await s.command(cancel, official)).result).toMatchObject({ status: 'accepted' });
});
afterAll(() => s.close());

/** Every buyer and lot id on the server, split by whether the lot is in `district`. */
async function ids(district: string | null) {
  const lots = await s.sdb.db.selectFrom('lots').select(['lot_id', 'buyer_id', 'holder_id', 'district_code']).execute();
  const outside = lots.filter((l) => l.district_code !== district);
  return { inside: lots.filter((l) => l.district_code === district), outsideIds: outside.flatMap((l) => [l.lot_id, l.buyer_id, l.holder_id]) };
}

async function allPages(token: string, limit: number): Promise<string[]> {
  const bodies: string[] = [];
  for (let after = 0; ; ) {
    const r = await s.get(`/api/events?after=${after}&limit=${limit}`, token);
    expect(r.status).toBe(200);
    bodies.push(r.text);
    const page = parsePage(r.text, after);
    if (page.entries.length === 0) return bodies;
    after = page.entries.at(-1)!.seq;
  }
}

/** Checks every page chains from the last, through full and redacted lines alike, to the server's head. */
async function chainsToHead(bodies: string[]): Promise<void> {
  let prev = LOG_GENESIS;
  let after = 0;
  for (const body of bodies) {
    for (const e of parsePage(body, after).entries) {
      prev = e.digest !== undefined ? linkHash(prev, e.seq, e.digest) : chainHash(prev, e.seq, e.text);
      expect(e.hash).toBe(prev);
      after = e.seq;
    }
  }
  const head = (await s.get('/api/head', admin)).body as { seq: number; hash: string };
  expect({ seq: after, hash: prev }).toEqual(head);
}

const lines = (bodies: string[]) => bodies.flatMap((b) => b.split('\n').slice(1, -1));

describe('GET /api/events is scoped by role and district', () => {
  it('gives an administrator and an official every event in full', async () => {
    for (const token of [admin, official]) {
      const all = lines(await allPages(token, 10_000));
      expect(all.length).toBeGreaterThan(600);
      expect(all.filter((l) => l.split('\t')[2]!.startsWith('#'))).toEqual([]);
    }
  });

  it("gives a clerk their district's lot events in full and no buyer or lot id of any other district", async () => {
    const bodies = await allPages(clerk, 10_000);
    const text = bodies.join('');
    const { inside, outsideIds } = await ids(GANGNAM);
    expect(inside.length).toBeGreaterThan(5);
    for (const id of outsideIds) expect(text.includes(`"${id}"`), id).toBe(false);
    // Their own district is there in full; everyone else's lot events as digests, round events in full.
    for (const l of inside) expect(text).toContain(`"lotId":"${l.lot_id}"`);
    // Every lot event is filed under its lot's district, so a use or a cancellation is scoped like the purchase.
    const misfiled = await sql<{ n: number }>`select count(*)::int as n from events e left join lots l on l.lot_id = e.lot_id
      where e.lot_id is not null and e.district_code is distinct from l.district_code`.execute(s.sdb.db);
    expect(misfiled.rows[0]!.n).toBe(0);
    const uses = await s.sdb.db.selectFrom('events').select('event_id').where('type', '=', 'use').where('district_code', '=', GANGNAM).execute();
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(text).toContain(`"eventId":"${u.event_id}"`);
    const kinds = lines(bodies).map((l) => (l.split('\t')[2]!.startsWith('#') ? 'redacted' : (JSON.parse(l.split('\t')[2]!) as { type: string }).type));
    expect(kinds[0]).toBe('round_published');
    expect(kinds.filter((k) => k === 'redacted').length).toBeGreaterThan(inside.length);
    await chainsToHead(bodies);
  });

  it('gives an analyst every ledger event redacted: no buyer id, lot id or amount of anyone', async () => {
    const bodies = await allPages(analyst, 250);
    const text = bodies.join('');
    for (const id of (await ids(null)).outsideIds) expect(text.includes(`"${id}"`), id).toBe(false);
    const full = lines(bodies).filter((l) => !l.split('\t')[2]!.startsWith('#'));
    expect(full.map((l) => (JSON.parse(l.split('\t')[2]!) as { type: string }).type)).toEqual(['round_published', 'round_status', 'round_status']);
    expect(text).not.toMatch(/"(amount|face|paid|buyerId|lotId)"/);
    await chainsToHead(bodies);
  });
});

describe('GET /api/rounds/:id/totals', () => {
  it("covers a clerk's own district only, and says which", async () => {
    const whole = (await s.get(`/api/rounds/${roundId}/totals`, official)).body as RoundTotals;
    const mine = (await s.get(`/api/rounds/${roundId}/totals`, clerk)).body as RoundTotals;
    const rows = await s.sdb.db.selectFrom('lots').select(['face']).where('round_id', '=', roundId).where('district_code', '=', GANGNAM).execute();
    expect(whole.districtCode).toBeUndefined();
    expect(mine).toMatchObject({ districtCode: GANGNAM, purchases: rows.length, faceSold: rows.reduce((a, r) => a + Number(r.face), 0) });
    expect(mine.purchases).toBeLessThan(whole.purchases);
    // Anyone may ask for one district's totals; a clerk only for their own.
    expect((await s.get(`/api/rounds/${roundId}/totals?district=${GANGNAM}`, analyst)).body).toEqual(mine);
    expect((await s.get(`/api/rounds/${roundId}/totals?district=${GANGNAM}`, clerk)).body).toEqual(mine);
    expect((await s.get(`/api/rounds/${roundId}/totals?district=11110`, clerk)).status).toBe(403);
    expect((await s.get(`/api/rounds/${roundId}/totals?district=99999`, official)).status).toBe(400);
  });
});
