import { describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../db/open.js';
import { dayRow, listDays } from './reconcile-repo.js';

describe('the Reconcile page’s list of days', () => {
  it('gives each imported day and provider its counts, differences, adjustments and lock, as dayRow does for one', async () => {
    const l = openDatabase(':memory:');
    await migrateToLatest(l.db);
    const imp = l.sqlite.prepare("insert into settlement_imports (id, sha256, profile_id, provider, file_name, encoding, day, row_count, imported_by, imported_at) values (?, ?, 'hecto-pipe', ?, 'f', 'utf-8', ?, 0, 'u', '2026-03-12T00:00:00Z')");
    const exc = l.sqlite.prepare("insert into reconcile_exceptions (import_id, provider, day, class, line, tid, file_amount, resolved_at) values (?, ?, ?, 'only_in_file', 1, 't', 1, ?)");
    const days = ['2026-03-09', '2026-03-10', '2026-03-11'];
    for (const [k, day] of days.entries()) {
      for (const p of ['hecto', 'toss']) {
        imp.run(`${p}${day}`, `${p}${day}`, p, day);
        // hecto 2026-03-11 has no exceptions at all; the others a mix of open and resolved.
        if (p === 'hecto' && k === 2) continue;
        for (let i = 0; i < 3 + k; i++) exc.run(`${p}${day}`, p, day, i % 2 === 0 ? null : '2026-03-12T01:00:00Z');
      }
    }
    // Two imports of one day and provider count once.
    imp.run('again', 'again', 'toss', '2026-03-10');
    l.sqlite.prepare("insert into reconcile_days (day, provider, locked_by, locked_at) values ('2026-03-09', 'toss', 'kim', '2026-03-12T02:00:00Z')").run();
    // Bookings explain part of a difference; the one the server rejected explains nothing.
    const adj = l.sqlite.prepare("insert into reconcile_adjustments (exception_id, day, provider, amount, reason, text, by, by_name, at, command_id) values ((select min(id) from reconcile_exceptions where day = ? and provider = ?), ?, ?, ?, 'other', 'x', 'kim', 'Kim', '2026-03-12T03:00:00Z', ?)");
    const box = l.sqlite.prepare("insert into outbox (command_id, type, payload, created_at, created_by, state, next_attempt_at) values (?, 'book_adjustment', '{}', '2026-03-12T03:00:00Z', 'kim', ?, '2026-03-12T03:00:00Z')");
    box.run('c-accepted', 'accepted');
    box.run('c-rejected', 'rejected');
    adj.run('2026-03-10', 'toss', '2026-03-10', 'toss', 1, 'c-accepted');
    adj.run('2026-03-10', 'toss', '2026-03-10', 'toss', 5, 'c-rejected');
    adj.run('2026-03-10', 'toss', '2026-03-10', 'toss', 2, null);
    const listed = await listDays(l.db);
    const expected = await Promise.all(
      days
        .slice()
        .reverse()
        .flatMap((d) => ['hecto', 'toss'].map((p) => dayRow(l.db, d, p))),
    );
    expect(listed).toEqual(expected);
    expect(listed.find((d) => d.day === '2026-03-11' && d.provider === 'hecto')).toMatchObject({ exceptions: 0, open: 0 });
    expect(listed.find((d) => d.day === '2026-03-09' && d.provider === 'toss')).toMatchObject({ exceptions: 3, open: 2, lockedBy: 'kim' });
    expect(listed.find((d) => d.day === '2026-03-10' && d.provider === 'toss')).toMatchObject({ exceptions: 4, difference: 4, adjusted: 3, unexplained: 1 });
    await l.close();
  });
});
