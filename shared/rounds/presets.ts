import { fromSeoulLocalInput, toSeoulLocalInput } from '../common/time.js';
import type { RoundSpec } from './spec.js';

export interface RoundPreset {
  id: string;
  /** The real sale this preset is taken from (Seoul wall-clock date). */
  date: string;
  /** i18n key of a one-line description. */
  noteKey: string;
  spec: (now: Date) => RoundSpec;
}

/**
 * A sale window starting at 10:00 Seoul time the day after `now`, as the
 * real sales did; the preset keeps the real round's figures, not its past date.
 */
function nextMorningWindow(now: Date, hours: number): Pick<RoundSpec, 'opensAt' | 'closesAt'> {
  const tomorrow = toSeoulLocalInput(new Date(now.getTime() + 24 * 3600_000).toISOString()).slice(0, 10);
  const opensAt = fromSeoulLocalInput(`${tomorrow}T10:00`)!;
  const closesAt = new Date(Date.parse(opensAt) + hours * 3600_000).toISOString();
  return { opensAt, closesAt };
}

/** Fresh objects each call: callers edit the arrays in forms. */
const common = () =>
  ({
    denominations: [10_000, 50_000, 100_000],
    validityYears: 5,
    refund: { partialUseThresholdPct: 60, formula: 'remaining_minus_subsidy', cashOnly: true },
    // Credit cards were only accepted from 2024.
    paymentMethods: ['bank_transfer', 'debit_card'],
  }) satisfies Partial<RoundSpec>;

export const ROUND_PRESETS: readonly RoundPreset[] = [
  {
    id: 'seoul-2022-07-14',
    date: '2022-07-14',
    noteKey: 'presets.seoul20220714',
    spec: (now) => ({
      ...common(),
      name: '서울사랑상품권 광역 (2022-07-14 기준)',
      kind: 'city',
      districtCode: null,
      totalAmount: 25_000_000_000,
      discountBp: 700,
      perPersonMonthlyLimit: 400_000,
      holdingLimit: 1_000_000,
      giftReceiveCap: 1_000_000,
      ...nextMorningWindow(now, 12),
      // The settings that failed: a 10-minute login session and a server
      // sized for 200,000 concurrent connections against ~700,000 visitors.
      sessionTimeoutMinutes: 10,
      waitingRoom: { admissionPerMinute: 20_000, maxActiveSessions: 200_000 },
      expectedVisitors: 700_000,
    }),
  },
  {
    id: 'seoul-2022-07-28',
    date: '2022-07-28',
    noteKey: 'presets.seoul20220728',
    spec: (now) => ({
      ...common(),
      name: '서울사랑상품권 광역 (2022-07-28 기준)',
      kind: 'city',
      districtCode: null,
      totalAmount: 50_000_000_000,
      discountBp: 700,
      perPersonMonthlyLimit: 400_000,
      holdingLimit: 1_000_000,
      giftReceiveCap: 1_000_000,
      ...nextMorningWindow(now, 12),
      sessionTimeoutMinutes: 60,
      waitingRoom: { admissionPerMinute: 20_000, maxActiveSessions: 200_000 },
      expectedVisitors: null,
    }),
  },
  {
    id: 'seoul-2023-01-district',
    date: '2023-01',
    noteKey: 'presets.seoul202301',
    spec: (now) => ({
      ...common(),
      name: '서울사랑상품권 자치구 (2023-01 기준)',
      kind: 'district',
      districtCode: null,
      // 3,000억 원 was issued across the 25 districts; the preset starts from the average share.
      totalAmount: 12_000_000_000,
      discountBp: 700,
      perPersonMonthlyLimit: 700_000,
      holdingLimit: 2_000_000,
      giftReceiveCap: 1_500_000,
      ...nextMorningWindow(now, 12),
      sessionTimeoutMinutes: 60,
      waitingRoom: { admissionPerMinute: 10_000, maxActiveSessions: 100_000 },
      expectedVisitors: null,
    }),
  },
  {
    id: 'seoul-2023-03-30',
    date: '2023-03-30',
    noteKey: 'presets.seoul20230330',
    spec: (now) => ({
      ...common(),
      name: '서울사랑상품권 광역 (2023-03-30 기준)',
      kind: 'city',
      districtCode: null,
      totalAmount: 25_000_000_000,
      discountBp: 700,
      perPersonMonthlyLimit: 500_000,
      holdingLimit: 1_000_000,
      giftReceiveCap: 1_000_000,
      ...nextMorningWindow(now, 12),
      sessionTimeoutMinutes: 60,
      waitingRoom: { admissionPerMinute: 20_000, maxActiveSessions: 200_000 },
      expectedVisitors: null,
    }),
  },
];

export function findPreset(id: string): RoundPreset | undefined {
  return ROUND_PRESETS.find((p) => p.id === id);
}

/** A blank round with the statutory defaults filled in. */
export function blankRoundSpec(now: Date): RoundSpec {
  return {
    ...common(),
    name: '',
    kind: 'city',
    districtCode: null,
    totalAmount: 0,
    discountBp: 700,
    perPersonMonthlyLimit: 0,
    holdingLimit: 0,
    giftReceiveCap: 0,
    ...nextMorningWindow(now, 12),
    sessionTimeoutMinutes: 60,
    waitingRoom: { admissionPerMinute: 10_000, maxActiveSessions: 100_000 },
    expectedVisitors: null,
  };
}
