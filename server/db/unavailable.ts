/**
 * Why the database cannot answer right now, when an error says so: the
 * connection dropped or was refused, the server is restarting or shutting
 * down, the disk is full. These are passing states the server answers with 503
 * and recovers from by itself; anything else is a real error (500).
 */
export type UnavailableReason = 'connection lost' | 'database restarting' | 'disk full' | 'out of resources' | 'database failed';

const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

const MESSAGES: [RegExp, UnavailableReason][] = [
  [/Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Connection ended/i, 'connection lost'],
  // PGlite after its WebAssembly instance aborted (a failed write it cannot survive).
  [/^Aborted\(|PGlite is closed/i, 'database failed'],
];

export function unavailableReason(e: unknown): UnavailableReason | null {
  if (!(e instanceof Error)) return null;
  if (e instanceof DatabaseUnavailable) return e.reason;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NODE_CODES.has(code)) return 'connection lost';
    // SQLSTATE: class 08 connection exception; 57P01-03 shutdown / crash / starting up; 53 insufficient resources.
    if (code.startsWith('08')) return 'connection lost';
    if (code === '57P01' || code === '57P02' || code === '57P03') return 'database restarting';
    if (code === '53100') return 'disk full';
    if (code.startsWith('53')) return 'out of resources';
  }
  for (const [re, reason] of MESSAGES) if (re.test(e.message)) return reason;
  if (e instanceof AggregateError) for (const inner of e.errors) if (unavailableReason(inner)) return unavailableReason(inner);
  return null;
}

export class DatabaseUnavailable extends Error {
  constructor(
    readonly reason: UnavailableReason,
    cause?: unknown,
  ) {
    super(`database unavailable: ${reason}`, { cause });
  }
}
