import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Vitest's default in a run is one worker fewer than the cores, which is one worker on the 2-core machines this
// project is built and tested on: every file ran one after another while the other core idled. Most files wait on
// PostgreSQL, a child process or Chromium for much of their time, so two files at once fill the machine.
const workers = Math.max(2, availableParallelism());

export default defineConfig({
  test: {
    maxWorkers: workers,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['shared/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.ts', 'tests/unit/**/*.test.ts'],
          exclude: ['**/*.pg.test.ts', 'node_modules/**'],
          environment: 'node',
          testTimeout: 30_000,
          // Backend harnesses sign in several users (scrypt at the production cost) before a file's tests; with two
          // files at once that set-up alone can pass Vitest's 10-second default.
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          // Against a real PostgreSQL cluster started for the run (Debian's postgresql package).
          name: 'server',
          include: ['server/**/*.pg.test.ts', 'shared/**/*.pg.test.ts', 'tests/server/**/*.pg.test.ts'],
          environment: 'node',
          globalSetup: ['tests/support/pg-global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          globalSetup: ['tests/support/pg-global-setup.ts'],
          include: ['tests/e2e/**/*.e2e.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // One file at a time: with two at once (each with its own host, server and Chromium) reconcile.e2e's
          // unexplained total once stayed at 0 where -1 was due; alone it passes. Back to two when that is understood.
          fileParallelism: false,
        },
      },
    ],
  },
});
