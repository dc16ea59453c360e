import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIdentity } from '../../server/directory/korean-names.js';
import { translate } from '../../shared/i18n/index.js';
import { ServerHarness } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';

/** The buyer directory, tried with hand-made HTTP requests and each role's own token. */
let s: ServerHarness;
let admin: string;
let official: string;
let mapo: string;
let gangnam: string;
const MAPO = '11440';
const GANGNAM = '11680';
const SEED = 23;

beforeAll(async () => {
  s = await ServerHarness.start();
  const staff = await s.staff();
  ({ admin, official } = staff);
  mapo = await s.user('mapo', 'clerk', MAPO);
  gangnam = await s.user('gangnam', 'clerk', GANGNAM);
  const spec = spec2022();
  await s.openSale('round-dir', spec, staff, new Date(Date.parse(spec.opensAt) + 3_600_000), { purchases: 400, seed: SEED, usesShare: 0.3 });
});
afterAll(() => s.close());

/** A Mapo buyer and the identity the feed gave them (buyer-<feed>-<n> is the feed's n-th purchase). */
async function mapoBuyer() {
  const lot = await s.sdb.db.selectFrom('lots').select('buyer_id').where('district_code', '=', MAPO).orderBy('buyer_id').executeTakeFirstOrThrow();
  const n = Number(lot.buyer_id.split('-').at(-1));
  return { buyerId: lot.buyer_id, ...demoIdentity(SEED, n) };
}

const logCount = async () => Number((await sql<{ n: number }>`select count(*)::int as n from directory_access_log`.execute(s.sdb.db)).rows[0]!.n);
const dashed = (p: string) => `${p.slice(0, 3)}-${p.slice(3, 7)}-${p.slice(7)}`;

