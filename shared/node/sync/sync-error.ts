import { AppError } from '../../common/errors.js';

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
