import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed tokens of the sale: `base64url(JSON).base64url(HMAC-SHA256)`. The
 * identity stands in for the sale app's identity check (a real one would be
 * verified against that provider's key); the ticket is the sale service's own.
 * Stateless, so any sale process checks a token another one issued.
 */
export type Signed<K extends string> = { kind: K; exp: number };

export interface Identity extends Signed<'identity'> {
  buyerId: string;
  districtCode: string;
  birthYear: number;
}

export interface Ticket extends Signed<'ticket'> {
  roundId: string;
  buyerId: string;
  districtCode: string;
  birthYear: number;
  ticketId: string;
}

const mac = (secret: Buffer, body: string) => createHmac('sha256', secret).update(body).digest();

export function sign(secret: Buffer, payload: Identity | Ticket): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

/** The payload if the signature holds, it is of `kind` and not expired; else the refusal's key. */
export function verify<T extends Identity | Ticket>(secret: Buffer, token: string, kind: T['kind'], nowMs: number): { ok: true; value: T } | { ok: false; key: string } {
  const forged = { ok: false as const, key: kind === 'ticket' ? 'sale.ticketForged' : 'sale.identityForged' };
  const dot = token.indexOf('.');
  if (dot < 1) return forged;
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const want = mac(secret, body);
  if (given.length !== want.length || !timingSafeEqual(given, want)) return forged;
  let payload: T;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
  } catch {
    return forged;
  }
  if (payload.kind !== kind) return forged;
  if (!(payload.exp > nowMs)) return { ok: false, key: kind === 'ticket' ? 'sale.ticketExpired' : 'sale.identityExpired' };
  return { ok: true, value: payload };
}
