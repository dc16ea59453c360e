import { findPreset } from '../../shared/rounds/presets.js';
import type { RoundSpec } from '../../shared/rounds/spec.js';

/** The 2022-07-14 preset as of a fixed day, with a patch applied. */
export function spec2022(patch: Partial<RoundSpec> = {}, now = new Date('2026-03-02T00:00:00.000Z')): RoundSpec {
  return { ...findPreset('seoul-2022-07-14')!.spec(now), ...patch };
}
