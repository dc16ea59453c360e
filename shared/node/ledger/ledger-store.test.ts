import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from '../../../tests/support/backend-harness.js';
import { spec2022 } from '../../../tests/support/specs.js';
import type { LedgerEvent, PurchaseEvent } from '../../ledger/events.js';
import type { RoundSpec } from '../../rounds/spec.js';
import { LedgerStore } from './ledger-store.js';

let h: Harness;
let store: LedgerStore;
let roundId: string;
const spec: RoundSpec = spec2022({ totalAmount: 2_000_000, perPersonMonthlyLimit: 400_000, holdingLimit: 600_000, discountBp: 500, giftReceiveCap: 300_000 });
const at = '2026-03-03T01:00:00.000Z';

async function approvedRound(s: RoundSpec): Promise<string> {
  const admin = await h.admin();
  const kim = await h.user(admin, 'kim', 'official');
  const { id } = await h.call('rounds.create', { spec: s }, kim.session);
  await h.call('rounds.transition', { id, expectedVersion: 1, action: 'approve' }, admin);
  return id;
}

beforeEach(async () => {
  h = await Harness.start();
  roundId = await approvedRound(spec);
  store = new LedgerStore(h.backend.ledger.sqlite, h.backend.deps.db);
});
afterEach(() => h.close());

let n = 0;
function buy(buyerId: string, face: number, patch: Partial<PurchaseEvent> = {}): PurchaseEvent {
  n++;
  return { type: 'purchase', eventId: `e${n}`, lotId: `l${n}`, roundId, at, buyerId, districtCode: '11440', face, paid: face - face / 20, paymentMethod: 'bank_transfer', ...patch };
}

async function snapshot() {
  const db = h.backend.deps.db;
  return {
    events: await db.selectFrom('ledger_events').selectAll().orderBy('seq').execute(),
    lots: await db.selectFrom('lots').selectAll().orderBy('lot_id').execute(),
    sales: await db.selectFrom('round_sales').selectAll().execute(),
  };
}

