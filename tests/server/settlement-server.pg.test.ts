import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerHarness } from '../support/server-harness.js';

/**
 * Issue 17, finding 1, by hand-made requests: settlement files, adjustments
 * and the day lock are decided by the server against its own figures. The
 * amounts are the finding's; the expected sums are worked out by hand below.
 */
let server: ServerHarness;
let admin: string;
let kim: string;
let lee: string;
const clock = new Date('2026-03-12T03:00:00.000Z');
const digest = (name: string) => createHash('sha256').update(name).digest('hex');

// File F settles 2026-03-10; its three differences sum to −439,124,706 (−250,000,000 − 150,000,000 − 39,124,706).
const F = digest('toss-2026-03-10.csv');
const fileF = {
  type: 'record_settlement',
  fileDigest: F,
  provider: 'toss',
  day: '2026-03-10',
  payoutDay: '2026-03-12',
  days: [
    { day: '2026-03-09', count: 4, amount: 180_000 },
    { day: '2026-03-10', count: 1_203, amount: 96_411_000 },
  ],
  exceptions: [
    { ref: 'L3', class: 'amount_mismatch', difference: -250_000_000 },
    { ref: 'L7', class: 'only_in_ledger', difference: -150_000_000 },
    { ref: 'L9', class: 'amount_mismatch', difference: -39_124_706 },
  ],
};
// File G settles 2026-03-11; its two differences cancel out (+77,000,000 − 77,000,000 = 0), so it locks with nothing booked.
const G = digest('toss-2026-03-11.csv');
const fileG = {
  ...fileF,
  fileDigest: G,
  day: '2026-03-11',
  days: [{ day: '2026-03-11', count: 900, amount: 70_000_000 }],
  exceptions: [
    { ref: 'L1', class: 'only_in_file', difference: 77_000_000 },
    { ref: 'Eevt-1', class: 'only_in_ledger', difference: -77_000_000 },
  ],
};

