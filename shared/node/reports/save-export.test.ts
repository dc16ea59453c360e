import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_SAVE_EXPORT } from '../../api/host.js';
import { Harness } from '../../../tests/support/backend-harness.js';
import { Feeder, ledgerEvents, reportSpec } from '../../../tests/support/report-ledger.js';
import { CHUNK_BYTES } from './export-files.js';
import { saveExportToFile } from './save-export.js';

let h: Harness;
let analyst: string;
const dir = mkdtempSync(join(tmpdir(), 'save-export-'));

beforeAll(async () => {
  h = await Harness.start();
  const admin = await h.admin();
  analyst = (await h.user(admin, 'analyst', 'analyst')).session;
  // Enough events for a CSV of several chunks.
  new Feeder(h.backend.ledger.sqlite).feed(ledgerEvents({ roundId: 'r1', spec: reportSpec(), purchases: 25_000, start: '2026-03-09T20:00:00.000Z', days: 2, seed: 2 }));
}, 120_000);
afterAll(() => h.close());

async function finishedExport(session = analyst): Promise<string> {
  const job = await h.call('reports.export', { params: {}, format: 'csv', content: 'events', lang: 'ko', title: '전체' }, session);
  await expect.poll(async () => (await h.call('jobs.get', { id: job.id }, session)).state, { timeout: 20_000 }).toBe('done');
  return job.id;
}

const invoke = (r: Parameters<Harness['backend']['invoke']>[0]) => h.backend.invoke(r);

describe('saving an export where the user picks (Electron host)', () => {
  it('writes every chunk to the chosen file, named as the dialog suggested', async () => {
    const jobId = await finishedExport();
    const path = join(dir, 'picked.csv');
    let suggested = '';
    const out = await saveExportToFile({ jobId }, analyst, {
      invoke,
      choosePath: async (name) => {
        suggested = name;
        return path;
      },
    });
    expect(suggested).toMatch(/^전체 \d{4}-\d{2}-\d{2}\.csv$/);
    expect(out).toEqual({ ok: true, result: { saved: true, filename: 'picked.csv', size: readFileSync(path).length } });
    const bytes = readFileSync(path);
    expect(bytes.length).toBeGreaterThan(CHUNK_BYTES);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').trimEnd().split('\r\n');
    const events = h.backend.ledger.sqlite.prepare('select count(*) from ledger_events').pluck().get() as number;
    expect(lines.length - 1).toBe(events);
    // Read to the end: the temporary file is gone.
    expect((await h.fail('reports.download', { jobId }, analyst)).key).toBe('reports.exportNotFound');
  });

  it('writes nothing when the dialog is closed', async () => {
    const jobId = await finishedExport();
    const out = await saveExportToFile({ jobId }, analyst, { invoke, choosePath: async () => null });
    expect(out.ok && out.result.saved).toBe(false);
  });

  it("refuses someone else's export and bad input, writing no file", async () => {
    const jobId = await finishedExport();
    const other = (await h.user(await h.call('auth.signIn', { username: 'admin', password: 'admin-password-1' }).then((s) => s.token), 'analyst2', 'analyst')).session;
    const path = join(dir, 'never.csv');
    let asked = false;
    const choosePath = async () => {
      asked = true;
      return path;
    };
    const out = await saveExportToFile({ jobId }, other, { invoke, choosePath });
    expect(out.ok).toBe(false);
    expect(!out.ok && out.error.key).toBe('reports.exportNotFound');
    expect(asked).toBe(false);
    expect(existsSync(path)).toBe(false);
    const bad = await saveExportToFile({ jobId, path: '/etc/passwd' }, analyst, { invoke, choosePath });
    expect(!bad.ok && bad.error.code).toBe('invalid_input');
    expect(HOST_SAVE_EXPORT).toBe('host.saveExport');
  });
});
