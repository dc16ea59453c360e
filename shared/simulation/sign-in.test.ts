import { describe, expect, it } from 'vitest';
import { simulate } from './engine.js';
import { spec2022 } from '../../tests/support/specs.js';
import { roundSpecSchema } from '../rounds/spec.js';
import { defaultSimParams, sale2022Uncalibrated, simParamsFromRound, specWithAssumptions, type SimParams } from './params.js';
import { scaledParams } from './rehearsal-check.js';

/** A few people arriving spread over the first minute after opening, one checkout at a time, no notices. */
function few(visitors: number, patch: Partial<SimParams>): SimParams {
  const base = defaultSimParams();
  return {
    ...base,
    seed: 5,
    visitors,
    arrival: { ...base.arrival, curve: 'spike', spikeMinutes: 1, preOpenShare: 0, preOpenMinutes: 0 },
    sale: { windowMinutes: 60, stock: 1_000_000_000, unit: 10_000 },
    purchase: { limit: 400_000, fullLimitShare: 1 },
    waitingRoom: { ...base.waitingRoom, admissionPerMinute: 1, maxActiveSessions: 1 },
    session: { timeoutMinutes: null, policy: 'room_keeps_place' },
    returns: { probability: 0, delayMinutes: 1 },
    patience: { kind: 'none', meanMinutes: 1 },
    checkout: { meanSeconds: 600, distribution: 'fixed', failureRate: 0, maxRetries: 0 },
    ...patch,
  };
}

/** The series value at minute m after opening. */
const at = (series: number[], firstMinute: number, m: number) => series[m - firstMinute]!;

