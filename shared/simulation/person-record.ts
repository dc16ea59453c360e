/**
 * The engine's per-person state, one 32-byte record a person in a single
 * buffer (array of structs). A person's fields were once a dozen typed arrays
 * of their own: joining, leaving or finishing touched one cache line in each,
 * and with 700,000 people the arrays outgrow the cache, so most of a run went
 * waiting on memory. Each field is read through the view of its type at
 * `(id << shift) + offset`; the types (Float32 sums, Float64 times) are those
 * the arrays had, so every result is bit for bit what it was.
 *
 * Layout (bytes): 0–7 mark · 8–11 waited · 12–15 spent · 16–19 shown ·
 * 20–23 honest · 24–25 reserved · 26 state · 27 tag · 28 stints · 29 retries ·
 * 30 shownLong · 31 paying.
 */
export const RECORD_BYTES = 32;

// Float64 view, index (id << 2) + offset.
/** When the current queue stint began; once sent to the payment system, when it was sent. Float64: a Float32 time rounded up made the wait of someone admitted the instant they joined slightly negative, and the histogram silently lost them. */
export const MARK = 0;
// Float32 view, index (id << 3) + offset.
/** Queue time across stints. */
export const WAITED = 2;
/** Queue and checkout time across stints. */
export const SPENT = 3;
/** The estimated wait shown at joining; once admitted, the admission time. */
export const SHOWN = 4;
/** The honest estimate shown at joining (minutes), or PAST_STOCK; see estimators in result.ts. */
export const HONEST = 5;
// Uint16 view, index (id << 4) + offset.
/** Units held while paying. */
export const RESERVED = 12;
// Uint8 view, index (id << 5) + offset.
/** QUEUED, ACTIVE, AWAY or DONE (engine.ts); 0 before the person first queues. */
export const STATE = 26;
/** Bumped at every queue stint; FIFO entries carry it to tell whether they are still current. */
export const TAG = 27;
/** Queue stints so far. */
export const STINTS = 28;
/** Payment attempts retried so far. */
export const RETRIES = 29;
/** Set once the page has shown this person a wait above an hour; people are counted, not stints. */
export const SHOWN_LONG = 30;
/** Where an active person's payment is: filling the form, queued at the payment system, or being served. */
export const PAYING = 31;

/** Records for `n` people, all fields zero, with a view of each type on the one buffer. */
export function personRecords(n: number): { f64: Float64Array; f32: Float32Array; u16: Uint16Array; u8: Uint8Array } {
  const buffer = new ArrayBuffer(n * RECORD_BYTES);
  return { f64: new Float64Array(buffer), f32: new Float32Array(buffer), u16: new Uint16Array(buffer), u8: new Uint8Array(buffer) };
}
