import { sql, type Kysely } from 'kysely';

/**
 * A reconcile booking may gather several countersignatures, one per colleague
 * and content, as refunds do since 0016. With one row per booking a wrong
 * countersignature sent first (another amount or exception) took the place and
 * refused the right colleague's (`countersignConflict`); now the booking looks
 * for one that matches (`heldCountersign`).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table adjustment_countersigns drop constraint adjustment_countersigns_pk`.execute(db);
  await sql`alter table adjustment_countersigns add constraint adjustment_countersigns_pk primary key (requested_by, request_command_id, countersigned_by, file_digest, exception_ref, amount)`.execute(db);
}

/** Back to one row per booking: only possible while no booking has gathered two. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table adjustment_countersigns drop constraint adjustment_countersigns_pk`.execute(db);
  await sql`alter table adjustment_countersigns add constraint adjustment_countersigns_pk primary key (requested_by, request_command_id)`.execute(db);
}
