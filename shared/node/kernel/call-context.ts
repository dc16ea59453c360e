import type { Method, Output, ParsedInput } from '../../api/contract.js';
import type { KernelDeps } from './deps.js';
import type { SessionUser } from './session-user.js';

export interface CallContext<D extends KernelDeps = KernelDeps> {
  deps: D;
  /** Null only for public procedures called without a session. */
  user: SessionUser | null;
  sessionToken: string | undefined;
}

export type Handler<M extends Method, D extends KernelDeps = KernelDeps> = (input: ParsedInput<M>, ctx: CallContext<D>) => Promise<Output<M>>;

/** The handlers of every method whose name starts with `prefix.`, reaching the deps `D` their capability declares. */
export type HandlersFor<Prefix extends string, D extends KernelDeps = KernelDeps> = {
  [M in Method as M extends `${Prefix}.${string}` ? M : never]: Handler<M, D>;
};

export function requireUser(ctx: CallContext<KernelDeps>): SessionUser {
  if (!ctx.user) throw new Error('handler reached without a user; the dispatcher checks access first');
  return ctx.user;
}
