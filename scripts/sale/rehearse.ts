/**
 * npm run rehearse -- --round ID --scenario NAME|RUN|FILE [--speed N] [--buyers N] [--seconds S] [--poll-ms MS]
 *                     [--url URL[,URL…] --spec FILE] [--print-spec FILE] [--console-db FILE]
 *
 * Replays the simulator's buyers for a scenario as virtual buyers against the
 * sale service, time compressed, and checks the sale (see README, "Load
 * rehearsal"). Without --url it starts its own PostgreSQL (DATABASE_URL if
 * set), redis-server and sale service and publishes the round itself.
 * Exits 1 when a check fails.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { argValue } from '../../shared/node/paths.js';
import { roundSpecSchema } from '../../shared/rounds/spec.js';
import { localRehearsal } from './local-rehearsal.js';
import { rehearse, reportText, type RehearsalReport } from './rehearsal.js';
import { MAX_BUYERS, MAX_SECONDS, rehearsalRound, rehearsalScale } from './rehearsal-round.js';
import { scenarioParams } from './scenario.js';
import { checkOverHttp } from './stack.js';

function bounded(name: string, fallback: number, min: number, max: number): number {
  const raw = argValue(process.argv, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number from ${min} to ${max}, not '${raw}'`);
  return n;
}

async function main(): Promise<void> {
  const roundId = argValue(process.argv, 'round');
  const scenario = argValue(process.argv, 'scenario');
  if (!roundId || !/^[A-Za-z0-9_-]{1,64}$/.test(roundId) || !scenario) throw new Error('--round ID (letters, digits, - and _) and --scenario are required');
  const speed = bounded('speed', 120, 1, 3_600);
  const maxBuyers = bounded('buyers', 500, 1, MAX_BUYERS);
  const maxSeconds = bounded('seconds', 60, 1, MAX_SECONDS);
  const pollMs = bounded('poll-ms', 250, 20, 60_000);
  const { params, label } = scenarioParams(scenario, argValue(process.argv, 'console-db'));
  console.log(`scenario: ${label}; speed ×${speed}; at most ${maxBuyers} buyers and ${maxSeconds} s`);

  const printSpec = argValue(process.argv, 'print-spec');
  if (printSpec) {
    // The round to propose and publish on a real server for a rehearsal against it (--url), opening in 10 minutes.
    const { scaled } = rehearsalScale(params, maxBuyers);
    writeFileSync(printSpec, JSON.stringify(rehearsalRound(scaled, speed, new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 600_000), `rehearsal ${roundId}`, maxSeconds * 1000 - 5_000), null, 2));
    console.log(`round spec written to ${printSpec}: propose and publish it as round ${roundId}, open it, then run with --url and --spec ${printSpec}`);
    return;
  }

  let report: RehearsalReport;
  const url = argValue(process.argv, 'url');
  if (url) {
    const specFile = argValue(process.argv, 'spec');
    const token = process.env.SALE_STAFF_TOKEN;
    if (!specFile || !token) throw new Error('--url needs --spec FILE (the round as published, from --print-spec) and SALE_STAFF_TOKEN (an official\'s token, for the sale check)');
    const round = roundSpecSchema.parse(JSON.parse(readFileSync(specFile, 'utf8')));
    const { scaled } = rehearsalScale(params, maxBuyers);
    const urls = url.split(',');
    report = await rehearse({
      urls, roundId, round, scaled, speed, maxSeconds, pollMs,
      startAt: Date.parse(round.opensAt) - (scaled.arrival.preOpenMinutes * 60_000) / speed,
      check: () => checkOverHttp(urls[0]!, roundId, token),
      log: console.log,
    });
  } else {
    report = await localRehearsal({ roundId, params, speed, maxBuyers, maxSeconds, pollMs, databaseUrl: process.env.DATABASE_URL || undefined, log: console.log });
  }
  console.log(reportText(report));
  if (report.problems.length > 0) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(`rehearse: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
