/**
 * The exceptions grid's first page, measured where users see it: Chromium
 * (playwright-core) on the built web host, over a console holding 100,000
 * exceptions. Timed inside the page (performance.now), from the click that opens
 * the Reconcile page (or changes a filter) to the first row drawn in the grid, so
 * the driver's round trips are not counted. Needs `npm run build`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, openDatabase } from '../../shared/node/db/open.js';
import { createAdmin } from '../../tests/e2e/flows.js';
import { launchBrowser, openPage, startHost } from '../../tests/e2e/support.js';

const EXCEPTIONS = 100_000;

/** A console data folder with a large exception set, as months of reconciliation would leave. */
export async function seedForGrid(dataDir: string): Promise<void> {
  const l = openDatabase(join(dataDir, 'console.sqlite'));
  await migrateToLatest(l.db);
  const providers = ['hecto', 'toss', 'kicc', 'nice'];
  const days = Array.from({ length: 28 }, (_, i) => `2026-02-${String(i + 1).padStart(2, '0')}`);
  const classes = ['amount_mismatch', 'only_in_file', 'only_in_ledger', 'duplicate', 'cancel_without_original', 'other_day'];
  const imp = l.sqlite.prepare(
    "insert into settlement_imports (id, sha256, profile_id, provider, file_name, encoding, day, row_count, imported_by, imported_at) values (?, ?, 'hecto-pipe', ?, 'bench', 'utf-8', ?, 0, 'bench', ?)",
  );
  const exc = l.sqlite.prepare('insert into reconcile_exceptions (import_id, provider, day, class, line, tid, district_code, file_amount, ledger_amount) values (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  l.sqlite.transaction(() => {
    for (const d of days) for (const p of providers) imp.run(`${p}-${d}`, `${p}-${d}`, p, d, new Date().toISOString());
    for (let i = 0; i < EXCEPTIONS; i++) {
      const p = providers[i % 4]!;
      const d = days[Math.floor(i / 4) % 28]!;
      exc.run(`${p}-${d}`, p, d, classes[i % 6], i + 2, `T${i}`, ['11110', '11440', '11680'][i % 3], 9_300 + (i % 7) * 1_000, 9_300);
    }
  })();
  l.sqlite.exec('analyze');
  await l.close();
}

/**
 * In the page: click `click` (or set the select `select[0]` to `select[1]`) and resolve with the ms until row 0
 * (aria row 2, after the header) of the grid is drawn and the count shows a number other than `countNot`. A string, so the TypeScript loader
 * adds no helper the page lacks.
 */
const TIMED_IN_PAGE = `async (a) => {
  const t0 = performance.now();
  if (a.click) document.querySelector(a.click).click();
  if (a.select) {
    const s = document.querySelector(a.select[0]);
    s.value = a.select[1];
    s.dispatchEvent(new Event('change', { bubbles: true }));
  }
  return new Promise((resolve, reject) => {
    const give = setTimeout(() => reject(new Error('the grid did not show rows in 20 s')), 20000);
    const check = () => {
      const count = (document.querySelector('[data-testid="exceptions-count"]')?.textContent ?? '').trim();
      const cell = document.querySelector('[data-testid="exceptions-grid"] .ag-row[aria-rowindex="2"] .ag-cell');
      if (cell && cell.textContent && /^[\\d,]+$/.test(count) && count !== a.countNot) {
        clearTimeout(give);
        resolve(performance.now() - t0);
      } else requestAnimationFrame(check);
    };
    check();
  });
}`;

type TimedArgs = { click?: string; select?: [string, string]; countNot: string };
const timed = (page: import('playwright-core').Page, a: TimedArgs) => page.evaluate(`(${TIMED_IN_PAGE})(${JSON.stringify(a)})`) as Promise<number>;

export async function measureGrid(): Promise<{ exceptions: number; firstPageMs: number[]; filterMs: number[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'reconcile-grid-'));
  await seedForGrid(dataDir);
  const host = await startHost(dataDir);
  const browser = await launchBrowser();
  try {
    const errors: string[] = [];
    const page = await openPage(browser, host.url, errors);
    await createAdmin(page);
    const firstPageMs: number[] = [];
    // Opening the page: three times, leaving for the ledger page in between (the first also loads the page's code).
    for (let k = 0; k < 3; k++) {
      await page.locator('a.nav[href="#/ledger"]').click();
      await page.waitForFunction(`!document.querySelector('[data-testid="exceptions-grid"]')`);
      // Let the ledger page finish its own requests: the host answers one at a time, and the figure is the grid's.
      await page.waitForTimeout(1_000);
      firstPageMs.push(await timed(page, { click: 'a.nav[href="#/reconcile"]', countNot: '' }));
    }
    const filterMs: number[] = [];
    const count = async () => (await page.getByTestId('exceptions-count').innerText()).trim();
    for (const [name, value] of [
      ['class', 'duplicate'],
      ['provider', 'toss'],
      ['day', '2026-02-14'],
    ] as const) {
      await page.waitForTimeout(500);
      filterMs.push(await timed(page, { select: [`select[name="${name}"]`, value], countNot: await count() }));
    }
    if (errors.length > 0) throw new Error(`the page reported errors: ${errors.join('; ')}`);
    return { exceptions: EXCEPTIONS, firstPageMs, filterMs };
  } finally {
    await browser.close();
    await host.stop();
  }
}
