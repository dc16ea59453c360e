import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
// @ts-expect-error -- a plain .mjs build script without type declarations
import { buildServer } from '../../scripts/build-server.mjs';
import { startPostgres } from './postgres.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * One PostgreSQL cluster for the whole server test run; each test file makes its own database. And one server
 * bundle (scripts/build-server.mjs, the `npm run server` build) that every server process of the run starts from
 * (server-process.ts), built afresh so it is always the code under test. Its folder sits under dist/ in the
 * repository so the packages it leaves outside (PGlite, better-sqlite3) resolve from node_modules. And a scratch
 * folder the run's files share (`runDir`: the e2e tours' demo data set, built once, see tests/e2e/demo-template.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const bundleDir = mkdtempSync(join(ROOT, 'dist', 'test-server-'));
  await buildServer(bundleDir);
  // Set before the workers start: they inherit the environment.
  process.env.ISSUANCE_TEST_SERVER = join(bundleDir, 'main.cjs');
  const pg = await startPostgres().catch((e: unknown) => {
    rmSync(bundleDir, { recursive: true, force: true });
    throw e;
  });
  project.provide('pgUrl', pg.url);
  const runDir = mkdtempSync(join(tmpdir(), 'ic-run-'));
  project.provide('runDir', runDir);
  return async () => {
    await pg.stop();
    rmSync(runDir, { recursive: true, force: true });
    rmSync(bundleDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
    /** A scratch folder for the whole run, shared by its test files and removed at its end. */
    runDir: string;
  }
}
