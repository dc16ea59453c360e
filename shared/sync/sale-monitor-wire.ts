import { z } from 'zod';
import { saleChangeSchema } from './sale-wire.js';

/**
 * The live monitor of a round's sale as the server answers it
 * (`GET /api/sale/ROUND/monitor`, officials, administrators and analysts):
 * every figure read from counters the sale gate keeps as it goes (no scan of
 * buyers or purchases per request), plus the steering from the log.
 */

const n = z.number().int().min(0);
const instant = z.iso.datetime({ offset: true });

export const saleMonitorSchema = z
  .object({
    roundId: z.string(),
    /** The server's clock when it read the counters. */
    at: instant,
    opensAt: instant,
    closesAt: instant,
    /** Won the gate was given (the round's amount and stock added, less what the log held before the gate started), left, and sold by it. */
    stock: n,
    left: n,
    sold: n,
    purchases: n,
    arrivals: n,
    admitted: n,
    waiting: n,
    active: n,
    /** Sessions that ran out before a purchase. */
    expired: n,
    /** Joins the gate turned away: sold out, closed, stopped, past the stock cut-off, birth-year window not open. */
    refused: n,
    /** Payments the provider refused or could not take (busy). */
    paymentErrors: n,
    /** Purchases per second over the last complete 10 s. */
    purchasesPerSecond: z.number().min(0),
    /**
     * Per-minute series from `firstMinute` (minutes after opening; negative before it) to the current minute:
     * arrivals, admissions, and won sold in that minute (the sale curve is their running sum).
     */
    perMinute: z.object({ firstMinute: z.number().int(), arrivals: z.array(n), admitted: z.array(n), sold: z.array(n) }).strict(),
    /** The waits admitted buyers actually had (join, or opening for early arrivals, to admission); null before anyone was admitted. */
    wait: z.object({ samples: n, p50Seconds: n, p90Seconds: n }).strict().nullable(),
    /** Purchases the gate took that the ledger writer has not yet written into the log. */
    writerLag: n,
    paused: z.boolean(),
    stopped: z.boolean(),
    soldOut: z.boolean(),
    /** The waiting room the gate runs with now (steered or as approved). */
    settings: z.object({ admissionPerMinute: n, maxActiveSessions: n, sessionTimeoutMinutes: n }).strict(),
    /** The last steering change applied: what, by whom (the approver when two were needed), who proposed it. */
    lastChange: z
      .object({ change: saleChangeSchema, by: z.string(), proposedBy: z.string().nullable(), at: instant })
      .strict()
      .nullable(),
    /** Changes waiting for a second official, oldest first. */
    proposals: z.array(z.object({ proposalId: z.string(), change: saleChangeSchema, proposedBy: z.string(), proposedAt: instant }).strict()),
  })
  .strict();
export type SaleMonitor = z.infer<typeof saleMonitorSchema>;
