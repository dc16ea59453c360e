/** One simulation of the 2022 preset in a fresh process, so its time and peak memory are its own. */
import { simulate } from '../../shared/simulation/engine.js';
import { preset2022 } from '../../shared/simulation/params.js';

const visitors = Number(process.argv[2] ?? 1_000_000);
const started = process.hrtime.bigint();
const r = simulate({ ...preset2022(), visitors });
const ms = Number(process.hrtime.bigint() - started) / 1e6;
console.log(
  JSON.stringify({
    visitors,
    ms,
    events: r.events,
    buyers: r.buyers,
    soldOutMinute: r.soldOutMinute,
    logouts: r.logouts,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  }),
);
