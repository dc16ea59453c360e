import { LRUCache } from 'lru-cache';
import { bandAt, waitRates, type WaitRates } from './wait-band.js';

/** What a sale process reads for a round a few times a second (SaleGate.view), in one call for all its waiting buyers. */
export interface RoundCounters {
  /** Buyers admitted from the queue so far (each admission takes the queue's first). */
  admitted: number;
  /** Buyers removed from the queue's tail (the stock cut-off) so far. */
  cutq: number;
  /** Why the round sells no more (sold out, closed, stopped); null while it sells. */
  ended: string | null;
  /** Admissions per 10 s of the last slots, oldest first: the wait band's measure. */
  outflow: number[];
}

/** A waiting buyer's rank as the gate said it, with the round's counters read in the same call. */
export interface WaitingRank {
  /** Buyers ahead (0: first in the queue). */
  rank: number;
  admitted: number;
  cutq: number;
}

/** What a poll answers without asking Redis; null: ask the gate (sale_poll). */
export type QuickAnswer = { status: 'waiting'; position: number; wait: ReturnType<typeof bandAt> } | { status: 'refused'; key: string } | null;

/**
 * The buyers ahead of a waiting buyer now, from what the gate said at their
 * last call and the round's admissions since. The queue only loses buyers at
 * its head (admission takes the lowest scores) and at its tail (the cut-off,
 * counted in `cutq`), and after the opening everyone joins behind those
 * waiting; so while the buyer is still in the queue, every admission since was
 * of someone ahead, and the rank falls by exactly the admissions since. With
 * counters read a moment ago it is never below the rank now (admissions only
 * grow): never ahead of admission. null when it cannot be said: removals from
 * the tail since (the buyer may have been cut), or nobody is left ahead by
 * these counts (the buyer's turn may have come; the gate says).
 */
export function rankNow(was: WaitingRank, now: RoundCounters): number | null {
  if (now.cutq !== was.cutq) return null;
  const rank = was.rank - Math.max(0, now.admitted - was.admitted);
  return rank > 0 ? rank : null;
}

interface Kept extends WaitingRank {
  /** The lowest rank shown to this buyer: positions shown never go up. */
  shown: number;
}

interface Round {
  counters?: RoundCounters & { rates: WaitRates | null; at: number };
  polledAt: number;
}

/**
 * Polls of waiting buyers answered in the sale process (issue 19: ~10,000
 * polls a second must cost nearly nothing). Each process reads, for every
 * round polled in the last few seconds, the round's counters every `everyMs`
 * in one call (`read`: SaleGate.view); a waiting buyer's first poll goes to the
 * gate (sale_poll, which returns their rank with the counters), and their next
 * polls are answered from that rank and the counters (rankNow) with no call.
 * The gate is asked again whenever the answer cannot be said from the counters:
 * their turn may have come (admission stays decided in Redis), the tail was cut,
 * the counters are old (Redis not answering), the rank may still grow (arrivals
 * before a shuffled opening), or the buyer is not kept (the bounded cache).
 */
export class PollView {
  private readonly rounds = new Map<string, Round>();
  private readonly waiting: LRUCache<string, Kept>;
  private readonly timer: NodeJS.Timeout;
  private reading = false;

  constructor(
    private readonly read: (roundId: string) => Promise<RoundCounters>,
    private readonly o: { everyMs?: number; maxAgeMs?: number; idleMs?: number; max?: number; now?: () => number } = {},
  ) {
    this.waiting = new LRUCache({ max: o.max ?? 500_000 });
    this.timer = setInterval(() => void this.refresh(), o.everyMs ?? 100);
    this.timer.unref();
  }

  private now(): number {
    return this.o.now ? this.o.now() : Date.now();
  }

  /** One read per round polled lately, all in one event-loop turn (the gate's connection pipelines them into one write). */
  async refresh(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      const now = this.now();
      await Promise.all(
        [...this.rounds].map(async ([roundId, r]) => {
          if (now - r.polledAt > (this.o.idleMs ?? 10_000)) {
            this.rounds.delete(roundId);
            return;
          }
          try {
            const c = await this.read(roundId);
            r.counters = { ...c, rates: waitRates(c.outflow), at: this.now() };
          } catch {
            // Redis away: the counters age past maxAgeMs and every poll asks the gate, which says what it can.
          }
        }),
      );
    } finally {
      this.reading = false;
    }
  }

  /** A poll answered here, or null: ask the gate, then tell `kept` what it said. */
  answer(roundId: string, ticketId: string): QuickAnswer {
    const now = this.now();
    const r = this.rounds.get(roundId);
    if (!r) {
      this.rounds.set(roundId, { polledAt: now });
      return null;
    }
    r.polledAt = now;
    const c = r.counters;
    if (!c || now - c.at > (this.o.maxAgeMs ?? 1_000)) return null;
    const w = this.waiting.get(ticketId);
    if (!w) return null;
    // Everyone waiting is told at once when the round sells no more (a waiting buyer has bought nothing: the gate would say the same).
    if (c.ended) return { status: 'refused', key: c.ended };
    const rank = rankNow(w, c);
    if (rank === null) {
      this.waiting.delete(ticketId);
      return null;
    }
    w.shown = Math.min(w.shown, rank);
    return { status: 'waiting', position: w.shown + 1, wait: bandAt(w.shown, c.rates) };
  }

  /** What the gate said to a waiting buyer; kept when their rank can only fall from now on. */
  kept(ticketId: string, a: WaitingRank & { fixed: boolean }): void {
    if (!a.fixed) return;
    const before = this.waiting.get(ticketId);
    this.waiting.set(ticketId, { rank: a.rank, admitted: a.admitted, cutq: a.cutq, shown: Math.min(before?.shown ?? a.rank, a.rank) });
  }

  /** The wait band for a rank the gate just gave, from the counters read last: undefined before their first read, null while too little is measured. */
  band(roundId: string, rank: number): ReturnType<typeof bandAt> | undefined {
    const c = this.rounds.get(roundId)?.counters;
    return c ? bandAt(rank, c.rates) : undefined;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
