import type { Role } from '../common/roles.js';
import { ROUND_MANAGERS } from '../common/roles.js';
import { changedFields, OPERATIONAL_FIELDS, type RoundSpec } from './spec.js';

export const ROUND_STATUSES = ['draft', 'approved', 'scheduled', 'on_sale', 'closed', 'settled'] as const;
export type RoundStatus = (typeof ROUND_STATUSES)[number];

export const ROUND_ACTIONS = ['approve', 'schedule', 'open', 'close', 'settle'] as const;
export type RoundAction = (typeof ROUND_ACTIONS)[number];

export interface LifecycleState {
  status: RoundStatus;
  currentVersion: number;
  /** The version in effect; null until the first approval. */
  approvedVersion: number | null;
  /** Author of the current version: the person who may not approve it. */
  currentAuthorId: string;
  spec: RoundSpec;
  /** Whether the current version has validation errors. */
  hasErrors: boolean;
  /**
   * The current version was approved once and the server refused to publish it (another proposal held its
   * number): it cannot be approved again; a new version is proposed instead.
   */
  refusedByServer?: boolean;
}

export interface Actor {
  id: string;
  role: Role;
}

export type Verdict<T> = { ok: true; value: T } | { ok: false; key: string; params?: Record<string, string | number> };

const ok = <T>(value: T): Verdict<T> => ({ ok: true, value });
const no = (key: string, params?: Record<string, string | number>): Verdict<never> => ({ ok: false, key, ...(params ? { params } : {}) });

export function hasPendingVersion(s: LifecycleState): boolean {
  return s.approvedVersion !== s.currentVersion;
}

/**
 * The next status after `action`, or why it is refused. Approval needs a
 * second official: the author of a version never approves it.
 */
export function checkTransition(s: LifecycleState, action: RoundAction, actor: Actor, now: Date): Verdict<RoundStatus> {
  if (!ROUND_MANAGERS.includes(actor.role)) return no('lifecycle.roleNotAllowed');
  const nowMs = now.getTime();
  switch (action) {
    case 'approve': {
      const amendment = s.status === 'on_sale' && hasPendingVersion(s);
      if (s.status !== 'draft' && !amendment) return no('lifecycle.notInStatus', { action, status: s.status });
      if (s.currentAuthorId === actor.id) return no('lifecycle.selfApproval');
      if (s.refusedByServer) return no('lifecycle.refusedByServer', { version: s.currentVersion });
      if (s.hasErrors) return no('lifecycle.hasErrors');
      return ok(amendment ? 'on_sale' : 'approved');
    }
    case 'schedule':
      if (s.status !== 'approved') return no('lifecycle.notInStatus', { action, status: s.status });
      if (Date.parse(s.spec.opensAt) <= nowMs) return no('lifecycle.opensInPast');
      return ok('scheduled');
    case 'open':
      if (s.status !== 'scheduled') return no('lifecycle.notInStatus', { action, status: s.status });
      if (nowMs < Date.parse(s.spec.opensAt)) return no('lifecycle.notYetOpen');
      return ok('on_sale');
    case 'close':
      if (s.status !== 'on_sale') return no('lifecycle.notInStatus', { action, status: s.status });
      return ok('closed');
    case 'settle':
      if (s.status !== 'closed') return no('lifecycle.notInStatus', { action, status: s.status });
      return ok('settled');
  }
}

export function allowedActions(s: LifecycleState, actor: Actor, now: Date): RoundAction[] {
  return ROUND_ACTIONS.filter((a) => checkTransition(s, a, actor, now).ok);
}

export interface EditOutcome {
  nextStatus: RoundStatus;
  changed: (keyof RoundSpec)[];
}

/**
 * Whether a new version may be saved, and the status the round moves to.
 * Editing an approved or scheduled round sends it back to draft: the change
 * needs a fresh approval, and the approved version stays on record. While on
 * sale only operational settings may change, pending a second official.
 */
export function checkEdit(s: LifecycleState, next: RoundSpec, actor: Actor, now: Date): Verdict<EditOutcome> {
  if (!ROUND_MANAGERS.includes(actor.role)) return no('lifecycle.roleNotAllowed');
  const changed = changedFields(s.spec, next);
  if (changed.length === 0) return no('lifecycle.noChanges');
  switch (s.status) {
    case 'draft':
    case 'approved':
    case 'scheduled':
      return ok({ nextStatus: 'draft', changed });
    case 'on_sale': {
      const locked = changed.filter((f) => !(OPERATIONAL_FIELDS as readonly string[]).includes(f));
      if (locked.length > 0) return no('lifecycle.onSaleLocked', { fields: locked.join(', ') });
      if (Date.parse(next.closesAt) <= now.getTime()) return no('lifecycle.closesInPast');
      return ok({ nextStatus: 'on_sale', changed });
    }
    case 'closed':
    case 'settled':
      return no('lifecycle.locked', { status: s.status });
  }
}
