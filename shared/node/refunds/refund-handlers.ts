import { AppError } from '../../common/errors.js';
import { findBank } from '../../common/banks.js';
import { seoulDayKey, seoulDayRange } from '../../common/time.js';
import { isCalendarDay } from '../../common/buyer-identity.js';
import type { Output } from '../../api/contract.js';
import { REFUND_REASONS } from '../../api/refund-schemas.js';
import { quoteRefund, refundWorking } from '../../ledger/rules.js';
import { appendAudit } from '../kernel/audit-append.js';
import type { SessionUser } from '../kernel/session-user.js';
import { requireUser, type CallContext, type HandlersFor } from '../kernel/call-context.js';
import type { KernelDeps } from '../kernel/deps.js';
import { pendingRequest, visibleLot } from '../ledger/ledger-handlers.js';
import { newCommandId } from '../kernel/command-ids.js';
import { enqueueCommand } from '../kernel/outbox.js';
import { counterScope, lotOfServerReceipt, lotView, maskAccount, nextReceiptNo, requestViews, roundNames, workingView } from './counter-repo.js';
import { assertDayOpen, closingFigures, dayClosedBy, serverDay } from './closing.js';
import { buildClosingPdf, buildClosingXlsx } from './closing-sheet.js';
import { buildReceiptPdf } from './receipt-pdf.js';
import { findReportFonts } from '../pdf/fonts.js';
import { findBuyer } from './find-buyer.js';

const BUYER_ID = /^[A-Za-z0-9._-]{1,64}$/;
const LOT_PART = /^[A-Za-z0-9_-]{3,64}$/;
/** A receipt number as typed: the server's, or the counter's provisional one (가-…). */
const RECEIPT_NO = /^(가-)?[0-9A-Z-]{6,40}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const SEARCH_LIMIT = 200;

const bad = (key: string, params?: Record<string, string | number>): never => {
  throw new AppError('invalid_input', key, params);
};

async function countersignAbove(ctx: CallContext): Promise<number | null> {
  return (await ctx.deps.db.selectFrom('counter_settings').select('countersign_above').where('id', '=', 1).executeTakeFirstOrThrow()).countersign_above;
}

/** A request of the user's district (every district for officials and administrators), or not found. */
async function ownRequest(ctx: CallContext, user: SessionUser, commandId: string) {
  const [req] = await requestViews(ctx.deps.db, { commandId, districtCode: counterScope(user) });
  if (!req) throw new AppError('not_found', 'refunds.requestNotFound', { id: commandId });
  return req;
}

/** A withdrawal waits for a running sync, which may be sending the very command. */
export interface RefundDeps extends KernelDeps {
  sync: { readonly isBusy: boolean; signInsSettled(): Promise<void> };
}

