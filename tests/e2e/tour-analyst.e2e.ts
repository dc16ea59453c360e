import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfText } from '../support/pdf-text.js';
import { check, demoPage, go, setLang, startDemoConsole, type DemoConsole } from './demo-tour.js';

/**
 * An analyst's day on the demo data, at 1280×720, without leaving the UI: the reports page, a report of the
 * demo's sales by district explored, its table exported as CSV, XLSX and PDF through the export bar (download
 * events), and each file read back and compared cell by cell with the table on the screen. Korean, then the
 * same report in English and exported again: the English CSV's headers and names in English, its figures the Korean file's. Screenshots: test-results/screenshots/tour-analyst-*.png.
 */
let demo: DemoConsole;
const errors: string[] = [];
let analyst: Page;

beforeAll(async () => {
  demo = await startDemoConsole(errors);
  analyst = await demoPage(demo, 'demo-analyst', errors);
}, 300_000);

afterAll(async () => {
  await demo?.stop();
});

const shot = (page: Page, name: string) => check(page, name, 'tour-analyst');

interface ScreenTable {
  /** Column id and header text, in the order shown. */
  headers: { id: string; text: string }[];
  /** Every row the grid drew (it draws the ones in view and a few more), each cell's text by column id; the pinned totals row last. */
  rows: Record<string, string>[];
}

/**
 * The report grid as the analyst sees it: the headers and each drawn row's cell texts, joined across the pinned
 * and scrolling parts of the grid by the row's index.
 */
async function screenTable(page: Page): Promise<ScreenTable> {
  return page.getByTestId('report-grid').evaluate((grid) => {
    const headers = [...grid.querySelectorAll('.ag-header-cell[col-id]')]
      .map((h) => ({ id: h.getAttribute('col-id')!, text: (h as unknown as { innerText: string }).innerText.trim(), x: h.getBoundingClientRect().x }))
      .sort((a, b) => a.x - b.x)
      .map(({ id, text }) => ({ id, text }));
    const byIndex = new Map<string, Record<string, string>>();
    for (const row of grid.querySelectorAll('.ag-row[row-index]')) {
      const key = `${row.closest('.ag-floating-bottom') ? 'total-' : ''}${row.getAttribute('row-index')}`;
      const cells = byIndex.get(key) ?? {};
      for (const c of row.querySelectorAll('[role="gridcell"][col-id]')) cells[c.getAttribute('col-id')!] = (c as unknown as { innerText: string }).innerText.trim();
      byIndex.set(key, cells);
    }
    const keys = [...byIndex.keys()].sort((a, b) => (a.startsWith('total') ? 1 : 0) - (b.startsWith('total') ? 1 : 0) || Number(a) - Number(b));
    return { headers, rows: keys.map((k) => byIndex.get(k)!) };
  });
}

/** A figure as the screen writes it (₩1,234 · 1,234 · 12.3%) as a number: percentages as percent. */
function screenNumber(text: string): number {
  return Number(text.replace(/[₩,%\s]/g, ''));
}

/** Won in 억 and 만 as a Korean reader says them, written here from the rule (1억 = 10⁸, 1만 = 10⁴), not from the app. */
function eokMan(won: number): string {
  const group = (n: number) => n.toLocaleString('en-US');
  const eok = Math.floor(won / 1e8);
  const man = Math.floor((won % 1e8) / 1e4);
  const rest = won % 1e4;
  return `${eok ? `${group(eok)}억` : ''}${man ? `${group(man)}만` : ''}${rest || (!eok && !man) ? group(rest) : ''}원`;
}

async function download(testId: string): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([analyst.waitForEvent('download', { timeout: 90_000 }), analyst.getByTestId(testId).click()]);
  return { name: file.suggestedFilename(), bytes: readFileSync((await file.path())!) };
}

let table: ScreenTable;
/** The Korean CSV, to compare the English one's figures with. */
let csvKo: Promise<{ name: string; bytes: Buffer }>;
/** Today in Seoul, as the export file names carry it. */
const seoulToday = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);

