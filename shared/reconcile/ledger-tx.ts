/** A payment in the record: a purchase (approval) or a cancellation/refund (cancel) with the provider's references. */
export interface LedgerTx {
  /** Empty when the loader left it out to save memory; the caller fills it in for exceptions by `ledgerTid`. */
  eventId: string;
  kind: 'approval' | 'cancel';
  tid: string;
  originalTid: string | null;
  approvedMs: number;
  amount: number;
  districtCode: string;
}
