/**
 * The payment capacity an admission rate needs, from queueing theory instead
 * of a search over full runs: the payment system is M/M/c (engine.ts: TPS ×
 * latency slots, exponential service), so the chance a payment waits past the
 * time-out is Erlang C(c, a) · e^−(cμ − λ)T. The study verifies the answer on
 * its seeds and steps up from it only if they miss; this is its first probe.
 */

/**
 * Erlang C, the chance an arrival waits in M/M/c with offered load a < c, by
 * the Erlang B recursion B(k) = a·B(k−1) / (k + a·B(k−1)), which stays finite
 * for thousands of servers (a^c/c! does not).
 */
export function erlangWaitChance(c: number, a: number): number {
  if (a >= c) return 1;
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return (c * b) / (c - a * (1 - b));
}

/** The chance a payment waits longer than `timeoutS` in the queue. */
export function timeoutChance(tps: number, latencyS: number, paymentsPerSecond: number, timeoutS: number): number {
  const servers = Math.max(1, Math.round(tps * latencyS));
  const mu = 1 / (servers / tps); // one slot's service rate, as the engine has it
  const a = paymentsPerSecond / mu;
  if (a >= servers) return 1;
  return erlangWaitChance(servers, a) * Math.exp(-(servers * mu - paymentsPerSecond) * timeoutS);
}

/**
 * The fewest transactions a second (in steps of `step`) at which `payments`
 * payments arriving at `paymentsPerSecond` expect fewer than `allowed`
 * time-outs in all, and the payment queue does not grow without bound.
 */
export function paymentTpsFor(paymentsPerSecond: number, latencyS: number, timeoutS: number, payments: number, step: number, allowed = 0.05): number {
  const ok = (tps: number) => timeoutChance(tps, latencyS, paymentsPerSecond, timeoutS) * payments < allowed;
  // Doubling to a capacity that holds, then bisection on the steps below it: the chance falls as capacity grows.
  let hi = step;
  while (!ok(hi)) hi *= 2;
  let lo = 0;
  while (hi - lo > step) {
    const mid = lo + Math.floor((hi - lo) / 2 / step) * step;
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
