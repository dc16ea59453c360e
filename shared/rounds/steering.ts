import type { RoundSpec } from './spec.js';

/**
 * Steering a live sale: what officials may change while a round is on sale,
 * and which changes need a second official. The server decides with these
 * rules; the console only quotes them.
 *
 * The envelope is the waiting room the round was approved with: its admission
 * rate, maximum active sessions and session timeout are the capacity the
 * rehearsal was approved at, so one official may turn each down (to at least
 * 1) and back up to the approved value, but never above it. Anything beyond
 * that, adding stock, and stopping the sale need a second official, as a new
 * round version does.
 */
export const SALE_CHANGE_KINDS = ['pause', 'resume', 'settings', 'add_stock', 'stop'] as const;
export type SaleChangeKind = (typeof SALE_CHANGE_KINDS)[number];

export interface WaitingSettings {
  admissionPerMinute: number;
  maxActiveSessions: number;
  sessionTimeoutMinutes: number;
}

export type SaleChange =
  | { kind: 'pause' }
  | { kind: 'resume' }
  | ({ kind: 'settings' } & WaitingSettings)
  | { kind: 'add_stock'; amount: number }
  | { kind: 'stop' };

/** The steering a round's sale runs with, on top of its published version. */
export interface SaleControls {
  /** 0 before any change; each change adds one. */
  revision: number;
  /** The published version the settings were set under; a newly published version's own settings replace them. */
  version: number;
  paused: boolean;
  stopped: boolean;
  /** Null: as approved. */
  settings: WaitingSettings | null;
  /** Won added to the round's stock during the sale. */
  addedStock: number;
}

export const noSteering = (version: number): SaleControls => ({ revision: 0, version, paused: false, stopped: false, settings: null, addedStock: 0 });

export function approvedSettings(spec: RoundSpec): WaitingSettings {
  return { admissionPerMinute: spec.waitingRoom.admissionPerMinute, maxActiveSessions: spec.waitingRoom.maxActiveSessions, sessionTimeoutMinutes: spec.sessionTimeoutMinutes };
}

/** Each value at least 1 and no more than approved. */
export function withinEnvelope(spec: RoundSpec, s: WaitingSettings): boolean {
  const a = approvedSettings(spec);
  return (Object.keys(a) as (keyof WaitingSettings)[]).every((k) => s[k] >= 1 && s[k] <= a[k]);
}

/** Whether a change takes a second official (the server keeps it as a proposal until another official approves). */
export function needsSecondOfficial(spec: RoundSpec, change: SaleChange): boolean {
  if (change.kind === 'pause' || change.kind === 'resume') return false;
  if (change.kind === 'settings') return !withinEnvelope(spec, change);
  return true;
}

/** The settings in effect: the steering's when set under the version in effect, else the version's own. */
export function effectiveSettings(spec: RoundSpec, version: number, c: SaleControls): WaitingSettings {
  return c.settings && c.version === version ? c.settings : approvedSettings(spec);
}

export type SteerVerdict = { ok: true; controls: SaleControls } | { ok: false; key: string };

/** The controls after `change`, or why it cannot apply (already paused, not paused, the sale stopped). */
export function applySaleChange(c: SaleControls, version: number, change: SaleChange): SteerVerdict {
  if (c.stopped) return { ok: false, key: 'saleSteer.stopped' };
  // Settings made under an earlier version no longer apply once a new one is published.
  const base: SaleControls = { ...c, revision: c.revision + 1, version, settings: c.version === version ? c.settings : null };
  switch (change.kind) {
    case 'pause':
      return c.paused ? { ok: false, key: 'saleSteer.alreadyPaused' } : { ok: true, controls: { ...base, paused: true } };
    case 'resume':
      return c.paused ? { ok: true, controls: { ...base, paused: false } } : { ok: false, key: 'saleSteer.notPaused' };
    case 'settings': {
      const { kind: _kind, ...settings } = change;
      return { ok: true, controls: { ...base, settings } };
    }
    case 'add_stock':
      return { ok: true, controls: { ...base, addedStock: c.addedStock + change.amount } };
    case 'stop':
      return { ok: true, controls: { ...base, stopped: true } };
  }
}

/** The round as its stock is judged during and after a live sale: the approved amount and the stock officials added. */
export function withAddedStock(spec: RoundSpec, added: number): RoundSpec {
  return added > 0 ? { ...spec, totalAmount: spec.totalAmount + added } : spec;
}
