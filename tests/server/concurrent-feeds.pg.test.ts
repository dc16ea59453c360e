import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerHarness } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';

/**
 * Finding 6: five of six concurrent sale feeds answered HTTP 500. Each answer
 * is now a success or a refusal that says why (409 busy, 503 away), never 500,
 * and the stock holds whatever the interleaving.
 */
const roundId = 'round-concurrent';
const spec = spec2022({ paymentMethods: ['bank_transfer', 'debit_card'] });
const pgliteDir = mkdtempSync(join(tmpdir(), 'ic-feeds-'));
afterAll(() => rmSync(pgliteDir, { recursive: true, force: true }));

describe.each([
  ['PostgreSQL', undefined],
  ['PGlite', pgliteDir],
])('concurrent sale feeds on %s', (_name, dir) => {
  let s: ServerHarness;
  let admin: string;
  beforeAll(async () => {
    s = await ServerHarness.start(dir ? { pgliteDir: dir } : {});
    const staff = await s.staff();
    admin = staff.admin;
    await s.openRound(roundId, spec, staff.official, staff.official2, new Date(Date.parse(spec.opensAt) + 3_600_000));
    s.clock = new Date(Date.parse(spec.opensAt) + 2 * 3_600_000);
  });
  afterAll(() => s.close());

  it('six at once: each 200 or a 409/503 with a reason, none 500', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => s.post('/api/feed/sale', { roundId, purchases: 400, seed: 7, usesShare: 0.3 }, admin)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((st) => st === 500), JSON.stringify(answers.filter((a) => a.status === 500).map((a) => a.text.slice(0, 200)))).toEqual([]);
    for (const a of answers) {
      expect([200, 409, 503]).toContain(a.status);
      if (a.status !== 200) expect((a.body as { error: { key: string; message: string } }).error.message.length).toBeGreaterThan(0);
    }
    expect(statuses).toContain(200);
    // The log agrees with the feeds that succeeded: no half-written feed.
    const played = answers.filter((a) => a.status === 200).reduce((n, a) => n + (a.body as { purchases: number }).purchases, 0);
    const n = await s.sdb.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', 'purchase').executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(played);
  });
});
