import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createDatabase } from '../../tests/support/postgres.js';
import { buildServer } from '../app.js';
import { connectServerDb, migrateServer, type ServerDb } from '../db/connect.js';
import { directoryKeys } from '../directory/protect.js';
import { buildDemo, DemoRefused, type DemoAccount, type DemoManifest, type SampleBuyer } from './build-demo.js';

/** The real rounds (/work/shared/README.md), written out by hand: round, stock in won, discount in bp, monthly limit, holding limit. */
const REAL: [string, number, number, number, number][] = [
  ['demo-2022-07-14', 25_000_000_000, 700, 400_000, 1_000_000],
  ['demo-2022-07-28', 50_000_000_000, 700, 400_000, 1_000_000],
  // 3,000억 원 over the 25 districts: 120억 each.
  ['demo-2023-01-11440', 12_000_000_000, 700, 700_000, 2_000_000],
  ['demo-2023-03-30', 25_000_000_000, 700, 500_000, 1_000_000],
];
const SCALE = 0.002;

let sdb: ServerDb;
let out: string;
let manifest: DemoManifest;
let accounts: DemoAccount[];
let sample: SampleBuyer | null;
const key = randomBytes(32);

beforeAll(async () => {
  sdb = await connectServerDb({ url: await createDatabase(inject('pgUrl')) });
  await migrateServer(sdb.db);
  out = mkdtempSync(join(tmpdir(), 'demo-settlement-'));
  ({ manifest, accounts, sampleBuyer: sample } = await buildDemo(sdb.db, { scale: String(SCALE), directory: directoryKeys(key), settlementDir: out }));
}, 240_000);
afterAll(async () => {
  await sdb.close();
  rmSync(out, { recursive: true, force: true });
});

const rows = async <T,>(q: ReturnType<typeof sql<T>>) => (await q.execute(sdb.db)).rows;