describe('signing in: connected, not yet waiting', () => {
  it('holds a connection for the sign-in minutes before the queue (hand count: 3 connections, 10 arriving in the first minute, 5 minutes to sign in)', () => {
    // All ten arrive before 1:00. The first three take the three connections; the seven after them are
    // refused and, with no returns, leave. The three sign in until 5:00–6:00, so from 1:00 to 5:00 three
    // people are connected and nobody is waiting. By 6:00 all three have joined the queue: the first was
    // admitted at once (no one paying), the other two wait behind a 10-minute checkout. Each buys in turn.
    const p = few(10, { capacity: { maxConnections: 3, loginMinutes: 5 } });
    const r = simulate(p);
    const s = r.series;
    for (const m of [1, 2, 3, 4, 5]) {
      expect([m, at(s.queue, s.firstMinute, m), at(s.active, s.firstMinute, m), at(s.connections, s.firstMinute, m)]).toEqual([m, 0, 0, 3]);
    }
    expect([at(s.queue, s.firstMinute, 6), at(s.active, s.firstMinute, 6), at(s.connections, s.firstMinute, 6)]).toEqual([2, 1, 3]);
    expect(r.refusedConnections).toBe(7);
    expect(r.outcomes.refusedLeft).toBe(7);
    expect(r.buyers).toBe(3);
    expect(r.peakConnections).toBe(3);
    expect(r.peakQueue).toBe(2);

    // Without the sign-in, the same three are in the queue or paying from the first minute on.
    const instant = simulate({ ...p, capacity: { maxConnections: 3 } });
    const i = instant.series;
    expect([at(i.queue, i.firstMinute, 1), at(i.active, i.firstMinute, 1), at(i.connections, i.firstMinute, 1)]).toEqual([2, 1, 3]);
    expect(instant.buyers).toBe(3);
  });

  it('people logged out sign in again: connected again a minute before they wait again (hand count: a 4-minute cycle)', () => {
    // Five arrive before 1:00, signing in takes 1 minute, the session ends after 2 minutes in the queue, and
    // everyone logged out comes back 1 minute later. The first in is admitted and pays for an hour, so the
    // other four are never admitted: each cycles sign-in [a, a+1), queue [a+1, a+3), away [a+3, a+4), … with
    // a in (0, 1). At whole minutes m: m ≡ 1 (mod 4) all four sign in, m ≡ 2, 3 all four wait, m ≡ 0 all
    // four are away. The sale closes at 30: logouts at a+3, a+7, …, a+27, 7 each, 28 in all; the four come
    // back at a+28, sign in, join at a+29 and are closed at 30.
    const p = few(5, {
      sale: { windowMinutes: 30, stock: 1_000_000_000, unit: 10_000 },
      session: { timeoutMinutes: 2, policy: 'expires_while_waiting' },
      returns: { probability: 1, delayMinutes: 1 },
      checkout: { meanSeconds: 3_600, distribution: 'fixed', failureRate: 0, maxRetries: 0 },
      capacity: { maxConnections: null, loginMinutes: 1 },
    });
    const r = simulate(p);
    const s = r.series;
    const row = (m: number) => [m, at(s.queue, s.firstMinute, m), at(s.active, s.firstMinute, m), at(s.connections, s.firstMinute, m)];
    for (let m = 1; m < 30; m++) {
      const phase = m % 4;
      // At 1:00 the first is still signing in too; from 2:00 they pay.
      const expected = m === 1 ? [m, 0, 0, 5] : phase === 1 ? [m, 0, 1, 5] : phase === 0 ? [m, 0, 1, 1] : [m, 4, 1, 5];
      expect(row(m)).toEqual(expected);
    }
    expect(r.logouts).toBe(28);
    expect(r.requeues).toBe(28);
    expect(r.outcomes.closed).toBe(4);
    expect(r.peakQueue).toBe(4);
    expect(r.peakConnections).toBe(5);
  });

  it('absent, the engine runs as before it existed: the 2022 preset as fitted before (peak queue 198,243, 64,581 buyers, 4,066,820 events, recorded from that code)', () => {
    // The fitted figures and results of the preset before the sign-in stage (preset-2022.fitted.ts and
    // params.ts at that commit): a run without the parameter, or with 0, must reproduce them to the person.
    const u = sale2022Uncalibrated();
    const old: SimParams = {
      ...u,
      arrival: { ...u.arrival, preOpenShare: 0.08 },
      purchase: { ...u.purchase, fullLimitShare: 0.935 },
      waitingRoom: { ...u.waitingRoom, admissionPerMinute: 906 },
      patience: { ...u.patience, meanMinutes: 499 },
      checkout: { ...u.checkout, failureRate: 0 },
      capacity: { maxConnections: 200_000 },
    };
    const a = simulate(old);
    expect([a.peakQueue, a.buyers, a.peakConnections, a.events, a.logouts, a.refusedConnections]).toEqual([198_243, 64_581, 200_000, 4_066_820, 1_234_459, 1_236_633]);
    expect(Math.round(a.soldOutMinute! * 10) / 10).toBe(79.2);
    expect(Math.round(a.stockReservedMinute! * 10) / 10).toBe(71.3);
    const zero = simulate({ ...old, capacity: { maxConnections: 200_000, loginMinutes: 0 } });
    const strip = (x: typeof a) => ({ ...x, params: null, elapsedMs: 0 });
    expect(strip(zero)).toEqual(strip(a));
  });

  it('travels with a run saved to a round and with a quick run at reduced size; a round saved before it existed has none', () => {
    const spec = spec2022();
    const run = { ...simParamsFromRound(spec), capacity: { maxConnections: 200_000, loginMinutes: 2 } };
    const saved = specWithAssumptions(spec, run);
    expect(roundSpecSchema.parse(saved)).toEqual(saved);
    expect(simParamsFromRound(saved).capacity).toEqual({ maxConnections: 200_000, loginMinutes: 2 });
    expect(scaledParams(run, 0.5).capacity).toEqual({ maxConnections: 100_000, loginMinutes: 2 });
    expect('loginMinutes' in simParamsFromRound(specWithAssumptions(spec, { ...run, capacity: { maxConnections: 5 } })).capacity).toBe(false);
  });
});
