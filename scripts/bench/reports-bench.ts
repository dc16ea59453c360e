/**
 * `npm run bench:reports`: a file-backed console ledger of ~1,000,000 events
 * fed through the sync applier (as a pull writes them, so the report summaries
 * are kept per page), then every grouped report, CSV and XLSX exports of
 * every event (the XLSX in a fresh process, for its peak memory) and the PDF
 * of a district report. Checks the results against a tally taken of the events as they were fed (the totals
 * report's face sold, paid, lots and used amount; the CSV's row count), and holds issue 11's goals: any grouped
 * report < 300 ms, CSV of 1M rows < 5 s, XLSX < 20 s and < 400 MB, district PDF < 2 s (exit 1 when one is
 * missed or a result is wrong), with the ratio to baselines/reports.json (`--write-baseline` stores a run).
 * With BENCH_REPORT_DIR reused, no tally is taken and the result checks are skipped (said so).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createBackend, DATABASE_FILE } from '../../shared/node/backend/backend.js';
import { GROUP_KEYS, MEASURES, reportParamsSchema, type GroupKey } from '../../shared/reports/params.js';
import { runReport } from '../../shared/node/reports/report-engine.js';
import { exportEventsCsv } from '../../shared/node/reports/report-export.js';
import { buildReportPdf } from '../../shared/node/reports/report-pdf.js';
import { findReportFonts } from '../../shared/node/pdf/fonts.js';
import { Feeder, ledgerEvents, reportSpec } from '../../tests/support/report-ledger.js';
import type { SyncEvent } from '../../shared/sync/protocol.js';
import { judgeFigures } from './goals.js';
import { median, ms, table } from './stats.js';

const PURCHASES = Number(process.env.BENCH_REPORT_PURCHASES ?? 690_000);
/** Set to a folder to keep the ledger there and reuse it on the next run (skips the seeding). */
const KEEP_DIR = process.env.BENCH_REPORT_DIR;

