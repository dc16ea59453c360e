import { inject, describe, expect, it } from 'vitest';
import { localRehearsal } from '../../scripts/sale/local-rehearsal.js';
import { BUYER_OUTCOMES } from '../../scripts/sale/rehearsal.js';
import { preset2022 } from '../../shared/simulation/params.js';
import { createDatabase } from '../support/postgres.js';

const tiny = async (roundId: string) =>
  localRehearsal({
    roundId,
    // The 2022 sale at 300 people, 600 times faster: about 7 s to its sell-out, 15 s in all.
    params: preset2022(),
    speed: 600,
    maxBuyers: 300,
    maxSeconds: 15,
    pollMs: 100,
    databaseUrl: await createDatabase(inject('pgUrl')),
  });

describe('npm run rehearse: a tiny rehearsal', () => {
  it('replays 300 simulated buyers against the sale service; nothing oversold, over a limit, lost or doubled', async () => {
    const r = await tiny('rh-tiny');
    expect(r.buyers).toBe(300);
    // Every virtual buyer's visit ended one way or another, and each is counted once.
    expect(BUYER_OUTCOMES.reduce((s, k) => s + r.outcomes[k], 0)).toBe(300);
    expect(r.outcomes.noAnswer).toBe(0);
    expect(r.outcomes.bought).toBeGreaterThan(0);
    expect(r.stats.status.count).toBeGreaterThan(r.buyers);
    // The checks: Redis = PostgreSQL = what the buyers were told, the writer caught up, no oversell.
    expect(r.problems).toEqual([]);
    expect(r.check).toMatchObject({ ok: true, lag: 0 });
    expect(r.check.soldRedis).toBe(r.boughtFace);
    expect(r.check.soldLog).toBe(r.boughtFace);
    expect(r.check.soldRedis + r.check.left).toBe(r.check.stock);
    // 400,000 won a person at most: the 2022 limit.
    expect(r.boughtFace).toBeLessThanOrEqual(r.outcomes.bought * 400_000);
    // The prediction is the simulator's run of the same 300 people on the same settings.
    expect(r.prediction.params.visitors).toBe(300);
    expect(r.prediction.outcomes.bought).toBeGreaterThan(0);
  }, 120_000);
});
