import { AppError } from '../../common/errors.js';
import { quoteRefund } from '../../ledger/rules.js';
import { appendAudit } from '../audit/chain.js';
import { requireUser, type HandlersFor } from '../backend/context.js';
import { pendingRequest, visibleLot } from '../ledger/ledger-handlers.js';
import { newCommandId } from '../sync/sync-service.js';

export const refundHandlers: HandlersFor<'refunds'> = {
  /**
   * A clerk's refund or cancellation: quoted from the local ledger under the
   * round's rule, then sent to the server, which decides against the record.
   * The local ledger changes only when the server's event comes back.
   */
  'refunds.request': async (input, ctx) => {
    const user = requireUser(ctx);
    const { db, now, sync } = ctx.deps;
    const { lot, spec } = await visibleLot(db, user, input.lotId);
    const at = now().toISOString();
    const quote = quoteRefund(lot, spec, at);
    if (!quote.ok) throw new AppError('rule_violation', quote.key, quote.params);
    const commandId = newCommandId();
    await db.transaction().execute(async (trx) => {
      if (await pendingRequest(trx, lot.lotId)) throw new AppError('conflict', 'refunds.alreadyRequested');
      // The server quotes again at its own time and records it in this clerk's name; `requestedAt` is for the record only.
      await sync.enqueue(trx, { type: 'approve_refund', commandId, requestedAt: at, roundId: lot.roundId, lotId: lot.lotId, kind: quote.value.kind, amount: quote.value.amount }, user.id);
      await appendAudit(trx, {
        at,
        actorId: user.id,
        actorName: user.displayName,
        action: `refund.${quote.value.kind}`,
        entityType: 'lot',
        entityId: lot.lotId,
        details: { commandId, amount: quote.value.amount, roundId: lot.roundId, districtCode: lot.districtCode },
      });
    });
    return { commandId, kind: quote.value.kind, amount: quote.value.amount };
  },
};
