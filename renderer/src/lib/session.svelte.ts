import { contract, type Method } from '#shared/api/contract.js';
import type { User } from '#shared/api/schemas.js';

const KEY = 'console.session';

interface Stored {
  token: string;
  user: User;
}

function load(): Stored | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Stored) : null;
  } catch {
    return null;
  }
}

/** The signed-in user for this tab; survives a reload, not a closed tab. */
export const session = $state<{ current: Stored | null; expired: boolean }>({ current: load(), expired: false });

export function signedIn(token: string, user: User): void {
  session.current = { token, user };
  session.expired = false;
  sessionStorage.setItem(KEY, JSON.stringify(session.current));
}

export function signedOut(expired = false): void {
  session.current = null;
  session.expired = expired;
  sessionStorage.removeItem(KEY);
}

export function isManager(): boolean {
  const role = session.current?.user.role;
  return role === 'admin' || role === 'official';
}

/** Whether the signed-in user's role may call `method`: buttons they may not use are not shown (the backend refuses them anyway). */
export function may(method: Method): boolean {
  const role = session.current?.user.role;
  const access = contract[method].access;
  return role !== undefined && (access === 'public' || access.includes(role));
}
