import type { HandlersFor } from '../kernel/call-context.js';
import type { KernelDeps } from '../kernel/deps.js';
import type { AuditService } from './audit-service.js';
import { toAuditEntry } from '../kernel/audit-entry.js';

export interface AuditDeps extends KernelDeps {
  audit: AuditService;
}

export const auditHandlers: HandlersFor<'audit', AuditDeps> = {
  'audit.list': async (input, { deps }) => {
    let q = deps.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(input.limit);
    if (input.beforeSeq !== undefined) q = q.where('seq', '<', input.beforeSeq);
    const rows = await q.execute();
    return rows.map(toAuditEntry);
  },
  'audit.verify': async (_input, { deps }) => deps.audit.verify(),
  'audit.status': async (_input, { deps }) => deps.audit.last,
};
