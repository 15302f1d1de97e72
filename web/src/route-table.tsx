/**
 * A connection's routes as the API pages them (DescribeVcoRouteEntries: RouteEntryType tabs, PageNumber,
 * PageSize ≤ 50). The API has no Source or CIDR filter, so a filtered view reads the API's pages in order
 * (50 routes each) in the browser until it has a page of matches, and says how far it searched.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiClient } from './api';
import { overlaps, parseCidr } from './cidr';
import type { DescribeVcoRouteEntriesResponse, RouteCount, RouteEntry, RouteEntryType } from './model';
import { Badge, ErrorBox, Pager, TableRegion, formatTime } from './ui';

export interface TableQuery {
  type: RouteEntryType;
  pageNumber: number;
  pageSize: number;
  source: string;
  cidr: string;
}

export const PAGE_SIZES = [10, 20, 50];
const SCAN_PAGE_SIZE = 50;

interface Listing {
  routes: RouteEntry[];
  totalCount: number;
  /** filtered views: how many routes were read, and whether the last page was reached */
  scanned?: number;
  complete?: boolean;
}

function matcher(q: TableQuery): ((r: RouteEntry) => boolean) | undefined {
  const range = q.cidr ? parseCidr(q.cidr) : undefined;
  if (!q.source && !range) return undefined;
  return (r) => (!q.source || r.Source === q.source) && (!range || (parseCidr(r.RouteDest) !== undefined && overlaps(range, parseCidr(r.RouteDest)!)));
}

/** Reads API pages from `fromPage` until `want` matches or the end; returns matches and where it stopped. */
async function scan(api: ApiClient, base: Record<string, string>, match: (r: RouteEntry) => boolean, want: number, signal: AbortSignal,
  onProgress: (l: Listing) => void, onPage: (res: DescribeVcoRouteEntriesResponse) => void): Promise<Listing> {
  const routes: RouteEntry[] = [];
  let scanned = 0;
  for (let page = 1; ; page++) {
    const res = await api.call<DescribeVcoRouteEntriesResponse>('DescribeVcoRouteEntries', { ...base, PageNumber: page, PageSize: SCAN_PAGE_SIZE }, undefined, signal);
    onPage(res);
    scanned += res.VcoRouteEntries.length;
    routes.push(...res.VcoRouteEntries.filter(match));
    const complete = scanned >= res.TotalCount || res.VcoRouteEntries.length === 0;
    const listing = { routes, totalCount: res.TotalCount, scanned, complete };
    if (complete || routes.length >= want) return listing;
    onProgress({ ...listing, routes: [...routes] });
  }
}

export interface RowActions {
  busy: boolean;
  setWeight(route: RouteEntry, newWeight: number): void;
  remove(route: RouteEntry): void;
}

function RouteRow({ r, actions }: { r: RouteEntry; actions: RowActions }) {
  const [confirming, setConfirming] = useState(false);
  // Keyboard users land on the button that replaced the one they pressed (Confirm delete, or Delete again).
  const confirmButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
    else if (asked.current) deleteButton.current?.focus();
    asked.current = confirming;
  }, [confirming]);
  const custom = r.RouteEntryType === 'custom';
  return (
    <tr>
      <th scope="row" data-label="Destination"><code>{r.RouteDest}</code></th>
      <td data-label="Next hop"><code>{r.NextHop}</code></td>
      <td data-label="Weight">{r.Weight}</td>
      <td data-label="State"><Badge text={r.State} /></td>
      <td data-label="Source">{custom ? <span class="muted">CUSTOM</span> : <Badge text={r.Source ?? ''} />}</td>
      <td data-label="AS path">{r.AsPath ? <code>{r.AsPath}</code> : null}{r.Community ? <div class="muted">{r.Community}</div> : null}</td>
      <td data-label="Next-hop tunnels">{r.NextHopTunnelIdList && r.NextHopTunnelIdList.length > 0
        ? <ul class="plain">{r.NextHopTunnelIdList.map((t) => <li key={t}><code>{t}</code></li>)}</ul>
        : <span class="muted">none</span>}</td>
      <td data-label="Created">{formatTime(r.CreateTime)}</td>
      <td class="actions">
        {custom && !confirming ? (
          <>
            <button type="button" disabled={actions.busy} onClick={() => actions.setWeight(r, r.Weight === 100 ? 0 : 100)}>
              Set weight {r.Weight === 100 ? 0 : 100}<span class="visually-hidden"> on {r.RouteDest}</span>
            </button>
            <button type="button" class="danger" ref={deleteButton} disabled={actions.busy} onClick={() => setConfirming(true)}>
              Delete<span class="visually-hidden"> {r.RouteDest}</span>
            </button>
          </>
        ) : null}
        {custom && confirming ? (
          <>
            <button type="button" class="danger" ref={confirmButton} disabled={actions.busy} onClick={() => { asked.current = false; setConfirming(false); actions.remove(r); }}>
              Confirm delete<span class="visually-hidden"> {r.RouteDest}</span>
            </button>
            <button type="button" onClick={() => setConfirming(false)}>Cancel</button>
          </>
        ) : null}
      </td>
    </tr>
  );
}