describe('ledger store', () => {
  it('records purchases and derives the round’s sold total', async () => {
    expect(await store.append([buy('b1', 400_000), buy('b2', 100_000)])).toEqual({ applied: 2, skipped: 0 });
    expect((await h.call('rounds.list', {}, await h.signIn('kim')))[0]).toMatchObject({ sold: 500_000, remaining: 1_500_000 });
  });

  it('refuses a batch that would oversell and writes none of it', async () => {
    await store.append([buy('b1', 400_000), buy('b2', 400_000), buy('b3', 400_000), buy('b4', 400_000)]);
    const before = await snapshot();
    await expect(store.append([buy('b5', 300_000), buy('b6', 200_000)])).rejects.toMatchObject({ code: 'rule_violation', key: 'ledger.oversold' });
    expect(await snapshot()).toEqual(before);
  });

  it('holds the monthly limit per scope and the holding limit', async () => {
    await store.append([buy('b1', 300_000)]);
    await expect(store.append([buy('b1', 200_000)])).rejects.toMatchObject({ key: 'ledger.monthlyLimit' });
    // Next month the monthly limit resets, but holding still counts.
    await store.append([buy('b1', 300_000, { at: '2026-04-01T01:00:00.000Z' })]);
    await expect(store.append([buy('b1', 100_000, { at: '2026-05-01T01:00:00.000Z' })])).rejects.toMatchObject({ key: 'ledger.holdingLimit' });
  });

  it('applies the same event id once, and refuses a different event reusing it', async () => {
    const e = buy('b1', 100_000);
    await store.append([e]);
    expect(await store.append([e])).toEqual({ applied: 0, skipped: 1 });
    await expect(store.append([{ ...e, face: 200_000, paid: 190_000 }])).rejects.toMatchObject({ key: 'ledger.idConflict' });
    expect((await snapshot()).events).toHaveLength(1);
  });

  it('returns cancelled stock and never refunds above what was paid', async () => {
    const p = buy('b1', 100_000);
    await store.append([p]);
    await expect(store.append([{ type: 'cancel', eventId: 'c1', roundId, lotId: p.lotId, at, amount: 100_000 }])).rejects.toMatchObject({ key: 'ledger.refundAmount' });
    await store.append([{ type: 'cancel', eventId: 'c1', roundId, lotId: p.lotId, at, amount: 95_000 }]);
    expect((await snapshot()).sales[0]).toMatchObject({ sold_face: 0 });
    await expect(store.append([{ type: 'cancel', eventId: 'c2', roundId, lotId: p.lotId, at, amount: 95_000 }])).rejects.toMatchObject({ key: 'ledger.lotClosed' });
  });

  it('refuses purchases in rounds that were never approved', async () => {
    await expect(store.append([buy('b1', 100_000, { roundId: 'nope' })])).rejects.toMatchObject({ key: 'ledger.roundNotApproved' });
  });

  it('keeps every invariant under any sequence of events', async () => {
    const buyers = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'];
    const months = ['2026-03-03T01:00:00.000Z', '2026-04-03T01:00:00.000Z'];
    const op = fc.oneof(
      fc.record({ k: fc.constant('buy' as const), buyer: fc.constantFrom(...buyers), units: fc.integer({ min: 1, max: 50 }), month: fc.constantFrom(...months), method: fc.constantFrom('bank_transfer' as const, 'debit_card' as const) }),
      fc.record({ k: fc.constant('use' as const), lot: fc.nat(), units: fc.integer({ min: 1, max: 40 }) }),
      fc.record({ k: fc.constant('gift' as const), lot: fc.nat(), to: fc.constantFrom(...buyers) }),
      fc.record({ k: fc.constant('return' as const), lot: fc.nat(), amount: fc.integer({ min: 0, max: 500_000 }) }),
    );
    const kim = await h.signIn('kim');
    const admin = (await h.call('auth.signIn', { username: 'admin', password: 'admin-password-1' })).token;
    let run = 0;
    const outcomes = { applied: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
        // Each run gets its own round and buyers in the same database.
        run++;
        roundId = (await h.call('rounds.create', { spec }, kim)).id;
        await h.call('rounds.transition', { id: roundId, expectedVersion: 1, action: 'approve' }, admin);
        const lots: string[] = [];
        for (const o of ops) {
          let ev: LedgerEvent;
          n++;
          if (o.k === 'buy') {
            ev = buy(`${run}-${o.buyer}`, o.units * 10_000, { at: o.month, paymentMethod: o.method });
          } else {
            const lotId = lots.length ? lots[o.lot % lots.length]! : 'none';
            const base = { eventId: `x${n}`, roundId, lotId, at: months[1]! };
            ev = o.k === 'use' ? { ...base, type: 'use', amount: o.units * 1_000, merchantDistrict: null } : o.k === 'gift' ? { ...base, type: 'gift', toBuyerId: `${run}-${o.to}` } : { ...base, type: o.amount % 2 ? 'refund' : 'cancel', amount: o.amount };
          }
          const before = await snapshot();
          try {
            await store.append([ev]);
            outcomes.applied++;
            if (ev.type === 'purchase') lots.push(ev.lotId);
          } catch (e) {
            outcomes.refused++;
            expect((e as { code?: string }).code).toBe('rule_violation');
            expect(await snapshot()).toEqual(before);
          }
        }
        const all = await snapshot();
        const rows = all.lots.filter((l) => l.round_id === roundId);
        const sales = all.sales.filter((s) => s.round_id === roundId);
        const live = rows.filter((l) => l.status !== 'cancelled');
        const sold = live.reduce((s, l) => s + l.face, 0);
        expect(sold).toBeLessThanOrEqual(spec.totalAmount);
        expect(sales[0]?.sold_face ?? 0).toBe(sold);
        for (const l of rows) {
          expect(l.used).toBeLessThanOrEqual(l.face);
          expect(l.refunded).toBeLessThanOrEqual(l.paid);
        }
        for (const b of buyers) {
          const id = `${run}-${b}`;
          const holding = rows.filter((l) => l.holder_id === id && l.status === 'active').reduce((s, l) => s + l.face - l.used, 0);
          expect(holding).toBeLessThanOrEqual(spec.holdingLimit);
          for (const m of ['2026-03', '2026-04']) {
            expect(live.filter((l) => l.buyer_id === `${run}-${b}` && l.month === m).reduce((s, l) => s + l.face, 0)).toBeLessThanOrEqual(spec.perPersonMonthlyLimit);
          }
        }
      }),
      { numRuns: 60, seed: 20220714 },
    );
    // Both paths were exercised: the rules let events through and turned some away.
    expect(outcomes.applied).toBeGreaterThan(100);
    expect(outcomes.refused).toBeGreaterThan(100);
  });
});
