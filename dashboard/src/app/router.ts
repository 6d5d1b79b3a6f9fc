import { useCallback, useSyncExternalStore } from 'react';

// The dashboard's few routes live under the base path the gateway serves it at (/dashboard/);
// the gateway answers every such path with index.html, so deep links and reloads work.
const base = import.meta.env.BASE_URL.replace(/\/$/, '');

export type Route = { page: 'orders'; orderId?: string } | { page: 'stock' };

function subscribe(listener: () => void): () => void {
  window.addEventListener('popstate', listener);
  return () => window.removeEventListener('popstate', listener);
}

export function parseRoute(pathname: string): Route {
  const path = pathname.startsWith(base) ? pathname.slice(base.length) : pathname;
  const order = /^\/orders\/([^/]+)\/?$/.exec(path);
  if (order) return { page: 'orders', orderId: decodeURIComponent(order[1]!) };
  if (/^\/stock\/?$/.test(path)) return { page: 'stock' };
  return { page: 'orders' };
}

export function hrefOf(route: Route): string {
  if (route.page === 'stock') return `${base}/stock`;
  return route.orderId ? `${base}/orders/${encodeURIComponent(route.orderId)}` : `${base}/`;
}

export function useRoute(): [Route, (route: Route) => void] {
  const pathname = useSyncExternalStore(subscribe, () => window.location.pathname);
  const navigate = useCallback((route: Route) => {
    window.history.pushState(null, '', hrefOf(route));
    window.dispatchEvent(new PopStateEvent('popstate'));
  }, []);
  return [parseRoute(pathname), navigate];
}
