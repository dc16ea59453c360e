import type { Lot } from './rules.js';

/**
 * The `lots` columns the ledger rules read, as either store hands them back:
 * the central server's PostgreSQL gives bigint won as text and a boolean
 * `gifted`, the console's SQLite gives numbers and 0/1.
 */
export interface LotRow {
  lot_id: string;
  round_id: string;
  buyer_id: string;
  holder_id: string;
  district_code: string;
  payment_method: string;
  face: number | string;
  paid: number | string;
  discount_bp: number;
  purchased_at: string;
  expires_at: string;
  used: number | string;
  refunded: number | string;
  status: Lot['status'];
  gifted: boolean | number;
}

/** A `lots` row, from the server or a console, as the ledger rules see it. */
export function lotFromRow(r: LotRow): Lot {
  return {
    lotId: r.lot_id,
    roundId: r.round_id,
    buyerId: r.buyer_id,
    holderId: r.holder_id,
    districtCode: r.district_code,
    paymentMethod: r.payment_method as Lot['paymentMethod'],
    face: Number(r.face),
    paid: Number(r.paid),
    discountBp: r.discount_bp,
    purchasedAt: r.purchased_at,
    expiresAt: r.expires_at,
    used: Number(r.used),
    refunded: Number(r.refunded),
    status: r.status,
    gifted: r.gifted === true || r.gifted === 1,
  };
}
