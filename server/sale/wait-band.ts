/**
 * An honest wait for someone `position` places from the front: read from the
 * measured admissions per 10 s (no-shows leave the queue as they are admitted,
 * so the outflow already counts them), not from the approved rate. The band is
 * the wait at the 75th and the 25th percentile of the measured rates, so a
 * buyer sees the spread; null when too little has been measured to say.
 */
export function waitBand(position: number, perSlot: number[], slotSeconds = 10): { p25Seconds: number; p75Seconds: number | null } | null {
  const rates = perSlot.slice().sort((a, b) => a - b);
  if (rates.length === 0 || rates[rates.length - 1] === 0) return null;
  const at = (q: number) => rates[Math.min(rates.length - 1, Math.floor(q * rates.length))]!;
  const fast = at(0.75);
  // Admissions in fewer than a quarter of the slots (a sale's first seconds): even the fast quartile is 0, and a
  // wait over it would be infinite, which the poll's serializer refuses (a 500 for every waiting buyer). Not measured yet.
  if (fast === 0) return null;
  const slow = at(0.25);
  const ahead = position + 1;
  return { p25Seconds: Math.round((ahead / fast) * slotSeconds), p75Seconds: slow > 0 ? Math.round((ahead / slow) * slotSeconds) : null };
}
