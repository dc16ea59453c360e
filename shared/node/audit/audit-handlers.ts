import type { HandlersFor } from '../kernel/call-context.js';
import type { KernelDeps } from '../kernel/deps.js';
import type { AuditService } from './audit-service.js';

export interface AuditDeps extends KernelDeps {
  audit: AuditService;
}


export const auditHandlers: HandlersFor<'audit', AuditDeps> = {
  'audit.list': async (input, { deps }) => {
    let q = deps.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(input.limit);
    if (input.beforeSeq !== undefined) q = q.where('seq', '<', input.beforeSeq);
    const rows = await q.execute();
    return rows.map((a) => ({
      seq: a.seq,
      at: a.at,
      actorId: a.actor_id,
      actorName: a.actor_name,
      action: a.action,
      entityType: a.entity_type,
      entityId: a.entity_id,
      details: JSON.parse(a.details) as Record<string, unknown>,
      hash: a.hash,
    }));
  },
  'audit.verify': async (_input, { deps }) => deps.audit.verify(),
  'audit.status': async (_input, { deps }) => deps.audit.last,
};
