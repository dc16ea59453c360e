import { describe, expect, it } from 'vitest';
import { simulate } from './engine.js';
import { defaultSimParams, type SimParams } from './params.js';

/**
 * 2,000 people arrive within the first minute; 10 a minute are admitted and the
 * stock serves 20 of them. Person i (in arrival order) joins behind about
 * i − (admitted so far, at most 11) people, so the page shows them about
 * (i − 11)/10 minutes; the last one about 199 minutes. Nearly all of them are
 * stranded by the sell-out, so no one admitted was ever shown more than ~2 minutes.
 */
function stranding(): SimParams {
  const base = defaultSimParams();
  return {
    ...base,
    visitors: 2_000,
    arrival: { ...base.arrival, curve: 'spike', spikeMinutes: 1, preOpenShare: 0, preOpenMinutes: 0 },
    sale: { windowMinutes: 600, stock: 8_000_000, unit: 10_000 },
    purchase: { limit: 400_000, fullLimitShare: 1 },
    waitingRoom: { ...base.waitingRoom, admissionPerMinute: 10, maxActiveSessions: null },
    session: { timeoutMinutes: null, policy: 'room_keeps_place' },
    returns: { probability: 0, delayMinutes: 1 },
    patience: { kind: 'none', meanMinutes: 1 },
    checkout: { meanSeconds: 60, distribution: 'fixed', failureRate: 0, maxRetries: 0 },
    capacity: { maxConnections: null },
  };
}

describe('displayed-wait metrics', () => {
  it('report the longest wait the page showed anyone, and how many were shown over an hour, when a sell-out strands them', () => {
    const r = simulate(stranding());
    expect(r.buyers).toBe(20);
    expect(r.outcomes.soldOut).toBe(1_980);
    // Last joiner: behind 1,999 − (≤ 11 admitted) people at 10 a minute.
    expect(r.displayError.longestShownMinutes).toBeGreaterThanOrEqual(198.8);
    expect(r.displayError.longestShownMinutes).toBeLessThanOrEqual(199.9);
    // Shown over 60 minutes: behind more than 600 people, i.e. person i > 600 + (admitted so far, 1..11).
    expect(r.displayError.shownOverHour).toBeGreaterThanOrEqual(2_000 - 612);
    expect(r.displayError.shownOverHour).toBeLessThanOrEqual(2_000 - 602);
    // Never below the page's own per-minute series.
    const seriesMax = Math.max(...r.series.displayedWait.map((v) => v ?? 0));
    expect(seriesMax).toBeGreaterThan(150);
    expect(r.displayError.longestShownMinutes!).toBeGreaterThanOrEqual(seriesMax - 0.1); // the series is rounded to 0.1
    // What those admitted were shown stays the separate, smaller figure.
    expect(r.displayError.maxDisplayedMinutes).toBeLessThan(3);
  });

  it('counts people, not stints: someone shown over an hour twice counts once', () => {
    const p = stranding();
    // Stock for everyone; logged out after 30 minutes and always back a minute later, to the back, shown a long wait again.
    const r = simulate({
      ...p,
      sale: { ...p.sale, stock: 800_000_000 },
      session: { timeoutMinutes: 30, policy: 'expires_while_waiting' },
      returns: { probability: 1, delayMinutes: 1 },
    });
    expect(r.requeues).toBeGreaterThan(1_000);
    expect(r.displayError.shownOverHour).toBeGreaterThanOrEqual(2_000 - 612);
    expect(r.displayError.shownOverHour).toBeLessThanOrEqual(p.visitors);
  });
});
