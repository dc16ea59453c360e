import { existsSync, readFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { findPreset } from '../../shared/rounds/presets.js';
import { preset2022, sale2022Uncalibrated, simParamsFromRound, simParamsSchema, type SimParams } from '../../shared/simulation/params.js';

/** The simulator's named scenarios (`--scenario NAME`); a round preset's id also names its rehearsal. */
const NAMED: Record<string, () => SimParams> = {
  '2022': preset2022,
  '2022-uncalibrated': sale2022Uncalibrated,
};

export const SCENARIO_NAMES = [...Object.keys(NAMED), 'a round preset id', 'a saved run id (with --console-db)', 'a JSON file of SimParams'];

/**
 * `--scenario`: a named preset, a round preset id, a JSON file (SimParams, or
 * a saved run exported as {params: …}), or the id of a simulation run saved in
 * a console's database (`--console-db FILE`, read only: simulation_runs.params).
 */
export function scenarioParams(scenario: string, consoleDb?: string): { params: SimParams; label: string } {
  const named = NAMED[scenario];
  if (named) return { params: named(), label: `preset ${scenario}` };
  const preset = findPreset(scenario);
  if (preset) return { params: simParamsFromRound(preset.spec(new Date())), label: `round preset ${scenario}` };
  if (existsSync(scenario) && scenario.endsWith('.json')) {
    const json = JSON.parse(readFileSync(scenario, 'utf8')) as { params?: unknown };
    return { params: simParamsSchema.parse(json.params ?? json), label: `file ${scenario}` };
  }
  if (consoleDb) {
    const db = new BetterSqlite3(consoleDb, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('select params, label from simulation_runs where id = ?').get(scenario) as { params: string; label: string } | undefined;
      if (row) return { params: simParamsSchema.parse(JSON.parse(row.params)), label: `saved run ${scenario} (${row.label})` };
    } finally {
      db.close();
    }
  }
  throw new Error(`--scenario '${scenario}' is none of: ${SCENARIO_NAMES.join(', ')}`);
}
