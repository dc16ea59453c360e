import { describe, expect, it } from 'vitest';
import { AppError } from '../../common/errors.js';
import { DEFAULT_PROFILES } from '../../reconcile/profile.js';
import { sampleLedger } from './fixtures.js';
import { generateSettlement } from './generate.js';
import { parseSettlement, type ParseProgress } from './parse.js';

const DAY = '2026-03-10';
const hecto = DEFAULT_PROFILES.find((p) => p.id === 'hecto-pipe')!;
// ~40,000 rows, ~3.5 MB: several of the parser's 1 MB steps.
const { bytes, manifest } = generateSettlement(sampleLedger('hecto', [DAY], 40_000, 0), hecto, DAY, { inject: false });

describe('a large settlement file is read in steps', () => {
  it('reports progress by the megabyte, in order, ending at the whole file', async () => {
    const seen: ParseProgress[] = [];
    const r = await parseSettlement(bytes, hecto, () => {}, { onProgress: (p) => seen.push({ ...p }) });
    expect(r.rows).toBe(manifest.rows);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.length).toBeLessThan(20);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.bytes).toBeGreaterThanOrEqual(seen[i - 1]!.bytes);
    expect(seen.at(-1)).toEqual({ bytes: bytes.length, total: bytes.length, rows: manifest.rows });
  });

  it('stops at the next step when cancelled, having read only part of the file', async () => {
    const ac = new AbortController();
    let rows = 0;
    const run = parseSettlement(bytes, hecto, () => rows++, { signal: ac.signal, onProgress: (p) => p.bytes > 1_000_000 && ac.abort() });
    await expect(run).rejects.toSatisfy((e: unknown) => e instanceof AppError && e.key === 'reconcile.cancelled');
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(manifest.rows);
  });
});