describe('POST /api/directory/search', () => {
  it("finds a buyer of the clerk's district by mobile number and by name + birth date, masked", async () => {
    const b = await mapoBuyer();
    const letters = [...b.name];
    // Written out by hand: first letter, a star per hidden letter, last letter; only the last four digits.
    const name = letters.length === 3 ? `${letters[0]}*${letters[2]}` : `${letters[0]}**${letters[3]}`;
    const expected = { buyerId: b.buyerId, districtCode: MAPO, maskedName: name, maskedPhone: `010-****-${b.phone.slice(7)}`, maskedBirth: `${b.birthDate.slice(0, 4)}-**-**` };
    const byPhone = await s.post('/api/directory/search', { by: 'phone', phone: dashed(b.phone), reason: '환불 문의 전화' }, mapo);
    expect(byPhone.status).toBe(200);
    expect((byPhone.body as { buyers: unknown[] }).buyers).toContainEqual(expected);
    const byName = await s.post('/api/directory/search', { by: 'nameBirth', name: ` ${letters.join(' ')} `, birthDate: b.birthDate, reason: '창구 방문' }, mapo);
    expect((byName.body as { buyers: unknown[] }).buyers).toContainEqual(expected);
    // The whole number appears nowhere in the answers.
    expect(byPhone.text + byName.text).not.toContain(b.phone.slice(3, 7));
  });

  it('gives a clerk of another district nothing, and refuses officials and administrators', async () => {
    const b = await mapoBuyer();
    const other = await s.post('/api/directory/search', { by: 'phone', phone: b.phone, reason: '환불 문의' }, gangnam);
    expect(other.status).toBe(200);
    expect((other.body as { buyers: { buyerId: string }[] }).buyers.map((x) => x.buyerId)).not.toContain(b.buyerId);
    // The console cannot widen the search: an unknown field is refused, not obeyed.
    expect((await s.post('/api/directory/search', { by: 'phone', phone: b.phone, reason: '환불 문의', districtCode: MAPO }, gangnam)).status).toBe(400);
    for (const token of [official, admin]) {
      const r = await s.post('/api/directory/search', { by: 'phone', phone: b.phone, reason: '환불 문의' }, token);
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ error: { key: 'directory.clerksOnly' } });
    }
    expect((await s.post('/api/directory/search', { by: 'phone', phone: b.phone, reason: '환불 문의' })).status).toBe(401);
  });

  it('records every lookup, found or not, with who, when, from where, whose data and why; readable by administrators only', async () => {
    const b = await mapoBuyer();
    const before = await logCount();
    s.clock = new Date('2026-07-20T01:02:03.000Z');
    await s.post('/api/directory/search', { by: 'phone', phone: b.phone, reason: '분실 신고 확인' }, mapo);
    await s.post('/api/directory/search', { by: 'phone', phone: '010-0000-0000', reason: '번호 확인' }, gangnam);
    s.clock = null;
    expect(await logCount()).toBe(before + 2);
    const log = await s.get('/api/directory/access-log?limit=2', admin);
    expect(log.status).toBe(200);
    const [last, first] = (log.body as { entries: Record<string, unknown>[] }).entries;
    expect(first).toMatchObject({ username: 'mapo', role: 'clerk', districtCode: MAPO, action: 'search_phone', reason: '분실 신고 확인', at: '2026-07-20T01:02:03.000Z', address: '127.0.0.1' });
    expect(first!.buyerIds).toContain(b.buyerId);
    expect(last).toMatchObject({ username: 'gangnam', districtCode: GANGNAM, reason: '번호 확인', buyerIds: [] });
    // Paging: before the newest entry comes the one before it.
    const older = await s.get(`/api/directory/access-log?limit=1&before=${String(last!.id)}`, admin);
    expect((older.body as { entries: unknown[] }).entries[0]).toMatchObject({ id: first!.id });
    for (const token of [mapo, official]) expect((await s.get('/api/directory/access-log', token)).status).toBe(403);
  });

  it('names what is wrong with a search, in Korean, and records nothing', async () => {
    const before = await logCount();
    const cases: [Record<string, unknown>, string][] = [
      [{ by: 'phone', phone: '02-123-4567', reason: '문의' }, 'directory.badPhone'],
      [{ by: 'phone', phone: '010-1234-5678', reason: ' ' }, 'directory.reasonNeeded'],
      [{ by: 'nameBirth', name: '홍', birthDate: '1985-03-07', reason: '문의' }, 'directory.badName'],
      [{ by: 'nameBirth', name: '홍길동', birthDate: '1985-02-30', reason: '문의' }, 'directory.badBirthDate'],
      [{ by: 'nameBirth', name: '홍길동', reason: '문의' }, 'directory.badBirthDate'],
    ];
    for (const [body, key] of cases) {
      const r = await s.post('/api/directory/search', body, mapo);
      expect(r.status, key).toBe(400);
      expect(r.body, key).toMatchObject({ error: { key } });
      // The console shows the key in Korean with the params the server sent.
      const { params } = (r.body as { error: { params?: Record<string, string | number> } }).error;
      expect(translate('ko', key, params)).toMatch(/[가-힣]/);
      if (key === 'directory.badPhone') expect(translate('ko', key, params)).toContain('‘02-123-4567’');
    }
    expect(await logCount()).toBe(before);
  });
});

describe('the directory at rest', () => {
  it('holds no plain mobile number, name or birth date, in the directory or in the event log', async () => {
    const rows = await s.sdb.db.selectFrom('buyer_directory').selectAll().execute();
    expect(rows.length).toBe(400);
    const events = await s.sdb.db.selectFrom('events').select('payload').execute();
    const stored = JSON.stringify(rows) + events.map((e) => e.payload).join('\n');
    for (const r of rows.slice(0, 50)) {
      const who = demoIdentity(SEED, Number(r.buyer_id.split('-').at(-1)));
      expect(stored).not.toContain(who.phone);
      expect(stored).not.toContain(who.phone.slice(3));
      expect(stored).not.toContain(who.name);
      expect(stored).not.toContain(who.birthDate);
    }
    // Searchable: equal numbers give equal hashes (64 hex digits), never the number itself.
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.phone_hash) && r.phone_sealed.startsWith('v1.'))).toBe(true);
  });
});
