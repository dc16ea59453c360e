export interface Toast {
  id: number;
  kind: 'success' | 'error' | 'info';
  text: string;
}

let next = 1;
export const toasts = $state<{ list: Toast[] }>({ list: [] });

export function toast(kind: Toast['kind'], text: string, ms = kind === 'error' ? 8_000 : 4_000): void {
  const id = next++;
  toasts.list.push({ id, kind, text });
  setTimeout(() => dismiss(id), ms);
}

export function dismiss(id: number): void {
  toasts.list = toasts.list.filter((t) => t.id !== id);
}
