import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SyncEvent } from '../../sync/protocol.js';
import { Harness } from '../../../tests/support/backend-harness.js';
import { Feeder } from '../../../tests/support/report-ledger.js';
import { spec2022 } from '../../../tests/support/specs.js';

/** A round made on another console reaches this one only through the server's log: its page names the officials the log names. */
let h: Harness;
let admin: string;
const feed = (events: SyncEvent[]) => new Feeder(h.backend.ledger.sqlite).feed(events);

beforeEach(async () => {
  h = await Harness.start();
  admin = await h.admin();
  // The proposer is also an account on this console (under another display name); the approver is not.
  await h.call('users.create', { username: 'kim.official', displayName: '김주무', password: 'kim-official-password-1', role: 'official', districtCode: null }, admin);
});
afterEach(() => h.close());

describe('a round synced from the server', () => {
  it('credits its versions to the officials the server recorded, not to the sync, and lists the server’s lifecycle steps', async () => {
    feed([
      { type: 'round_published', eventId: 'pub-1', roundId: 'r-1', version: 1, spec: spec2022(), publishedBy: '이승인', proposedBy: 'kim.official', approvedBy: 'lee.approver', at: '2026-03-02T01:00:00.000Z' },
      { type: 'round_status', eventId: 'st-1', roundId: 'r-1', status: 'scheduled', version: 1, by: 'kim.official', at: '2026-03-03T01:00:00.000Z' },
    ]);
    const detail = await h.call('rounds.get', { id: 'r-1' }, admin);
    expect(detail.versions).toHaveLength(1);
    // The approver has no account here: the display name the server published under, not the bare username.
    expect(detail.versions[0]).toMatchObject({ authorName: '김주무', approvedByName: '이승인', approvedAt: '2026-03-02T01:00:00.000Z', fromServer: true });
    expect(detail.serverSteps).toEqual([{ status: 'scheduled', version: 1, by: '김주무', at: '2026-03-03T01:00:00.000Z' }]);
    expect(detail.audit).toEqual([]);
  });

  it('says so when an older publication did not name the proposer, and keeps the approver’s name it carried', async () => {
    feed([{ type: 'round_published', eventId: 'pub-1', roundId: 'r-1', version: 1, spec: spec2022(), publishedBy: '이승인', at: '2026-03-02T01:00:00.000Z' }]);
    const detail = await h.call('rounds.get', { id: 'r-1' }, admin);
    expect(detail.versions[0]).toMatchObject({ authorName: '', approvedByName: '이승인', fromServer: true });
    expect(detail.serverSteps).toEqual([]);
  });

  it('leaves a round written on this console as its author wrote it', async () => {
    const created = await h.call('rounds.create', { spec: spec2022() }, admin);
    const detail = await h.call('rounds.get', { id: created.id }, admin);
    expect(detail.versions[0]).toMatchObject({ authorName: '관리자' });
    expect(detail.versions[0]!.fromServer).toBeUndefined();
  });
});
