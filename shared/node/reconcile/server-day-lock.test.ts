import { describe, expect, it } from 'vitest';
import type { Command } from '../../sync/protocol.js';
import { migrateToLatest, openDatabase } from '../db/open.js';
import { reopenOnRefusedBooking } from './refused-booking-hook.js';
import { dayRow, lockDay, reopenDay } from './reconcile-repo.js';

const kim = { id: 'u-kim', username: 'kim', displayName: '김공무' };
const AT = '2026-03-12T03:00:00.000Z';

async function importedDay() {
  const l = openDatabase(':memory:');
  await migrateToLatest(l.db);
  // A file with no exceptions: the console's figures leave 0 unexplained, so it quotes a lock.
  l.sqlite
    .prepare("insert into settlement_imports (id, sha256, profile_id, provider, file_name, encoding, day, row_count, imported_by, imported_at) values ('i1', 'h1', 'hecto-pipe', 'toss', 'f', 'utf-8', '2026-03-10', 0, 'kim', ?)")
    .run(AT);
  return l;
}

describe('a reconcile day’s lock, decided by the server', () => {
  it('sends the lock to the server and shows it waiting until the server answers', async () => {
    const l = await importedDay();
    const day = await lockDay(l.db, '2026-03-10', 'toss', kim, AT);
    const sent = await l.db.selectFrom('outbox').select(['type', 'payload', 'state', 'created_by']).execute();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ type: 'lock_reconcile_day', state: 'pending', created_by: 'u-kim' });
    expect(JSON.parse(sent[0]!.payload)).toMatchObject({ type: 'lock_reconcile_day', day: '2026-03-10', provider: 'toss' });
    expect(day.server).toEqual({ lockedBy: null, lockedAt: null, pending: 'lock', refused: null });
    await l.close();
  });

  it('shows who locked the day and when from the server’s journal, not the console’s lock', async () => {
    const l = await importedDay();
    await lockDay(l.db, '2026-03-10', 'toss', kim, AT);
    await l.db.updateTable('outbox').set({ state: 'accepted' }).execute();
    // Another console's official locked it on the server; the journal is what sync brought.
    l.sqlite
      .prepare("insert into server_reconcile_journal (seq, event_id, type, day, provider, amount, by, at, payload, hash) values (7, 'e7', 'reconcile_day_locked', '2026-03-10', 'toss', null, 'lee', '2026-03-12T03:00:05.000Z', '{}', 'h')")
      .run();
    expect((await dayRow(l.db, '2026-03-10', 'toss')).server).toEqual({ lockedBy: 'lee', lockedAt: '2026-03-12T03:00:05.000Z', pending: null, refused: null });
    // A later reopening in the journal means the server's day is open again.
    l.sqlite
      .prepare("insert into server_reconcile_journal (seq, event_id, type, day, provider, amount, by, at, payload, hash) values (9, 'e9', 'reconcile_day_reopened', '2026-03-10', 'toss', null, 'lee', '2026-03-12T04:00:00.000Z', '{}', 'h')")
      .run();
    expect((await dayRow(l.db, '2026-03-10', 'toss')).server.lockedBy).toBeNull();
    await l.close();
  });

  it('on the server’s refusal opens the console’s lock again and shows the server’s reason', async () => {
    const l = await importedDay();
    await lockDay(l.db, '2026-03-10', 'toss', kim, AT);
    const item = await l.db.selectFrom('outbox').select(['command_id', 'payload']).executeTakeFirstOrThrow();
    // What push records when the server answers with its own figures (sync/push.ts settle), then the refused hooks run.
    await l.db
      .updateTable('outbox')
      .set({ state: 'rejected', reason_key: 'settlement.dayUnexplained', reason_params: JSON.stringify({ day: '2026-03-10', amount: -1500 }) })
      .execute();
    await reopenOnRefusedBooking(l.db)(JSON.parse(item.payload) as Command, '2026-03-12T03:01:00.000Z');
    const day = await dayRow(l.db, '2026-03-10', 'toss');
    expect(day.lockedBy).toBeNull();
    expect(day.server.refused).toEqual({ action: 'lock', key: 'settlement.dayUnexplained', params: { day: '2026-03-10', amount: -1500 } });
    const log = await l.db.selectFrom('reconcile_day_log').select(['action', 'by', 'reason', 'command_id']).orderBy('id').execute();
    expect(log.map((r) => [r.action, r.by])).toEqual([['lock', 'kim'], ['reopen', 'server']]);
    expect(log[1]!.reason).toBe('서버가 마감을 거부했습니다: 서버 집계로 설명되지 않은 차액이 남아 있어 마감할 수 없습니다 (2026-03-10, -₩1,500)');
    // The server's reopening sends nothing back: only the refused lock is in the outbox.
    expect(log[1]!.command_id).toBeNull();
    expect(await l.db.selectFrom('outbox').select('type').execute()).toEqual([{ type: 'lock_reconcile_day' }]);
    await l.close();
  });

  it('sends an official’s reopening to the server with the reason given', async () => {
    const l = await importedDay();
    await lockDay(l.db, '2026-03-10', 'toss', kim, AT);
    const day = await reopenDay(l.db, '2026-03-10', 'toss', '파일 재수신', kim, '2026-03-12T05:00:00.000Z');
    const sent = await l.db.selectFrom('outbox').select('payload').where('type', '=', 'reopen_reconcile_day').execute();
    expect(sent.map((s) => JSON.parse(s.payload) as Record<string, unknown>)).toMatchObject([{ day: '2026-03-10', provider: 'toss', reason: '파일 재수신' }]);
    expect(day.server.pending).toBe('reopen');
    await l.close();
  });
});
