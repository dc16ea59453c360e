/** Saves a file the backend made (base64) through the browser's download, as the simulation report does. */
export function downloadBase64(file: { filename: string; base64: string }, type: string): void {
  const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
