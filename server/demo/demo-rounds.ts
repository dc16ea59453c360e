import { DISTRICT_CODES, districtName } from '../../shared/common/districts.js';
import { fromSeoulLocalInput } from '../../shared/common/time.js';
import { findPreset } from '../../shared/rounds/presets.js';
import type { RoundSpec } from '../../shared/rounds/spec.js';

export interface DemoRound {
  roundId: string;
  spec: RoundSpec;
}

/** Sale hours of every real round: 10:00 to 22:00 Seoul time. */
const SALE_HOURS = 12;

/**
 * The 2023-01 district sales opened district by district over the second half of January; the press gives no
 * per-district dates, so the demo spreads the 25 districts over the ten weekdays from 16 January, two or three a day.
 */
const JANUARY_2023_WEEKDAYS = ['2023-01-16', '2023-01-17', '2023-01-18', '2023-01-19', '2023-01-20', '2023-01-25', '2023-01-26', '2023-01-27', '2023-01-30', '2023-01-31'];

/** Whole ten-thousands of won, never below one unit: the amounts a round may be given. */
const scaledAmount = (won: number, scale: number) => Math.max(10_000, Math.round((won * scale) / 10_000) * 10_000);

function round(presetId: string, roundId: string, day: string, scale: number, patch: Partial<RoundSpec> = {}): DemoRound {
  const preset = findPreset(presetId)!;
  const opensAt = fromSeoulLocalInput(`${day}T10:00`)!;
  const base = preset.spec(new Date(opensAt));
  return {
    roundId,
    spec: {
      ...base,
      ...patch,
      name: patch.name ?? base.name.replace(' 기준)', ')').replace('(', '(데모 '),
      totalAmount: scaledAmount(patch.totalAmount ?? base.totalAmount, scale),
      opensAt,
      closesAt: new Date(Date.parse(opensAt) + SALE_HOURS * 3_600_000).toISOString(),
      expectedVisitors: null,
    },
  };
}

/**
 * The real rounds of /work/shared/README.md (dates, amounts, discounts, limits, from the presets that hold
 * them), their stock multiplied by `scale`: the two city-wide sales of July 2022, the district sales of
 * January 2023 (3,000억 원 over the 25 districts, the presets' average share each) and the city-wide sale of
 * 30 March 2023. In the order they opened.
 */
export function demoRounds(scale: number): DemoRound[] {
  const rounds = [round('seoul-2022-07-14', 'demo-2022-07-14', '2022-07-14', scale), round('seoul-2022-07-28', 'demo-2022-07-28', '2022-07-28', scale)];
  DISTRICT_CODES.forEach((code, i) => {
    const day = JANUARY_2023_WEEKDAYS[Math.floor((i * JANUARY_2023_WEEKDAYS.length) / DISTRICT_CODES.length)]!;
    rounds.push(round('seoul-2023-01-district', `demo-2023-01-${code}`, day, scale, { districtCode: code, name: `서울사랑상품권 ${districtName(code, 'ko')} (데모 2023-01)` }));
  });
  rounds.push(round('seoul-2023-03-30', 'demo-2023-03-30', '2023-03-30', scale));
  return rounds;
}
