import { sql, type Kysely } from 'kysely';

/**
 * A refund request may gather several countersignatures: one per colleague and
 * content. With one row per request, a wrong countersignature sent first (another
 * amount, lot or kind) took the place and refused the right colleague's
 * (`countersignConflict`); now the approval looks for one that matches.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table refund_countersigns drop constraint refund_countersigns_pk`.execute(db);
  await sql`alter table refund_countersigns add constraint refund_countersigns_pk primary key (requested_by, request_command_id, countersigned_by, lot_id, kind, amount)`.execute(db);
}

/** Back to one row per request: only possible while no request has gathered two. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table refund_countersigns drop constraint refund_countersigns_pk`.execute(db);
  await sql`alter table refund_countersigns add constraint refund_countersigns_pk primary key (requested_by, request_command_id)`.execute(db);
}
