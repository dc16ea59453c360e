import { describe, expect, it } from 'vitest';
import { pdfText } from '../../../tests/support/pdf-text.js';
import type { CalibrationView } from '../../api/calibration-schemas.js';
import { preset2022 } from '../../simulation/params.js';
import { findReportFonts } from '../pdf/fonts.js';
import { buildCalibrationPdf } from './calibration-report.js';

const params = { ...preset2022(), waitingRoom: { ...preset2022().waitingRoom, admissionPerMinute: 614 }, checkout: { ...preset2022().checkout, meanSeconds: 120 } };
const view: CalibrationView = {
  id: 'c1',
  roundId: 'r1',
  roundName: '2026 여름 특별',
  createdAt: '2026-12-07T03:00:00.000Z',
  createdByName: '김공무',
  result: {
    params,
    objective: 0.14,
    startObjective: 2.5,
    rows: [{ measure: 'buyers', observed: 64_380, simulated: 64_400, error: 0.0003, weight: 1 }],
    observedCurve: [],
    simulatedCurve: [],
    evaluations: 422,
    searchScale: 0.05,
    confirmed: true,
    free: ['admissionPerMinute', 'checkoutSeconds'],
    identified: [
      { key: 'admissionPerMinute', pinned: true, fitted: 614, assumed: 1_600, low: 491, high: 768, lowObjective: 0.34, highObjective: 0.49 },
      { key: 'checkoutSeconds', pinned: false, fitted: 194, assumed: 120, low: 155, high: 242, lowObjective: 0.15, highObjective: 0.16 },
    ],
    elapsedMs: 21_000,
  },
};

describe('calibration PDF', () => {
  it('prints each fitted parameter with whether the data pinned it, and the assumption a loose one kept', async () => {
    const { text } = await pdfText(new Uint8Array(await buildCalibrationPdf(view, 'ko', '김공무', new Date('2026-12-07T04:00:00Z'), findReportFonts())));
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('실효 입장 처리량');
    expect(flat).toMatch(/614\s*확정/);
    expect(flat).toContain('확정 안 됨 — 가정값 120 유지 (탐색값 194)');
    expect(flat).toContain('허용 폭');
    expect(flat).toContain('64,380');
  });

  it('says so when a calibration was stored before identifiability was reported', async () => {
    const old = { ...view, result: { ...view.result, identified: undefined } };
    const { text } = await pdfText(new Uint8Array(await buildCalibrationPdf(old, 'en', 'Kim', new Date('2026-12-07T04:00:00Z'), findReportFonts())));
    expect(text.replace(/\s+/g, ' ')).toContain('saved before it reported which parameters the data pinned');
  });
});
