import type { Instant } from './instant.js';

/** A report someone saved: its parameters as JSON (ReportParams), rerun on demand. */
export interface SavedReportsTable {
  id: string;
  name: string;
  params: string;
  created_by: string;
  created_by_name: string;
  created_at: Instant;
}

/** What every summary row sums: events, their amount, what was paid for them, and the face they retired. */
interface FactSums {
  n: number;
  amount: number;
  paid: number;
  retired: number;
}

/** The ledger summed per round, Seoul day, district, payment method, lot face and event type; kept by triggers (migration 0011). */
export interface ReportFactsDayTable extends FactSums {
  round_id: string;
  /** Seoul `YYYY-MM-DD`. */
  day: string;
  district_code: string;
  payment_method: string;
  face: number;
  type: string;
}

/** The same per Seoul hour, without the lot face. */
export interface ReportFactsHourTable extends FactSums {
  round_id: string;
  /** Seoul `YYYY-MM-DD HH`. */
  hour: string;
  district_code: string;
  payment_method: string;
  type: string;
}

/** The same per Seoul hour and lot face, without district and payment method. */
export interface ReportFactsHourFaceTable extends FactSums {
  round_id: string;
  hour: string;
  face: number;
  payment_method: string;
  type: string;
}
