/** Textbook queueing results the simulator is checked against. */

/** Erlang C: probability an arrival waits in M/M/c with offered load a = λ/μ < c. */
export function erlangC(c: number, a: number): number {
  let term = 1;
  let sum = 1;
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const top = ((term * a) / c) * (c / (c - a));
  return top / (sum + top);
}

/** Mean wait in queue (same time unit as 1/μ) for M/M/c. */
export function mmcMeanWait(lambda: number, mu: number, c: number): number {
  return erlangC(c, lambda / mu) / (c * mu - lambda);
}

/**
 * Erlang A (M/M/c+M): the birth–death chain with abandonment rate θ per
 * waiting customer, solved numerically. Returns P(abandon) and the mean time
 * in queue over all arrivals.
 */
export function erlangA(lambda: number, mu: number, c: number, theta: number): { pAbandon: number; meanWait: number } {
  const K = c + 2_000;
  const pi = new Float64Array(K + 1);
  pi[0] = 1;
  for (let n = 1; n <= K; n++) pi[n] = (pi[n - 1]! * lambda) / (Math.min(n, c) * mu + Math.max(n - c, 0) * theta);
  const z = pi.reduce((s, v) => s + v, 0);
  let queue = 0;
  for (let n = c + 1; n <= K; n++) queue += ((n - c) * pi[n]!) / z;
  return { pAbandon: (theta * queue) / lambda, meanWait: queue / lambda };
}
