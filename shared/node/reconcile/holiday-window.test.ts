import { describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../db/open.js';
import { DEFAULT_PROFILES } from '../../reconcile/profile.js';
import { analyseSettlement } from './analyse.js';
import { seedLedger } from './fixtures.js';

describe('analysing a file after Chuseok', () => {
  it('reads the record far enough back to pair a sale one business day (eight calendar days) earlier', async () => {
    const l = openDatabase(':memory:');
    await migrateToLatest(l.db);
    // The record: one sale on 2025-10-02 under key L1. The file, dated 2025-10-10, settles it under another key.
    seedLedger(l.sqlite, 'hecto', [{ eventId: 'e1', kind: 'approval', tid: 'L1', originalTid: null, approvedMs: Date.parse('2025-10-02T10:00:00+09:00'), amount: 93_000, districtCode: '11440' }]);
    const file = Buffer.from('0000|OK|1|\n0|F1||12345678|20251010|110000|93000|930|93|91977|20251013\n');
    const hecto = DEFAULT_PROFILES.find((p) => p.id === 'hecto-pipe')!;
    const a = await analyseSettlement(l.sqlite, hecto, file, { windowBusinessDays: 1 });
    expect(a.result.exceptions.map((e) => [e.class, e.ledgerTid])).toEqual([['other_day', 'L1']]);
    l.close();
  });
});
