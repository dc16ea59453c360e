/**
 * What the toast region holds, as plain functions (the store in
 * toasts.svelte.ts adds timers). One region, newest on top; a message that is
 * already up is not stacked again but counted (×3) and brought to the top;
 * errors stay until closed (a clerk must not miss that a refund was refused),
 * the rest leave after a few seconds.
 */
export interface Toast {
  id: number;
  kind: 'success' | 'error' | 'info';
  text: string;
  /** How many times this message came while it was up. */
  count: number;
}

/** At most this many are shown; older ones wait below a "+N" line (errors among them keep waiting). */
export const MAX_VISIBLE = 3;
export const TOAST_MS = { success: 4_000, info: 5_000 } as const;

/** The list with a message added: merged into an identical one that is up, else a new one on top. */
export function addToast(list: readonly Toast[], kind: Toast['kind'], text: string, id: number): { list: Toast[]; id: number } {
  const same = list.find((t) => t.kind === kind && t.text === text);
  if (same) return { list: [{ ...same, count: same.count + 1 }, ...list.filter((t) => t !== same)], id: same.id };
  return { list: [{ id, kind, text, count: 1 }, ...list], id };
}

/** Whether a toast leaves by itself, and after how long. */
export function lifetime(kind: Toast['kind']): number | null {
  return kind === 'error' ? null : TOAST_MS[kind];
}

export function visibleToasts(list: readonly Toast[]): { shown: Toast[]; hidden: number } {
  return { shown: list.slice(0, MAX_VISIBLE), hidden: Math.max(0, list.length - MAX_VISIBLE) };
}

/**
 * The list without an error that no longer holds ("fix the fields" once they are fixed and the run started):
 * an error stays until closed, so one its cause has gone would otherwise stand beside the success.
 */
export function withoutError(list: readonly Toast[], text: string): Toast[] {
  return list.filter((t) => !(t.kind === 'error' && t.text === text));
}
