import { LRUCache } from 'lru-cache';
import { verify, type Ticket } from './signing.js';

/**
 * Tickets whose signature this process has checked, by their exact text. A
 * waiting buyer presents the same ticket every poll; the HMAC over the same
 * bytes with the same key gives the same answer every time, so it is worked
 * out once per ticket per process. Only good signatures are kept (a forged
 * token is checked, and refused, every time it comes), the expiry is judged
 * again at every use, and a token differing in one character is another key.
 * Bounded: the least recently seen tickets fall out and are simply checked again.
 */
export class TicketCache {
  private readonly good: LRUCache<string, Ticket>;

  constructor(
    private readonly secret: Buffer,
    max = 200_000,
  ) {
    this.good = new LRUCache({ max });
  }

  verify(token: string, nowMs: number): { ok: true; value: Ticket } | { ok: false; key: string } {
    const known = this.good.get(token);
    if (known) return known.exp > nowMs ? { ok: true, value: known } : { ok: false, key: 'sale.ticketExpired' };
    const t = verify<Ticket>(this.secret, token, 'ticket', nowMs);
    if (t.ok) this.good.set(token, t.value);
    return t;
  }

  get size(): number {
    return this.good.size;
  }
}
