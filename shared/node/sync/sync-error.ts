import { AppError, type ErrorPayload } from '../../common/errors.js';
import { translate } from '../../i18n/index.js';

/**
 * Anything that stops a sync: a reply that is not what the protocol says, a
 * chain that does not add up, the server unreachable. The key names the
 * problem for the status bar; nothing of the failing page has been written.
 */
export class SyncError extends AppError {
  constructor(key: string, params?: Record<string, string | number>) {
    super(key === 'sync.offline' ? 'internal' : 'rule_violation', key, params);
    this.name = 'SyncError';
  }
}

/** What a failed sync step leaves for the status bar and the outbox: stored, so in English; shown translated by key. */
export function toErrorPayload(e: unknown): ErrorPayload {
  if (e instanceof AppError) return { code: e.code, key: e.key, message: translate('en', e.key, e.params), ...(e.params ? { params: e.params } : {}) };
  return { code: 'internal', key: 'errors.internal', message: e instanceof Error ? e.message : String(e) };
}
