import type { z } from 'zod';
import { contract, isMethod, type Method } from '../../api/contract.js';
import type { Envelope, InvokeRequest } from '../../api/envelope.js';
import { AppError, type ErrorPayload, type Issue } from '../../common/errors.js';
import { translate } from '../../i18n/index.js';
import { loadSessionUser } from '../auth/users-repo.js';
import type { CallContext } from '../kernel/call-context.js';
import type { BackendDeps, HandlerMap } from './deps.js';

/** All a user whose password failed the policy at sign-in may do until they change it. */
const PASSWORD_CHANGE_STEP: ReadonlySet<string> = new Set(['auth.me', 'auth.changePassword', 'auth.signOut']);

export interface DispatchOptions {
  /** Parse every result against its output schema too (tests turn this on to catch contract drift). */
  checkOutputs?: boolean;
}

function payload(code: ErrorPayload['code'], key: string, params?: Record<string, string | number>, issues?: Issue[]): ErrorPayload {
  return {
    code,
    key,
    message: translate('en', key, params),
    ...(params ? { params } : {}),
    ...(issues ? { issues } : {}),
  };
}

/**
 * Schema failures as issues people can read: a message key per kind of
 * failure, the field's path (the console names it by its label, with the
 * particle that agrees) and the bound; zod's own English stays in `detail`
 * for logs only, never on screen.
 */
export function zodIssues(error: z.ZodError): Issue[] {
  return error.issues.map((i) => {
    const path = i.path.map(String).join('.');
    // A refinement that names its own message key (see reports/params.ts) is shown in the user's language.
    if (i.code === 'custom' && typeof i.params?.i18n === 'string') {
      return { path, code: i.params.i18n as string, severity: 'error' as const, params: (i.params.values ?? {}) as Record<string, string | number> };
    }
    const params: Record<string, string | number> = { fieldPath: path || '(input)', detail: `${path || '(input)'}: ${i.message}` };
    const bound = (v: unknown) => (typeof v === 'number' || typeof v === 'bigint' ? Number(v) : undefined);
    let code = 'issues.input.invalid';
    if (i.code === 'too_small' || i.code === 'too_big') {
      const small = i.code === 'too_small';
      const n = bound(small ? (i as { minimum?: unknown }).minimum : (i as { maximum?: unknown }).maximum);
      const origin = (i as { origin?: string }).origin;
      if (n !== undefined) params[small ? 'min' : 'max'] = n;
      if (origin === 'string') code = small ? (n === 1 ? 'issues.input.required' : 'issues.input.tooShort') : 'issues.input.tooLong';
      else if (origin === 'array' || origin === 'set') code = small ? 'issues.input.tooFew' : 'issues.input.tooMany';
      else code = small ? 'issues.input.tooLow' : 'issues.input.tooHigh';
    } else if (i.code === 'invalid_type') code = 'issues.input.wrongType';
    else if (i.code === 'invalid_value') code = 'issues.input.notAllowed';
    else if (i.code === 'invalid_format') code = 'issues.input.badFormat';
    else if (i.code === 'unrecognized_keys') {
      code = 'issues.input.unknownField';
      params.keys = (i as { keys?: string[] }).keys?.join(', ') ?? '';
    }
    return { path, code, severity: 'error' as const, params };
  });
}

/**
 * The single entry point every transport (IPC, HTTP, tests) goes through:
 * known method → input schema → session and role → handler → envelope.
 * Nothing reaches a handler unvalidated or unauthorised.
 */
export function createDispatcher(deps: BackendDeps, handlers: HandlerMap, options: DispatchOptions = {}) {
  return async function invoke(request: InvokeRequest): Promise<Envelope> {
    const { method, input, session } = request;
    if (!isMethod(method)) {
      return { ok: false, error: payload('unknown_method', 'errors.unknown_method', { method: String(method).slice(0, 80) }) };
    }
    const procedure = contract[method];
    const parsed = procedure.input.safeParse(input ?? {});
    if (!parsed.success) {
      const issues = zodIssues(parsed.error);
      // A refinement's own message (a period ending before it starts) leads; schema failures stay invalid_input.
      const keyed = issues.find((i) => !i.code.startsWith('issues.input.'));
      if (keyed) return { ok: false, error: payload('invalid_input', keyed.code, keyed.params, issues) };
      return { ok: false, error: payload('invalid_input', 'errors.invalid_input', { detail: issues.map((i) => i.params?.detail).join('; ') }, issues) };
    }
    try {
      const ctx: CallContext = { deps, user: null, sessionToken: session };
      if (procedure.access !== 'public') {
        const userId = session ? deps.sessions.touch(session) : undefined;
        const user = userId ? await loadSessionUser(deps.db, userId) : undefined;
        if (!user) return { ok: false, error: payload('unauthenticated', 'errors.unauthenticated') };
        if (!procedure.access.includes(user.role)) return { ok: false, error: payload('forbidden', 'errors.forbidden') };
        if (user.mustChangePassword && !PASSWORD_CHANGE_STEP.has(method)) return { ok: false, error: payload('forbidden', 'passwordPolicy.changeRequired') };
        ctx.user = user;
      }
      const handler = handlers[method as Method] as (input: unknown, ctx: CallContext) => Promise<unknown>;
      const result = await handler(parsed.data, ctx);
      if (options.checkOutputs) procedure.output.parse(result);
      return { ok: true, result };
    } catch (e) {
      if (e instanceof AppError) return { ok: false, error: payload(e.code, e.key, e.params, e.issues) };
      deps.log(`${method} failed`, e);
      return { ok: false, error: payload('internal', 'errors.internal') };
    }
  };
}

export type Invoke = ReturnType<typeof createDispatcher>;
