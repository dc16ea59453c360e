/* The server and the web host both refuse deep JSON before parsing it, with this one check. */

/** Deeper than any request we accept; JSON.parse recurses, and 100k levels overflow its stack. */
export const MAX_JSON_DEPTH = 64;

/** Nesting depth of a JSON text, counted without parsing it (brackets inside strings do not count). */
export function jsonDepthExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return false;
}