describe('an analyst’s day on the demo data, at 1280×720', { timeout: 150_000 }, () => {
  it('explores the demo’s sales by district; the table has the share column', async () => {
    await go(analyst, 'reports');
    await analyst.getByTestId('report-chart').locator('canvas').waitFor();
    await shot(analyst, 'ko-reports');
    await analyst.locator('select[name="group1"]').selectOption('district');
    await analyst.locator('select[name="group2"]').selectOption('');
    await analyst.getByTestId('run-report').click();
    const grid = analyst.getByTestId('report-grid');
    await grid.locator('.ag-row [col-id="k0"]').getByText('마포구', { exact: true }).waitFor();
    await expect.poll(() => grid.locator('.ag-row-pinned [col-id="k0"]').innerText()).toBe('합계');
    table = await screenTable(analyst);
    expect(table.headers.map((h) => h.text)).toContain('비중');
    expect(table.headers[0]!.text).toBe('자치구');
    // At least the rows in view and the totals row, each with a cell under every header.
    expect(table.rows.length).toBeGreaterThan(5);
    for (const r of table.rows) expect(Object.keys(r).sort()).toEqual(table.headers.map((h) => h.id).sort());
    await shot(analyst, 'ko-report-district');
  });

  it('exports the table as CSV; every row on the screen is in the file with the same figures', async () => {
    const csv = await download('export-summary-csv');
    csvKo = Promise.resolve(csv);
    expect(csv.name).toContain(seoulToday);
    expect(csv.name).toMatch(/\.csv$/);
    const [head, ...rows] = parse(csv.bytes.toString('utf8').replace(/^\uFEFF/, '')) as string[][];
    // The screen's columns, in its order; a rate's header says it is in percent.
    expect(head!.map((h) => h.replace(/\s*\(%\)$/, ''))).toEqual(table.headers.map((h) => h.text));
    // 25 districts at most and the totals row, which comes last.
    expect(rows.at(-1)![0]).toBe('합계');
    for (const shown of table.rows) {
      const row = rows.find((r) => r[0] === shown.k0);
      expect(row, `CSV row ${shown.k0}`).toBeDefined();
      table.headers.forEach((h, i) => {
        if (i === 0) return;
        const text = shown[h.id]!;
        if (text === '' || text === '—') expect(row![i], `${shown.k0} ${h.text}`).toBe('');
        else expect(Number(row![i]), `${shown.k0} ${h.text}`).toBeCloseTo(screenNumber(text), 1);
      });
    }
  });

  it('exports the table as XLSX; the same figures, a rate as a fraction in a % format', async () => {
    const xlsx = await download('export-summary-xlsx');
    expect(xlsx.name).toContain(seoulToday);
    expect(xlsx.name).toMatch(/\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
    expect(header).toEqual(table.headers.map((h) => h.text));
    const rows: ExcelJS.Row[] = [];
    sheet.eachRow((r, i) => void (i > 1 && rows.push(r)));
    for (const shown of table.rows) {
      const row = rows.find((r) => r.getCell(1).value === shown.k0);
      expect(row, `XLSX row ${shown.k0}`).toBeDefined();
      table.headers.forEach((h, i) => {
        if (i === 0) return;
        const text = shown[h.id]!;
        const cell = row!.getCell(i + 1);
        if (text === '' || text === '—') return expect(cell.value ?? null, `${shown.k0} ${h.text}`).toBeNull();
        if (text.endsWith('%')) {
          expect(cell.numFmt).toContain('%');
          expect(Number(cell.value) * 100, `${shown.k0} ${h.text}`).toBeCloseTo(screenNumber(text), 1);
        } else expect(cell.value, `${shown.k0} ${h.text}`).toBe(screenNumber(text));
      });
    }
  });

  it('exports the table as PDF; every row on the screen is in its text, the money in 억/만', async () => {
    const pdf = await download('export-pdf');
    expect(pdf.name).toContain(seoulToday);
    expect(pdf.name).toMatch(/\.pdf$/);
    const { text } = await pdfText(new Uint8Array(pdf.bytes));
    // pdf.js may split a cell's run at a space: compared without spaces.
    const flat = text.replace(/\s+/g, '');
    for (const h of table.headers) expect(flat, `PDF header ${h.text}`).toContain(h.text.replace(/\s+/g, ''));
    // A printed report writes money as a reader says it (2,737만9,200원); each row's cells follow one another.
    for (const shown of table.rows) {
      const cells = table.headers.map((h) => shown[h.id]!).map((c) => (c.startsWith('₩') ? eokMan(screenNumber(c)) : c));
      expect(flat, `PDF row ${shown.k0}`).toContain(cells.join('').replace(/\s+/g, ''));
    }
    await analyst.getByText(/파일을 저장했습니다/).first().waitFor();
    await shot(analyst, 'ko-exported');
  });

  it('reads the same report in English', async () => {
    await setLang(analyst, 'en');
    // The report is reworded in place: the builder keeps the district grouping and the table its rows.
    await expect.poll(() => analyst.locator('select[name="group1"]').inputValue()).toBe('district');
    const grid = analyst.getByTestId('report-grid');
    await grid.locator('.ag-row [col-id="k0"]').getByText('Mapo-gu', { exact: true }).waitFor();
    const en = await screenTable(analyst);
    expect(en.headers.map((h) => h.text)).toContain('Share');
    // The same figures under English headers: every column the grid drew (English headers are wider, so the
    // grid may leave the last column undrawn until it is scrolled to), at least the money, counts and share.
    const total = (t: ScreenTable) => t.rows.at(-1)!;
    expect(en.headers.length).toBeGreaterThanOrEqual(table.headers.length - 1);
    for (const h of en.headers.slice(1)) expect(total(en)[h.id], h.text).toBe(total(table)[h.id]);
    await shot(analyst, 'en-report-district');

    // Exported in English: the file has the English screen's headers and names, and the same figures.
    const csv = await download('export-summary-csv');
    expect(csv.name).toContain(seoulToday);
    const [head, ...rows] = parse(csv.bytes.toString('utf8').replace(/^\uFEFF/, '')) as string[][];
    const shownHeads = en.headers.map((h) => h.text);
    expect(head!.map((h) => h.replace(/\s*\(%\)$/, '')).slice(0, shownHeads.length)).toEqual(shownHeads);
    expect(rows.at(-1)![0]).toBe(total(en).k0);
    const mapo = rows.find((r) => r[0] === 'Mapo-gu');
    const mapoKo = (parse((await csvKo).bytes.toString('utf8').replace(/^\uFEFF/, '')) as string[][]).find((r) => r[0] === '마포구');
    expect(mapo?.slice(1)).toEqual(mapoKo?.slice(1));
    // No Korean word in the English file: district names, headers and the totals row all in English.
    expect(/[\uAC00-\uD7A3]+/.exec(csv.bytes.toString('utf8'))?.[0], 'Korean in the English CSV').toBeUndefined();
    await analyst.getByText(/^Saved .+ rows\)$/).first().waitFor();
    await shot(analyst, 'en-exported');

    // By day, the days read as the English UI writes them (7 Dec 2026), not as ISO keys (2026-12-07).
    await analyst.locator('select[name="group1"]').selectOption('day');
    await analyst.getByTestId('run-report').click();
    // The district rows stay on screen until the new result arrives; read the days only once they are gone.
    await grid.locator('.ag-row [col-id="k0"]').getByText('Mapo-gu', { exact: true }).waitFor({ state: 'detached' });
    const dayCells = async () => (await grid.locator('.ag-row [col-id="k0"]').allInnerTexts()).filter((d) => d !== total(en).k0);
    await expect.poll(async () => (await dayCells()).length).toBeGreaterThan(0);
    for (const d of await dayCells()) expect(d).toMatch(/^\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}$/);
    await shot(analyst, 'en-report-days');
    await setLang(analyst, 'ko');
    expect(errors).toEqual([]);
  });
});
