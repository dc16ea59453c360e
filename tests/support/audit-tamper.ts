import type BetterSqlite3 from 'better-sqlite3';
import { auditHash, GENESIS_HASH } from '../../shared/node/kernel/audit-append.js';

type Row = { seq: number; at: string; actor_id: string | null; actor_name: string; action: string; entity_type: string; entity_id: string | null; details: string };

/**
 * What someone holding the console's file can do with a SQLite shell: lift
 * the append-only triggers, change the audit log, recompute every hash so the
 * chain is whole again (and AUTOINCREMENT's memory of the highest seq), and
 * put the triggers back.
 */
export function rewriteAuditLog(db: BetterSqlite3.Database, change: string): void {
  db.exec('drop trigger audit_log_no_update; drop trigger audit_log_no_delete;');
  db.exec(change);
  const rows = db.prepare('select * from audit_log order by seq').all() as Row[];
  let prev = GENESIS_HASH;
  const update = db.prepare('update audit_log set prev_hash = ?, hash = ? where seq = ?');
  for (const r of rows) {
    const hash = auditHash(prev, r.seq, { at: r.at, actorId: r.actor_id, actorName: r.actor_name, action: r.action, entityType: r.entity_type, entityId: r.entity_id, details: JSON.parse(r.details) as Record<string, unknown> });
    update.run(prev, hash, r.seq);
    prev = hash;
  }
  db.prepare("update sqlite_sequence set seq = ? where name = 'audit_log'").run(rows.at(-1)?.seq ?? 0);
  db.exec(`create trigger audit_log_no_update before update on audit_log begin select raise(abort, 'audit_log is append-only'); end;
           create trigger audit_log_no_delete before delete on audit_log begin select raise(abort, 'audit_log is append-only'); end;`);
}