async function main(): Promise<void> {
  const dataDir = KEEP_DIR ?? mkdtempSync(join(tmpdir(), 'ic-bench-reports-'));
  const rows: [string, string][] = [];
  try {
    const backend = await createBackend({ dataDir, log: () => {} });
    const db = backend.deps.db;
    let t = performance.now();
    const reuse = KEEP_DIR !== undefined && Number((await sql<{ n: number }>`select count(*) as n from ledger_events`.execute(db)).rows[0]!.n) > 0;
    // Summed from the generator's events on their way in, not from the ledger: what the reports must add up to.
    const tally = { faceSold: 0, paid: 0, lots: 0, usedAmount: 0, events: 0 };
    function* counted(events: Iterable<SyncEvent>): Generator<SyncEvent> {
      for (const e of events) {
        tally.events++;
        if (e.type === 'purchase') {
          tally.faceSold += e.face;
          tally.paid += e.paid;
          tally.lots++;
        } else if (e.type === 'use') tally.usedAmount += e.amount;
        yield e;
      }
    }
    const fed = reuse
      ? 0
      : new Feeder(backend.ledger.sqlite).feed(
          counted(ledgerEvents({ roundId: 'bench', spec: reportSpec('bench'), purchases: PURCHASES, start: '2026-03-09T01:00:00.000Z', days: 7, seed: 1 })),
          10_000,
        );
    const seedMs = performance.now() - t;
    const events = Number((await sql<{ n: number }>`select count(*) as n from ledger_events`.execute(db)).rows[0]!.n);
    const factsDay = Number((await sql<{ n: number }>`select count(*) as n from report_facts_day`.execute(db)).rows[0]!.n);
    const factsHour = Number((await sql<{ n: number }>`select count(*) as n from report_facts_hour`.execute(db)).rows[0]!.n);
    const factsHourFace = Number((await sql<{ n: number }>`select count(*) as n from report_facts_hour_face`.execute(db)).rows[0]!.n);
    console.log(`Reports benchmark (${new Date().toISOString()}, ${cpus().length} cores, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
    rows.push(['ledger', `${events.toLocaleString('en-US')} events (${fed.toLocaleString('en-US')} fed incl. publication), ${factsDay.toLocaleString('en-US')} report_facts_day rows, ${factsHour.toLocaleString('en-US')} report_facts_hour rows, ${factsHourFace.toLocaleString('en-US')} report_facts_hour_face rows`]);
    if (!reuse) rows.push(['seed through the sync applier (summaries kept per page)', `${(seedMs / 1000).toFixed(1)} s = ${Math.round((fed / seedMs) * 1000).toLocaleString('en-US')} events/s`]);
    rows.push(['ledger file', `${(statSync(join(dataDir, DATABASE_FILE)).size / 2 ** 20).toFixed(0)} MiB`]);

    const scope = { districts: [] as string[], scopedTo: null };
    const time = async (raw: Record<string, unknown>, times = 5) => {
      const p = reportParamsSchema.parse(raw);
      const samples: number[] = [];
      for (let i = 0; i < times; i++) {
        const s = performance.now();
        await runReport(db, p, { ...scope, districts: p.districts });
        samples.push(performance.now() - s);
      }
      return median(samples);
    };
    const noBuyers = MEASURES.filter((m) => m !== 'buyers');
    const groupings: GroupKey[][] = [[], ...GROUP_KEYS.map((k) => [k]), ...GROUP_KEYS.flatMap((a, i) => GROUP_KEYS.slice(i + 1).map((b) => [a, b]))];
    let worst = 0;
    let worstBuyers = 0;
    for (const g of groupings) {
      const a = await time({ groupBy: g, measures: noBuyers });
      const b = await time({ groupBy: g, measures: [...MEASURES] }, 3);
      worst = Math.max(worst, a);
      worstBuyers = Math.max(worstBuyers, b);
      rows.push([`report by ${g.join(' × ') || '(totals)'}`, `${ms(a)} all measures but buyers; ${ms(b)} with distinct buyers`]);
    }
    rows.push(['report, one district by day, with buyers', ms(await time({ groupBy: ['day'], districts: ['11680'], measures: [...MEASURES] }))]);
    rows.push(['report by hour × denomination, one district (report_facts_cell)', ms(await time({ groupBy: ['hour', 'denomination'], districts: ['11680'], measures: noBuyers }, 3))]);
    rows.push(['report, period + method filter, by district × hour', ms(await time({ groupBy: ['district', 'hour'], fromDay: '2026-03-10', toDay: '2026-03-12', paymentMethods: ['debit_card'], measures: [...MEASURES] }))]);
    rows.push(['WORST grouped report (goal < 300 ms)', `${ms(worst)} without buyers; ${ms(worstBuyers)} with distinct buyers`]);
    const problems: string[] = [];
    if (!reuse) {
      const totals = (await runReport(db, reportParamsSchema.parse({ measures: ['faceSold', 'paid', 'lots', 'usedAmount'] }), scope)).totals;
      for (const k of ['faceSold', 'paid', 'lots', 'usedAmount'] as const) if (totals[k] !== tally[k]) problems.push(`totals report ${k} ${totals[k]} ≠ ${tally[k]} fed`);
      rows.push(['check: totals report against the events fed', problems.length === 0 ? `right (${tally.lots.toLocaleString('en-US')} lots, ₩${tally.faceSold.toLocaleString('en-US')} face, ₩${tally.usedAmount.toLocaleString('en-US')} used)` : problems.join('; ')]);
    } else rows.push(['check: totals report against the events fed', 'skipped (ledger reused from BENCH_REPORT_DIR, no tally)']);

    const all = reportParamsSchema.parse({});
    const job = { signal: new AbortController().signal, progress: () => {} };
    const csvPath = join(dataDir, 'all.csv');
    t = performance.now();
    const csv = await exportEventsCsv(backend.deps, all, [], { path: csvPath, lang: 'ko', job });
    const csvMs = performance.now() - t;
    rows.push([`CSV export, ${csv.rows.toLocaleString('en-US')} rows (goal < 5 s)`, `${(csvMs / 1000).toFixed(2)} s, ${(statSync(csvPath).size / 2 ** 20).toFixed(0)} MiB`]);
    // Every event but the round's publication is a row of the full-transaction export.
    if (!reuse && csv.rows !== tally.events - 1) problems.push(`CSV has ${csv.rows} rows, ${tally.events - 1} events fed`);

    const district = await runReport(db, reportParamsSchema.parse({ groupBy: ['district'], measures: ['faceSold', 'paid', 'discount', 'lots', 'usedAmount', 'useRate', 'remaining'] }), scope);
    const fonts = findReportFonts();
    const pdfSamples: number[] = [];
    let pdfBytes = 0;
    for (let i = 0; i < 5; i++) {
      t = performance.now();
      const pdf = await buildReportPdf({ title: '자치구별 판매', filters: ['기간: 전체'], result: district, chart: null, lang: 'ko', generatedAt: new Date(), author: 'bench' }, fonts);
      pdfSamples.push(performance.now() - t);
      pdfBytes = pdf.length;
    }
    rows.push(['PDF of the district report (goal < 2 s)', `${ms(median(pdfSamples))} median of 5 (first ${ms(pdfSamples[0]!)}), ${(pdfBytes / 1024).toFixed(0)} KiB`]);
    await backend.close();

    // XLSX in a fresh process: its peak resident memory is the export's own.
    const child = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'reports-xlsx-one.ts'), dataDir], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(child.stderr);
    const x = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { rows: number; sheets: number; ms: number; rssBeforeMiB: number; maxRssMiB: number; bytes: number };
    rows.push([`XLSX export, ${x.rows.toLocaleString('en-US')} rows (goal < 20 s, < 400 MB)`, `${(x.ms / 1000).toFixed(2)} s, peak RSS ${x.maxRssMiB.toFixed(0)} MiB (whole process; ${x.rssBeforeMiB.toFixed(0)} MiB before the export), ${x.sheets} sheet(s), ${(x.bytes / 2 ** 20).toFixed(0)} MiB`]);
    rows.push(['load average at the end', loadavg().map((l) => l.toFixed(1)).join(' ')]);
    console.log(table(rows));
    judgeFigures('bench:reports, ~1M-event ledger: grouped reports, CSV/XLSX exports, district PDF', new URL('./baselines/reports.json', import.meta.url), [
      { key: 'worstReportMs', label: 'worst grouped report, without buyers', value: worst, unit: 'ms', goal: 300 },
      { key: 'worstReportBuyersMs', label: 'worst grouped report, with distinct buyers', value: worstBuyers, unit: 'ms', goal: 300 },
      { key: 'csvSeconds', label: 'CSV export of every event', value: csvMs / 1000, unit: 's', goal: 5 },
      { key: 'xlsxSeconds', label: 'XLSX export of every event', value: x.ms / 1000, unit: 's', goal: 20 },
      { key: 'xlsxPeakMB', label: 'XLSX export, peak RSS of its process', value: (x.maxRssMiB * 2 ** 20) / 1e6, unit: 'MB', goal: 400 },
      { key: 'pdfMs', label: 'district report PDF (median of 5)', value: median(pdfSamples), unit: 'ms', goal: 2_000 },
    ]);
    if (problems.length > 0) {
      console.error(`wrong results: ${problems.join('; ')}`);
      process.exitCode = 1;
    }
  } finally {
    if (!KEEP_DIR) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