describe('the demo data set', () => {
  it('holds the real rounds, scaled, with their discounts and limits', async () => {
    // 2 city-wide rounds in July 2022, one district round for each of the 25 districts in January 2023, one in March 2023.
    expect(manifest.rounds).toHaveLength(28);
    for (const [roundId, stock, discountBp, monthly, holding] of REAL) {
      const [row] = await rows(sql<{ spec: string }>`select spec from published_rounds where round_id = ${roundId}`);
      const spec = JSON.parse(row!.spec);
      expect([spec.totalAmount, spec.discountBp, spec.perPersonMonthlyLimit, spec.holdingLimit]).toEqual([stock * SCALE, discountBp, monthly, holding]);
    }
    const status = await rows(sql<{ status: string; n: number }>`select status, count(*)::int as n from server_rounds group by status`);
    expect(status).toEqual([{ status: 'closed', n: 28 }]);
  });

  it('sells within the stock and the limits, in each sale window, and counts what it says', async () => {
    const lots = await rows(
      sql<{ round_id: string; n: number; face: string; max_face: string; first: string; last: string }>`
        select round_id, count(*)::int as n, sum(face) as face, max(face) as max_face, min(purchased_at) as first, max(purchased_at) as last from lots group by round_id`,
    );
    for (const r of manifest.rounds) {
      const l = lots.find((x) => x.round_id === r.roundId)!;
      expect(l.n).toBe(r.purchases);
      expect(Number(l.face)).toBe(r.faceSold);
      expect(Number(l.face)).toBeLessThanOrEqual(r.totalAmount);
      expect(Number(l.max_face)).toBeLessThanOrEqual(r.perPersonMonthlyLimit);
      expect(Date.parse(l.first)).toBeGreaterThanOrEqual(Date.parse(r.opensAt));
      expect(Date.parse(l.last)).toBeLessThan(Date.parse(r.closesAt));
    }
    // Every purchase was sold out of its round (the demo sells each out), and no lot pays back more than was paid.
    expect(manifest.rounds.every((r) => r.faceSold === r.totalAmount)).toBe(true);
    const [bad] = await rows(sql<{ n: number }>`select count(*)::int as n from lots where refunded > paid or used > face`);
    expect(bad!.n).toBe(0);
  });

  it('sells along the simulated curve: the 2022-07-14 stock is gone within two hours of 10:00, not spread over the 12-hour window', async () => {
    // The press: sold out 74 minutes after opening (shared/simulation/press-2022.ts).
    const [r] = await rows(sql<{ last: string; first_hour: number; n: number }>`
      select max(purchased_at) as last, count(*) filter (where purchased_at < '2022-07-14T02:00:00.000Z')::int as first_hour, count(*)::int as n
      from lots where round_id = 'demo-2022-07-14'`);
    expect(Date.parse(r!.last)).toBeLessThan(Date.parse('2022-07-14T12:00:00+09:00'));
    expect(r!.first_hour / r!.n).toBeGreaterThan(0.5);
  });

  it('spends the vouchers over the following weeks and returns some at the Mapo counter through the refund commands', async () => {
    const uses = await rows(sql<{ round_id: string; n: number; amount: string; last: string }>`
      select round_id, count(*)::int as n, sum((payload::json->>'amount')::bigint) as amount, max(payload::json->>'at') as last from events where type = 'use' group by round_id`);
    for (const r of manifest.rounds) {
      const u = uses.find((x) => x.round_id === r.roundId)!;
      expect([u.n, Number(u.amount)]).toEqual([r.uses, r.usedAmount]);
    }
    const july = uses.find((x) => x.round_id === 'demo-2022-07-14')!;
    expect(Date.parse(july.last) - Date.parse('2022-07-14T22:00:00+09:00')).toBeGreaterThan(21 * 86_400_000);

    const returned = await rows(sql<{ type: string; by: string; countersigned: string | null; amount: string; district: string }>`
      select type, payload::json->>'by' as by, payload::json->>'countersignedBy' as countersigned, payload::json->>'amount' as amount, district_code as district
      from events where type in ('cancel', 'refund')`);
    const cancels = manifest.rounds.reduce((a, r) => a + r.cancels, 0);
    const refunds = manifest.rounds.reduce((a, r) => a + r.refunds, 0);
    expect(cancels).toBeGreaterThan(0);
    expect(refunds).toBeGreaterThan(0);
    expect(returned.filter((e) => e.type === 'cancel')).toHaveLength(cancels);
    expect(returned.filter((e) => e.type === 'refund')).toHaveLength(refunds);
    for (const e of returned) {
      expect(['demo-clerk', 'demo-clerk2']).toContain(e.by);
      expect(e.district).toBe('11440');
      // The two-person rule the demo's administrator set: above ₩300,000 the other clerk countersigned first.
      if (Number(e.amount) > 300_000) expect(e.countersigned).toBe(e.by === 'demo-clerk' ? 'demo-clerk2' : 'demo-clerk');
      else expect(e.countersigned).toBeNull();
    }
    // A returned voucher is spent no more: no use is recorded after its lot's cancellation or refund.
    const [late] = await rows(sql<{ n: number }>`
      select count(*)::int as n from events u join events c on c.lot_id = u.lot_id and c.type in ('cancel', 'refund') where u.type = 'use' and u.seq > c.seq`);
    expect(late!.n).toBe(0);
    const lots = await rows(sql<{ status: string; n: number }>`select status, count(*)::int as n from lots where status <> 'active' group by status order by status`);
    expect(lots).toEqual([
      { status: 'cancelled', n: cancels },
      { status: 'refunded', n: refunds },
    ]);
  });

  it('puts every buyer in the directory with the purchase', async () => {
    const [d] = await rows(sql<{ n: number; missing: number }>`
      select count(*)::int as n, (select count(*)::int from lots l where not exists (select 1 from buyer_directory b where b.buyer_id = l.buyer_id)) as missing from buyer_directory`);
    expect(d!.n).toBe(manifest.rounds.reduce((a, r) => a + r.purchases, 0));
    expect(d!.missing).toBe(0);
  });

  it('names a Mapo buyer a newcomer can find by mobile number at the counter (POST /api/directory/search as demo-clerk)', async () => {
    const app = await buildServer({ db: sdb.db, directoryKey: key, log: () => {} });
    try {
      const clerk = accounts.find((a) => a.username === 'demo-clerk')!;
      const token = (await app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { username: clerk.username, password: clerk.password } })).json().token;
      const found = await app.inject({ method: 'POST', url: '/api/directory/search', headers: { authorization: `Bearer ${token}` }, payload: { by: 'phone', phone: sample!.phone, reason: '환불 문의' } });
      expect(found.statusCode).toBe(200);
      const [lot] = await rows(sql<{ buyer_id: string }>`select buyer_id from lots where lot_id = ${sample!.lotId}`);
      expect(JSON.stringify(found.json())).toContain(lot!.buyer_id);
    } finally {
      await app.close();
    }
  });

  it('writes settlement files whose totals are that day’s sales and returns', async () => {
    const sales = await rows(sql<{ day: string; provider: string; n: number; paid: string }>`
      select to_char((purchased_at::timestamptz at time zone 'Asia/Seoul'), 'YYYY-MM-DD') as day, payment_provider as provider, count(*)::int as n, sum(paid) as paid
      from lots group by 1, 2`);
    const approvals = manifest.settlement.filter((s) => s.approvals > 0);
    expect(approvals).toHaveLength(sales.length);
    for (const s of sales) {
      const m = manifest.settlement.find((x) => x.day === s.day && x.provider === s.provider)!;
      expect([m.approvals, m.approvalAmount]).toEqual([s.n, Number(s.paid)]);
    }
    const returned = manifest.rounds.reduce((a, r) => a + r.returnedAmount, 0);
    expect(manifest.settlement.reduce((a, s) => a + s.cancelAmount, 0)).toBe(returned);
    // Read back one file as written: Hecto's header counts its records, and the approvals' amounts add up to the day's sales.
    const hecto = manifest.settlement.find((s) => s.provider === 'hecto' && s.day === '2022-07-14')!;
    const lines = readFileSync(join(out, hecto.file), 'utf8').trim().split('\n');
    expect(lines[0]).toBe(`0000|정상|${hecto.approvals + hecto.cancels}|`);
    const approved = lines.slice(1).filter((l) => l.startsWith('0|')).reduce((a, l) => a + Number(l.split('|')[6]), 0);
    expect(approved).toBe(hecto.approvalAmount);
    expect(existsSync(join(out, '2022-07-14', 'kicc-fixed.txt'))).toBe(true);
  });

  it('refuses to fill a server that already holds data, and writes nothing', async () => {
    const [before] = await rows(sql<{ seq: string }>`select seq from log_head`);
    await expect(buildDemo(sdb.db, { scale: 'small', directory: directoryKeys(key), settlementDir: null })).rejects.toThrow(DemoRefused);
    await expect(buildDemo(sdb.db, { scale: 'small', directory: directoryKeys(key), settlementDir: null })).rejects.toThrow(/already holds data .*fresh server/);
    const [after] = await rows(sql<{ seq: string }>`select seq from log_head`);
    expect(after!.seq).toBe(before!.seq);
  });

  it('says it is demo data on GET /api/status (by hand-made HTTP request), to any signed-in account; a real server says null', async () => {
    const app = await buildServer({ db: sdb.db, log: () => {} });
    try {
      const analyst = accounts.find((a) => a.role === 'analyst')!;
      const signIn = await app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { username: analyst.username, password: analyst.password } });
      expect(signIn.statusCode).toBe(200);
      const status = await app.inject({ method: 'GET', url: '/api/status', headers: { authorization: `Bearer ${signIn.json().token}` } });
      expect(status.json().demo.scale).toBe(String(SCALE));
      expect((await app.inject({ method: 'GET', url: '/api/status' })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
    const fresh = await connectServerDb({ url: await createDatabase(inject('pgUrl')) });
    await migrateServer(fresh.db);
    const freshApp = await buildServer({ db: fresh.db, log: () => {} });
    try {
      const { createUser } = await import('../auth/server-auth.js');
      await createUser(fresh.db, { username: 'kim', displayName: 'kim', password: 'harbour-lights-at-dusk', role: 'analyst', districtCode: null });
      const token = (await freshApp.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { username: 'kim', password: 'harbour-lights-at-dusk' } })).json().token;
      expect((await freshApp.inject({ method: 'GET', url: '/api/status', headers: { authorization: `Bearer ${token}` } })).json()).toEqual({ demo: null });
    } finally {
      await freshApp.close();
      await fresh.close();
    }
  });

  it('refuses a scale that is not small, full or a share from 0 to 1, naming it', async () => {
    const fresh = await connectServerDb({ url: await createDatabase(inject('pgUrl')) });
    await migrateServer(fresh.db);
    try {
      await expect(buildDemo(fresh.db, { scale: 'huge', directory: directoryKeys(key), settlementDir: null })).rejects.toThrow(/--scale must be small, full .* not 'huge'/);
      await expect(buildDemo(fresh.db, { scale: '2', directory: directoryKeys(key), settlementDir: null })).rejects.toThrow(DemoRefused);
      const [u] = (await sql<{ n: number }>`select count(*)::int as n from users`.execute(fresh.db)).rows;
      expect(u!.n).toBe(0);
    } finally {
      await fresh.close();
    }
  });
});
