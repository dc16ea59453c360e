import type { Lot } from '../../ledger/rules.js';
import type { LotsTable } from '../db/schema.js';

/** A `lots` row as the ledger rules see it. */
export function lotFromRow(r: LotsTable): Lot {
  return {
    lotId: r.lot_id,
    roundId: r.round_id,
    buyerId: r.buyer_id,
    holderId: r.holder_id,
    districtCode: r.district_code,
    paymentMethod: r.payment_method as Lot['paymentMethod'],
    face: r.face,
    paid: r.paid,
    discountBp: r.discount_bp,
    purchasedAt: r.purchased_at,
    expiresAt: r.expires_at,
    used: r.used,
    refunded: r.refunded,
    status: r.status,
    gifted: r.gifted === 1,
  };
}
