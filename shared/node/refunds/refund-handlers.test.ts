import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorPayload } from '../../common/errors.js';
import { basisPointsOf } from '../../common/money.js';
import { formatError } from '../../i18n/index.js';
import type { LedgerEvent, PurchaseEvent } from '../../ledger/events.js';
import type { SyncEvent } from '../../sync/protocol.js';
import ExcelJS from 'exceljs';
import { seoulDayKey } from '../../common/time.js';
import { Harness } from '../../../tests/support/backend-harness.js';
import { pdfText } from '../../../tests/support/pdf-text.js';
import { spec2022 } from '../../../tests/support/specs.js';
import { canonicalEvent, chainHash, LOG_GENESIS } from '../chain/log-hash.js';
import { SyncApplier, type PageEntry } from '../sync/apply.js';
import { LEDGER_WRITE_HOOKS } from '../backend/hooks.js';

/** A console holding a synced round, fed through the applier a pull uses; the counter works on it. */
const spec = spec2022({ paymentMethods: ['bank_transfer', 'debit_card', 'credit_card'], discountBp: 500 });
const ROUND = 'r-counter';
const MAPO = '11440';
const GANGNAM = '11680';
let h: Harness;
let admin: string;
let mapo: { id: string; session: string };
let mapo2: { id: string; session: string };
let prev = { seq: 0, hash: LOG_GENESIS };

function feed(events: SyncEvent[]): void {
  const entries: PageEntry[] = events.map((event) => {
    const text = canonicalEvent(event);
    const seq = prev.seq + 1;
    prev = { seq, hash: chainHash(prev.hash, seq, text) };
    return { seq, hash: prev.hash, text, event };
  });
  new SyncApplier(h.backend.ledger.sqlite, LEDGER_WRITE_HOOKS).applyPage(entries, prev.seq);
}

const at = '2026-03-10T01:00:00.000Z';
function purchase(lotId: string, buyerId: string, district: string, method: PurchaseEvent['paymentMethod'] = 'bank_transfer', face = 100_000): PurchaseEvent {
  return { type: 'purchase', eventId: `p-${lotId}`, roundId: ROUND, lotId, at, buyerId, districtCode: district, face, paid: face - basisPointsOf(face, 500), paymentMethod: method };
}
const use = (lotId: string, amount: number): LedgerEvent => ({ type: 'use', eventId: `u-${lotId}`, roundId: ROUND, lotId, at, amount, merchantDistrict: MAPO });

const bytes = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));
const korean = (e: ErrorPayload) => formatError('ko', e);

