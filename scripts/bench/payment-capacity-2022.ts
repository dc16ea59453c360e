/**
 * The payment capacity the 2022 preset needs to sell out within a target
 * (issue 20 item 3), as the console's study recommends it: 20 seeds, the
 * recommended admission rate, the assumed 1,000 ms per payment and 30 s
 * time-out. Run with `nice -n 10 npx tsx scripts/bench/payment-capacity-2022.ts [target minutes]`.
 */
import { loadavg } from 'node:os';
import { simulate, simulateIfSoldOutBy } from '../../shared/simulation/engine.js';
import { preset2022 } from '../../shared/simulation/params.js';
import { recommend } from '../../shared/simulation/recommend.js';

async function main(): Promise<void> {
  const target = Number(process.argv[2] ?? 60);
  const started = Date.now();
  let runs = 0;
  const { recommendations: r } = await recommend(preset2022(), async (p) => (runs++, simulate(p)), {
    targetSellOutMinutes: target,
    probe: async (p, m) => (runs++, simulateIfSoldOutBy(p, m)),
  });
  const pay = r.payment;
  console.log(`target ${target} min: admission ${r.admission.perMinute}/min (held on ${r.admission.check?.held}/${r.admission.check?.seeds} seeds); session ${r.session.minutes} min`);
  if (pay) console.log(`payment capacity ${pay.tps} TPS (${pay.latencyMs} ms each, time-out ${pay.timeoutMs} ms), ${pay.feasible ? 'meets' : 'does not meet'} the target; sell-out on ${pay.check.held}/${pay.check.seeds} seeds, min ${pay.check.min?.toFixed(1)} · median ${pay.check.median?.toFixed(1)} · max ${pay.check.max?.toFixed(1)} min`);
  console.log(`${runs} runs, ${((Date.now() - started) / 1000).toFixed(0)} s; load average ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
}

void main();
