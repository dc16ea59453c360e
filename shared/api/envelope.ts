import type { ErrorPayload } from '../common/errors.js';

/** What every transport carries back for a call. */
export type Envelope<T = unknown> = { ok: true; result: T } | { ok: false; error: ErrorPayload };

export interface InvokeRequest {
  method: string;
  input: unknown;
  /** Session token from auth.signIn; absent for public procedures. */
  session?: string | undefined;
}

/** HTTP status a web host answers with for an error code. */
export const HTTP_STATUS: Record<ErrorPayload['code'], number> = {
  invalid_input: 400,
  unknown_method: 404,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  validation_failed: 422,
  rule_violation: 422,
  rate_limited: 429,
  internal: 500,
};
