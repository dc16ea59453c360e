/** A `sale_steered` event of the server's log as synced (migration 0027): the change's kind, the stock added so far, who acted. */
export interface SaleSteeringEventsTable {
  seq: number;
  event_id: string;
  round_id: string;
  kind: 'pause' | 'resume' | 'settings' | 'add_stock' | 'stop';
  added_stock: number;
  by: string;
  proposed_by: string | null;
  at: string;
  payload: string;
  hash: string;
}
