import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../../../tests/support/backend-harness.js';
import { DEFAULT_PROFILES } from '../../reconcile/profile.js';
import { sampleLedger, seedLedger } from './fixtures.js';
import { generateSettlement, type Manifest } from './generate.js';

/**
 * Recording a large file streams its rows through a stage on disk into SQLite in
 * one transaction: every row and exception recorded, or nothing at all.
 */
const DAY = '2026-03-10';
const N = 100_000;
const hecto = DEFAULT_PROFILES.find((p) => p.id === 'hecto-pipe')!;
let h: Harness;
let official: string;
let file: Buffer;
let manifest: Manifest;

beforeAll(async () => {
  h = await Harness.start(() => new Date('2026-03-12T03:00:00Z'));
  const admin = await h.admin();
  official = (await h.user(admin, 'kim', 'official')).session;
  const ledger = sampleLedger('hecto', [DAY], N, 0);
  seedLedger(h.backend.ledger.sqlite, 'hecto', ledger);
  ({ bytes: file, manifest } = generateSettlement(ledger, hecto, DAY, { seed: 5, encoding: 'utf-8' }));
}, 60_000);
afterAll(() => h.close());

async function finished(jobId: string) {
  for (;;) {
    const j = await h.call('jobs.get', { id: jobId }, official);
    if (j.state !== 'running') return j;
    await new Promise((r) => setTimeout(r, 20));
  }
}
const count = (table: 'settlement_imports' | 'settlement_rows' | 'reconcile_exceptions' | 'audit_log') =>
  h.backend.ledger.sqlite.prepare(`select count(*) from ${table}`).pluck().get() as number;
const stages = () => readdirSync(tmpdir()).filter((f) => f.startsWith('settlement-stage-'));
const upload = async (bytes: Buffer) => (await h.call('reconcile.upload', { bytes }, official)).uploadId;
const analyse = async (bytes: Buffer, record: boolean, fileName = 'hecto-0310.txt') =>
  h.call('reconcile.analyse', { profileId: 'hecto-pipe', fileName, uploadId: await upload(bytes), record, windowBusinessDays: 1 }, official);

describe(`recording a ${N.toLocaleString()}-row file`, () => {
  it('a bad line near the end (row 90,000) stops the import, writes nothing and leaves no stage behind', async () => {
    const before = stages();
    const lines = file.toString('utf8').split('\n');
    // Line 1 is the header: row 90,000 is line 90,001. An amount that is not a number.
    const cells = lines[90_000]!.split('|');
    cells[6] = '12a4';
    lines[90_000] = cells.join('|');
    const audits = count('audit_log');
    const job = await finished((await analyse(Buffer.from(lines.join('\n')), true)).id);
    expect(job.state).toBe('failed');
    expect(job.error).toMatchObject({ key: 'reconcile.bad.notNumber', params: { line: 90_001 } });
    expect([count('settlement_imports'), count('settlement_rows'), count('reconcile_exceptions'), count('audit_log')]).toEqual([0, 0, 0, audits]);
    expect(stages().filter((f) => !before.includes(f))).toEqual([]);
    // The refused file's upload is gone too.
    expect(readdirSync(h.backend.deps.uploads.dir)).toEqual([]);
  }, 60_000);

  it('records every row and exception as the manifest says; the same file again is refused', async () => {
    const before = stages();
    const job = await finished((await analyse(file, true)).id);
    expect(job.state).toBe('done');
    expect(job.result).toMatchObject({ rows: manifest.rows, matched: manifest.matched });
    expect(count('settlement_imports')).toBe(1);
    expect(count('settlement_rows')).toBe(manifest.rows);
    const want = manifest.injected.filter((i) => i.class !== 'matched');
    expect(count('reconcile_exceptions')).toBe(want.length);
    // Row for row: the lines recorded are the file's, with the amounts the file says.
    const lines = h.backend.ledger.sqlite.prepare('select min(line) as lo, max(line) as hi, sum(amount) as amount from settlement_rows').get() as { lo: number; hi: number; amount: number };
    const body = file.toString('utf8').trimEnd().split('\n').slice(1);
    expect(lines).toEqual({ lo: 2, hi: body.length + 1, amount: body.reduce((s, l) => s + Number(l.split('|')[6]), 0) });
    const recorded = h.backend.ledger.sqlite.prepare('select class, line from reconcile_exceptions where line is not null order by line').all();
    expect(recorded).toEqual(want.filter((i) => i.line !== null).map((i) => ({ class: i.class, line: i.line })).sort((a, b) => a.line! - b.line!));
    expect(stages().filter((f) => !before.includes(f))).toEqual([]);
    expect(readdirSync(h.backend.deps.uploads.dir)).toEqual([]);
    const again = await h.fail('reconcile.analyse', { profileId: 'hecto-pipe', fileName: 'again.txt', uploadId: await upload(file), record: true, windowBusinessDays: 1 }, official);
    expect(again).toMatchObject({ code: 'conflict', key: 'reconcile.alreadyImported', params: { fileName: 'hecto-0310.txt' } });
    expect(count('settlement_rows')).toBe(manifest.rows);
    expect(readdirSync(h.backend.deps.uploads.dir)).toEqual([]);
  }, 60_000);

  it('a dry run keeps its upload for the record step; discarding removes it; an unknown id is refused in Korean', async () => {
    const small = Buffer.from(file.toString('utf8').split('\n').slice(0, 50).join('\n'));
    const id = (await h.call('reconcile.upload', { bytes: small }, official)).uploadId;
    const job = await finished((await h.call('reconcile.analyse', { profileId: 'hecto-pipe', fileName: 's.txt', uploadId: id, record: false, windowBusinessDays: 1 }, official)).id);
    expect(job.state).toBe('failed'); // 49 rows where the header declares 100,002: the file is refused, the upload kept for another try
    expect(readdirSync(h.backend.deps.uploads.dir)).toEqual([id]);
    await h.call('reconcile.discardUpload', { uploadId: id }, official);
    expect(readdirSync(h.backend.deps.uploads.dir)).toEqual([]);
    expect(await h.fail('reconcile.analyse', { profileId: 'hecto-pipe', fileName: 's.txt', uploadId: id, record: false, windowBusinessDays: 1 }, official)).toMatchObject({ code: 'not_found', key: 'reconcile.uploadNotFound' });
    expect(count('settlement_imports')).toBe(1);
  });
});
