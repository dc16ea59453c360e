import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { createDatabase } from '../support/postgres.js';
import { startServerProcess } from '../support/server-process.js';

/** What a demo fill left: a PostgreSQL database to copy, what the server printed, its settlement files. */
interface DemoTemplate {
  /** The filled database, only ever copied (CREATE DATABASE … TEMPLATE), never served from. */
  database: string;
  /** The server's output while it filled the demo year: the accounts' passwords, the sample buyer. */
  output: string;
  /** The --demo-out folder it wrote. */
  out: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The demo year at `scale`, filled once per run by whichever tour file asks first (the others wait for it): four
 * tours each filled their own — the demo fill and its accounts' slow password hashes, ~15–30 s a file — although
 * the fill depends on nothing but the scale and the server's directory key (the repository's .server-data, the same
 * for every server a test starts on PostgreSQL). The claim is a folder made in the run's scratch folder (mkdir is
 * atomic across the worker processes); the template is announced by renaming its description into place.
 */
async function demoTemplate(scale: string): Promise<DemoTemplate> {
  const runDir = inject('runDir');
  const name = `demo_${scale.replace(/\W/g, '_')}`;
  const ready = join(runDir, `${name}.json`);
  let mine = false;
  try {
    mkdirSync(join(runDir, `${name}.claim`));
    mine = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  if (mine) {
    const out = join(runDir, `${name}-out`);
    let result: DemoTemplate | { error: string };
    try {
      await createDatabase(inject('pgUrl'), name);
      const server = await startServerProcess(inject('pgUrl').replace(/\/postgres$/, `/${name}`), {}, ['--demo', '--scale', scale, '--demo-out', out]);
      // Stopped before it is copied: PostgreSQL copies a database only while no one is connected to it.
      await server.stop();
      result = { database: name, output: server.output(), out };
    } catch (e) {
      result = { error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
    writeFileSync(`${ready}.part`, JSON.stringify(result));
    renameSync(`${ready}.part`, ready);
  }
  // The fill took ~20 s at load 10; a hung one fails here as it did in the tour's own set-up.
  for (const until = Date.now() + 240_000; !existsSync(ready); await sleep(250)) {
    if (Date.now() > until) throw new Error(`the demo data set (scale ${scale}) was not ready after 240 s`);
  }
  const result = JSON.parse(readFileSync(ready, 'utf8')) as DemoTemplate | { error: string };
  if ('error' in result) throw new Error(`filling the demo data set failed:\n${result.error}`);
  return result;
}

/**
 * A database of this test file's own holding the demo year, and its settlement files copied to `out`; returns
 * the database's URL and what the filling server printed.
 */
export async function demoDatabase(scale: string, out: string): Promise<{ dbUrl: string; output: string }> {
  const template = await demoTemplate(scale);
  const dbUrl = await createDatabase(inject('pgUrl'), undefined, template.database);
  cpSync(template.out, out, { recursive: true });
  return { dbUrl, output: template.output };
}
