import { describe, expect, it } from 'vitest';
import { lotFromRow, type LotRow } from './lot-row.js';
import type { Lot } from './rules.js';

const common = {
  lot_id: 'l1',
  round_id: 'r1',
  buyer_id: 'b1',
  holder_id: 'b2',
  district_code: '11440',
  payment_method: 'debit_card',
  discount_bp: 700,
  purchased_at: '2022-07-14T01:00:00.000Z',
  expires_at: '2027-07-14T01:00:00.000Z',
  status: 'active',
} as const;

// Written out by hand: the lot both stores' rows describe.
const expected: Lot = {
  lotId: 'l1',
  roundId: 'r1',
  buyerId: 'b1',
  holderId: 'b2',
  districtCode: '11440',
  paymentMethod: 'debit_card',
  face: 400_000,
  paid: 372_000,
  discountBp: 700,
  purchasedAt: '2022-07-14T01:00:00.000Z',
  expiresAt: '2027-07-14T01:00:00.000Z',
  used: 50_000,
  refunded: 0,
  status: 'active',
  gifted: true,
};

describe('lotFromRow', () => {
  it('reads a PostgreSQL row: bigint won as text, a boolean gift flag', () => {
    const row: LotRow = { ...common, face: '400000', paid: '372000', used: '50000', refunded: '0', gifted: true };
    expect(lotFromRow(row)).toEqual(expected);
  });

  it('reads an SQLite row: numbers and a 0/1 gift flag', () => {
    const row: LotRow = { ...common, face: 400_000, paid: 372_000, used: 50_000, refunded: 0, gifted: 1 };
    expect(lotFromRow(row)).toEqual(expected);
  });

  it('reads a lot never gifted as not gifted from either store', () => {
    expect(lotFromRow({ ...common, face: 1, paid: 1, used: 0, refunded: 0, gifted: 0 }).gifted).toBe(false);
    expect(lotFromRow({ ...common, face: '1', paid: '1', used: '0', refunded: '0', gifted: false }).gifted).toBe(false);
  });
});
