import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SimRun } from '../../api/simulation-schemas.js';
import { simRun as run } from '../../../tests/support/sim-run.js';
import { pdfText, TINY_PNG } from '../../../tests/support/pdf-text.js';
import { findReportFonts } from '../pdf/fonts.js';
import { buildSimulationPdf } from './simulation-report.js';

const chart = (title: string) => ({ title, png: Buffer.from(TINY_PNG.slice(TINY_PNG.indexOf(',') + 1), 'base64') });
const out = join(process.cwd(), 'test-results', 'pdf');

async function build(runs: SimRun[], charts: number, name: string) {
  const pdf = await buildSimulationPdf(
    { roundName: '2022 서울사랑상품권', runs, charts: Array.from({ length: charts }, (_, i) => chart(`차트 ${i + 1}`)), lang: 'ko', generatedAt: new Date('2026-11-26T04:00:00Z'), author: '김공무' },
    findReportFonts(),
  );
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `${name}.pdf`), pdf);
  return { pdf, ...(await pdfText(new Uint8Array(pdf))) };
}

describe('simulation PDF', () => {
  it('names the baseline and keeps a difference column in a comparison', async () => {
    const a = run('a', '기본 설정', (p) => p, false);
    const b = run('b', '세션 60분', (p) => ({ ...p, session: { ...p.session, timeoutMinutes: 60 } }), false);
    const { text } = await build([a, b], 3, 'comparison');
    expect(text).toContain('기준: 기본 설정');
    expect(text).toContain('차이 (세션 60분 − 기준)');
    // The logouts row carries its difference, signed.
    const logoutsA = a.result.logouts;
    const logoutsB = b.result.logouts;
    expect(logoutsA).not.toBe(logoutsB);
    const d = new Intl.NumberFormat('ko-KR').format(Math.abs(logoutsB - logoutsA));
    expect(text).toContain(`${logoutsB > logoutsA ? '+' : '−'}${d}`);
  });

  it('compares a run with a sign-in stage against one without, row for row (none shown as 0 minutes)', async () => {
    const a = run('a', '기본 설정', (p) => ({ ...p, capacity: { ...p.capacity, loginMinutes: undefined } }), false);
    const b = run('b', '로그인 2분', (p) => ({ ...p, capacity: { ...p.capacity, loginMinutes: 2 } }), false);
    const { text } = await build([a, b], 1, 'comparison-sign-in');
    expect(text).toContain('로그인·본인 확인 시간');
    expect(text).toMatch(/로그인·본인 확인 시간[^\n]*\n?[^\n]*0[^\n]*2/);
  });

  it('leaves no near-empty last page', async () => {
    for (const [name, runs, charts] of [
      ['single', [run('a', '기본 설정', (p) => p, true)], 5],
      ['single-no-charts', [run('a', '기본 설정', (p) => p, true)], 0],
      ['comparison-recs', [run('a', '기본 설정', (p) => p, true), run('b', '세션 60분', (p) => ({ ...p, session: { ...p.session, timeoutMinutes: 60 } }), true)], 3],
    ] as const) {
      const { pages, text } = await build([...runs], charts, name);
      const perPage = text.split('\n').map((p) => p.trim().length);
      // A page holding a few stray table rows (or one chart title) is what this guards against.
      if (pages > 1) expect(perPage.at(-1), `${name}: ${perPage.join(',')}`).toBeGreaterThan(charts > 0 ? 8 : 300);
      expect(pages, name).toBeLessThanOrEqual(2);
    }
  });

  it('reads amounts in 만/억 in Korean', async () => {
    const { text } = await build([run('a', '기본 설정', (p) => p, true)], 0, 'single-amounts');
    // Stock 600,000,000 and the cut-off's 1,500,000,000 as officials write budgets.
    expect(text).toContain('6억 원');
    expect(text).toContain('15억 원');
    expect(text).not.toContain('₩600,000,000');
  });
});
