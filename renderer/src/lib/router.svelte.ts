/** Hash routes (`#/rounds/abc`) work the same under app:// and http://127.0.0.1. */
export interface Route {
  path: string[];
  query: URLSearchParams;
}

function parse(hash: string): Route {
  const [p = '', q = ''] = hash.replace(/^#/, '').split('?');
  return { path: p.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(q) };
}

export const router = $state<{ route: Route }>({ route: parse(window.location.hash) });

/** Asked before leaving the current page (e.g. an editor with unsaved changes); false keeps the page. */
let leaveGuard: (() => boolean) | null = null;
let shownHash = window.location.hash;

export function setLeaveGuard(guard: (() => boolean) | null): void {
  leaveGuard = guard;
}

window.addEventListener('hashchange', () => {
  if (leaveGuard && window.location.hash !== shownHash && !leaveGuard()) {
    // Stay: put the address back without another hashchange.
    history.replaceState(null, '', shownHash || '#/');
    return;
  }
  leaveGuard = null;
  shownHash = window.location.hash;
  router.route = parse(window.location.hash);
});

export function navigate(to: string): void {
  if (window.location.hash === to) router.route = parse(to);
  else window.location.hash = to;
}

export function href(...parts: string[]): string {
  return `#/${parts.map(encodeURIComponent).join('/')}`;
}
