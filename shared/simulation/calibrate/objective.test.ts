import { describe, expect, it } from 'vitest';
import { simulate } from '../engine.js';
import { preset2022 } from '../params.js';
import { scaledParams } from '../rehearsal-check.js';
import { compare, simulatedFacePerMinute } from './objective.js';
import { DEFAULT_WEIGHTS, FIT_PARAMETERS, NO_FACTS } from './schema.js';
import { axesFor, paramsAt, pointOf } from './space.js';

const small = { ...preset2022(), visitors: 30_000, sale: { ...preset2022().sale, stock: 1_000_000_000 }, waitingRoom: { ...preset2022().waitingRoom, admissionPerMinute: 80 } };

describe('calibration objective', () => {
  it('is zero for a run against its own curve and facts, and grows as the run moves away', () => {
    const r = simulate(small);
    const face = simulatedFacePerMinute(r, 1, small.sale.windowMinutes);
    expect(face.reduce((s, v) => s + v, 0)).toBe(r.amountSold);
    const facts = { ...NO_FACTS, buyers: r.buyers, peakQueue: r.peakQueue, sellOutMinutes: r.stockReservedMinute, peakConnections: r.peakConnections };
    const self = compare(r, 1, { facePerMinute: face, facts }, DEFAULT_WEIGHTS);
    expect(self.objective).toBe(0);
    expect(self.rows.filter((row) => row.observed !== null).every((row) => row.error === 0)).toBe(true);
    const slower = simulate({ ...small, waitingRoom: { ...small.waitingRoom, admissionPerMinute: 60 } });
    const off = compare(slower, 1, { facePerMinute: face, facts }, DEFAULT_WEIGHTS);
    expect(off.objective).toBeGreaterThan(0.01);
    expect(off.rows.find((x) => x.measure === 'sellOutMinutes')!.error!).toBeGreaterThan(0.2);
  });

  it('scales counts back from a reduced run, and leaves minutes alone', () => {
    const full = simulate(small);
    const tenth = simulate(scaledParams(small, 0.1));
    const facts = { ...NO_FACTS, buyers: full.buyers, sellOutMinutes: full.stockReservedMinute };
    const rows = compare(tenth, 0.1, { facePerMinute: [], facts }, DEFAULT_WEIGHTS).rows;
    expect(Math.abs(rows.find((x) => x.measure === 'buyers')!.error!)).toBeLessThan(0.03);
    expect(Math.abs(rows.find((x) => x.measure === 'sellOutMinutes')!.error!)).toBeLessThan(0.05);
  });

  it('maps parameters to the unit cube and back within their bounds', () => {
    const axes = axesFor(small, FIT_PARAMETERS);
    expect(axes.map((a) => a.key)).toEqual([...FIT_PARAMETERS]);
    const back = paramsAt(small, axes, pointOf(small, axes));
    expect(back.visitors).toBe(small.visitors);
    expect(back.waitingRoom.admissionPerMinute).toBeCloseTo(80, 6);
    expect(back.checkout.meanSeconds).toBeCloseTo(small.checkout.meanSeconds, 6);
    // Outside the cube is clamped to the bounds.
    const edge = paramsAt(small, axes, axes.map(() => 2));
    expect(edge.checkout.failureRate).toBe(0.6);
    expect(edge.visitors).toBe(300_000);
    // Admission is only searched when the round limits it.
    expect(axesFor({ ...small, waitingRoom: { ...small.waitingRoom, admissionPerMinute: null } }, FIT_PARAMETERS).some((a) => a.key === 'admissionPerMinute')).toBe(false);
  });
});
