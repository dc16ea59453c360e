import type { Input, Method, Output } from '#shared/api/contract.js';
import type { ErrorPayload } from '#shared/common/errors.js';
import { session, signedOut } from '../session.svelte.js';
import { createTransport } from './transport.js';

/** A failed call, carrying the backend's error payload for field-level display. */
export class ApiError extends Error {
  constructor(readonly payload: ErrorPayload) {
    super(payload.message);
    this.name = 'ApiError';
  }
}

const transport = createTransport();

/**
 * The renderer's one way to reach the backend: typed by the shared contract,
 * so a call with the wrong input or a misread result does not compile.
 */
export async function send<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
  const token = session.current?.token;
  const envelope = await transport({ method, input, session: token });
  if (envelope.ok) return envelope.result as Output<M>;
  // The backend forgot this session (expired, restarted, user disabled): back to sign-in.
  if (envelope.error.code === 'unauthenticated' && token && method !== 'auth.signIn') signedOut(true);
  throw new ApiError(envelope.error);
}
