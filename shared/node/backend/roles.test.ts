import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, METHODS, type Input, type Method } from '../../api/contract.js';
import { ROLES, type Role } from '../../common/roles.js';
import { Harness } from '../../../tests/support/backend-harness.js';
import { spec2022 } from '../../../tests/support/specs.js';
import { preset2022 } from '../../simulation/params.js';
import { DEFAULT_PROFILES } from '../../reconcile/profile.js';

/** A well-formed input for every method, so the role check (not the schema) decides. Typed: a new method needs one. */
const sample = (roundId: string, userId: string): { [M in Method]: Input<M> } => ({
  'setup.status': {},
  'setup.createAdmin': { username: 'second-admin', displayName: 'x', password: 'long-enough-pw' },
  'auth.signIn': { username: 'nobody', password: 'x' },
  'auth.signOut': {},
  'auth.me': {},
  'auth.changePassword': { currentPassword: 'wrong-password', newPassword: 'long-enough-pw' },
  'users.list': {},
  'users.create': { username: `u${Math.random().toString(36).slice(2, 8)}`, displayName: 'x', password: 'long-enough-pw', role: 'analyst', districtCode: null },
  'users.update': { id: userId, displayName: 'renamed' },
  'rounds.list': {},
  'rounds.get': { id: roundId },
  'rounds.create': { spec: spec2022() },
  'rounds.update': { id: roundId, expectedVersion: 1, spec: spec2022({ name: 'changed' }) },
  'rounds.transition': { id: roundId, expectedVersion: 1, action: 'approve' },
  'simulations.start': { roundId, label: 'role check', params: { ...preset2022(), visitors: 1_000 }, recommend: false, targetSellOutMinutes: 60 },
  'simulations.check': { spec: { ...spec2022(), expectedVisitors: 2_000 } },
  'simulations.list': { roundId },
  'simulations.get': { id: 'no-such-run' },
  'simulations.exportPdf': { ids: ['no-such-run'], charts: [], lang: 'ko' },
  'jobs.get': { id: 'no-such-job' },
  'jobs.cancel': { id: 'no-such-job' },
  'sync.status': {},
  'sync.connect': { serverUrl: 'http://127.0.0.1:9/', username: 'nobody', password: 'x' },
  'sync.disconnect': {},
  'sync.run': {},
  'sync.outbox': {},
  'sync.retry': { commandId: 'no-such-command' },
  'sync.findDivergence': {},
  'sync.repair': { fromSeq: 1 },
  'compaction.folds': {},
  'compaction.fold': { olderThanDays: 30 },
  'ledger.rows': { roundId, startRow: 0, endRow: 100 },
  'ledger.totals': { roundId },
  'ledger.lot': { lotId: 'no-such-lot' },
  'refunds.search': { buyerId: 'nobody' },
  'refunds.findBuyer': { by: 'phone', phone: '010-1234-5678', reason: '창구 방문' },
  'refunds.quote': { lotId: 'no-such-lot' },
  'refunds.request': { lotId: 'no-such-lot', reasonCode: 'buyer_request' },
  'refunds.countersign': { commandId: 'no-such-command' },
  'refunds.withdraw': { commandId: 'no-such-command' },
  'refunds.queue': {},
  'refunds.receipt': { commandId: 'no-such-command', width: 'a4' },
  'refunds.settings': {},
  'refunds.closing': { day: '2026-03-12' },
  'refunds.dayState': { districtCode: '11440' },
  'refunds.closeDay': { day: '2026-03-12', districtCode: '11440' },
  'refunds.reopenDay': { day: '2026-03-12', districtCode: '11440', reason: 'x' },
  'refunds.closingSheet': { day: '2026-03-12', districtCode: '11440', format: 'pdf' },
  'refunds.setThreshold': { countersignAbove: null },
  'audit.list': {},
  'audit.verify': {},
  'audit.status': {},
  'reports.run': { params: { groupBy: ['district'] } },
  'reports.saleCurve': { roundId },
  'calibrations.start': { roundId, facts: { sellOutMinutes: null, lastSaleMinutes: null, buyers: null, peakQueue: null, displayedWaitMinutes: null, displayedAtMinute: null, peakConnections: null } },
  'calibrations.get': { id: 'no-such-calibration' },
  'calibrations.latest': { roundId },
  'calibrations.savePreset': { calibrationId: 'no-such-calibration', presetName: 'role check' },
  'calibrations.presets': {},
  'calibrations.exportPdf': { id: 'no-such-calibration', lang: 'ko' },
  'reports.saved': {},
  'reports.save': { name: `r${Math.random().toString(36).slice(2, 8)}`, params: {} },
  'reports.deleteSaved': { id: 'no-such-report' },
  'reports.export': { params: {}, format: 'csv', content: 'summary', lang: 'ko', title: 'role check' },
  'reports.download': { jobId: 'no-such-job' },
  'reconcile.profiles': {},
  'reconcile.saveProfile': { profile: { ...DEFAULT_PROFILES[0]!, id: 'role-check' } },
  'reconcile.previewProfile': { profile: DEFAULT_PROFILES[0]!, base64: 'eA==' },
  'reconcile.assignees': {},
  'reconcile.upload': { bytes: new Uint8Array([120]) },
  'reconcile.discardUpload': { uploadId: '00000000-0000-4000-8000-000000000000' },
  'reconcile.analyse': { profileId: 'no-such-profile', fileName: 'x.txt', uploadId: '00000000-0000-4000-8000-000000000000', record: false, windowBusinessDays: 1 },
  'reconcile.days': {},
  'reconcile.exceptions': { startRow: 0, endRow: 100 },
  'reconcile.assign': { id: 999_999, assignee: null },
  'reconcile.annotate': { id: 999_999, note: '' },
  'reconcile.resolve': { id: 999_999, reason: 'other', text: '', adjustment: 0 },
  'reconcile.adjust': { id: 999_999, amount: 1, reason: 'other', text: 'x' },
  'reconcile.lockDay': { day: '2026-03-10', provider: 'hecto' },
  'reconcile.reopenDay': { day: '2026-03-10', provider: 'hecto', reason: 'x' },
  'reconcile.report': { day: '2026-03-10', provider: 'hecto', format: 'pdf', lang: 'ko' },
  'reconcile.journal': { day: '2026-03-10', provider: 'hecto' },
  'sale.monitor': { roundId },
  'sale.steer': { roundId, change: { kind: 'pause' } },
  'sale.approve': { roundId, proposalId: 'p-1' },
  'reconcile.countersign': { commandId: '00000000-0000-4000-8000-000000000000' },
});