export const refundHandlers: HandlersFor<'refunds', RefundDeps> = {
  /**
   * Finds lots at the counter by buyer, part of a lot number, receipt number or
   * purchase days (Seoul), inside the clerk's district: a lot of another district
   * is simply not found, as on the server.
   */
  'refunds.search': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db } = ctx.deps;
    const buyerId = input.buyerId?.trim() || undefined;
    const lotPart = input.lotPart?.trim() || undefined;
    const receiptNo = input.receiptNo?.trim().toUpperCase() || undefined;
    const fromDay = input.fromDay || undefined;
    const toDay = input.toDay || undefined;
    if (!buyerId && !lotPart && !receiptNo && !fromDay && !toDay) bad('refunds.needCriterion');
    if (buyerId && !BUYER_ID.test(buyerId)) bad('refunds.badBuyerId');
    if (lotPart && !LOT_PART.test(lotPart)) bad('refunds.badLotPart');
    if (receiptNo && !RECEIPT_NO.test(receiptNo)) bad('refunds.badReceiptNo');
    for (const d of [fromDay, toDay]) if (d && (!DAY.test(d) || Number.isNaN(Date.parse(d)))) bad('refunds.badDay', { day: d });
    if (fromDay && toDay && fromDay > toDay) bad('refunds.dayOrder');
    const scope = counterScope(user);

    let lotIds: string[] | null = null;
    if (receiptNo) {
      // Taken here (either number), or the server's number of a request another console took.
      const [taken] = await requestViews(db, { receiptNo, districtCode: scope });
      const lotId = taken?.lotId ?? (await lotOfServerReceipt(db, receiptNo, scope));
      if (!lotId) throw new AppError('not_found', 'refunds.unknownReceipt', { receiptNo });
      lotIds = [lotId];
    }
    let q = db.selectFrom('lots').selectAll();
    if (scope !== null) q = q.where('district_code', '=', scope);
    if (lotIds) q = q.where('lot_id', 'in', lotIds);
    if (buyerId) q = q.where('buyer_id', '=', buyerId);
    if (lotPart) q = q.where('lot_id', 'like', `%${lotPart}%`);
    if (fromDay) q = q.where('purchased_at', '>=', seoulDayRange(fromDay).from);
    if (toDay) q = q.where('purchased_at', '<', seoulDayRange(toDay).to);
    const rows = await q.orderBy('purchased_at', 'desc').orderBy('lot_id').limit(SEARCH_LIMIT + 1).execute();
    // A buyer with no lot here is named as such: a typo reads differently from "nothing refundable".
    if (buyerId && rows.length === 0) throw new AppError('not_found', 'refunds.unknownBuyer', { buyerId });
    const names = await roundNames(db, rows.map((r) => r.round_id));
    return { lots: rows.slice(0, SEARCH_LIMIT).map((r) => lotView(r, names.get(r.round_id)!)), truncated: rows.length > SEARCH_LIMIT };
  },

  'refunds.findBuyer': (input, ctx) => findBuyer(input, ctx),

  /** The working for one lot at this moment, with the request open on it. */
  'refunds.quote': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, now } = ctx.deps;
    const { row, lot, spec } = await visibleLot(db, user, input.lotId);
    const open = (await requestViews(db, { lotId: lot.lotId })).find((r) => r.status === 'awaiting_second' || r.status === 'pending') ?? null;
    return {
      lot: lotView(row, spec.name),
      working: workingView(refundWorking(lot, spec, now().toISOString())),
      countersignAbove: await countersignAbove(ctx),
      openRequest: open,
    };
  },

  /**
   * A clerk's refund or cancellation, confirmed with a reason (and a payout
   * account for a partial refund): quoted again from the local ledger under the
   * round's rule, given a receipt number, and sent to the server in the clerk's
   * name — or, above the administrator's amount, held until a second person
   * approves it. The local ledger changes only when the server's event comes back.
   */
  'refunds.request': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, now, vault } = ctx.deps;
    const reasonText = input.reasonText.trim();
    if (!(REFUND_REASONS as readonly string[]).includes(input.reasonCode)) bad('refunds.reasonRequired');
    if (input.reasonCode === 'other' && reasonText === '') bad('refunds.reasonTextRequired');
    const { lot, spec } = await visibleLot(db, user, input.lotId);
    const at = now().toISOString();
    const working = refundWorking(lot, spec, at);
    const quote = working.outcome;
    if (!quote.ok) throw new AppError('rule_violation', quote.key, quote.params);
    let account: { sealed: string; masked: string } | null = null;
    if (quote.value.kind === 'refund') {
      const bankText = input.account?.bank.trim() ?? '';
      const digits = (input.account?.number ?? '').replace(/[\s-]/g, '');
      if (!bankText || !digits) bad('refunds.accountRequired');
      const bank = findBank(bankText);
      if (!bank) bad('confirmations.bankUnknown', { bank: bankText });
      if (!/^\d{10,16}$/.test(digits)) bad('refunds.badAccount');
      // Typed twice, compared as digits: one slip in a number nobody reads back sends public money to a stranger.
      const confirm = input.account?.numberConfirm;
      if (confirm === undefined || confirm.trim() === '') bad('confirmations.accountConfirmRequired');
      if (confirm!.replace(/[\s-]/g, '') !== digits) bad('confirmations.accountMismatch');
      account = { sealed: vault.seal(JSON.stringify({ bank: bank!.ko, bankCode: bank!.code, number: digits })), masked: maskAccount(bank!.ko, digits) };
    }
    const threshold = await countersignAbove(ctx);
    const needsSecond = threshold !== null && quote.value.amount > threshold;
    const commandId = newCommandId();
    const receiptNo = await db.transaction().execute(async (trx) => {
      await assertDayOpen(trx, lot.districtCode, seoulDayKey(at));
      if (await pendingRequest(trx, lot.lotId)) throw new AppError('conflict', 'refunds.alreadyRequested');
      const waiting = await trx.selectFrom('counter_requests').select('command_id').where('lot_id', '=', lot.lotId).where('state', '=', 'awaiting_second').executeTakeFirst();
      if (waiting) throw new AppError('conflict', 'refunds.alreadyRequested');
      const receipt = await nextReceiptNo(trx, lot.districtCode);
      await trx
        .insertInto('counter_requests')
        .values({
          command_id: commandId,
          receipt_no: receipt,
          lot_id: lot.lotId,
          round_id: lot.roundId,
          district_code: lot.districtCode,
          buyer_id: lot.buyerId,
          kind: quote.value.kind,
          amount: quote.value.amount,
          working: JSON.stringify(workingView(working)),
          reason_code: input.reasonCode,
          reason_text: reasonText,
          account_sealed: account?.sealed ?? null,
          account_masked: account?.masked ?? null,
          clerk_id: user.id,
          created_at: at,
          state: needsSecond ? 'awaiting_second' : 'queued',
        })
        .execute();
      // The server quotes again at its own time and records it in this clerk's name; `requestedAt` is for the record only.
      if (!needsSecond) {
        await enqueueCommand(trx, now(), { type: 'approve_refund', commandId, requestedAt: at, roundId: lot.roundId, lotId: lot.lotId, kind: quote.value.kind, amount: quote.value.amount }, user.id);
      }
      await appendAudit(trx, {
        at,
        actorId: user.id,
        actorName: user.displayName,
        action: `refund.${quote.value.kind}`,
        entityType: 'lot',
        entityId: lot.lotId,
        details: { commandId, receiptNo: receipt, amount: quote.value.amount, roundId: lot.roundId, districtCode: lot.districtCode, reason: input.reasonCode, awaitingSecond: needsSecond },
      });
      return receipt;
    });
    return { commandId, receiptNo, kind: quote.value.kind, amount: quote.value.amount, awaitingSecond: needsSecond };
  },

  /**
   * The second person: another clerk of the district or an official approves a
   * request held above the amount. Both commands go to the outbox, the
   * countersignature first and each in its author's name; the server applies
   * the refund only when it holds both.
   */
  'refunds.countersign': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, now } = ctx.deps;
    const req = await ownRequest(ctx, user, input.commandId);
    if (req.status !== 'awaiting_second') throw new AppError('conflict', 'refunds.notAwaiting');
    if (req.clerkId === user.id) throw new AppError('forbidden', 'refunds.selfCountersign');
    const { lot, spec } = await visibleLot(db, user, req.lotId);
    const at = now().toISOString();
    // The lot may have been used since: a changed quote is a new request, not this one.
    const quote = quoteRefund(lot, spec, at);
    if (!quote.ok) throw new AppError('rule_violation', quote.key, quote.params);
    if (quote.value.kind !== req.kind || quote.value.amount !== req.amount) throw new AppError('conflict', 'refunds.quoteChanged', { amount: quote.value.amount });
    const requester = await db.selectFrom('users').select('username').where('id', '=', req.clerkId).executeTakeFirstOrThrow();
    await db.transaction().execute(async (trx) => {
      await assertDayOpen(trx, req.districtCode, seoulDayKey(req.createdAt));
      const changed = await trx
        .updateTable('counter_requests')
        .set({ state: 'queued', countersigned_by: user.id, countersigned_at: at })
        .where('command_id', '=', req.commandId)
        .where('state', '=', 'awaiting_second')
        .executeTakeFirst();
      if (Number(changed.numUpdatedRows) !== 1) throw new AppError('conflict', 'refunds.notAwaiting');
      const base = { roundId: req.roundId, lotId: req.lotId, kind: req.kind, amount: req.amount };
      await enqueueCommand(trx, now(), { type: 'countersign_refund', commandId: newCommandId(), requestCommandId: req.commandId, requestedBy: requester.username, ...base }, user.id);
      await enqueueCommand(trx, now(), { type: 'approve_refund', commandId: req.commandId, requestedAt: req.createdAt, ...base }, req.clerkId);
      await appendAudit(trx, {
        at,
        actorId: user.id,
        actorName: user.displayName,
        action: 'refund.countersign',
        entityType: 'lot',
        entityId: req.lotId,
        details: { commandId: req.commandId, receiptNo: req.receiptNo, amount: req.amount, requestedBy: requester.username },
      });
    });
    return (await requestViews(db, { commandId: req.commandId }))[0]!;
  },

  /**
   * Withdraws a request the server does not have yet: one waiting for a second
   * person, or one queued and never sent. Refused while a sync runs, since the
   * command may be on its way.
   */
  'refunds.withdraw': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, now, sync } = ctx.deps;
    const req = await ownRequest(ctx, user, input.commandId);
    // Only the clerk who took the request may take it back: a colleague (or an official) withdrawing it would
    // undo another person's act at the counter, and a countersigner must never be able to cancel instead.
    if (req.clerkId !== user.id) throw new AppError('forbidden', 'confirmations.withdrawNotYours', { name: req.clerkName });
    if (req.status !== 'awaiting_second' && req.status !== 'pending') throw new AppError('conflict', 'refunds.cannotWithdraw');
    if (sync.isBusy) throw new AppError('conflict', 'refunds.syncRunning');
    const at = now().toISOString();
    await db.transaction().execute(async (trx) => {
      await assertDayOpen(trx, req.districtCode, seoulDayKey(req.createdAt));
      if (req.status === 'pending') {
        const row = await trx.selectFrom('outbox').select(['state', 'attempts']).where('command_id', '=', req.commandId).executeTakeFirst();
        // Tried once already: the server may hold it even if its answer never came back.
        if (!row || row.state !== 'pending' || row.attempts > 0) throw new AppError('conflict', 'refunds.cannotWithdraw');
        await trx.deleteFrom('outbox').where('lot_id', '=', req.lotId).where('state', '=', 'pending').where('type', 'in', ['approve_refund', 'countersign_refund']).execute();
      }
      await trx.updateTable('counter_requests').set({ state: 'withdrawn', withdrawn_by: user.id, withdrawn_at: at }).where('command_id', '=', req.commandId).execute();
      await appendAudit(trx, {
        at,
        actorId: user.id,
        actorName: user.displayName,
        action: 'refund.withdraw',
        entityType: 'lot',
        entityId: req.lotId,
        details: { commandId: req.commandId, receiptNo: req.receiptNo, amount: req.amount },
      });
    });
    return (await requestViews(db, { commandId: req.commandId }))[0]!;
  },

  /** The district's requests (all districts for officials), newest first, by Seoul day and clerk. */
  'refunds.queue': async (input, ctx) => {
    const user = requireUser(ctx);
    for (const d of [input.day, input.from, input.to]) if (d && (!DAY.test(d) || !isCalendarDay(d))) bad('refunds.badDay', { day: d });
    const today = seoulDayKey(ctx.deps.now().toISOString());
    let window: { fromAt?: string; toAt?: string; openOrSince?: string };
    let shown: Output<'refunds.queue'>['shown'];
    if (input.view === 'open') {
      window = { openOrSince: seoulDayRange(today).from };
      shown = { view: 'open', from: today, to: today, today };
    } else if (input.view === 'range') {
      const from = input.from ?? today;
      const to = input.to ?? from;
      if (from > to) bad('queueView.badRange');
      window = { fromAt: seoulDayRange(from).from, toAt: seoulDayRange(to).to };
      shown = { view: 'range', from, to, today };
    } else if (input.day) {
      const range = seoulDayRange(input.day);
      window = { fromAt: range.from, toAt: range.to };
      shown = { view: 'day', from: input.day, to: input.day, today };
    } else {
      window = {};
      shown = { view: 'all', from: null, to: null, today };
    }
    const requests = await requestViews(ctx.deps.db, {
      districtCode: counterScope(user),
      ...window,
      ...(input.clerkId ? { clerkId: input.clerkId } : {}),
    });
    const clerks = new Map(requests.map((r) => [r.clerkId, r.clerkName]));
    return { requests, clerks: [...clerks].map(([id, name]) => ({ id, name })), shown };
  },

  /** The receipt (접수증) as a PDF: the request as taken, or the server's answer once it came. Reprintable at any time. */
  'refunds.receipt': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, now } = ctx.deps;
    const req = await ownRequest(ctx, user, input.commandId);
    if (input.copy === 'answer' && req.status !== 'accepted' && req.status !== 'rejected' && req.status !== 'sent') throw new AppError('conflict', 'refunds.noAnswerYet');
    const names = await roundNames(db, [req.roundId]);
    const pdf = await buildReceiptPdf({ request: req, roundName: names.get(req.roundId)!, width: input.width, copy: input.copy, printedAt: now().toISOString(), printedBy: user.displayName, lang: 'ko' }, findReportFonts());
    return { filename: `접수증 ${req.receiptNo}${input.copy === 'answer' ? ' 결과' : ''}.pdf`, base64: pdf.toString('base64') };
  },

  'refunds.settings': async (_input, ctx) => ({ countersignAbove: await countersignAbove(ctx) }),

  /** Administrators set the two-person amount here and on the server (through the outbox, in their name). */
  'refunds.setThreshold': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, now } = ctx.deps;
    const at = now().toISOString();
    await db.transaction().execute(async (trx) => {
      await trx.updateTable('counter_settings').set({ countersign_above: input.countersignAbove, updated_by: user.id, updated_at: at }).where('id', '=', 1).execute();
      await enqueueCommand(trx, now(), { type: 'set_refund_threshold', commandId: newCommandId(), amount: input.countersignAbove }, user.id);
      await appendAudit(trx, { at, actorId: user.id, actorName: user.displayName, action: 'refund.setThreshold', entityType: 'settings', entityId: 'counter', details: { countersignAbove: input.countersignAbove } });
    });
    return { countersignAbove: input.countersignAbove };
  },

  /** The day's closing figures for the clerk's district (any district for officials). */
  'refunds.closing': async (input, ctx) => {
    const user = requireUser(ctx);
    return closingFigures(ctx.deps.db, closingDistrict(user, input), checkDay(input.day));
  },

  /** Whether the counter takes work today (Seoul day) in the user's district: the counter tab's banner, before the clerk starts. */
  'refunds.dayState': async (input, ctx) => {
    const user = requireUser(ctx);
    const district = closingDistrict(user, input);
    const day = seoulDayKey(ctx.deps.now().toISOString());
    return { day, districtCode: district, closed: await dayClosedBy(ctx.deps.db, district, day) };
  },

  /**
   * Closes the district's day as it stands; nothing of that day changes at the
   * counter until an official reopens it. The server is told in the user's name
   * (`close_day`): it refuses that district's refunds on that day from then on.
   */
  'refunds.closeDay': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, now } = ctx.deps;
    const district = closingDistrict(user, input);
    const day = checkDay(input.day);
    const at = now().toISOString();
    await db.transaction().execute(async (trx) => {
      await assertDayOpen(trx, district, day);
      await closeReopenedOnServer(trx, district, day);
      const figures = await closingFigures(trx, district, day);
      await enqueueCommand(trx, now(), { type: 'close_day', commandId: newCommandId(), districtCode: district, day }, user.id);
      await trx.insertInto('counter_closings').values({ district_code: district, day, closed_by: user.id, closed_at: at, figures: JSON.stringify(figures) }).execute();
      await appendAudit(trx, { at, actorId: user.id, actorName: user.displayName, action: 'counter.closeDay', entityType: 'district_day', entityId: `${district}:${day}`, details: { total: figures.total, differences: figures.differences.length } });
    });
    return closingFigures(db, district, day);
  },

  /**
   * Officials only: reopens a closed day, with a reason, kept in the audit log
   * and on the closing sheet, and sent to the server in their name (`reopen_day`).
   * A day closed on another console has no closing row here: the server's
   * closing is written down first, so the sheet shows who closed and who reopened.
   */
  'refunds.reopenDay': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, now } = ctx.deps;
    const district = closingDistrict(user, input);
    const day = checkDay(input.day);
    const reason = input.reason.trim();
    if (!reason) bad('refunds.reopenReasonRequired');
    const at = now().toISOString();
    await db.transaction().execute(async (trx) => {
      if (!(await dayClosedBy(trx, district, day))) throw new AppError('conflict', 'refunds.dayNotClosed', { day });
      const server = await serverDay(trx, district, day);
      const ownOpen = await trx.selectFrom('counter_closings').select('id').where('district_code', '=', district).where('day', '=', day).where('reopened_at', 'is', null).executeTakeFirst();
      if (!ownOpen && server?.closed) {
        const figures = await closingFigures(trx, district, day);
        await trx.insertInto('counter_closings').values({ district_code: district, day, closed_by: 'server', closed_at: server.at, figures: JSON.stringify(figures) }).execute();
      }
      await enqueueCommand(trx, now(), { type: 'reopen_day', commandId: newCommandId(), districtCode: district, day, reason }, user.id);
      const changed = await trx
        .updateTable('counter_closings')
        .set({ reopened_by: user.id, reopened_at: at, reopen_reason: reason })
        .where('district_code', '=', district)
        .where('day', '=', day)
        .where('reopened_at', 'is', null)
        .executeTakeFirst();
      if (Number(changed.numUpdatedRows) !== 1) throw new AppError('conflict', 'refunds.dayNotClosed', { day });
      await appendAudit(trx, { at, actorId: user.id, actorName: user.displayName, action: 'counter.reopenDay', entityType: 'district_day', entityId: `${district}:${day}`, details: { reason } });
    });
    return closingFigures(db, district, day);
  },

  /** The closing sheet as PDF or XLSX. */
  'refunds.closingSheet': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, now } = ctx.deps;
    const figures = await closingFigures(db, closingDistrict(user, input), checkDay(input.day));
    const name = `일일 마감 ${figures.districtCode} ${figures.day}`;
    if (input.format === 'xlsx') return { filename: `${name}.xlsx`, base64: (await buildClosingXlsx(figures, 'ko')).toString('base64') };
    return { filename: `${name}.pdf`, base64: (await buildClosingPdf(figures, 'ko', findReportFonts(), user.displayName, now().toISOString())).toString('base64') };
  },
};

/**
 * This console's closing of a day stays open in its table after the server
 * reopened the day from another console; before a new closing it is marked
 * reopened as the server said, so the table keeps one open closing a day.
 */
async function closeReopenedOnServer(trx: Parameters<typeof serverDay>[0], district: string, day: string): Promise<void> {
  const server = await serverDay(trx, district, day);
  if (!server || server.closed) return;
  await trx
    .updateTable('counter_closings')
    .set({ reopened_by: 'server', reopened_at: server.at, reopen_reason: server.reason ?? '' })
    .where('district_code', '=', district)
    .where('day', '=', day)
    .where('reopened_at', 'is', null)
    .execute();
}

function checkDay(day: string): string {
  if (!DAY.test(day) || Number.isNaN(Date.parse(day))) bad('refunds.badDay', { day });
  return day;
}

/** A clerk closes their own district; officials and administrators name one. */
function closingDistrict(user: SessionUser, input: { districtCode?: string | undefined }): string {
  const own = counterScope(user);
  if (own !== null) return own;
  if (!input.districtCode) bad('refunds.districtRequired');
  return input.districtCode!;
}
