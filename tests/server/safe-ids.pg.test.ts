import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerHarness, type Staff } from '../support/server-harness.js';
import { spec2022 } from '../support/specs.js';

// Issue 17, finding 4: ids a console sends are restricted to a safe alphabet, so none can carry a spreadsheet formula.
const EVIL = '=HYPERLINK("http://127.0.0.1:9/x","open")';

let s: ServerHarness;
let staff: Staff;
beforeAll(async () => {
  s = await ServerHarness.start();
  staff = await s.staff();
});
afterAll(() => s.close());

const keyOf = (body: unknown) => (body as { error: { key: string } }).error.key;

describe('ids accepted by the server, by hand-made requests', () => {
  it('refuses a round id, command id or lot id that is not letters, digits and . _ : -, writing nothing', async () => {
    const spec = spec2022({ name: EVIL });
    for (const bad of [EVIL, '+1', '-round', '@r', '\tr', 'r,1', 'r"1', 'r 1', '회차1', '']) {
      const r = await s.command({ type: 'propose_round', roundId: bad, version: 1, spec }, staff.official);
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(keyOf(r.body)).toBe('errors.invalid_input');
    }
    const badCommandId = await s.post('/api/commands', { type: 'round_transition', commandId: '=1+1', sentAt: s.now().toISOString(), roundId: 'r1', action: 'schedule' }, staff.official);
    expect(badCommandId.status).toBe(400);
    const refund = { type: 'approve_refund', requestedAt: s.now().toISOString(), roundId: 'r1', kind: 'cancel', amount: 1000 };
    // The same command with a plain lot id passes the schema (and is judged: no such lot); only the id's alphabet differs.
    expect((await s.command({ ...refund, lotId: 'lot-1' }, staff.official)).status).toBe(200);
    const badLot = await s.command({ ...refund, lotId: '@lot' }, staff.official);
    expect(badLot.status).toBe(400);
    expect(keyOf(badLot.body)).toBe('errors.invalid_input');
    expect((await s.get(`/api/rounds/${encodeURIComponent(EVIL)}/totals`, staff.admin)).status).toBe(400);
    expect((await s.post('/api/feed/sale', { roundId: EVIL, purchases: 1 }, staff.admin)).status).toBe(400);
    expect((await s.post('/api/users', { username: '=cmd', displayName: 'x', password: 'jeju harbour lantern', role: 'analyst', districtCode: null }, staff.admin)).status).toBe(400);
    expect(((await s.get('/api/users', staff.admin)).body as { users: { username: string }[] }).users.map((u) => u.username)).toEqual(['admin', 'kim', 'lee']);
  });

  it('still takes the ids consoles make: UUIDs and short names', async () => {
    const spec = spec2022({ name: EVIL });
    for (const roundId of [randomUUID(), 'round-2022.07:a_1']) {
      expect((await s.command({ type: 'propose_round', roundId, version: 1, spec }, staff.official)).result, roundId).toMatchObject({ status: 'accepted' });
    }
  });
});
