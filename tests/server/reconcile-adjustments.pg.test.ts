import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../shared/common/roles.js';
import { sampleLedger, seedLedger } from '../../shared/node/reconcile/fixtures.js';
import { generateSettlement } from '../../shared/node/reconcile/generate.js';
import { exceptionDifference } from '../../shared/reconcile/adjustments.js';
import { DEFAULT_PROFILES } from '../../shared/reconcile/profile.js';
import { Harness } from '../support/backend-harness.js';
import { ServerHarness } from '../support/server-harness.js';

/**
 * Reconciliation adjustments are money the record must explain, so the server
 * holds them: booked by a `book_adjustment` command in the author's name, the
 * author's role and the time decided there, append-only.
 */
const DAY = '2026-03-10';
let server: ServerHarness;
let h: Harness;
let admin: string;
const clock = new Date('2026-03-12T03:00:00.000Z');
// Two minutes ahead of the console's: inside the allowed skew, and enough to tell whose clock a booking carries.
const serverClock = new Date('2026-03-12T03:02:00.000Z');

// A file recorded on the server first: a booking names its exception (line 12: 92,000 in the file, 93,000 in the record).
const FILE = 'f'.repeat(64);
const recorded = {
  type: 'record_settlement',
  fileDigest: FILE,
  provider: 'toss',
  day: DAY,
  payoutDay: null,
  days: [{ day: DAY, count: 40, amount: 3_720_000 }],
  exceptions: [{ ref: 'L12', class: 'amount_mismatch', difference: -1_000 }],
};
const booking = (over: Record<string, unknown> = {}) => ({
  type: 'book_adjustment',
  provider: 'toss',
  day: DAY,
  fileDigest: FILE,
  exceptionRef: 'L12',
  exception: { class: 'amount_mismatch', line: 12, tid: 'tgen_x1', fileAmount: 92_000, ledgerAmount: 93_000 },
  amount: -1_000,
  reason: 'fee_vat',
  text: '수수료 차감분',
  ...over,
});
const rows = () => server.sdb.db.selectFrom('reconcile_adjustments').innerJoin('users', 'users.id', 'reconcile_adjustments.booked_by').select(['users.username', 'reconcile_adjustments.booked_at', 'reconcile_adjustments.amount', 'reconcile_adjustments.text', 'reconcile_adjustments.command_id']).orderBy('reconcile_adjustments.id').execute();

beforeAll(async () => {
  server = await ServerHarness.start({ now: () => serverClock });
  h = await Harness.start(() => clock);
  admin = await h.admin();
});
afterAll(async () => {
  await h?.close();
  await server?.close();
});

describe('book_adjustment on the server, by hand-made request', () => {
  it('is booked only for officials and administrators, by the server’s identity and clock, once per command', async () => {
    const analyst = await server.user('ana', 'analyst');
    const clerk = await server.user('mapo', 'clerk', '11440');
    const official = await server.user('kim-s', 'official');
    for (const token of [analyst, clerk]) {
      expect((await server.command(booking(), token)).result).toMatchObject({ status: 'rejected', reason: { key: 'sync.roleNotAllowed' } });
    }
    expect(await rows()).toEqual([]);
    expect((await server.command(recorded, official)).result.status).toBe('accepted');
    // The console's clock (sentAt) is not the booking's time: the token says who, the server says when.
    const sent = { commandId: 'adj-1', sentAt: '2026-03-12T03:00:30.000Z', ...booking() };
    expect((await server.post('/api/commands', sent, official)).body).toMatchObject({ status: 'accepted', seq: expect.any(Number) });
    expect((await server.post('/api/commands', sent, official)).body).toMatchObject({ status: 'accepted' });
    expect(await rows()).toEqual([{ username: 'kim-s', booked_at: serverClock, amount: -1000, text: '수수료 차감분', command_id: 'adj-1' }]);
  });

  it('refuses a malformed booking (zero, no explanation, an unknown reason, an extra author) and writes nothing', async () => {
    const official = await server.user('lee-s', 'official');
    for (const bad of [{ amount: 0 }, { text: '  ' }, { reason: 'because' }, { bookedBy: 'someone-else' }, { day: '2026-02-30' }]) {
      const r = await server.post('/api/commands', { commandId: `bad-${Object.keys(bad)[0]}`, sentAt: serverClock.toISOString(), ...booking(bad) }, official);
      expect(r.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await rows()).length).toBe(1);
  });
});

