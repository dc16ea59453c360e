import { describe, expect, it } from 'vitest';
import { sign, type Ticket } from '../../server/sale/signing.js';
import { TicketCache } from '../../server/sale/ticket-cache.js';

const secret = Buffer.alloc(32, 7);
const ticket = (exp: number): Ticket => ({ kind: 'ticket', exp, roundId: 'r1', buyerId: 'b1', districtCode: '11110', birthYear: 1980, ticketId: 't1' });

describe('TicketCache: a ticket checked once per process, refusals every time', () => {
  it('a good ticket checked once is still refused once it has expired', () => {
    const cache = new TicketCache(secret);
    const token = sign(secret, ticket(1_000));
    expect(cache.verify(token, 500)).toEqual({ ok: true, value: ticket(1_000) });
    expect(cache.size).toBe(1);
    expect(cache.verify(token, 999).ok).toBe(true);
    expect(cache.verify(token, 1_000)).toEqual({ ok: false, key: 'sale.ticketExpired' });
  });

  it('a token one character off a cached good one is forged', () => {
    const cache = new TicketCache(secret);
    const token = sign(secret, ticket(1_000));
    expect(cache.verify(token, 0).ok).toBe(true);
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    expect(cache.verify(token.slice(0, -1) + last, 0)).toEqual({ ok: false, key: 'sale.ticketForged' });
    // The same body signed with another key: forged, however often it comes, and never kept.
    const other = sign(Buffer.alloc(32, 8), ticket(1_000));
    expect(cache.verify(other, 0)).toEqual({ ok: false, key: 'sale.ticketForged' });
    expect(cache.verify(other, 0)).toEqual({ ok: false, key: 'sale.ticketForged' });
    expect(cache.size).toBe(1);
  });

  it('an identity is not a ticket, and an expired ticket is not kept', () => {
    const cache = new TicketCache(secret);
    const identity = sign(secret, { kind: 'identity', exp: 1_000, buyerId: 'b1', districtCode: '11110', birthYear: 1980 });
    expect(cache.verify(identity, 0)).toEqual({ ok: false, key: 'sale.ticketForged' });
    expect(cache.verify(sign(secret, ticket(10)), 20)).toEqual({ ok: false, key: 'sale.ticketExpired' });
    expect(cache.size).toBe(0);
  });

  it('stays within its bound, and a ticket that fell out is checked again', () => {
    const cache = new TicketCache(secret, 2);
    const tokens = [1, 2, 3].map((i) => sign(secret, { ...ticket(1_000), ticketId: `t${i}` }));
    for (const t of tokens) expect(cache.verify(t, 0).ok).toBe(true);
    expect(cache.size).toBe(2);
    expect(cache.verify(tokens[0]!, 0).ok).toBe(true);
  });
});
