import { sql } from 'kysely';
import type { Trx } from './command-kit.js';
import { countersignThreshold } from './countersign-threshold.js';

/** Bookings above this (either sign) need a second official; null when the administrator set none. */
export const adjustmentThreshold = (trx: Trx) => countersignThreshold(trx, 'reconcile_settings');

/** Who locked a day and when, or null while it is open (never locked, or reopened). */
export async function dayLock(trx: Trx, day: string, provider: string): Promise<{ lockedBy: string; lockedAt: Date } | null> {
  const row = await trx.selectFrom('reconcile_day_locks').select(['locked_by', 'locked_at']).where('day', '=', day).where('provider', '=', provider).executeTakeFirst();
  return row?.locked_by && row.locked_at ? { lockedBy: row.locked_by, lockedAt: row.locked_at } : null;
}

/** One exception of a recorded file with what its bookings so far leave unexplained. */
export async function exceptionLeft(trx: Trx, fileDigest: string, ref: string): Promise<{ day: string; provider: string; difference: number; left: number } | null> {
  const x = await trx.selectFrom('settlement_exceptions').select(['day', 'provider', 'difference']).where('file_digest', '=', fileDigest).where('ref', '=', ref).executeTakeFirst();
  if (!x) return null;
  const booked = await trx
    .selectFrom('reconcile_adjustments')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount'), sql<number>`0`).as('sum'))
    .where('file_digest', '=', fileDigest)
    .where('exception_ref', '=', ref)
    .executeTakeFirstOrThrow();
  const difference = Number(x.difference);
  return { day: x.day, provider: x.provider, difference, left: difference - Number(booked.sum) };
}

/**
 * A day's money by the server's own figures: the differences of every
 * exception in the files recorded for it, less every booking on it. Null when
 * no file is recorded for the day.
 */
export async function dayUnexplained(trx: Trx, day: string, provider: string): Promise<number | null> {
  const files = await trx.selectFrom('settlement_files').select((eb) => eb.fn.countAll<number>().as('n')).where('day', '=', day).where('provider', '=', provider).executeTakeFirstOrThrow();
  if (Number(files.n) === 0) return null;
  const diff = await trx
    .selectFrom('settlement_exceptions')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('difference'), sql<number>`0`).as('sum'))
    .where('day', '=', day)
    .where('provider', '=', provider)
    .executeTakeFirstOrThrow();
  const booked = await trx
    .selectFrom('reconcile_adjustments')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount'), sql<number>`0`).as('sum'))
    .where(sql<boolean>`day = ${day}::date`)
    .where('provider', '=', provider)
    .executeTakeFirstOrThrow();
  return Number(diff.sum) - Number(booked.sum);
}
