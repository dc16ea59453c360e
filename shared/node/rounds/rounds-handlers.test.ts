import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from '../../../tests/support/backend-harness.js';
import { spec2022 } from '../../../tests/support/specs.js';
import { verifyAuditChain } from '../audit/chain.js';

let h: Harness;
let admin: string;
let kim: { id: string; session: string };
let lee: { id: string; session: string };

beforeEach(async () => {
  h = await Harness.start();
  admin = await h.admin();
  kim = await h.user(admin, 'kim', 'official');
  lee = await h.user(admin, 'lee', 'official');
});
afterEach(() => h.close());

async function counts() {
  const db = h.backend.deps.db;
  const n = async (t: 'rounds' | 'round_versions' | 'audit_log') => Number((await db.selectFrom(t).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { rounds: await n('rounds'), versions: await n('round_versions'), audit: await n('audit_log') };
}

describe('rounds', () => {
  it('creates a round from a preset and lists it with derived sold and remaining', async () => {
    const { id, version } = await h.call('rounds.create', { spec: spec2022() }, kim.session);
    expect(version).toBe(1);
    const rows = await h.call('rounds.list', {}, kim.session);
    expect(rows).toEqual([
      expect.objectContaining({ id, status: 'draft', kind: 'city', totalAmount: 25_000_000_000, discountBp: 700, sold: 0, remaining: 25_000_000_000, currentVersion: 1, approvedVersion: null }),
    ]);
  });

  it('saves nothing when the round is invalid, and says why per field', async () => {
    const before = await counts();
    const err = await h.fail('rounds.create', { spec: spec2022({ perPersonMonthlyLimit: 2_000_000, totalAmount: 25_000_001_000 }) }, kim.session);
    expect(err.code).toBe('validation_failed');
    expect(err.issues?.filter((i) => i.severity === 'error').map((i) => i.code).sort()).toEqual(['issues.amountUnit', 'issues.purchaseAboveHolding', 'roundForm.holdingBelowPurchase']);
    expect(await counts()).toEqual(before);
  });

  it('needs a second official to approve', async () => {
    const { id } = await h.call('rounds.create', { spec: spec2022() }, kim.session);
    const self = await h.fail('rounds.transition', { id, expectedVersion: 1, action: 'approve' }, kim.session);
    expect(self).toMatchObject({ code: 'rule_violation', key: 'lifecycle.selfApproval' });
    expect((await h.call('rounds.get', { id }, kim.session)).allowedActions).toEqual([]);
    expect((await h.call('rounds.get', { id }, lee.session)).allowedActions).toEqual(['approve']);
    expect(await h.call('rounds.transition', { id, expectedVersion: 1, action: 'approve' }, lee.session)).toEqual({ status: 'approved' });
    const detail = await h.call('rounds.get', { id }, kim.session);
    expect(detail).toMatchObject({ status: 'approved', approvedVersion: 1 });
    expect(detail.versions[0]).toMatchObject({ version: 1, approvedBy: lee.id, approvedByName: 'lee', authorName: 'kim' });
  });

  it('turns an edit of an approved round into a new version that needs approval, keeping every version', async () => {
    const { id } = await h.call('rounds.create', { spec: spec2022() }, kim.session);
    await h.call('rounds.transition', { id, expectedVersion: 1, action: 'approve' }, lee.session);
    const out = await h.call('rounds.update', { id, expectedVersion: 1, spec: spec2022({ sessionTimeoutMinutes: 60 }) }, kim.session);
    expect(out).toEqual({ version: 2, status: 'draft' });
    const d = await h.call('rounds.get', { id }, lee.session);
    expect(d).toMatchObject({ status: 'draft', currentVersion: 2, approvedVersion: 1 });
    expect(d.spec.sessionTimeoutMinutes).toBe(60);
    expect(d.versions.map((v) => [v.version, v.spec.sessionTimeoutMinutes, v.approvedBy !== null, v.changed])).toEqual([
      [2, 60, false, ['sessionTimeoutMinutes']],
      [1, 10, true, []],
    ]);
    expect(d.audit.map((a) => a.action)).toEqual(['round.update', 'round.approve', 'round.create']);
    expect(d.audit[0]!.details).toMatchObject({ version: 2, fromStatus: 'approved', toStatus: 'draft', changes: { sessionTimeoutMinutes: [10, 60] } });
    // The new version is kim's, so lee approves it.
    await h.call('rounds.transition', { id, expectedVersion: 2, action: 'approve' }, lee.session);
    expect(await h.call('rounds.get', { id }, kim.session)).toMatchObject({ status: 'approved', approvedVersion: 2 });
  });

  it('refuses a change made against a stale version', async () => {
    const { id } = await h.call('rounds.create', { spec: spec2022() }, kim.session);
    await h.call('rounds.update', { id, expectedVersion: 1, spec: spec2022({ name: 'v2' }) }, kim.session);
    const err = await h.fail('rounds.update', { id, expectedVersion: 1, spec: spec2022({ name: 'v2 by lee' }) }, lee.session);
    expect(err).toMatchObject({ code: 'conflict', key: 'errors.staleVersion', params: { current: 2 } });
    expect((await h.fail('rounds.transition', { id, expectedVersion: 1, action: 'approve' }, lee.session)).code).toBe('conflict');
  });

  it('runs the whole lifecycle with time guards, then locks the round', async () => {
    const spec = spec2022();
    const { id } = await h.call('rounds.create', { spec }, kim.session);
    await h.call('rounds.transition', { id, expectedVersion: 1, action: 'approve' }, lee.session);
    await h.call('rounds.transition', { id, expectedVersion: 1, action: 'schedule' }, kim.session);
    expect(await h.fail('rounds.transition', { id, expectedVersion: 1, action: 'open' }, kim.session)).toMatchObject({ key: 'lifecycle.notYetOpen' });
    h.clock = new Date(spec.opensAt);
    kim.session = await h.signIn('kim');
    lee.session = await h.signIn('lee');
    await h.call('rounds.transition', { id, expectedVersion: 1, action: 'open' }, kim.session);
    // 10:40 on the day: the session timeout goes up; only operational settings may change.
    h.advance(40 * 60_000);
    expect(await h.fail('rounds.update', { id, expectedVersion: 1, spec: { ...spec, discountBp: 1_000 } }, kim.session)).toMatchObject({ key: 'lifecycle.onSaleLocked' });
    expect(await h.call('rounds.update', { id, expectedVersion: 1, spec: { ...spec, sessionTimeoutMinutes: 60 } }, kim.session)).toEqual({ version: 2, status: 'on_sale' });
    await h.call('rounds.transition', { id, expectedVersion: 2, action: 'approve' }, lee.session);
    expect(await h.call('rounds.get', { id }, kim.session)).toMatchObject({ status: 'on_sale', approvedVersion: 2 });
    await h.call('rounds.transition', { id, expectedVersion: 2, action: 'close' }, kim.session);
    await h.call('rounds.transition', { id, expectedVersion: 2, action: 'settle' }, kim.session);
    expect(await h.fail('rounds.update', { id, expectedVersion: 2, spec: { ...spec, name: 'late' } }, kim.session)).toMatchObject({ key: 'lifecycle.locked' });
    const d = await h.call('rounds.get', { id }, kim.session);
    expect(d.canEdit).toBe(false);
    expect(d.audit.map((a) => a.action).reverse()).toEqual(['round.create', 'round.approve', 'round.schedule', 'round.open', 'round.update', 'round.approve', 'round.close', 'round.settle']);
    expect(await verifyAuditChain(h.backend.deps.db)).toMatchObject({ ok: true });
    // Every step went to the outbox for the server to judge, each in the name of who took it.
    const queued = await h.backend.deps.db
      .selectFrom('outbox as o')
      .innerJoin('users as u', 'u.id', 'o.created_by')
      .select(['o.payload', 'u.username'])
      .orderBy('o.created_at')
      .orderBy('o.rowid' as never)
      .execute();
    expect(queued.map((q) => ({ by: q.username, ...(JSON.parse(q.payload) as Record<string, unknown>) }))).toMatchObject([
      { by: 'kim', type: 'propose_round', roundId: id, version: 1, spec },
      { by: 'lee', type: 'publish_round', roundId: id, version: 1 },
      { by: 'kim', type: 'round_transition', roundId: id, action: 'schedule' },
      { by: 'kim', type: 'round_transition', roundId: id, action: 'open' },
      { by: 'kim', type: 'propose_round', roundId: id, version: 2, spec: { ...spec, sessionTimeoutMinutes: 60 } },
      { by: 'lee', type: 'publish_round', roundId: id, version: 2 },
      { by: 'kim', type: 'round_transition', roundId: id, action: 'close' },
      { by: 'kim', type: 'round_transition', roundId: id, action: 'settle' },
    ]);
    // The publication names the version only: the server publishes the spec it was proposed, not one sent with the approval.
    expect(queued.every((q) => !('sentAt' in JSON.parse(q.payload)))).toBe(true);
    expect('spec' in JSON.parse(queued[1]!.payload)).toBe(false);
  });

  it('shows clerks city-wide rounds and their own district only', async () => {
    const clerk = await h.user(admin, 'mapo', 'clerk', '11440');
    const city = await h.call('rounds.create', { spec: spec2022() }, kim.session);
    const mapo = await h.call('rounds.create', { spec: spec2022({ kind: 'district', districtCode: '11440', name: '마포' }) }, kim.session);
    const gangnam = await h.call('rounds.create', { spec: spec2022({ kind: 'district', districtCode: '11680', name: '강남' }) }, kim.session);
    const ids = (await h.call('rounds.list', {}, clerk.session)).map((r) => r.id).sort();
    expect(ids).toEqual([city.id, mapo.id].sort());
    expect((await h.fail('rounds.get', { id: gangnam.id }, clerk.session)).code).toBe('not_found');
    expect((await h.call('rounds.get', { id: mapo.id }, clerk.session)).canEdit).toBe(false);
  });

  it('records who did what to which round in a verifiable chain', async () => {
    const { id } = await h.call('rounds.create', { spec: spec2022() }, kim.session);
    const log = await h.call('audit.list', {}, admin);
    expect(log[0]).toMatchObject({ action: 'round.create', actorId: kim.id, actorName: 'kim', entityType: 'round', entityId: id });
    // Intact locally; with no server connected the anchors cannot be checked, so it is not 'ok'.
    expect(await h.call('audit.verify', {}, admin)).toMatchObject({ ok: false, verdict: 'unverified', chain: { ok: true, checked: log.length }, anchor: { state: 'notConnected' } });
  });
});
