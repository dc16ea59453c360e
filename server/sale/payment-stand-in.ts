import type { PaymentRef } from '../../shared/ledger/events.js';
import { makePaymentRef, PROVIDER_BY_METHOD } from '../../shared/reconcile/payment-refs.js';
import type { PaymentMethod } from '../../shared/rounds/spec.js';

export interface PaymentSettings {
  /** Approvals per second the provider takes; beyond it, requests are turned away (as the 2022 payment page was). */
  tps: number;
  latencyMs: number;
  /** Share of approvals that fail (card declined, provider error), 0–1. */
  failureRate: number;
}

export class PaymentRefused extends Error {
  constructor(readonly key: 'sale.paymentBusy' | 'sale.paymentFailed') {
    super(key);
  }
}

/**
 * The payment providers' stand-in: authorises with the references the real
 * provider for the method would give (shared/reconcile/payment-refs.ts), so
 * the purchase event carries them and reconciliation works on a live sale.
 * An authorisation whose purchase the gate then refuses is voided.
 */
export class PaymentStandIn {
  private windowStart = 0;
  private inWindow = 0;
  /** Authorisations released so far. */
  voided = 0;

  constructor(public settings: PaymentSettings = { tps: 10_000, latencyMs: 0, failureRate: 0 }) {}

  async authorize(method: PaymentMethod, eventId: string, nowMs: number): Promise<PaymentRef> {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.windowStart) {
      this.windowStart = second;
      this.inWindow = 0;
    }
    if (++this.inWindow > this.settings.tps) throw new PaymentRefused('sale.paymentBusy');
    if (this.settings.latencyMs > 0) await new Promise((r) => setTimeout(r, this.settings.latencyMs));
    if (Math.random() < this.settings.failureRate) throw new PaymentRefused('sale.paymentFailed');
    return makePaymentRef(PROVIDER_BY_METHOD[method], eventId, new Date(nowMs + this.settings.latencyMs).toISOString());
  }

  /** Releases an authorisation: no money moves for a purchase the gate refused. */
  void(_tid: string): void {
    this.voided++;
  }
}
