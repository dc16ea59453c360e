/**
 * Hands bytes to the browser as a download (the browser, or Electron's own
 * handling, picks the place). The link is attached for the click: some
 * browsers ignore a click on a detached one.
 */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Saves a file the backend made (base64) through the browser's download. */
export function downloadBase64(file: { filename: string; base64: string }, type: string): void {
  saveBlob(new Blob([Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0))], { type }), file.filename);
}

/** A file's bytes as base64, in slices so a large file does not overflow the argument list. */
export async function fileBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
