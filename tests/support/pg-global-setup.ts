import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres.js';

/** One PostgreSQL cluster for the whole server test run; each test file makes its own database. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const pg = await startPostgres();
  project.provide('pgUrl', pg.url);
  return () => pg.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}
