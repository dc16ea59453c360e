/**
 * The width a grid column needs so its header and its widest value show whole
 * (no "Discount …", no "₩216,460,0…"). AG Grid sizes flex columns by the space
 * left, not by their text, so a column gets at least this as its minWidth and
 * the grid scrolls sideways (visibly, see DataGrid) rather than cut a figure.
 * An estimate from character classes at the grid's 13px font; Korean syllables
 * are about twice as wide as Latin letters and digits.
 */
const HANGUL = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/;

export function textWidth(text: string, px = 13): number {
  let w = 0;
  for (const ch of text) w += HANGUL.test(ch) ? 1.0 : /[A-Z₩mwMW]/.test(ch) ? 0.72 : /[ .,:;'’|il]/.test(ch) ? 0.36 : /\d/.test(ch) ? 0.64 : 0.6;
  return Math.ceil(w * px);
}

/** Header text plus the sort and filter icons and cell padding; values plus padding. */
export function columnMinWidth(header: string, values: string[] = []): number {
  const head = textWidth(header, 13.5) + 64;
  // Cell padding is 2 × 17px at the grid's spacing; a few px spare for rounding.
  const body = Math.max(0, ...values.map((v) => textWidth(v))) + 44;
  return Math.max(90, head, body);
}
