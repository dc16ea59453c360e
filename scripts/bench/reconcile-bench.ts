/**
 * npm run bench:reconcile — 1,000,000 settlement rows parsed, matched against a
 * 1,000,000-purchase ledger and classified, in every shape and encoding, then
 * the exceptions grid's first page (backend query, and in Chromium).
 *
 * Prepares (untimed) a file-backed console database with a million purchases on
 * one day for each provider, and each provider's file for that day with the
 * generator's discrepancies and its manifest. Each shape is then measured in a
 * fresh process under /usr/bin/time, so its peak memory covers only that
 * reconciliation: reading the ledger index from SQLite, decoding and parsing the
 * file, both matching passes and classification. The classification is checked
 * against the manifest at full size.
 *
 * Then the first shape is recorded (rows, exceptions, import, audit), also in a
 * fresh process, into a copy of the database: time and peak memory.
 *
 * Goals (issue 10): each shape < 10 s and < 500 MB peak, recording < 500 MB, the grid's first page < 200 ms (query
 * and in Chromium); on a full run each is printed against baselines/reconcile.json (`--write-baseline` stores a run)
 * and a miss exits 1, as a result that differs from the manifest does.
 *
 * RECONCILE_BENCH_RECORD=0 skips recording. RECONCILE_BENCH_DIR keeps the prepared data between runs; RECONCILE_BENCH_ROWS
 * sizes it (default 1,000,000); RECONCILE_BENCH_SHAPES picks shapes (comma list).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, openDatabase } from '../../shared/node/db/open.js';
import { analyseSettlement } from '../../shared/node/reconcile/analyse.js';
import { sampleLedger, seedLedger } from '../../shared/node/reconcile/fixtures.js';
import { generateSettlement, type FileEncoding, type Manifest } from '../../shared/node/reconcile/generate.js';
import { listExceptions, recordImport, sha256 } from '../../shared/node/reconcile/reconcile-repo.js';
import { RowStager } from '../../shared/node/reconcile/stage-rows.js';
import { DEFAULT_PROFILES } from '../../shared/reconcile/profile.js';
import { judgeFigures, type Figure } from './goals.js';
import { measureGrid } from './reconcile-grid.js';
import { median } from './stats.js';

const N = Number(process.env.RECONCILE_BENCH_ROWS ?? 1_000_000);
const DAY = '2026-03-10';
const profile = (id: string) => DEFAULT_PROFILES.find((p) => p.id === id)!;

const SHAPES: { name: string; profileId: string; encoding: FileEncoding; file: string }[] = [
  { name: 'Hecto pipe, UTF-8', profileId: 'hecto-pipe', encoding: 'utf-8', file: 'hecto.txt' },
  { name: 'CSV, CP949', profileId: 'toss-csv', encoding: 'cp949', file: 'toss-cp949.csv' },
  { name: 'CSV, UTF-8', profileId: 'toss-csv', encoding: 'utf-8', file: 'toss-utf8.csv' },
  { name: 'CSV, UTF-8 with BOM', profileId: 'toss-csv', encoding: 'utf-8-bom', file: 'toss-utf8bom.csv' },
  { name: 'fixed width, UTF-8', profileId: 'kicc-fixed', encoding: 'utf-8', file: 'kicc.txt' },
];
const wanted = process.env.RECONCILE_BENCH_SHAPES?.split(',');
const shapes = wanted ? SHAPES.filter((s) => wanted.some((w) => s.file.startsWith(w))) : SHAPES;

const load = () => `load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`;

async function prepare(dir: string): Promise<void> {
  const l = openDatabase(join(dir, 'console.sqlite'));
  await migrateToLatest(l.db);
  const byProvider = new Map<string, ReturnType<typeof sampleLedger>>();
  for (const s of shapes) {
    if (existsSync(join(dir, s.file))) continue;
    const t0 = performance.now();
    const p = profile(s.profileId);
    let ledger = byProvider.get(p.provider);
    if (!ledger) {
      ledger = sampleLedger(p.provider, [DAY], N, 0);
      byProvider.set(p.provider, ledger);
      const have = l.sqlite.prepare('select count(*) from ledger_events where pay_provider = ?').pluck().get(p.provider) as number;
      if (have === 0) seedLedger(l.sqlite, p.provider, ledger);
    }
    const { bytes, manifest } = generateSettlement(ledger, p, DAY, { seed: 1, encoding: s.encoding });
    writeFileSync(join(dir, `${s.file}.manifest.json`), JSON.stringify(manifest));
    writeFileSync(join(dir, s.file), bytes);
    console.log(`prepared ${s.name}: ${N.toLocaleString()} ledger purchases and a ${(bytes.length / 1e6).toFixed(1)} MB file of ${manifest.rows.toLocaleString()} rows (${((performance.now() - t0) / 1000).toFixed(1)} s, untimed)`);
  }
  if (!(l.sqlite.prepare("select 1 from settlement_imports where id = 'bench'").get() as unknown)) {
    // Exceptions for the grid: 100,000 over 28 days and 4 providers, as months of work would leave.
    l.sqlite
      .prepare("insert into settlement_imports (id, sha256, profile_id, provider, file_name, encoding, day, row_count, imported_by, imported_at) values ('bench', 'bench', 'hecto-pipe', 'hecto', 'bench', 'utf-8', ?, 0, 'bench', ?)")
      .run(DAY, new Date().toISOString());
    const exc = l.sqlite.prepare('insert into reconcile_exceptions (import_id, provider, day, class, line, tid, district_code, file_amount, ledger_amount) values (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const classes = ['amount_mismatch', 'only_in_file', 'only_in_ledger', 'duplicate', 'cancel_without_original', 'other_day'];
    l.sqlite.transaction(() => {
      for (let i = 0; i < 100_000; i++) {
        exc.run('bench', ['hecto', 'toss', 'kicc', 'nice'][i % 4], `2026-02-${String(1 + (i % 28)).padStart(2, '0')}`, classes[i % 6], i + 2, `T${i}`, ['11110', '11440', '11680'][i % 3], 9_300, 9_300);
      }
    })();
  }
  l.sqlite.exec('analyze');
  await l.close();
}

const key = (e: { class: string; line: number | null; tid: string | null; eventId?: string | null }) => `${e.class} line=${e.line ?? '-'} tid=${e.tid}${e.line === null ? ` event=${e.eventId}` : ''}`;

/** One shape, in this (fresh) process: the figures as one JSON line on stdout. */
async function measure(dir: string, file: string): Promise<void> {
  const s = SHAPES.find((x) => x.file === file)!;
  const p = profile(s.profileId);
  const l = openDatabase(join(dir, 'console.sqlite'));
  const manifest = JSON.parse(readFileSync(join(dir, `${file}.manifest.json`), 'utf8')) as Manifest;
  const bytes = readFileSync(join(dir, file));
  // process.memoryUsage at each progress report: what the peak is made of.
  let peak = { rss: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    if (m.rss > peak.rss) peak = { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
  };
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const a = await analyseSettlement(l.sqlite, p, bytes, { windowBusinessDays: 1, timed: true, onProgress: sample });
  const totalMs = performance.now() - t0;
  // CPU the analysis itself used (all threads of the process, GC included): what a loaded machine stretches least.
  const c = process.cpuUsage(c0);
  const cpuMs = (c.user + c.system) / 1000;
  sample();
  const r = a.result;
  const got = r.exceptions.map(key).sort();
  const want = manifest.injected.filter((i) => i.class !== 'matched').map(key).sort();
  const rekeyed = manifest.injected.filter((i) => i.kind === 'rekeyed').map((i) => i.line);
  const exact = JSON.stringify(got) === JSON.stringify(want) && r.matched === manifest.matched && r.rows === manifest.rows && JSON.stringify(r.matchedByTime) === JSON.stringify(rekeyed);
  await l.close();
  const MB = 1024 * 1024;
  console.log(
    JSON.stringify({
      rows: r.rows,
      ledger: a.ledgerRows,
      encoding: a.encoding,
      ...a.phases,
      ledgerMs: a.ledgerMs,
      totalMs,
      cpuMs,
      exceptions: r.exceptions.length,
      exact,
      mem: { rss: peak.rss / MB, heap: peak.heapUsed / MB, external: peak.external / MB, arrayBuffers: peak.arrayBuffers / MB },
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

/**
 * One shape analysed and recorded, in this (fresh) process, into a copy of the
 * prepared database (so the bench repeats): rows staged on disk while parsed,
 * then the import, every row and every exception in one transaction.
 */
async function measureRecord(dir: string, file: string, bad: boolean): Promise<void> {
  const s = SHAPES.find((x) => x.file === file)!;
  const p = profile(s.profileId);
  const copy = join(dir, 'record-copy.sqlite');
  rmSync(copy, { force: true });
  copyFileSync(join(dir, 'console.sqlite'), copy);
  const l = openDatabase(copy);
  try {
    const bytes = readFileSync(join(dir, file));
    if (bad) {
      // Row 900,000 (90% of the file) gets an amount that is not a number: the record must stay empty.
      const at = Math.floor(N * 0.9);
      let pos = 0;
      for (let line = 0; line < at; line++) pos = bytes.indexOf(10, pos) + 1;
      const end = bytes.indexOf(10, pos);
      const cells = bytes.subarray(pos, end).toString('latin1').split(p.delimiter ?? '|');
      const amountCol = p.columns.find((c) => c.field === 'amount')!.index as number;
      cells[amountCol] = 'x'.repeat(cells[amountCol]!.length);
      bytes.write(cells.join(p.delimiter ?? '|'), pos, 'latin1');
      const stage = new RowStager(l.sqlite);
      const t0 = performance.now();
      let key = '';
      try {
        await analyseSettlement(l.sqlite, p, bytes, { windowBusinessDays: 1, stage });
      } catch (e) {
        key = `${(e as { key?: string }).key} line ${(e as { params?: { line?: number } }).params?.line}`;
      } finally {
        stage.dispose();
      }
      const rows = l.sqlite.prepare("select count(*) from settlement_rows where import_id != 'bench'").pluck().get() as number;
      const imports = l.sqlite.prepare("select count(*) from settlement_imports where id != 'bench'").pluck().get() as number;
      console.log(JSON.stringify({ refused: key, ms: performance.now() - t0, rows, imports, stageLeft: existsSync(stage.file) }));
      return;
    }
    let peakRss = 0;
    const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
    const t0 = performance.now();
    const stage = new RowStager(l.sqlite);
    try {
      const a = await analyseSettlement(l.sqlite, p, bytes, { windowBusinessDays: 1, stage, onProgress: sample });
      const analysedMs = performance.now() - t0;
      const t1 = performance.now();
      await recordImport(l.db, l.sqlite, { profile: p, fileName: file, hash: sha256(bytes), encoding: a.encoding, result: a.result, stage, actor: { id: 'bench', username: 'bench', displayName: 'bench' }, at: new Date().toISOString() });
      const recordMs = performance.now() - t1;
      sample();
      const rows = l.sqlite.prepare('select count(*) from settlement_rows where import_id != ?').pluck().get('bench') as number;
      const MB = 1024 * 1024;
      console.log(JSON.stringify({ rows, exceptions: a.result.exceptions.length, analysedMs, recordMs, totalMs: analysedMs + recordMs, rss: peakRss / MB, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
    } finally {
      stage.dispose();
    }
  } finally {
    await l.close();
    for (const f of [copy, `${copy}-wal`, `${copy}-shm`]) rmSync(f, { force: true });
  }
}

async function gridQueries(dir: string): Promise<number[]> {
  const l = openDatabase(join(dir, 'console.sqlite'));
  const times: number[] = [];
  for (const q of [{}, { day: '2026-02-14' }, { provider: 'toss', class: 'duplicate' as const }, { districtCode: '11440', status: 'open' as const }]) {
    const t = performance.now();
    const page = await listExceptions(l.db, { startRow: 0, endRow: 100, ...q });
    times.push(performance.now() - t);
    if (page.rows.length === 0) throw new Error('empty first page');
  }
  await l.close();
  return times;
}

const TIME = '/usr/bin/time';

async function main(): Promise<void> {
  const keep = process.env.RECONCILE_BENCH_DIR;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'reconcile-bench-'));
  try {
    mkdirSync(dir, { recursive: true });
    await prepare(dir);
    console.log(`\nreconcile: ${N.toLocaleString()} rows vs a ${N.toLocaleString()}-purchase ledger, each shape in a fresh process (targets: total < 10 s, peak RSS < 500 MB)`);
    console.log('  phases and total are wall time of the analysis; CPU is the user + system time the analysis used (process.cpuUsage), which a loaded machine stretches least');
    console.log('shape                    parse     match  classify     total  (ledger read)       CPU  peak RSS (time -v)  heap/ext at peak  manifest   load');
    let failed = false;
    // The largest of each figure over the shapes, for the goals (issue 10) and the baseline.
    let worstTotalMs = 0;
    let worstRssMB = 0;
    const figures: Figure[] = [];
    for (const s of shapes) {
      // /usr/bin/time -v's "Maximum resident set size" is the kernel's figure for the whole process.
      const args = [...process.execArgv, process.argv[1]!, 'measure', dir, s.file];
      const timed = existsSync(TIME);
      const r = spawnSync(timed ? TIME : process.execPath, timed ? ['-v', process.execPath, ...args] : args, { encoding: 'utf8', maxBuffer: 1 << 24 });
      const line = r.stdout.trim().split('\n').at(-1) ?? '';
      if (r.status !== 0 || !line.startsWith('{')) {
        console.error(`${s.name}: failed\n${r.stdout}\n${r.stderr}`);
        failed = true;
        continue;
      }
      const m = JSON.parse(line) as { parseMs: number; matchMs: number; classifyMs: number; totalMs: number; cpuMs: number; ledgerMs: number; exact: boolean; mem: { heap: number; external: number }; maxRssMb: number };
      const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1];
      const rss = kb ? Number(kb) / 1024 : m.maxRssMb;
      const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`.padStart(8);
      console.log(
        `${s.name.padEnd(22)} ${sec(m.parseMs)}  ${sec(m.matchMs)}  ${sec(m.classifyMs)}  ${sec(m.totalMs)}  (${sec(m.ledgerMs)})  ${sec(m.cpuMs)}     ${`${rss.toFixed(0)} MB`.padStart(8)}        ${`${m.mem.heap.toFixed(0)}/${m.mem.external.toFixed(0)} MB`.padStart(12)}      ${m.exact ? 'exact' : 'DIFFERS'}  ${load()}`,
      );
      if (!m.exact) failed = true;
      worstTotalMs = Math.max(worstTotalMs, m.totalMs);
      worstRssMB = Math.max(worstRssMB, (rss * 2 ** 20) / 1e6);
    }
    figures.push(
      { key: 'worstTotalSeconds', label: 'slowest shape, parse + match + classify', value: worstTotalMs / 1000, unit: 's', goal: 10 },
      { key: 'worstPeakMB', label: 'largest peak RSS of a shape', value: worstRssMB, unit: 'MB', goal: 500 },
    );
    if (process.env.RECONCILE_BENCH_RECORD !== '0') {
      // Recorded, not only analysed: the first shape, parsed, matched and written row for row (target: peak RSS < 500 MB).
      const s = shapes[0]!;
      const args = [...process.execArgv, process.argv[1]!, 'measure-record', dir, s.file];
      const timed = existsSync(TIME);
      const r = spawnSync(timed ? TIME : process.execPath, timed ? ['-v', process.execPath, ...args] : args, { encoding: 'utf8', maxBuffer: 1 << 24 });
      const line = r.stdout.trim().split('\n').at(-1) ?? '';
      if (r.status !== 0 || !line.startsWith('{')) {
        console.error(`record ${s.name}: failed\n${r.stdout}\n${r.stderr}`);
        failed = true;
      } else {
        const m = JSON.parse(line) as { rows: number; exceptions: number; analysedMs: number; recordMs: number; totalMs: number; maxRssMb: number };
        const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1];
        const rss = kb ? Number(kb) / 1024 : m.maxRssMb;
        console.log(
          `\nrecord ${s.name}: ${m.rows.toLocaleString()} rows and ${m.exceptions.toLocaleString()} exceptions written in one transaction: analyse ${(m.analysedMs / 1000).toFixed(2)} s (rows staged on disk) + record ${(m.recordMs / 1000).toFixed(2)} s = ${(m.totalMs / 1000).toFixed(2)} s, peak RSS ${rss.toFixed(0)} MB (target < 500 MB; ${load()})`,
        );
        if (rss >= 500) failed = true;
        figures.push({ key: 'recordPeakMB', label: 'recording the first shape, peak RSS', value: (rss * 2 ** 20) / 1e6, unit: 'MB', goal: 500 });
      }
      if (s.profileId === 'hecto-pipe') {
        // The same file with a bad amount at row 900,000: refused at that line, nothing recorded, no stage left.
        const b = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, 'measure-bad', dir, s.file], { encoding: 'utf8', maxBuffer: 1 << 24 });
        const out = b.stdout.trim().split('\n').at(-1) ?? '';
        const m = out.startsWith('{') ? (JSON.parse(out) as { refused: string; ms: number; rows: number; imports: number; stageLeft: boolean }) : null;
        const ok = m !== null && m.refused.startsWith('reconcile.bad.') && m.rows === 0 && m.imports === 0 && !m.stageLeft;
        console.log(`record with a bad amount at row ${Math.floor(N * 0.9).toLocaleString()}: ${m ? `refused (${m.refused}) after ${(m.ms / 1000).toFixed(2)} s, ${m.imports} imports and ${m.rows} rows written, stage ${m.stageLeft ? 'LEFT BEHIND' : 'removed'}` : `failed\n${b.stdout}\n${b.stderr}`} — ${ok ? 'ok' : 'WRONG'} (${load()})`);
        if (!ok) failed = true;
      }
    }
    const queries = await gridQueries(dir);
    console.log(`\nexceptions grid first page (100 of 100,000, with its total), backend query: ${queries.map((t) => t.toFixed(1)).join(' / ')} ms for none / day / provider+class / district+open (target < 200 ms; ${load()})`);
    figures.push({ key: 'gridQueryMs', label: 'exceptions first page, slowest backend query', value: Math.max(...queries), unit: 'ms', goal: 200 });
    if (process.env.RECONCILE_BENCH_GRID !== '0') {
      const g = await measureGrid();
      console.log(
        `exceptions grid first page in Chromium (built web host, ${g.exceptions.toLocaleString()} exceptions): ${g.firstPageMs.map((t) => t.toFixed(0)).join(' / ')} ms from opening the page to the first rows drawn, ${g.filterMs.map((t) => t.toFixed(0)).join(' / ')} ms after a filter change (target < 200 ms; ${load()})`,
      );
      figures.push(
        { key: 'gridFirstPageMs', label: 'exceptions grid in Chromium, first rows drawn (median)', value: median(g.firstPageMs), unit: 'ms', goal: 200 },
        { key: 'gridFilterMs', label: 'exceptions grid in Chromium, after a filter change (median)', value: median(g.filterMs), unit: 'ms', goal: 200 },
      );
    }
    if (shapes.length === SHAPES.length && N === 1_000_000) judgeFigures('bench:reconcile, 1M settlement rows against a 1M-purchase ledger, every shape; the exceptions grid', new URL('./baselines/reconcile.json', import.meta.url), figures);
    else console.log('\n(goals and baseline are judged on the full run only: every shape, 1,000,000 rows)');
    if (failed) process.exitCode = 1;
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

const [mode, dirArg, fileArg] = process.argv.slice(2);
if (mode === 'measure') await measure(dirArg!, fileArg!);
else if (mode === 'measure-record') await measureRecord(dirArg!, fileArg!, false);
else if (mode === 'measure-bad') await measureRecord(dirArg!, fileArg!, true);
else await main();
