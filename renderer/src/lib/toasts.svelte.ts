import { addToast, lifetime, withoutError, type Toast } from './toast-queue.js';

export type { Toast };

let next = 1;
export const toasts = $state<{ list: Toast[] }>({ list: [] });
const timers = new Map<number, ReturnType<typeof setTimeout>>();

/** Shows a message; the same message while it is up counts up instead of stacking. Errors stay until closed. */
export function toast(kind: Toast['kind'], text: string): void {
  const added = addToast(toasts.list, kind, text, next);
  if (added.id === next) next++;
  toasts.list = added.list;
  const ms = lifetime(kind);
  clearTimeout(timers.get(added.id));
  // A repeat restarts the clock: it is news again.
  if (ms !== null) timers.set(added.id, setTimeout(() => dismiss(added.id), ms));
}

export function dismiss(id: number): void {
  clearTimeout(timers.get(id));
  timers.delete(id);
  toasts.list = toasts.list.filter((t) => t.id !== id);
}

/** Takes down an error whose cause the user has since put right (it would otherwise stay until closed). */
export function retract(text: string): void {
  toasts.list = withoutError(toasts.list, text);
}