const booking = (file: string, ref: string, amount: number, day = '2026-03-10') => ({
  type: 'book_adjustment',
  provider: 'toss',
  day,
  fileDigest: file,
  exceptionRef: ref,
  exception: { class: 'amount_mismatch', line: 3, tid: 'tgen_x1', fileAmount: 1, ledgerAmount: 2 },
  amount,
  reason: 'provider_error',
  text: '대행사 정정 확인',
});
const countersign = (requestCommandId: string, b: ReturnType<typeof booking>) => ({
  type: 'countersign_adjustment',
  requestCommandId,
  requestedBy: 'kim',
  fileDigest: b.fileDigest,
  exceptionRef: b.exceptionRef,
  amount: b.amount,
});
const refused = (key: string) => ({ status: 'rejected', reason: { key } });
const bookings = async () => Number((await server.sdb.db.selectFrom('reconcile_adjustments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

/** The server's journal for a day, read back as any console reads the log. */
async function journal(token: string, day: string): Promise<{ type: string; amount?: number; by: string }[]> {
  const r = await server.request('GET', '/api/events?after=0', undefined, token);
  return r.text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t')[2]!)
    .filter((t) => !t.startsWith('#'))
    .map((t) => JSON.parse(t) as { type: string; day?: string; amount?: number; by: string })
    .filter((e) => e.day === day);
}

beforeAll(async () => {
  server = await ServerHarness.start({ now: () => clock });
  admin = await server.user('admin', 'admin');
  kim = await server.user('kim', 'official');
  lee = await server.user('lee', 'official');
  // The administrator's amount: a booking above 100,000,000 won needs a second official.
  expect((await server.command({ type: 'set_adjustment_threshold', amount: 100_000_000 }, admin)).result.status).toBe('accepted');
});
afterAll(() => server?.close());

describe('recording a settlement file', () => {
  it('is for officials and administrators; the same digest with other figures is refused; a malformed file is 400', async () => {
    const clerk = await server.user('mapo', 'clerk', '11440');
    const analyst = await server.user('ana', 'analyst');
    for (const t of [clerk, analyst]) expect((await server.command(fileF, t)).result).toMatchObject(refused('sync.roleNotAllowed'));
    expect((await server.command({ type: 'set_adjustment_threshold', amount: 0 }, kim)).result).toMatchObject(refused('sync.roleNotAllowed'));
    expect((await server.command(fileF, kim)).result.status).toBe('accepted');
    // Sent again by another console: the same record.
    expect((await server.command(fileF, lee)).result.status).toBe('accepted');
    expect((await server.command({ ...fileF, exceptions: [{ ref: 'L3', class: 'amount_mismatch', difference: -1 }] }, lee)).result).toMatchObject(refused('settlement.fileConflict'));
    const twice = { ...fileF, fileDigest: digest('x'), exceptions: [fileF.exceptions[0], fileF.exceptions[0]] };
    expect((await server.command(twice, kim)).status).toBe(400);
    expect((await server.command({ ...fileF, fileDigest: digest('y'), day: '2026-03-20' }, kim)).status).toBe(400);
    expect((await server.command(fileG, kim)).result.status).toBe('accepted');
  });
});

describe('finding 1: adjustments and the day lock, decided by the server', () => {
  it('one official alone cannot book −439,124,706 ₩ in three bookings and lock the day', async () => {
    const alone = [booking(F, 'L3', -250_000_000), booking(F, 'L7', -150_000_000), booking(F, 'L9', -39_124_706)];
    const answers = [];
    for (const b of alone) answers.push((await server.command(b, kim)).result);
    // The two above 100,000,000 wait for a second official; the third is within the amount and explains its own exception.
    expect(answers.map((a) => a.reason?.key ?? a.status)).toEqual(['settlement.needsCountersign', 'settlement.needsCountersign', 'accepted']);
    // Left unexplained by the server's own figures: −250,000,000 − 150,000,000 = −400,000,000.
    expect((await server.command({ type: 'lock_reconcile_day', day: '2026-03-10', provider: 'toss' }, kim)).result).toMatchObject({
      status: 'rejected',
      reason: { key: 'settlement.dayUnexplained', params: { amount: -400_000_000 } },
    });
    // Nor may anyone countersign their own booking.
    const own = booking(F, 'L3', -250_000_000);
    expect((await server.command(countersign('own-1', own), kim)).result).toMatchObject(refused('settlement.selfCountersign'));
  });

  it('refuses a booking larger than, or opposite to, what its exception leaves, or naming an exception the file does not hold', async () => {
    const before = await bookings();
    // L9 is fully explained already: any more is too much.
    expect((await server.command(booking(F, 'L9', -1), kim)).result).toMatchObject(refused('settlement.exceedsDifference'));
    expect((await server.command(booking(F, 'L7', -150_000_001), kim)).result).toMatchObject(refused('settlement.exceedsDifference'));
    expect((await server.command(booking(F, 'L7', 5_000), kim)).result).toMatchObject(refused('settlement.exceedsDifference'));
    expect((await server.command(booking(F, 'L99', -5_000), kim)).result).toMatchObject(refused('settlement.unknownException'));
    expect((await server.command(booking(G, 'L1', 5_000), kim)).result).toMatchObject(refused('settlement.dayOutsideFile'));
    expect(await bookings()).toBe(before);
  });

  it('books with a second official’s countersign, then locks at 0 unexplained', async () => {
    // A countersign held for another exception of the very same amount does not cover this one: the exception alone differs.
    expect((await server.command(countersign('swap-1', booking(F, 'L3', -150_000_000)), lee)).result.status).toBe('accepted');
    const swapped = await server.post('/api/commands', { commandId: 'swap-1', sentAt: clock.toISOString(), ...booking(F, 'L7', -150_000_000) }, kim);
    expect(swapped.body).toMatchObject(refused('settlement.needsCountersign'));
    for (const [id, b] of [['big-3', booking(F, 'L3', -250_000_000)], ['big-7', booking(F, 'L7', -150_000_000)]] as const) {
      expect((await server.command(countersign(id, b), lee)).result.status).toBe('accepted');
      // A countersign for another amount does not cover this one.
      const other = await server.post('/api/commands', { commandId: `${id}-x`, sentAt: clock.toISOString(), ...b, amount: b.amount + 1 }, kim);
      expect(other.body).toMatchObject(refused('settlement.needsCountersign'));
      const r = await server.post('/api/commands', { commandId: id, sentAt: clock.toISOString(), ...b }, kim);
      expect(r.body).toMatchObject({ status: 'accepted' });
      expect((r.body as { seq: number | null }).seq).not.toBeNull();
    }
    expect((await server.command({ type: 'lock_reconcile_day', day: '2026-03-10', provider: 'toss' }, kim)).result.status).toBe('accepted');
    expect((await server.command({ type: 'lock_reconcile_day', day: '2026-03-10', provider: 'toss' }, lee)).result).toMatchObject(refused('settlement.dayLocked'));
  });

  it('refuses 77,000,000 ₩ on a locked day, and a file added to it', async () => {
    expect((await server.command({ type: 'lock_reconcile_day', day: '2026-03-11', provider: 'toss' }, lee)).result.status).toBe('accepted');
    const b = booking(G, 'L1', 77_000_000, '2026-03-11');
    expect((await server.command(countersign('late-1', b), lee)).result.status).toBe('accepted');
    const r = await server.post('/api/commands', { commandId: 'late-1', sentAt: clock.toISOString(), ...b }, kim);
    expect(r.body).toMatchObject(refused('settlement.dayLocked'));
    expect((await server.command({ ...fileG, fileDigest: digest('late file') }, kim)).result).toMatchObject(refused('settlement.dayLocked'));
    // Reopened with a reason, in the log; a day never locked cannot be reopened.
    expect((await server.command({ type: 'reopen_reconcile_day', day: '2026-03-11', provider: 'toss', reason: '대행사 재정산' }, kim)).result.status).toBe('accepted');
    expect((await server.command({ type: 'reopen_reconcile_day', day: '2026-03-11', provider: 'toss', reason: '다시' }, kim)).result).toMatchObject(refused('settlement.dayNotLocked'));
  });

  it('refuses 1,000,000,000 ₩ dated 2099-12-31, and locking a day with no recorded file', async () => {
    const before = await bookings();
    expect((await server.command(booking(F, 'L3', -1_000_000_000, '2099-12-31'), kim)).result).toMatchObject(refused('settlement.dayOutsideFile'));
    expect((await server.command(booking(digest('never recorded'), 'L3', 1_000_000_000, '2099-12-31'), kim)).result).toMatchObject(refused('settlement.fileNotRecorded'));
    expect((await server.command({ type: 'lock_reconcile_day', day: '2099-12-31', provider: 'toss' }, kim)).result).toMatchObject(refused('settlement.noFileForDay'));
    expect(await bookings()).toBe(before);
  });

  it('keeps bookings, locks and reopenings in the log: the journal read back sums to the file’s −439,124,706 ₩', async () => {
    const day10 = await journal(kim, '2026-03-10');
    expect(day10.map((e) => [e.type, e.amount ?? null, e.by])).toEqual([
      ['adjustment_booked', -39_124_706, 'kim'],
      ['adjustment_booked', -250_000_000, 'kim'],
      ['adjustment_booked', -150_000_000, 'kim'],
      ['reconcile_day_locked', null, 'kim'],
    ]);
    expect(day10.reduce((s, e) => s + (e.amount ?? 0), 0)).toBe(-439_124_706);
    expect((await journal(kim, '2026-03-11')).map((e) => [e.type, e.by])).toEqual([
      ['reconcile_day_locked', 'lee'],
      ['reconcile_day_reopened', 'kim'],
    ]);
    // The journal is no one's personal data: a clerk's console reads it too.
    const clerk = await server.user(`c-${randomUUID().slice(0, 6)}`, 'clerk', '11110');
    expect((await journal(clerk, '2026-03-10')).length).toBe(4);
  });
});

describe('finding 6: adjustment countersigns per colleague, as refunds’ are', () => {
  // File H settles 2026-03-08; L5's difference of −300,000,000 is above the 100,000,000 threshold.
  const H = digest('toss-2026-03-08.csv');
  const fileH = { ...fileF, fileDigest: H, day: '2026-03-08', days: [{ day: '2026-03-08', count: 10, amount: 1_000_000 }], exceptions: [{ ref: 'L5', class: 'amount_mismatch', difference: -300_000_000 }, { ref: 'L6', class: 'only_in_ledger', difference: -300_000_000 }] };
  const big = booking(H, 'L5', -300_000_000, '2026-03-08');
  const book = (commandId: string, b = big) => server.post('/api/commands', { commandId, sentAt: clock.toISOString(), ...b }, kim);

  it('a countersign of another amount does not cover the booking, even under its own command id', async () => {
    expect((await server.command(fileH, kim)).result.status).toBe('accepted');
    // One won off: 299,999,999 is not 300,000,000.
    expect((await server.command(countersign('off-1', { ...big, amount: -299_999_999 }), lee)).result.status).toBe('accepted');
    expect((await book('off-1')).body).toMatchObject(refused('settlement.needsCountersign'));
    expect(await journal(kim, '2026-03-08')).toEqual([]);
  });

  it('a wrong countersign sent first (other amount, other exception) does not block the right one', async () => {
    const park = await server.user('park', 'official');
    expect((await server.command(countersign('both-1', { ...big, amount: -1 }), lee)).result.status).toBe('accepted');
    expect((await server.command(countersign('both-1', { ...big, exceptionRef: 'L6' }), lee)).result.status).toBe('accepted');
    // Another colleague's right one after them is taken, not refused as a conflict; sent twice it is the same one.
    for (let i = 0; i < 2; i++) expect((await server.command(countersign('both-1', big), park)).result.status).toBe('accepted');
    const r = await book('both-1');
    expect(r.body).toMatchObject({ status: 'accepted' });
    const day8 = await journal(kim, '2026-03-08');
    expect(day8).toMatchObject([{ type: 'adjustment_booked', amount: -300_000_000, by: 'kim', countersignedBy: 'park' }]);
  });

  it('the booker can never countersign: refused as a command, and a row of their own never covers the booking', async () => {
    // L5 is booked now; L6 is left whole.
    const l6 = { ...big, exceptionRef: 'L6' };
    const before = await bookings();
    expect((await server.command(countersign('self-1', l6), kim)).result).toMatchObject(refused('settlement.selfCountersign'));
    // Even a row that slipped into the table (say, by an older server) signed by the booker does not count.
    const kimId = (await server.sdb.db.selectFrom('users').select('id').where('username', '=', 'kim').executeTakeFirstOrThrow()).id;
    await server.sdb.db
      .insertInto('adjustment_countersigns')
      .values({ requested_by: 'kim', request_command_id: 'self-2', file_digest: H, exception_ref: 'L6', amount: -300_000_000, countersigned_by: kimId, countersigned_at: clock })
      .execute();
    expect((await book('self-2', l6)).body).toMatchObject(refused('settlement.needsCountersign'));
    expect(await bookings()).toBe(before);
  });
});