async function outboxCount(): Promise<number> {
  return Number((await h.backend.deps.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
}
async function requestCount(): Promise<number> {
  return Number((await h.backend.deps.db.selectFrom('counter_requests').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
}

beforeEach(async () => {
  h = await Harness.start();
  admin = await h.admin();
  mapo = await h.user(admin, 'mapo', 'clerk', MAPO);
  mapo2 = await h.user(admin, 'mapo2', 'clerk', MAPO);
  prev = { seq: 0, hash: LOG_GENESIS };
  feed([
    { type: 'round_published', eventId: 'pub', roundId: ROUND, version: 1, spec, publishedBy: 'kim', at: '2026-03-02T00:00:00.000Z' },
    purchase('lot-A-0001', 'member-7', MAPO),
    purchase('lot-A-0002', 'member-7', MAPO),
    purchase('lot-A-0003', 'member-7', MAPO, 'credit_card'),
    purchase('lot-B-0001', 'member-9', GANGNAM),
    use('lot-A-0002', 60_000),
    use('lot-A-0003', 70_000),
  ]);
});
afterEach(() => h.close());

describe('the refund counter', () => {
  it('finds a buyer’s lots in the clerk’s district only, with the figures a clerk reads out', async () => {
    const found = await h.call('refunds.search', { buyerId: 'member-7' }, mapo.session);
    expect(found.lots.map((l) => l.lotId).sort()).toEqual(['lot-A-0001', 'lot-A-0002', 'lot-A-0003']);
    expect(found.lots.find((l) => l.lotId === 'lot-A-0002')).toMatchObject({ face: 100_000, paid: 95_000, used: 60_000, usedBp: 6_000, remaining: 40_000, paymentMethod: 'bank_transfer', status: 'active' });
    expect((await h.call('refunds.search', { lotPart: 'A-000' }, mapo.session)).lots).toHaveLength(3);
    expect((await h.call('refunds.search', { fromDay: '2026-03-10', toDay: '2026-03-10' }, mapo.session)).lots).toHaveLength(3);
    expect((await h.call('refunds.search', { fromDay: '2026-03-11' }, mapo.session)).lots).toHaveLength(0);
    // Another district's lot is not found, by any way of asking.
    expect((await h.call('refunds.search', { lotPart: 'lot-B-0001' }, mapo.session)).lots).toEqual([]);
    expect(await h.fail('refunds.search', { buyerId: 'member-9' }, mapo.session)).toMatchObject({ code: 'not_found', key: 'refunds.unknownBuyer' });
    expect(await h.fail('refunds.quote', { lotId: 'lot-B-0001' }, mapo.session)).toMatchObject({ code: 'not_found', key: 'ledger.unknownLot' });
    expect(await h.fail('refunds.request', { lotId: 'lot-B-0001', reasonCode: 'buyer_request' }, mapo.session)).toMatchObject({ code: 'not_found' });
    // An official searches city-wide.
    expect((await h.call('refunds.search', { buyerId: 'member-9' }, admin)).lots).toHaveLength(1);
  });

  it('says clearly what is wrong with a search or a request, and writes nothing', async () => {
    const before = { outbox: await outboxCount(), requests: await requestCount() };
    expect(korean(await h.fail('refunds.search', {}, mapo.session))).toContain('구매자 번호, 구매 건 번호, 접수 번호, 구매 기간 중 하나를 입력하세요');
    expect(korean(await h.fail('refunds.search', { buyerId: 'nobody-here' }, mapo.session))).toBe('이 자치구에는 구매자 번호 nobody-here의 구매 건이 없습니다');
    expect(await h.fail('refunds.search', { lotPart: "x' or 1=1" }, mapo.session)).toMatchObject({ key: 'refunds.badLotPart' });
    expect(await h.fail('refunds.search', { lotPart: 'ab' }, mapo.session)).toMatchObject({ key: 'refunds.badLotPart' });
    expect(await h.fail('refunds.search', { fromDay: '2026-13-45' }, mapo.session)).toMatchObject({ key: 'refunds.badDay' });
    expect(korean(await h.fail('refunds.request', { lotId: 'lot-A-0001', reasonCode: '' }, mapo.session))).toBe('환불·취소 사유를 고르세요');
    expect(await h.fail('refunds.request', { lotId: 'lot-A-0001', reasonCode: 'other', reasonText: '   ' }, mapo.session)).toMatchObject({ key: 'refunds.reasonTextRequired' });
    expect(await h.fail('refunds.request', { lotId: 'lot-A-0002', reasonCode: 'buyer_request' }, mapo.session)).toMatchObject({ key: 'refunds.accountRequired' });
    expect(await h.fail('refunds.request', { lotId: 'lot-A-0002', reasonCode: 'buyer_request', account: { bank: '신한은행', number: '12-34', numberConfirm: '12-34' } }, mapo.session)).toMatchObject({ key: 'refunds.badAccount' });
    expect(await h.fail('refunds.request', { lotId: 'lot-A-0003', reasonCode: 'buyer_request' }, mapo.session)).toMatchObject({ key: 'ledger.cashOnly' });
    expect({ outbox: await outboxCount(), requests: await requestCount() }).toEqual(before);
  });

  it('quotes with the working, takes a cancellation with a reason, and prints its receipt', async () => {
    const q = await h.call('refunds.quote', { lotId: 'lot-A-0001' }, mapo.session);
    expect(q.working).toMatchObject({ face: 100_000, paid: 95_000, used: 0, subsidyDeducted: 0, outcome: { ok: true, kind: 'cancel', amount: 95_000 } });
    const r = await h.call('refunds.request', { lotId: 'lot-A-0001', reasonCode: 'moved_away', reasonText: '부산 전출' }, mapo.session);
    expect(r).toMatchObject({ kind: 'cancel', amount: 95_000, awaitingSecond: false });
    expect(r.receiptNo).toMatch(/^가-11440-[0-9A-F]{4}-000001$/);
    const outbox = await h.call('sync.outbox', {}, mapo.session);
    expect(outbox.find((o) => o.commandId === r.commandId)).toMatchObject({ type: 'approve_refund', state: 'pending', createdByName: 'mapo' });
    expect((await h.call('refunds.quote', { lotId: 'lot-A-0001' }, mapo.session)).openRequest).toMatchObject({ receiptNo: r.receiptNo, status: 'pending' });

    const pdf = await h.call('refunds.receipt', { commandId: r.commandId, width: 'a4' }, mapo.session);
    const { text, pages } = await pdfText(bytes(pdf.base64));
    expect(pages).toBe(1);
    for (const s of ['환불·취소 접수증', `가번호 ${r.receiptNo}`, '서버가 날짜를 붙여 매긴 접수 번호로 바뀝니다', 'lot-A-0001', '마포구', '전액 취소', '₩95,000', '9만 5,000원', '전출·이사', '부산 전출', '전송 대기', 'mapo']) expect(text).toContain(s);
    const roll = await h.call('refunds.receipt', { commandId: r.commandId, width: 'roll80' }, mapo.session);
    expect((await pdfText(bytes(roll.base64))).text).toContain(r.receiptNo);
  });

  it('numbers a receipt without the console’s date; the server’s number, dated by its day, takes its place once accepted', async () => {
    // This console's clock is a year ahead (#17 finding 7 printed `11440-20271207-…`).
    h.clock = new Date('2027-03-10T02:00:00.000Z');
    const session = await h.signIn('mapo');
    const r = await h.call('refunds.request', { lotId: 'lot-A-0001', reasonCode: 'buyer_request' }, session);
    expect(r.receiptNo).toMatch(/^가-11440-[0-9A-F]{4}-000001$/);
    expect(r.receiptNo).not.toContain('2027');
    const waiting = (await h.call('refunds.queue', {}, session)).requests.find((q) => q.commandId === r.commandId)!;
    expect(waiting).toMatchObject({ receiptNo: r.receiptNo, receiptProvisional: true, provisionalNo: r.receiptNo });
    // The server accepts it at its own time, 2026-03-10 11:00 in Seoul, and numbers it; the console pulls the event.
    const serverNo = '11440-20260310-000007';
    await h.backend.deps.db.updateTable('outbox').set({ state: 'accepted', server_seq: prev.seq + 1, resolved_at: h.clock.toISOString() }).where('command_id', '=', r.commandId).execute();
    feed([{ type: 'cancel', eventId: 'c-A-0001', roundId: ROUND, lotId: 'lot-A-0001', at: '2026-03-10T02:00:00.000Z', amount: 95_000, by: 'mapo', receiptNo: serverNo }]);
    const answered = (await h.call('refunds.queue', {}, session)).requests.find((q) => q.commandId === r.commandId)!;
    expect(answered).toMatchObject({ receiptNo: serverNo, receiptProvisional: false, provisionalNo: r.receiptNo, status: 'accepted' });
    const { text } = await pdfText(bytes((await h.call('refunds.receipt', { commandId: r.commandId, width: 'a4', copy: 'answer' }, session)).base64));
    expect(text).toContain(`접수 번호 ${serverNo}`);
    expect(text).toContain(r.receiptNo);
    expect(text).not.toContain('가번호 ');
    // Either number finds the lot at the counter.
    for (const receiptNo of [serverNo, r.receiptNo]) expect((await h.call('refunds.search', { receiptNo }, session)).lots.map((l) => l.lotId)).toEqual(['lot-A-0001']);
    expect(await h.fail('refunds.search', { receiptNo: '11440-20270310-000007' }, session)).toMatchObject({ key: 'refunds.unknownReceipt' });
  });

  it('takes a partial refund with the account sealed and masked', async () => {
    const q = await h.call('refunds.quote', { lotId: 'lot-A-0002' }, mapo.session);
    expect(q.working).toMatchObject({ used: 60_000, usedBp: 6_000, remaining: 40_000, thresholdPct: 60, subsidyDeducted: 5_000, outcome: { ok: true, kind: 'refund', amount: 35_000 } });
    // The account is typed twice and the bank picked from the list: a mismatch, a missing second entry or an unlisted bank writes nothing.
    const before = { outbox: await outboxCount(), requests: await requestCount() };
    const attempt = (account: Record<string, string>) => h.fail('refunds.request', { lotId: 'lot-A-0002', reasonCode: 'buyer_request', account }, mapo.session);
    const mismatch = await attempt({ bank: '088', number: '110-123-456789', numberConfirm: '110-123-456780' });
    expect(mismatch).toMatchObject({ code: 'invalid_input', key: 'confirmations.accountMismatch' });
    expect(korean(mismatch)).toBe('두 번 입력한 계좌번호가 다릅니다. 고객의 통장이나 카드를 보고 다시 입력하세요');
    expect(await attempt({ bank: '088', number: '110-123-456789' })).toMatchObject({ key: 'confirmations.accountConfirmRequired' });
    expect(await attempt({ bank: '088', number: '110-123-456789', numberConfirm: ' ' })).toMatchObject({ key: 'confirmations.accountConfirmRequired' });
    expect(korean(await attempt({ bank: '신한', number: '110-123-456789', numberConfirm: '110123456789' }))).toBe('목록에 없는 은행입니다: 신한. 은행 목록에서 고르세요');
    expect({ outbox: await outboxCount(), requests: await requestCount() }).toEqual(before);
    // Dashes and spaces are how people read numbers out: the same digits match.
    const r = await h.call('refunds.request', { lotId: 'lot-A-0002', reasonCode: 'buyer_request', account: { bank: '088', number: '110-123-456789', numberConfirm: '110 123 456789' } }, mapo.session);
    expect(r).toMatchObject({ kind: 'refund', amount: 35_000 });
    const row = await h.backend.deps.db.selectFrom('counter_requests').select(['account_sealed', 'account_masked']).where('command_id', '=', r.commandId).executeTakeFirstOrThrow();
    expect(row.account_masked).toBe('신한은행 ********6789');
    expect(row.account_sealed).not.toContain('456789');
    expect(JSON.parse(h.backend.deps.vault.open(row.account_sealed!))).toEqual({ bank: '신한은행', bankCode: '088', number: '110123456789' });
    const { text } = await pdfText(bytes((await h.call('refunds.receipt', { commandId: r.commandId, width: 'a4' }, mapo.session)).base64));
    expect(text).toContain('신한은행 ********6789');
    expect(text).not.toContain('456789');
    expect(text).toContain('잔액 − 할인 지원금');
  });

  it('holds a request above the two-person amount until another clerk approves, then queues both in their names', async () => {
    await h.call('refunds.setThreshold', { countersignAbove: 50_000 }, admin);
    expect(await h.fail('refunds.setThreshold', { countersignAbove: 1 }, mapo.session)).toMatchObject({ code: 'forbidden' });
    const r = await h.call('refunds.request', { lotId: 'lot-A-0001', reasonCode: 'buyer_request' }, mapo.session);
    expect(r.awaitingSecond).toBe(true);
    expect((await h.call('sync.outbox', {}, admin)).filter((o) => o.lotId === 'lot-A-0001')).toEqual([]);
    expect(await h.fail('refunds.countersign', { commandId: r.commandId }, mapo.session)).toMatchObject({ key: 'refunds.selfCountersign' });
    const gangnam = await h.user(admin, 'gangnam', 'clerk', GANGNAM);
    expect(await h.fail('refunds.countersign', { commandId: r.commandId }, gangnam.session)).toMatchObject({ code: 'not_found' });
    const signed = await h.call('refunds.countersign', { commandId: r.commandId }, mapo2.session);
    expect(signed).toMatchObject({ status: 'pending', countersignedByName: 'mapo2' });
    const queued = (await h.call('sync.outbox', {}, admin)).filter((o) => o.lotId === 'lot-A-0001');
    expect(queued.map((o) => [o.type, o.createdByName])).toEqual([
      ['countersign_refund', 'mapo2'],
      ['approve_refund', 'mapo'],
    ]);
    expect(queued[0]!.summary).toMatchObject({ requestedBy: 'mapo', amount: 95_000 });
    expect(await h.fail('refunds.countersign', { commandId: r.commandId }, mapo2.session)).toMatchObject({ key: 'refunds.notAwaiting' });
  });

  it('lets only the clerk who took a request withdraw it; a colleague is refused and nothing changes', async () => {
    const r = await h.call('refunds.request', { lotId: 'lot-A-0001', reasonCode: 'buyer_request' }, mapo.session);
    const official = await h.user(admin, 'kim', 'official');
    for (const other of [mapo2, official]) {
      const refused = await h.fail('refunds.withdraw', { commandId: r.commandId }, other.session);
      expect(refused).toMatchObject({ code: 'forbidden', key: 'confirmations.withdrawNotYours' });
      expect(korean(refused)).toBe('‘mapo’ 담당자가 접수한 요청입니다. 요청은 접수한 사람만 철회할 수 있습니다');
    }
    const queue = await h.call('refunds.queue', {}, mapo.session);
    expect(queue.requests.map((q) => q.status)).toEqual(['pending']);
    expect((await h.call('sync.outbox', {}, admin)).filter((o) => o.lotId === 'lot-A-0001')).toHaveLength(1);
    expect((await h.call('refunds.withdraw', { commandId: r.commandId }, mapo.session)).status).toBe('withdrawn');
  });

  it('withdraws a request the server does not have yet, and nothing goes out', async () => {
    const r = await h.call('refunds.request', { lotId: 'lot-A-0001', reasonCode: 'buyer_request' }, mapo.session);
    const w = await h.call('refunds.withdraw', { commandId: r.commandId }, mapo.session);
    expect(w.status).toBe('withdrawn');
    expect((await h.call('sync.outbox', {}, admin)).filter((o) => o.lotId === 'lot-A-0001')).toEqual([]);
    expect(await h.fail('refunds.withdraw', { commandId: r.commandId }, mapo.session)).toMatchObject({ key: 'refunds.cannotWithdraw' });
    // Once tried, the server may hold it: no longer withdrawable.
    const again = await h.call('refunds.request', { lotId: 'lot-A-0001', reasonCode: 'buyer_request' }, mapo.session);
    await h.backend.deps.db.updateTable('outbox').set({ attempts: 1 }).where('command_id', '=', again.commandId).execute();
    expect(await h.fail('refunds.withdraw', { commandId: again.commandId }, mapo.session)).toMatchObject({ key: 'refunds.cannotWithdraw' });
    const queue = await h.call('refunds.queue', {}, mapo2.session);
    expect(queue.requests.map((q) => q.status)).toEqual(['pending', 'withdrawn']);
    expect(queue.clerks).toEqual([{ id: mapo.id, name: 'mapo' }]);
    expect((await h.call('refunds.queue', { day: '2020-01-01' }, mapo.session)).requests).toEqual([]);
  });

  it('opens the queue on what needs the counter: unfinished requests of any day and today’s; a range of days on request', async () => {
    feed([purchase('lot-A-0004', 'member-8', MAPO), purchase('lot-A-0005', 'member-8', MAPO)]);
    // 2 March (Seoul): one withdrawn, one still waiting to be sent, one the server accepted and the ledger shows.
    const withdrawnOld = await h.call('refunds.request', { lotId: 'lot-A-0001', reasonCode: 'buyer_request' }, mapo.session);
    await h.call('refunds.withdraw', { commandId: withdrawnOld.commandId }, mapo.session);
    const waitingOld = await h.call('refunds.request', { lotId: 'lot-A-0001', reasonCode: 'buyer_request' }, mapo.session);
    const doneOld = await h.call('refunds.request', { lotId: 'lot-A-0004', reasonCode: 'buyer_request' }, mapo.session);
    await h.backend.deps.db.updateTable('outbox').set({ state: 'accepted', server_seq: prev.seq + 1, resolved_at: h.clock.toISOString() }).where('command_id', '=', doneOld.commandId).execute();
    feed([{ type: 'cancel', eventId: 'c-A-0004', roundId: ROUND, lotId: 'lot-A-0004', at: h.clock.toISOString(), amount: 95_000, by: 'mapo', receiptNo: '11440-20260302-000001' }]);
    // 5 March: one taken and withdrawn today.
    h.advance(3 * 86_400_000);
    const session = await h.signIn('mapo');
    const withdrawnToday = await h.call('refunds.request', { lotId: 'lot-A-0005', reasonCode: 'buyer_request' }, session);
    await h.call('refunds.withdraw', { commandId: withdrawnToday.commandId }, session);

    const open = await h.call('refunds.queue', { view: 'open' }, session);
    expect(open.requests.map((r) => r.commandId).sort()).toEqual([waitingOld.commandId, withdrawnToday.commandId].sort());
    expect(open.shown).toEqual({ view: 'open', from: '2026-03-05', to: '2026-03-05', today: '2026-03-05' });
    const second = await h.call('refunds.queue', { view: 'range', from: '2026-03-02', to: '2026-03-02' }, session);
    expect(second.requests.map((r) => r.commandId).sort()).toEqual([withdrawnOld.commandId, waitingOld.commandId, doneOld.commandId].sort());
    expect(second.shown).toEqual({ view: 'range', from: '2026-03-02', to: '2026-03-02', today: '2026-03-05' });
    expect((await h.call('refunds.queue', { view: 'range', from: '2026-03-03', to: '2026-03-04' }, session)).requests).toEqual([]);
    const reversed = await h.fail('refunds.queue', { view: 'range', from: '2026-03-05', to: '2026-03-02' }, session);
    expect(korean(reversed)).toBe('기간의 시작일이 종료일보다 늦습니다');
    expect(await h.fail('refunds.queue', { view: 'range', from: '2026-02-30', to: '2026-03-02' }, session)).toMatchObject({ key: 'refunds.badDay' });
  });

  it('keeps analysts away from the counter altogether', async () => {
    const analyst = await h.user(admin, 'ana', 'analyst');
    for (const m of ['refunds.search', 'refunds.quote', 'refunds.queue', 'refunds.settings'] as const) {
      expect(await h.fail(m, m === 'refunds.quote' ? { lotId: 'lot-A-0001' } : m === 'refunds.search' ? { buyerId: 'member-7' } : {}, analyst.session)).toMatchObject({ code: 'forbidden' });
    }
  });

  it('closes the day: counter against server per clerk, differences listed, closed until an official reopens it', async () => {
    const a = await h.call('refunds.request', { lotId: 'lot-A-0001', reasonCode: 'buyer_request' }, mapo.session);
    await h.call('refunds.request', { lotId: 'lot-A-0002', reasonCode: 'buyer_request', account: { bank: '088', number: '110123456789', numberConfirm: '110123456789' } }, mapo2.session);
    // The server accepted mapo's cancellation today, and a refund nobody took at this counter.
    const now = h.backend.deps.now().toISOString();
    feed([
      { type: 'purchase', eventId: 'p-x', roundId: ROUND, lotId: 'lot-X', at, buyerId: 'member-x', districtCode: MAPO, face: 50_000, paid: 47_500, paymentMethod: 'bank_transfer' },
      { type: 'cancel', eventId: 'c-a', roundId: ROUND, lotId: 'lot-A-0001', at: now, amount: 95_000, by: 'mapo' },
      { type: 'cancel', eventId: 'c-x', roundId: ROUND, lotId: 'lot-X', at: now, amount: 47_500, by: 'someone' },
      purchase('lot-Y', 'member-y', MAPO),
    ]);
    const day = seoulDayKey(now);
    const c = await h.call('refunds.closing', { day }, mapo.session);
    expect(c.total).toEqual({ counter: { cancelCount: 1, cancelSum: 95_000, refundCount: 1, refundSum: 35_000 }, server: { cancelCount: 2, cancelSum: 142_500, refundCount: 0, refundSum: 0 } });
    expect(c.rows.find((r) => r.clerk === 'mapo')).toMatchObject({ counter: { cancelCount: 1, cancelSum: 95_000 }, server: { cancelCount: 1, cancelSum: 95_000 } });
    expect(c.differences.map((d) => [d.lotId, d.note]).sort()).toEqual([
      ['lot-A-0002', 'counter.diffNotAccepted'],
      ['lot-X', 'counter.diffNotTaken'],
    ]);
    expect(c.differences.find((d) => d.lotId === 'lot-A-0002')!.receiptNo).toMatch(/^가-11440-/);

    const closed = await h.call('refunds.closeDay', { day }, mapo.session);
    expect(closed.closed).toMatchObject({ by: 'mapo' });
    expect(await h.fail('refunds.closeDay', { day }, mapo2.session)).toMatchObject({ key: 'refunds.dayClosed' });
    expect(await h.fail('refunds.request', { lotId: 'lot-Y', reasonCode: 'buyer_request' }, mapo.session)).toMatchObject({ key: 'refunds.dayClosed' });
    expect(await h.fail('refunds.withdraw', { commandId: a.commandId }, mapo.session)).toMatchObject({ key: 'refunds.dayClosed' });
    expect(await h.fail('refunds.reopenDay', { day, reason: '정정' }, mapo.session)).toMatchObject({ code: 'forbidden' });
    expect(await h.fail('refunds.reopenDay', { day, districtCode: MAPO, reason: '  ' }, admin)).toMatchObject({ key: 'refunds.reopenReasonRequired' });
    const reopened = await h.call('refunds.reopenDay', { day, districtCode: MAPO, reason: '접수 누락 정정' }, admin);
    expect(reopened).toMatchObject({ closed: null, reopenings: [{ reason: '접수 누락 정정', closedBy: 'mapo' }] });
    const audit = await h.call('audit.list', {}, admin);
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(['counter.closeDay', 'counter.reopenDay']));

    const pdf = await pdfText(bytes((await h.call('refunds.closingSheet', { day, format: 'pdf' }, mapo.session)).base64));
    for (const s of ['일일 마감', '마포구', day, '창구 기록', '서버 승인', '₩95,000', '₩142,500', 'lot-X', '₩47,500', '접수 누락 정정']) expect(pdf.text).toContain(s);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from((await h.call('refunds.closingSheet', { day, format: 'xlsx' }, mapo.session)).base64, 'base64') as unknown as ArrayBuffer);
    const cells = wb.worksheets[0]!.getSheetValues().flat().filter((v) => v !== undefined && v !== null);
    expect(cells).toEqual(expect.arrayContaining(['자치구 합계', 142_500, 95_000, 'lot-A-0002']));
  });

  it('sends the closing and the reopening to the server in each user’s name', async () => {
    const day = seoulDayKey(h.backend.deps.now().toISOString());
    await h.call('refunds.closeDay', { day }, mapo.session);
    h.advance(1_000);
    await h.call('refunds.reopenDay', { day, districtCode: MAPO, reason: '정정' }, admin);
    const sent = await h.backend.deps.db.selectFrom('outbox').select(['type', 'payload', 'created_by']).orderBy('created_at').execute();
    expect(sent.map((o) => [o.type, o.created_by, JSON.parse(o.payload) as Record<string, unknown>])).toEqual([
      ['close_day', mapo.id, expect.objectContaining({ districtCode: MAPO, day })],
      ['reopen_day', expect.not.stringMatching(mapo.id), expect.objectContaining({ districtCode: MAPO, day, reason: '정정' })],
    ]);
  });

  it('shows a day another console closed on the server before the clerk starts, and takes no request until it is reopened', async () => {
    const now = h.backend.deps.now().toISOString();
    const day = seoulDayKey(now);
    expect(await h.call('refunds.dayState', {}, mapo.session)).toEqual({ day, districtCode: MAPO, closed: null });
    // Pulled from the server: closed by a clerk on another console. Nothing of it was done here.
    feed([{ type: 'day_closing', eventId: 'close-1', districtCode: MAPO, day, closed: true, by: 'mapo-elsewhere', at: now }]);
    expect(await h.call('refunds.dayState', {}, mapo.session)).toEqual({ day, districtCode: MAPO, closed: { by: 'mapo-elsewhere', at: now } });
    // Another district's counter is open.
    const gangnam = await h.user(admin, 'gangnam', 'clerk', GANGNAM);
    expect((await h.call('refunds.dayState', {}, gangnam.session)).closed).toBeNull();
    const before = { outbox: await outboxCount(), requests: await requestCount() };
    const refused = await h.fail('refunds.request', { lotId: 'lot-A-0001', reasonCode: 'buyer_request' }, mapo.session);
    expect(refused).toMatchObject({ key: 'refunds.dayClosed' });
    // The harness's day ends in 2, read 이: the topic particle is 는.
    expect(korean(refused)).toBe(`${day}는 마감된 날입니다. 공무원이 마감을 풀어야 바꿀 수 있습니다`);
    expect({ outbox: await outboxCount(), requests: await requestCount() }).toEqual(before);
    expect((await h.call('refunds.closing', { day }, mapo.session)).server).toEqual({ closed: true, by: 'mapo-elsewhere', at: now });

    // An official reopens it here: open at once, the server's closing written down with the reopening.
    h.advance(60_000);
    const reopened = await h.call('refunds.reopenDay', { day, districtCode: MAPO, reason: '환불 누락' }, admin);
    expect(reopened).toMatchObject({ closed: null, reopenings: [{ reason: '환불 누락', closedBy: '중앙 서버', closedAt: now }] });
    expect((await h.call('refunds.request', { lotId: 'lot-A-0001', reasonCode: 'buyer_request' }, mapo.session)).kind).toBe('cancel');

    // The server's reopening comes back, then a later closing from elsewhere: closed again, and this console may close a later day anew.
    h.advance(60_000);
    const later = h.backend.deps.now().toISOString();
    feed([
      { type: 'day_closing', eventId: 'reopen-1', districtCode: MAPO, day, closed: false, by: 'admin', reason: '환불 누락', at: later },
      { type: 'day_closing', eventId: 'close-2', districtCode: MAPO, day, closed: true, by: 'mapo-elsewhere', at: later },
    ]);
    expect((await h.call('refunds.dayState', {}, mapo.session)).closed).toEqual({ by: 'mapo-elsewhere', at: later });
  });
});
