import { describe, expect, it } from 'vitest';
import { spec2022 } from '../../tests/support/specs.js';
import { allowedActions, checkEdit, checkTransition, type LifecycleState } from './lifecycle.js';

const author = { id: 'u-author', role: 'official' as const };
const second = { id: 'u-second', role: 'official' as const };
const now = new Date('2026-03-02T00:00:00.000Z');

function state(patch: Partial<LifecycleState> = {}): LifecycleState {
  return { status: 'draft', currentVersion: 1, approvedVersion: null, currentAuthorId: author.id, spec: spec2022({}, now), hasErrors: false, ...patch };
}

describe('round lifecycle', () => {
  it('walks draft → approved → scheduled → on sale → closed → settled', () => {
    const opensAt = Date.parse(state().spec.opensAt);
    expect(checkTransition(state(), 'approve', second, now)).toEqual({ ok: true, value: 'approved' });
    expect(checkTransition(state({ status: 'approved', approvedVersion: 1 }), 'schedule', second, now)).toEqual({ ok: true, value: 'scheduled' });
    const atOpening = new Date(opensAt);
    expect(checkTransition(state({ status: 'scheduled', approvedVersion: 1 }), 'open', second, atOpening)).toEqual({ ok: true, value: 'on_sale' });
    expect(checkTransition(state({ status: 'on_sale', approvedVersion: 1 }), 'close', second, atOpening)).toEqual({ ok: true, value: 'closed' });
    expect(checkTransition(state({ status: 'closed', approvedVersion: 1 }), 'settle', second, atOpening)).toEqual({ ok: true, value: 'settled' });
  });

  it('needs a second official: the author cannot approve their own version', () => {
    expect(checkTransition(state(), 'approve', author, now)).toEqual({ ok: false, key: 'lifecycle.selfApproval' });
    expect(checkTransition(state(), 'approve', { id: author.id, role: 'admin' }, now)).toMatchObject({ ok: false, key: 'lifecycle.selfApproval' });
  });

  it('keeps clerks and analysts out, and refuses rounds with errors', () => {
    expect(checkTransition(state(), 'approve', { id: 'c', role: 'clerk' }, now)).toMatchObject({ ok: false, key: 'lifecycle.roleNotAllowed' });
    expect(checkTransition(state(), 'approve', { id: 'a', role: 'analyst' }, now)).toMatchObject({ ok: false, key: 'lifecycle.roleNotAllowed' });
    expect(checkTransition(state({ hasErrors: true }), 'approve', second, now)).toMatchObject({ ok: false, key: 'lifecycle.hasErrors' });
  });

  it('refuses out-of-order steps and time-guarded ones', () => {
    expect(checkTransition(state(), 'open', second, now)).toMatchObject({ ok: false, key: 'lifecycle.notInStatus', params: { action: 'open', status: 'draft' } });
    expect(checkTransition(state({ status: 'scheduled', approvedVersion: 1 }), 'open', second, now)).toMatchObject({ ok: false, key: 'lifecycle.notYetOpen' });
    const late = new Date(Date.parse(state().spec.opensAt) + 1);
    expect(checkTransition(state({ status: 'approved', approvedVersion: 1 }), 'schedule', second, late)).toMatchObject({ ok: false, key: 'lifecycle.opensInPast' });
    expect(checkTransition(state({ status: 'settled', approvedVersion: 1 }), 'close', second, now)).toMatchObject({ ok: false });
  });

  it('lists only the actions the actor may take now', () => {
    expect(allowedActions(state(), author, now)).toEqual([]);
    expect(allowedActions(state(), second, now)).toEqual(['approve']);
    expect(allowedActions(state({ status: 'approved', approvedVersion: 1 }), second, now)).toEqual(['schedule']);
  });

  it('sends an edited approved or scheduled round back to draft', () => {
    const next = { ...state().spec, totalAmount: 30_000_000_000 };
    for (const status of ['draft', 'approved', 'scheduled'] as const) {
      expect(checkEdit(state({ status, approvedVersion: status === 'draft' ? null : 1 }), next, second, now)).toEqual({
        ok: true,
        value: { nextStatus: 'draft', changed: ['totalAmount'] },
      });
    }
  });

  it('refuses an edit that changes nothing', () => {
    expect(checkEdit(state(), state().spec, second, now)).toEqual({ ok: false, key: 'lifecycle.noChanges' });
  });

  it('allows only operational changes while on sale, awaiting a second official', () => {
    const onSale = state({ status: 'on_sale', approvedVersion: 1 });
    const longer = { ...onSale.spec, sessionTimeoutMinutes: 60 };
    expect(checkEdit(onSale, longer, author, now)).toEqual({ ok: true, value: { nextStatus: 'on_sale', changed: ['sessionTimeoutMinutes'] } });
    expect(checkEdit(onSale, { ...onSale.spec, discountBp: 1_000 }, author, now)).toMatchObject({ ok: false, key: 'lifecycle.onSaleLocked', params: { fields: 'discountBp' } });
    const pending = state({ status: 'on_sale', approvedVersion: 1, currentVersion: 2 });
    expect(checkTransition(pending, 'approve', second, now)).toEqual({ ok: true, value: 'on_sale' });
    expect(checkTransition(state({ status: 'on_sale', approvedVersion: 1 }), 'approve', second, now)).toMatchObject({ ok: false });
  });

  it('locks closed and settled rounds', () => {
    const next = { ...state().spec, sessionTimeoutMinutes: 60 };
    expect(checkEdit(state({ status: 'closed', approvedVersion: 1 }), next, second, now)).toMatchObject({ ok: false, key: 'lifecycle.locked' });
    expect(checkEdit(state({ status: 'settled', approvedVersion: 1 }), next, second, now)).toMatchObject({ ok: false, key: 'lifecycle.locked' });
  });
});
