import { describe, expect, it } from 'vitest';
import { spec2022 } from '../../tests/support/specs.js';
import { applySaleChange, effectiveSettings, needsSecondOfficial, noSteering, withAddedStock, withinEnvelope, type SaleChange } from './steering.js';

// Approved with 6,000 admitted a minute, 20,000 active at most, 10-minute sessions (set here, not read from the preset).
const spec = spec2022({ sessionTimeoutMinutes: 10, waitingRoom: { admissionPerMinute: 6_000, maxActiveSessions: 20_000, order: 'fifo' }, totalAmount: 50_000_000_000 });
const settings = (admissionPerMinute: number, maxActiveSessions: number, sessionTimeoutMinutes: number): SaleChange => ({ kind: 'settings', admissionPerMinute, maxActiveSessions, sessionTimeoutMinutes });

describe('the envelope a round was approved with', () => {
  it.each([
    // rate, max active, timeout → one official may?
    [6_000, 20_000, 10, true],
    [1, 1, 1, true],
    [3_000, 5_000, 5, true],
    [6_001, 20_000, 10, false],
    [6_000, 20_001, 10, false],
    [6_000, 20_000, 11, false],
    [0, 20_000, 10, false],
    [6_000, 0, 10, false],
    [6_000, 20_000, 0, false],
  ])('rate %i, max active %i, timeout %i min: within %s', (rate, active, timeout, within) => {
    const change = settings(rate, active, timeout);
    expect(withinEnvelope(spec, change as never)).toBe(within);
    expect(needsSecondOfficial(spec, change)).toBe(!within);
  });

  it('pause and resume need one official; more stock and stopping need two', () => {
    expect(needsSecondOfficial(spec, { kind: 'pause' })).toBe(false);
    expect(needsSecondOfficial(spec, { kind: 'resume' })).toBe(false);
    expect(needsSecondOfficial(spec, { kind: 'add_stock', amount: 10_000 })).toBe(true);
    expect(needsSecondOfficial(spec, { kind: 'stop' })).toBe(true);
  });
});

describe('applying a change', () => {
  it('numbers each change, keeps the queue settings until a new version replaces them, and adds stock up', () => {
    let c = noSteering(1);
    const step = (change: SaleChange, version = 1) => {
      const v = applySaleChange(c, version, change);
      if (!v.ok) throw new Error(v.key);
      c = v.controls;
    };
    step({ kind: 'pause' });
    expect(c).toMatchObject({ revision: 1, paused: true });
    expect(applySaleChange(c, 1, { kind: 'pause' })).toEqual({ ok: false, key: 'saleSteer.alreadyPaused' });
    step({ kind: 'resume' });
    expect(applySaleChange(c, 1, { kind: 'resume' })).toEqual({ ok: false, key: 'saleSteer.notPaused' });
    step(settings(3_000, 5_000, 5));
    expect(effectiveSettings(spec, 1, c)).toEqual({ admissionPerMinute: 3_000, maxActiveSessions: 5_000, sessionTimeoutMinutes: 5 });
    // Version 2 published: its own settings apply until someone steers under it.
    expect(effectiveSettings(spec, 2, c)).toEqual({ admissionPerMinute: 6_000, maxActiveSessions: 20_000, sessionTimeoutMinutes: 10 });
    step({ kind: 'add_stock', amount: 1_000_000_000 });
    step({ kind: 'add_stock', amount: 500_000_000 }, 2);
    expect(c).toMatchObject({ revision: 5, version: 2, addedStock: 1_500_000_000, settings: null, paused: false });
    expect(withAddedStock(spec, c.addedStock).totalAmount).toBe(51_500_000_000);
    step({ kind: 'stop' });
    expect(c.stopped).toBe(true);
    expect(applySaleChange(c, 2, { kind: 'resume' })).toEqual({ ok: false, key: 'saleSteer.stopped' });
  });
});
