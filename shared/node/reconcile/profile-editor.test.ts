import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../../../tests/support/backend-harness.js';
import { formatError } from '../../i18n/index.js';
import { DEFAULT_PROFILES, type SettlementProfile } from '../../reconcile/profile.js';
import { sampleLedger } from './fixtures.js';
import { generateSettlement } from './generate.js';

const DAY = '2026-03-10';
const byId = (id: string) => structuredClone(DEFAULT_PROFILES.find((p) => p.id === id)!);
let h: Harness;
let admin: string;
let official: string;
let analyst: string;
let clerk: string;
const files: Record<string, Buffer> = {};

beforeAll(async () => {
  h = await Harness.start(() => new Date('2026-03-12T03:00:00Z'));
  admin = await h.admin();
  official = (await h.user(admin, 'kim', 'official')).session;
  analyst = (await h.user(admin, 'ana', 'analyst')).session;
  clerk = (await h.user(admin, 'mapo', 'clerk', '11440')).session;
  await h.user(admin, 'lee', 'official');
  const ledger = sampleLedger('toss', [DAY], 30);
  for (const id of ['hecto-pipe', 'toss-csv', 'kicc-fixed']) files[id] = generateSettlement(ledger, byId(id), DAY, { seed: 1, encoding: id === 'toss-csv' ? 'cp949' : 'utf-8' }).bytes;
});
afterAll(() => h.close());

const preview = (profile: SettlementProfile, bytes: Buffer, session = official) =>
  h.call('reconcile.previewProfile', { profile, base64: bytes.subarray(0, 60_000).toString('base64') }, session);
const profileCount = () => h.backend.ledger.sqlite.prepare('select count(*) from settlement_profiles').pluck().get() as number;

describe('column-mapping profile editor (backend)', () => {
  it('previews the first rows of a file in each shape with the draft profile', async () => {
    for (const id of ['hecto-pipe', 'toss-csv', 'kicc-fixed']) {
      const p = await preview(byId(id), files[id]!);
      expect(p.error).toBeNull();
      expect(p.rows).toHaveLength(10);
      expect(p.rows[0]).toMatchObject({ approvedDay: DAY, type: 'approval' });
      expect(p.rows.every((r) => Number.isInteger(r.amount) && r.amount > 0)).toBe(true);
    }
    expect((await preview(byId('toss-csv'), files['toss-csv']!)).encoding).toBe('cp949');
  });

  it('a draft that reads the file wrongly shows the first error, naming line and field', async () => {
    // The wrong date format for the layout: the first record's approval date does not read.
    const fixed = byId('kicc-fixed');
    fixed.dateFormat = 'YYYY-MM-DD';
    const p = await preview(fixed, files['kicc-fixed']!);
    expect(p.rows).toEqual([]);
    expect(p.error).toEqual({ key: 'reconcile.bad.badDate', params: { line: 1, field: '승인일자' } });
    // A CSV header renamed in the draft: the header line names what is missing.
    const csv = byId('toss-csv');
    csv.columns.find((c) => c.field === 'amount')!.header = '결제금액';
    expect((await preview(csv, files['toss-csv']!)).error).toEqual({ key: 'reconcile.bad.headerMissing', params: { line: 1, field: '결제금액' } });
  });

  it('refuses an invalid profile with a Korean message naming the field, and writes nothing', async () => {
    const before = profileCount();
    const noStart = byId('kicc-fixed');
    delete noStart.columns.find((c) => c.field === 'fee')!.start;
    const e1 = await h.fail('reconcile.saveProfile', { profile: { ...noStart, id: 'x1' } }, official);
    expect(formatError('ko', e1)).toBe("'수수료' 필드의 시작 위치와 길이가 필요합니다");
    expect(formatError('en', e1)).toBe("Field 'Fee' needs a start and a width");
    const noAmount = byId('hecto-pipe');
    noAmount.columns = noAmount.columns.filter((c) => c.field !== 'amount');
    expect(formatError('ko', await h.fail('reconcile.saveProfile', { profile: { ...noAmount, id: 'x2' } }, official))).toBe("'거래금액' 필드는 반드시 지정해야 합니다");
    const overlap = byId('kicc-fixed');
    overlap.columns.find((c) => c.field === 'vat')!.start = 80;
    expect(formatError('ko', await h.fail('reconcile.saveProfile', { profile: { ...overlap, id: 'x3' } }, official))).toBe("'부가세' 필드가 앞 필드와 겹칩니다");
    const badId = await h.fail('reconcile.saveProfile', { profile: { ...byId('toss-csv'), id: 'Bad ID!' } }, official);
    expect(formatError('ko', badId)).toContain('형식 ID');
    expect(formatError('ko', badId)).not.toMatch(/regex|Invalid|profile\.id/);
    expect(profileCount()).toBe(before);
  });

  it('saves a new profile and an edit, audited; analysts and clerks are refused', async () => {
    const nice = { ...byId('toss-csv'), id: 'nice-csv', provider: 'nice', name: '나이스 정산 CSV' };
    expect(await h.call('reconcile.saveProfile', { profile: nice }, official)).toEqual(nice);
    await h.call('reconcile.saveProfile', { profile: { ...nice, payoutLagDays: 3 } }, admin);
    expect((await h.call('reconcile.profiles', {}, analyst)).find((p) => p.id === 'nice-csv')!.payoutLagDays).toBe(3);
    const audit = h.backend.ledger.sqlite.prepare("select details from audit_log where action = 'reconcile.saveProfile' order by seq").pluck().all() as string[];
    expect(audit.map((d) => JSON.parse(d).created)).toEqual([true, false]);
    expect(JSON.parse(audit[1]!).before.payoutLagDays).toBe(2);
    for (const s of [analyst, clerk]) {
      expect((await h.fail('reconcile.saveProfile', { profile: { ...nice, name: '변조' } }, s)).code).toBe('forbidden');
      expect((await h.fail('reconcile.previewProfile', { profile: nice, base64: 'eA==' }, s)).code).toBe('forbidden');
    }
    expect((await h.call('reconcile.profiles', {}, analyst)).find((p) => p.id === 'nice-csv')!.name).toBe('나이스 정산 CSV');
  });
});

describe('assigning an exception', () => {
  it('lists only active officials and administrators, and refuses anyone else, audited', async () => {
    const people = await h.call('reconcile.assignees', {}, official);
    expect(people.map((p) => p.username).sort()).toEqual(['admin', 'kim', 'lee']);
    expect((await h.fail('reconcile.assignees', {}, analyst)).code).toBe('forbidden');
    const refused = await h.fail('reconcile.assign', { id: 1, assignee: 'ana' }, official);
    expect(formatError('ko', refused)).toBe('‘ana’ 사용자에게는 맡길 수 없습니다. 대사는 공무원과 관리자만 처리합니다');
  });
});
