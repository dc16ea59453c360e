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
          // A file's set-up is a test's worth of work (a server process with its users and sale, a host, Chromium);
          // beside a second file on a loaded machine it passed 60 s (ui-polish at load 20). A hang still fails.
          hookTimeout: 120_000,
          // A value read after a click, a navigation or a language switch is polled until it shows the new state
          // (expect.poll); a loaded machine can take seconds to draw it, past expect.poll's 1-second default.
          expect: { poll: { timeout: 15_000 } },
          // Two files at once, like the other projects: each file starts its own host, data folder, server (own
          // database, port 0) and Chromium. reconcile.e2e's one failure that way was a product race (an answer about
          // the open exception wiped an adjustment being typed on a slow host), fixed in ExceptionPanel.svelte.
        },
      },
    ],
  },
});
