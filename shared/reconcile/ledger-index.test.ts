import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyTable, LedgerIndex } from './ledger-index.js';

describe('the columnar ledger index', () => {
  it('finds every key it was given, and no other, like a Map (grows, rehashes, keeps the latest row of a repeated key)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ maxLength: 30 }), fc.stringMatching(/^STFP[0-9]{6,24}$/), fc.constant('취소키-1')), { maxLength: 400 }), fc.array(fc.string({ maxLength: 30 }), { maxLength: 50 }), (keys, probes) => {
        const t = new KeyTable(4);
        const m = new Map<string, number>();
        keys.forEach((k, i) => {
          t.set(k, i);
          m.set(k, i);
        });
        for (const [k, i] of m) {
          expect(t.get(k)).toBe(i);
          expect(t.keyOf(i)).toBe(k);
        }
        for (const p of probes) expect(t.get(p)).toBe(m.get(p) ?? -1);
      }),
    );
  });

  it('holds kind, instant, amount and district per row in typed columns, and gives back the key and district', () => {
    const ix = new LedgerIndex(2);
    for (let i = 0; i < 5_000; i++) ix.push(i % 7 === 0 ? 'cancel' : 'approval', `STFP260310${String(i).padStart(18, '0')}`, 1_773_100_800_000 + i * 1_000, 9_300 * (1 + (i % 40)), ['11110', '11440', null][i % 3]!);
    expect(ix.size).toBe(5_000);
    expect(ix.approvedMs).toBeInstanceOf(Float64Array);
    const i = ix.keys.get(`STFP260310${String(4_243).padStart(18, '0')}`);
    expect(i).toBe(4_243);
    expect([ix.kindOf(i), ix.approvedMs[i], ix.amount[i], ix.districtOf(i)]).toEqual(['approval', 1_773_100_800_000 + 4_243_000, 9_300 * 4, '11440']);
    expect(ix.kindOf(7)).toBe('cancel');
    expect(ix.districtOf(2)).toBeNull();
    expect(ix.tidOf(17)).toBe(`STFP260310${String(17).padStart(18, '0')}`);
    expect(ix.districts).toEqual(['11110', '11440']);
    expect(ix.eventIdOf(3)).toBe('');
  });
});