export function RouteTable({ api, regionId, connectionId, query, refreshTick, actions, onQuery, onCounts }: {
  api: ApiClient; regionId: string; connectionId: string; query: TableQuery; refreshTick: number; actions: RowActions;
  onQuery(q: Partial<TableQuery>): void;
  /** VpnRouteCounts of the latest page read (dual-tunnel connections), so the page needs no extra call for them */
  onCounts(counts: RouteCount[]): void;
}) {
  const [listing, setListing] = useState<Listing | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [searching, setSearching] = useState(false);
  // How many matches a filtered view reads up to: a page, plus a page per "Search further" (for these filters only).
  const filterKey = `${query.type}|${query.source}|${query.cidr}|${query.pageSize}`;
  const [further, setFurther] = useState({ key: filterKey, want: query.pageSize });
  const want = further.key === filterKey ? further.want : query.pageSize;
  const match = matcher(query);
  const cidrInvalid = query.cidr !== '' && parseCidr(query.cidr) === undefined;

  useEffect(() => {
    const abort = new AbortController();
    const base = { RegionId: regionId, VpnConnectionId: connectionId, RouteEntryType: query.type };
    setError(undefined);
    const counted = (res: DescribeVcoRouteEntriesResponse) => res.VpnRouteCounts && !abort.signal.aborted && onCounts(res.VpnRouteCounts);
    if (!match) {
      api.call<DescribeVcoRouteEntriesResponse>('DescribeVcoRouteEntries', { ...base, PageNumber: query.pageNumber, PageSize: query.pageSize }, undefined, abort.signal)
        .then((res) => {
          counted(res);
          setListing({ routes: res.VcoRouteEntries, totalCount: res.TotalCount });
        }, (err: unknown) => !abort.signal.aborted && setError(err));
    } else {
      setSearching(true);
      scan(api, base, match, want, abort.signal, setListing, counted)
        .then(setListing, (err: unknown) => !abort.signal.aborted && setError(err))
        .finally(() => !abort.signal.aborted && setSearching(false));
    }
    return () => abort.abort();
  }, [api, regionId, connectionId, query.type, query.pageNumber, query.pageSize, query.source, query.cidr, want, refreshTick]);

  const sources = query.type === 'bgp' ? ['VPN_BGP', 'CLOUD'] : [];
  const filtered = match !== undefined;
  return (
    <section aria-labelledby="routes-heading">
      <h2 id="routes-heading" class="visually-hidden">{query.type === 'custom' ? 'Custom routes' : 'BGP routes'}</h2>
      <form class="filters" onSubmit={(e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget as HTMLFormElement);
        onQuery({ cidr: String(f.get('cidr') ?? '').trim(), source: String(f.get('source') ?? ''), pageNumber: 1 });
      }}>
        {sources.length > 0 ? (
          <label>
            Source
            <select name="source" value={query.source} onChange={(e) => onQuery({ source: (e.currentTarget as HTMLSelectElement).value, pageNumber: 1 })}>
              <option value="">All sources</option>
              {sources.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
          </label>
        ) : null}
        <label>
          CIDR search
          <input name="cidr" defaultValue={query.cidr} key={query.cidr} placeholder="10.0.0.0/8 or 10.1.2.3" spellcheck={false}
            aria-invalid={cidrInvalid} aria-describedby="cidr-help" />
        </label>
        <button type="submit">Search</button>
        {filtered ? <button type="button" onClick={() => onQuery({ cidr: '', source: '', pageNumber: 1 })}>Clear filters</button> : null}
        <label>
          Page size
          <select value={String(query.pageSize)} onChange={(e) => onQuery({ pageSize: Number((e.currentTarget as HTMLSelectElement).value), pageNumber: 1 })}>
            {PAGE_SIZES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <p id="cidr-help" class="muted">{cidrInvalid ? 'Not an IPv4 address or CIDR block.' : 'Shows routes inside the block and routes that cover it.'}</p>
      </form>
      <ErrorBox error={error} title="DescribeVcoRouteEntries failed" />
      {listing === undefined && !error ? <p aria-busy="true">Loading…</p> : null}
      {listing ? (
        <>
          <p class="muted" aria-live="polite">
            {filtered
              ? `${listing.routes.length} match${listing.routes.length === 1 ? '' : 'es'} in ${listing.scanned ?? 0} of ${listing.totalCount} routes searched${listing.complete ? ' (all)' : ''}${searching ? '…' : ''}`
              : `${listing.totalCount} route${listing.totalCount === 1 ? '' : 's'}`}
          </p>
          <TableRegion label={query.type === 'custom' ? 'Custom routes' : 'BGP routes'}>
            <table class="routes cards">
              <thead>
                <tr>
                  <th scope="col">Destination</th><th scope="col">Next hop</th><th scope="col">Weight</th><th scope="col">State</th>
                  <th scope="col">Source</th><th scope="col">AS path, community</th><th scope="col">Next-hop tunnels</th><th scope="col">Created</th>
                  <th scope="col"><span class="visually-hidden">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {listing.routes.map((r) => <RouteRow key={`${r.RouteDest}|${r.NextHop}|${r.Source ?? ''}|${r.Weight}`} r={r} actions={actions} />)}
                {listing.routes.length === 0 ? <tr><td colSpan={9} class="muted">No routes.</td></tr> : null}
              </tbody>
            </table>
          </TableRegion>
          {filtered ? (
            listing.complete ? null : (
              <button type="button" disabled={searching} onClick={() => setFurther({ key: filterKey, want: listing.routes.length + query.pageSize })}>Search further</button>
            )
          ) : (
            <Pager label="Route pages" pageNumber={query.pageNumber} pageSize={query.pageSize} totalCount={listing.totalCount} onPage={(p) => onQuery({ pageNumber: p })} />
          )}
        </>
      ) : null}
    </section>
  );
}