/**
 * Who may call what, written by hand from the README's roles section, not read
 * from the contract, so a procedure opened to the wrong role fails here.
 * a = admin ("everything an official can, plus users and the audit log"),
 * o = official (rounds, their approval and lifecycle, simulation, calibration, reconciliation),
 * c = clerk ("the refund counter for their own district …; see their district's ledger and reports"),
 * n = analyst ("read rounds, the ledger's totals (no lot events), reports and reconciliation; export reports; no action buttons"),
 * public = before anyone has signed in.
 */
const WHO_MAY: Record<string, 'public' | string> = {
  // Before a session exists: first run and signing in.
  'setup.status': 'public',
  'setup.createAdmin': 'public',
  'auth.signIn': 'public',
  // Anyone signed in manages their own session and password.
  'auth.signOut': 'aocn',
  'auth.me': 'aocn',
  'auth.changePassword': 'aocn',
  // Users: the administrator only.
  'users.list': 'a',
  'users.create': 'a',
  'users.update': 'a',
  // Rounds: everyone reads them; officials create, edit and move them through their lifecycle.
  'rounds.list': 'aocn',
  'rounds.get': 'aocn',
  'rounds.create': 'ao',
  'rounds.update': 'ao',
  'rounds.transition': 'ao',
  // Simulation: officials run it before a sale; analysts read and export the runs; clerks have no part in it.
  'simulations.start': 'ao',
  'simulations.check': 'aon',
  'simulations.list': 'aon',
  'simulations.get': 'aon',
  'simulations.exportPdf': 'aon',
  // Calibration: officials fit and save presets; analysts read the results.
  'calibrations.start': 'ao',
  'calibrations.get': 'aon',
  'calibrations.latest': 'aon',
  'calibrations.savePreset': 'ao',
  'calibrations.presets': 'aon',
  'calibrations.exportPdf': 'aon',
  // Reconciliation: officials work it (files, exceptions, locking a day); analysts read it and its report.
  'reconcile.profiles': 'aon',
  'reconcile.saveProfile': 'ao',
  'reconcile.previewProfile': 'ao',
  'reconcile.assignees': 'ao',
  'reconcile.upload': 'ao',
  'reconcile.discardUpload': 'ao',
  'reconcile.analyse': 'ao',
  'reconcile.days': 'aon',
  'reconcile.exceptions': 'aon',
  'reconcile.assign': 'ao',
  'reconcile.annotate': 'ao',
  'reconcile.resolve': 'ao',
  'reconcile.adjust': 'ao',
  'reconcile.lockDay': 'ao',
  'reconcile.reopenDay': 'ao',
  'reconcile.report': 'aon',
  'reconcile.journal': 'aon',
  'reconcile.countersign': 'ao',
  // Long work any role starts (exports, simulations) is followed and cancelled by whoever started it.
  'jobs.get': 'aocn',
  'jobs.cancel': 'aocn',
  // Sync: every console syncs as its user; connecting to a server and repairing the ledger are the administrator's.
  'sync.status': 'aocn',
  'sync.connect': 'a',
  'sync.disconnect': 'a',
  'sync.run': 'aocn',
  'sync.outbox': 'aocn',
  'sync.retry': 'aocn',
  'sync.findDivergence': 'a',
  'sync.repair': 'a',
  // Folding settled uses on the server: the administrator's act (README, sync: "An administrator folds them").
  'compaction.folds': 'a',
  'compaction.fold': 'a',
  // The ledger: every role reads the totals; lot events everyone but the analyst (the server's read scope), a clerk their district's.
  'ledger.rows': 'aoc',
  'ledger.totals': 'aocn',
  'ledger.lot': 'aoc',
  // The refund counter: clerks and officials; no analyst ("no action buttons").
  'refunds.search': 'aoc',
  // The buyer directory (personal data, on the server): a clerk of the buyer's district only.
  'refunds.findBuyer': 'c',
  'refunds.quote': 'aoc',
  'refunds.request': 'aoc',
  'refunds.countersign': 'aoc',
  'refunds.withdraw': 'aoc',
  'refunds.queue': 'aoc',
  'refunds.receipt': 'aoc',
  'refunds.closing': 'aoc',
  'refunds.dayState': 'aoc',
  'refunds.closeDay': 'aoc',
  'refunds.closingSheet': 'aoc',
  'refunds.settings': 'aoc',
  // A clerk closes the day but cannot reopen it; the countersign threshold is the administrator's.
  'refunds.reopenDay': 'ao',
  'refunds.setThreshold': 'a',
  // Reports: every role explores and exports them (a clerk their district's).
  'reports.run': 'aocn',
  'reports.saleCurve': 'aocn',
  'reports.saved': 'aocn',
  'reports.save': 'aocn',
  'reports.deleteSaved': 'aocn',
  'reports.export': 'aocn',
  'reports.download': 'aocn',
  // The audit log: the administrator's; whether it is intact is shown to everyone.
  'audit.list': 'a',
  'audit.verify': 'a',
  'audit.status': 'aocn',
  // A live sale: officials and administrators watch and steer it; analysts watch; clerks neither.
  'sale.monitor': 'aon',
  'sale.steer': 'ao',
  'sale.approve': 'ao',
};
const LETTER: Record<Role, string> = { admin: 'a', official: 'o', clerk: 'c', analyst: 'n' };
const mayCall = (role: Role, m: string) => WHO_MAY[m] !== 'public' && WHO_MAY[m]!.includes(LETTER[role]);

