import type { Instant } from './instant.js';

export interface SimulationRunsTable {
  id: string;
  round_id: string;
  round_version: number;
  /** Set on backing runs: the main run whose recommendation they support. */
  parent_id: string | null;
  backing_key: string | null;
  label: string;
  /** SimParams as JSON; with the seed inside, enough to reproduce the run. */
  params: string;
  seed: number;
  /** SimResult as JSON, without the params. */
  result: string;
  recommendations: string | null;
  created_by: string;
  created_at: Instant;
  elapsed_ms: number;
}

/** A fit of a round's simulated sale to its ledger (migration 0014); `result` is a CalibrationResult as JSON. */
export interface CalibrationsTable {
  id: string;
  round_id: string;
  result: string;
  created_by: string;
  created_at: Instant;
}

/** Simulation parameters saved under a name, e.g. from a calibration (migration 0014). */
export interface SimPresetsTable {
  id: string;
  name: string;
  params: string;
  source_round_id: string | null;
  calibration_id: string | null;
  created_by: string;
  created_at: Instant;
}
