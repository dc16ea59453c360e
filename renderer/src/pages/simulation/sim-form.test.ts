import { describe, expect, it } from 'vitest';
import { preset2022 } from '#shared/simulation/params.js';
import { formFromParams, paramsFromForm } from './sim-form.js';

describe('simulation form', () => {
  it('round-trips the 2022 preset', () => {
    const form = formFromParams(preset2022());
    expect(form.visitors).toBe('700,000');
    expect(form.timeoutMinutes).toBe('10');
    // preset-2022.fitted.ts: 19% waiting before 10:00; params.ts: two minutes signing in.
    expect(form.preOpenPct).toBe('19');
    expect(form.loginMinutes).toBe('2');
    expect(paramsFromForm(form)).toEqual({ params: preset2022(), issues: [] });
  });

  it('reads blanks as no limit and percents as shares', () => {
    const form = { ...formFromParams(preset2022()), timeoutMinutes: '', maxConnections: ' ', failurePct: '2.5%' };
    const { params } = paramsFromForm(form);
    expect(params?.session.timeoutMinutes).toBeNull();
    expect(params?.capacity.maxConnections).toBeNull();
    expect(params?.checkout.failureRate).toBe(0.025);
  });

  it('names each field it cannot read, and each value out of range', () => {
    expect(paramsFromForm({ ...formFromParams(preset2022()), visitors: 'many', stock: '12.5억' }).issues.map((i) => i.path)).toEqual(['visitors', 'sale.stock']);
    const range = paramsFromForm({ ...formFromParams(preset2022()), visitors: '30,000,000', failurePct: '100' });
    expect(range.params).toBeNull();
    expect(range.issues.map((i) => i.path).sort()).toEqual(['checkout.failureRate', 'visitors']);
    // Each with the bound it broke, in the unit typed: visitors in people, the failure rate in percent.
    expect(range.issues.map((i) => [i.path, i.code, i.params]).sort()).toEqual([
      ['checkout.failureRate', 'simRange.tooBig', { max: '99' }],
      ['visitors', 'simRange.tooBig', { max: '20,000,000' }],
    ]);
  });

  it('names a sale window longer than a week with the week’s minutes', () => {
    const long = paramsFromForm({ ...formFromParams(preset2022()), windowMinutes: '10,800' });
    expect(long.issues.map((i) => [i.path, i.code, i.params])).toEqual([['sale.windowMinutes', 'simRange.tooBig', { max: '10,080' }]]);
  });

  it('reads the payment system in transactions a second and milliseconds; names a value out of range', () => {
    const { params } = paramsFromForm({ ...formFromParams(preset2022()), paymentTps: '1,000', paymentLatencyMs: '500', paymentTimeoutMs: '30000' });
    expect(params?.checkout).toMatchObject({ paymentCapacityTps: 1_000, paymentLatencyMs: 500, paymentTimeoutMs: 30_000 });
    expect(formFromParams(params!)).toMatchObject({ paymentTps: '1,000', paymentLatencyMs: '500', paymentTimeoutMs: '30,000' });
    const bad = paramsFromForm({ ...formFromParams(preset2022()), paymentTps: '0', paymentLatencyMs: 'fast' });
    expect(bad.issues.map((i) => i.path)).toEqual(['checkout.paymentLatencyMs']);
    expect(paramsFromForm({ ...formFromParams(preset2022()), paymentTps: '0' }).issues.map((i) => [i.path, i.code])).toEqual([['checkout.paymentCapacityTps', 'simRange.above']]);
  });

  it('reads birth-year slots as share@minute', () => {
    const { params } = paramsFromForm({ ...formFromParams(preset2022()), order: 'birth_year', slots: '50@0, 50%@240' });
    expect(params?.waitingRoom.slots).toEqual([{ share: 0.5, startMinute: 0 }, { share: 0.5, startMinute: 240 }]);
    expect(paramsFromForm({ ...formFromParams(preset2022()), order: 'birth_year', slots: 'odd years' }).issues[0]?.code).toBe('simulation.badSlots');
  });
});
