/** A `uses_folded` event of the server's log as synced (migration 0038). */
export interface UseFoldsTable {
  seq: number;
  event_id: string;
  fold_id: string;
  by: string;
  at: string;
  payload: string;
  hash: string;
}

/** A use checkpoint received in place of folded uses (migration 0038): `applied` is the won it added to its lot here. */
export interface UseCheckpointsTable {
  id: string;
  fold_id: string;
  lot_id: string;
  district_code: string;
  /** The checkpoint's last folded event: where it was applied. */
  seq: number;
  count: number;
  amount: number;
  applied: number;
  payload: string;
}

/** The uses of a checkpoint this console did not hold in full, per Seoul hour and merchant district (migration 0038). */
export interface CheckpointUsesTable {
  checkpoint_id: string;
  round_id: string;
  lot_id: string;
  hour: string;
  merchant_district: string | null;
  n: number;
  amount: number;
  summed: number;
}