let h: Harness;
const sessions = {} as Record<Role, string>;
let roundId: string;
let analystId: string;

beforeAll(async () => {
  h = await Harness.start();
  sessions.admin = await h.admin();
  sessions.official = (await h.user(sessions.admin, 'official', 'official')).session;
  sessions.clerk = (await h.user(sessions.admin, 'clerk', 'clerk', '11440')).session;
  const analyst = await h.user(sessions.admin, 'analyst', 'analyst');
  sessions.analyst = analyst.session;
  analystId = analyst.id;
  roundId = (await h.call('rounds.create', { spec: spec2022() }, sessions.admin)).id;
});
afterAll(() => h.close());

describe('role enforcement in the backend', () => {
  it('grants each procedure to exactly the roles the README gives it, and the table names every procedure', () => {
    expect(Object.keys(WHO_MAY).sort(), 'procedures in the table').toEqual([...METHODS].sort());
    for (const m of METHODS) {
      const access = contract[m].access;
      expect(access === 'public' ? 'public' : ROLES.filter((r) => access.includes(r)).map((r) => LETTER[r]).join(''), m).toBe(WHO_MAY[m]);
    }
  });

  it('refuses every non-public method without a session, and with a made-up one', async () => {
    const inputs = sample(roundId, analystId);
    for (const m of METHODS) {
      if (contract[m].access === 'public') continue;
      expect((await h.fail(m, inputs[m])).code, m).toBe('unauthenticated');
      expect((await h.fail(m, inputs[m], 'forged-token')).code, m).toBe('unauthenticated');
    }
  });

  for (const role of ['admin', 'official', 'clerk', 'analyst'] as const) {
    it(`lets ${role === 'admin' || role === 'analyst' ? 'an' : 'a'} ${role} call exactly the methods the table grants`, async () => {
      const inputs = sample(roundId, analystId);
      for (const m of METHODS) {
        if (WHO_MAY[m] === 'public' || m === 'auth.signOut') continue;
        const env = await h.raw(m, inputs[m], sessions[role]);
        const forbidden = !env.ok && env.error.code === 'forbidden';
        expect(forbidden, `${role} → ${m}`).toBe(!mayCall(role, m));
        if (mayCall(role, m)) expect(!env.ok && env.error.code === 'unauthenticated', `${role} → ${m}`).toBe(false);
      }
    });
  }

  it('checks the role on every call, so disabling a user takes effect at once', async () => {
    const temp = await h.user(sessions.admin, 'temp-official', 'official');
    expect((await h.raw('rounds.list', {}, temp.session)).ok).toBe(true);
    await h.call('users.update', { id: temp.id, role: 'analyst' }, sessions.admin);
    expect((await h.fail('rounds.create', { spec: spec2022() }, temp.session)).code).toBe('forbidden');
    await h.call('users.update', { id: temp.id, disabled: true }, sessions.admin);
    expect((await h.fail('rounds.list', {}, temp.session)).code).toBe('unauthenticated');
  });
});

describe('input validation at the boundary', () => {
  it('rejects malformed input before any handler runs, naming the field', async () => {
    const before = (await h.call('rounds.list', {}, sessions.admin)).length;
    const err = await h.fail('rounds.create', { spec: { ...spec2022(), totalAmount: '25억' } }, sessions.admin);
    expect(err.code).toBe('invalid_input');
    expect(err.issues?.[0]?.path).toBe('spec.totalAmount');
    expect(err.message).toContain('spec.totalAmount');
    expect((await h.fail('rounds.create', { spec: { ...spec2022(), extra: 1 } }, sessions.admin)).code).toBe('invalid_input');
    expect((await h.fail('rounds.get', null, sessions.admin)).code).toBe('invalid_input');
    expect((await h.call('rounds.list', {}, sessions.admin)).length).toBe(before);
  });

  it('rejects unknown methods', async () => {
    expect((await h.fail('rounds.delete' as Method, {}, sessions.admin)).code).toBe('unknown_method');
    expect((await h.fail('__proto__' as Method, {}, sessions.admin)).code).toBe('unknown_method');
  });
});
