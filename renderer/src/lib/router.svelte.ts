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

window.addEventListener('hashchange', () => {
  router.route = parse(window.location.hash);
});

export function navigate(to: string): void {
  if (window.location.hash === to) router.route = parse(to);
  else window.location.hash = to;
}

export function href(...parts: string[]): string {
  return `#/${parts.map(encodeURIComponent).join('/')}`;
}
