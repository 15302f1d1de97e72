/** Connections of a region (DescribeVpnConnections), each with its tunnels and route counts. */
import { useEffect, useState } from 'preact/hooks';
import { ApiClient, ApiError } from './api';
import type { DescribeVcoRouteEntriesResponse, DescribeVpnConnectionsResponse, RouteCount, Tunnel, VpnConnection } from './model';
import { connectionHref, connectionsHref } from './router';
import { Badge, ErrorBox, Pager, TableRegion } from './ui';

const PAGE_SIZE = 20;

/** Route counts of one connection: VpnRouteCounts (dual-tunnel), else the TotalCount of each type. */
export async function routeCounts(api: ApiClient, regionId: string, connectionId: string, signal?: AbortSignal): Promise<RouteCount[]> {
  const ask = (type: string) => api.call<DescribeVcoRouteEntriesResponse>('DescribeVcoRouteEntries',
    { RegionId: regionId, VpnConnectionId: connectionId, RouteEntryType: type, PageSize: 1 }, undefined, signal);
  const custom = await ask('custom');
  if (custom.VpnRouteCounts) return custom.VpnRouteCounts;
  const bgp = await ask('bgp');
  return [{ RouteEntryType: 'custom', Source: '', RouteCount: custom.TotalCount }, { RouteEntryType: 'bgp', Source: '', RouteCount: bgp.TotalCount }];
}

export function countLabel(c: RouteCount): string {
  return c.RouteEntryType === 'custom' ? 'custom' : c.Source ? c.Source : 'bgp';
}

export function TunnelList({ tunnels }: { tunnels: Tunnel[] }) {
  if (tunnels.length === 0) return <span class="muted">single tunnel</span>;
  return (
    <ul class="tunnels">
      {tunnels.map((t) => (
        <li key={t.TunnelId}>
          <code>{t.TunnelId}</code> IPsec <Badge text={t.Status} /> BGP <Badge text={t.TunnelBgpConfig?.BgpStatus ?? 'n/a'} />
        </li>
      ))}
    </ul>
  );
}

type Counts = RouteCount[] | ApiError;

export function ConnectionsPage({ api, regionId, pageNumber }: { api: ApiClient; regionId: string; pageNumber: number }) {
  const [data, setData] = useState<DescribeVpnConnectionsResponse | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [counts, setCounts] = useState<Record<string, Counts>>({});

  useEffect(() => {
    const abort = new AbortController();
    setData(undefined);
    setError(undefined);
    setCounts({});
    api.call<DescribeVpnConnectionsResponse>('DescribeVpnConnections', { RegionId: regionId, PageNumber: pageNumber, PageSize: PAGE_SIZE }, undefined, abort.signal)
      .then((res) => {
        setData(res);
        for (const c of res.VpnConnections.VpnConnection) {
          routeCounts(api, regionId, c.VpnConnectionId, abort.signal).then(
            (rc) => setCounts((prev) => ({ ...prev, [c.VpnConnectionId]: rc })),
            (err: unknown) => err instanceof ApiError && setCounts((prev) => ({ ...prev, [c.VpnConnectionId]: err })),
          );
        }
      }, (err: unknown) => !abort.signal.aborted && setError(err));
    return () => abort.abort();
  }, [api, regionId, pageNumber]);

  const connections: VpnConnection[] = data?.VpnConnections.VpnConnection ?? [];
  return (
    <main id="main" tabIndex={-1}>
      <h1>VPN connections in {regionId}</h1>
      <form class="inline" onSubmit={(e) => {
        e.preventDefault();
        const r = String(new FormData(e.currentTarget as HTMLFormElement).get('region') ?? '').trim();
        if (r) location.hash = connectionsHref(r);
      }}>
        <label>Region <input name="region" defaultValue={regionId} spellcheck={false} /></label>
        <button type="submit">Show</button>
      </form>
      <ErrorBox error={error} title="DescribeVpnConnections failed" />
      {data === undefined && !error ? <p aria-busy="true">Loading…</p> : null}
      {data ? (
        <>
          <p class="muted">{data.TotalCount} connection{data.TotalCount === 1 ? '' : 's'}</p>
          <TableRegion label="VPN connections">
            <table class="cards">
              <thead>
                <tr><th scope="col">Connection</th><th scope="col">State</th><th scope="col">Transit router</th><th scope="col">Tunnels (IPsec, BGP)</th><th scope="col">Routes</th></tr>
              </thead>
              <tbody>
                {connections.map((c) => {
                  const rc = counts[c.VpnConnectionId];
                  return (
                    <tr key={c.VpnConnectionId}>
                      <td data-label="Connection">
                        <a href={connectionHref(regionId, c.VpnConnectionId)}>{c.VpnConnectionId}</a>
                        {c.Name ? <div class="muted">{c.Name}</div> : null}
                      </td>
                      <td data-label="State"><Badge text={c.State} /> <Badge text={c.Status} /></td>
                      <td data-label="Transit router">{c.TransitRouterId ? <code>{c.TransitRouterId}</code> : <span class="muted">not attached</span>}</td>
                      <td data-label="Tunnels"><TunnelList tunnels={c.TunnelOptionsSpecification?.TunnelOptions ?? []} /></td>
                      <td data-label="Routes">
                        {rc === undefined ? <span class="muted">…</span>
                          : rc instanceof ApiError ? <span class="muted" title={rc.apiMessage}>{rc.code}</span>
                          : <ul class="counts">{rc.map((x) => <li key={countLabel(x)}>{countLabel(x)}: {x.RouteCount}</li>)}</ul>}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableRegion>
          {data.TotalCount > PAGE_SIZE ? (
            <Pager label="Connection pages" pageNumber={pageNumber} pageSize={PAGE_SIZE} totalCount={data.TotalCount}
              onPage={(p) => (location.hash = connectionsHref(regionId, p))} />
          ) : null}
        </>
      ) : null}
    </main>
  );
}
