/** Hash routes (the server serves one page): #/r/<region> lists connections, #/r/<region>/<vco-id>?… is one connection. */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'connections'; regionId: string; query: URLSearchParams }
  | { page: 'connection'; regionId: string; connectionId: string; query: URLSearchParams };

export function parseRoute(hash: string, defaultRegion: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(search);
  if (parts[0] === 'r' && parts[1] && parts[2]) return { page: 'connection', regionId: parts[1], connectionId: parts[2], query };
  return { page: 'connections', regionId: parts[0] === 'r' && parts[1] ? parts[1] : defaultRegion, query };
}

export function connectionsHref(regionId: string, pageNumber?: number): string {
  return `#/r/${encodeURIComponent(regionId)}${pageNumber && pageNumber > 1 ? `?page=${pageNumber}` : ''}`;
}

export function connectionHref(regionId: string, connectionId: string, query: Record<string, string | number | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return `#/r/${encodeURIComponent(regionId)}/${encodeURIComponent(connectionId)}${s ? `?${s}` : ''}`;
}

export function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return hash;
}