describe('a console books through the outbox in the author’s name', () => {
  it('sends each booking at sync; one the server rejects stops counting toward the day', async () => {
    // Made on this console, hence on the server; then changed on the server alone (by another console, say).
    const made = async (username: string, consoleRole: Role, serverRole: Role) => {
      const u = await h.user(admin, username, consoleRole);
      await h.backend.deps.sync.signInsSettled();
      await server.sdb.db.updateTable('users').set({ role: serverRole }).where('username', '=', username).execute();
      return u;
    };
    await server.user('admin', 'admin', null, 'admin-password-1');
    await h.call('sync.connect', { serverUrl: server.url, username: 'admin', password: 'admin-password-1' }, admin);
    const kim = await made('kim', 'official', 'official');
    // Made an official on this console, but only an analyst on the server: the server has the last word.
    const lee = await made('lee', 'official', 'analyst');

    const toss = DEFAULT_PROFILES.find((p) => p.id === 'toss-csv')!;
    const ledger = sampleLedger('toss', ['2026-03-09', DAY, '2026-03-11'], 40);
    seedLedger(h.backend.ledger.sqlite, 'toss', ledger, 'round-reconcile', 1_000_000);
    const file = generateSettlement(ledger, toss, DAY, { seed: 2, encoding: 'cp949' }).bytes;
    const job = await h.call('reconcile.analyse', { profileId: 'toss-csv', fileName: 'toss.csv', uploadId: (await h.call('reconcile.upload', { bytes: file }, kim.session)).uploadId, record: true, windowBusinessDays: 1 }, kim.session);
    for (let j = job; j.state === 'running'; j = await h.call('jobs.get', { id: job.id }, kim.session)) await new Promise((r) => setTimeout(r, 10));
    const { rows: exceptions } = await h.call('reconcile.exceptions', { startRow: 0, endRow: 100, day: DAY, provider: 'toss' }, kim.session);
    // Each booking explains its own exception's difference, as the server checks.
    const [a, b] = exceptions.filter((x) => exceptionDifference(x) !== 0);
    const [da, db] = [exceptionDifference(a!), exceptionDifference(b!)];
    await h.call('reconcile.resolve', { id: a!.id, reason: 'fee_vat', text: '수수료 차감분', adjustment: da }, kim.session);
    await h.call('reconcile.resolve', { id: b!.id, reason: 'other', text: '대행사 확인', adjustment: db }, lee.session);
    const outbox = h.backend.ledger.sqlite.prepare("select o.type, u.username from outbox o join users u on u.id = o.created_by where o.type in ('record_settlement', 'book_adjustment') order by o.created_at, o.rowid").all();
    expect(outbox).toEqual([{ type: 'record_settlement', username: 'kim' }, { type: 'book_adjustment', username: 'kim' }, { type: 'book_adjustment', username: 'lee' }]);
    const day = async () => (await h.call('reconcile.days', {}, kim.session)).find((d) => d.day === DAY)!;
    expect((await day()).adjusted).toBe(da + db);

    expect(await h.sync(admin)).toMatchObject({ state: 'done' });
    const onServer = await rows();
    expect(onServer.filter((r) => r.username === 'kim').map((r) => [r.amount, r.text, r.booked_at])).toEqual([[da, '수수료 차감분', serverClock]]);
    expect(onServer.some((r) => r.username === 'lee')).toBe(false);
    // lee's booking was refused by the server: it stays in the local journal, marked, and no longer explains anything.
    expect((await day()).adjusted).toBe(da);
    // The day report says where each booking stands on the server.
    const report = await h.call('reconcile.report', { day: DAY, provider: 'toss', format: 'xlsx', lang: 'ko' }, kim.session);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(report.base64, 'base64') as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('조정 내역')!;
    expect([2, 3].map((r) => [sheet.getRow(r).getCell(7).value, sheet.getRow(r).getCell(9).value])).toEqual([
      ['kim', '서버 기록됨'],
      ['lee', '서버 거부 (반영 안 됨)'],
    ]);
  });

  it('reopens a day locked on a booking the server then refuses, in the server’s name', async () => {
    // The console users and the connection of the test before: kim is an official on both sides, lee only on the console.
    const [kim, lee] = [await h.signIn('kim'), await h.signIn('lee')];
    await h.backend.deps.sync.signInsSettled();
    const day2 = '2026-03-11';
    const toss = DEFAULT_PROFILES.find((p) => p.id === 'toss-csv')!;
    const ledger = sampleLedger('toss', ['2026-03-09', DAY, day2], 40);
    const file = generateSettlement(ledger, toss, day2, { seed: 3, encoding: 'utf-8' }).bytes;
    const job = await h.call('reconcile.analyse', { profileId: 'toss-csv', fileName: 'toss-11.csv', uploadId: (await h.call('reconcile.upload', { bytes: file }, kim)).uploadId, record: true, windowBusinessDays: 1 }, kim);
    for (let j = job; j.state === 'running'; j = await h.call('jobs.get', { id: job.id }, kim)) await new Promise((r) => setTimeout(r, 10));
    const { rows: exceptions } = await h.call('reconcile.exceptions', { startRow: 0, endRow: 100, day: day2, provider: 'toss' }, kim);
    const lees = exceptions.find((x) => exceptionDifference(x) !== 0)!;
    // Every difference booked, one of them by lee: the day balances and locks.
    for (const x of exceptions) {
      const d = exceptionDifference(x);
      await h.call('reconcile.resolve', { id: x.id, reason: 'other', text: '대행사 확인', ...(d !== 0 ? { adjustment: d } : {}) }, x === lees ? lee : kim);
    }
    const day = async () => (await h.call('reconcile.days', {}, kim)).find((d) => d.day === day2)!;
    await h.call('reconcile.lockDay', { day: day2, provider: 'toss' }, kim);
    expect(await day()).toMatchObject({ lockedBy: 'kim', unexplained: 0 });

    expect(await h.sync(admin)).toMatchObject({ state: 'done' });
    // lee's booking was refused: the lock counted on money the record does not explain, so the day is open again.
    expect(await day()).toMatchObject({ lockedBy: null, unexplained: exceptionDifference(lees) });
    const log = h.backend.ledger.sqlite.prepare('select action, by, reason from reconcile_day_log where day = ? order by id').all(day2) as { action: string; by: string; reason: string | null }[];
    expect(log.map((l) => [l.action, l.by])).toEqual([
      ['lock', 'kim'],
      ['reopen', 'server'],
    ]);
    expect(log[1]!.reason).toContain('서버가 조정 기록을 거부했습니다');
    const audit = h.backend.ledger.sqlite.prepare("select actor_name from audit_log where action = 'reconcile.reopenDay' order by seq desc limit 1").pluck().get();
    expect(audit).toBe('중앙 서버');
  });
});
