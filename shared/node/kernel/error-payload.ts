import { AppError, type ErrorPayload } from '../../common/errors.js';
import { translate } from '../../i18n/index.js';

/** What a failed sync step leaves for the status bar and the outbox: stored, so in English; shown translated by key. */
export function toErrorPayload(e: unknown): ErrorPayload {
  if (e instanceof AppError) return { code: e.code, key: e.key, message: translate('en', e.key, e.params), ...(e.params ? { params: e.params } : {}) };
  return { code: 'internal', key: 'errors.internal', message: e instanceof Error ? e.message : String(e) };
}
