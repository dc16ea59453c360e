/** The admissions per slot at the 75th and the 25th percentile of the measured ones; null when a band cannot be said yet (waitBand). */
export interface WaitRates {
  fast: number;
  slow: number;
}

/**
 * An honest wait for someone `position` places from the front: read from the
 * measured admissions per 10 s (no-shows leave the queue as they are admitted,
 * so the outflow already counts them), not from the approved rate. The band is
 * the wait at the 75th and the 25th percentile of the measured rates, so a
 * buyer sees the spread; null when too little has been measured to say.
 */
export function waitBand(position: number, perSlot: number[], slotSeconds = 10): { p25Seconds: number; p75Seconds: number | null } | null {
  return bandAt(position, waitRates(perSlot), slotSeconds);
}

/** The percentiles waitBand reads, worked out once for many polls (a sale process does so each time it reads the outflow). */
export function waitRates(perSlot: number[]): WaitRates | null {
  const rates = perSlot.slice().sort((a, b) => a - b);
  if (rates.length === 0 || rates[rates.length - 1] === 0) return null;
  const at = (q: number) => rates[Math.min(rates.length - 1, Math.floor(q * rates.length))]!;
  const fast = at(0.75);
  // Admissions in fewer than a quarter of the slots (a sale's first seconds): even the fast quartile is 0, and a
  // wait over it would be infinite, which the poll's serializer refuses (a 500 for every waiting buyer). Not measured yet.
  if (fast === 0) return null;
  return { fast, slow: at(0.25) };
}

/** waitBand from rates already worked out. */
export function bandAt(position: number, rates: WaitRates | null, slotSeconds = 10): { p25Seconds: number; p75Seconds: number | null } | null {
  if (!rates) return null;
  const ahead = position + 1;
  return { p25Seconds: Math.round((ahead / rates.fast) * slotSeconds), p75Seconds: rates.slow > 0 ? Math.round((ahead / rates.slow) * slotSeconds) : null };
}
