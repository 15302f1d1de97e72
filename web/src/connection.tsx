/** One connection: its summary (DescribeVpnConnection), route table with writes, and change history. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiClient } from './api';
import { TunnelList, countLabel, routeCounts } from './connections';
import type { RouteChange, RouteCount, RouteEntry, RouteEntryType, VpnConnection } from './model';
import { connectionHref, connectionsHref } from './router';
import { PAGE_SIZES, RouteTable, type TableQuery } from './route-table';
import { Timeline } from './timeline';
import { Badge, ErrorBox } from './ui';

function tableQuery(q: URLSearchParams): TableQuery {
  const size = Number(q.get('size'));
  return {
    type: q.get('type') === 'bgp' ? 'bgp' : 'custom',
    pageNumber: Math.max(1, Math.floor(Number(q.get('page')) || 1)),
    pageSize: PAGE_SIZES.includes(size) ? size : 20,
    source: q.get('source') ?? '',
    cidr: q.get('cidr') ?? '',
  };
}

/** Repeated refresh requests (a BGP burst) collapse into one refresh per interval. */
function useThrottledTick(intervalMs: number): [number, () => void] {
  const [tick, setTick] = useState(0);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(pending.current), []);
  return [tick, () => {
    if (pending.current !== undefined) return;
    pending.current = setTimeout(() => {
      pending.current = undefined;
      setTick((t) => t + 1);
    }, intervalMs);
  }];
}

export function ConnectionPage({ api, regionId, connectionId, query }: { api: ApiClient; regionId: string; connectionId: string; query: URLSearchParams }) {
  const q = tableQuery(query);
  const [connection, setConnection] = useState<VpnConnection | undefined>(undefined);
  const [counts, setCounts] = useState<RouteCount[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [actionError, setActionError] = useState<unknown>(undefined);
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [tick, refresh] = useThrottledTick(250);

  const navigate = (change: Partial<TableQuery>) => {
    const n = { ...q, ...change };
    location.hash = connectionHref(regionId, connectionId, {
      type: n.type === 'custom' ? undefined : n.type, page: n.pageNumber > 1 ? n.pageNumber : undefined,
      size: n.pageSize === 20 ? undefined : n.pageSize, source: n.source, cidr: n.cidr,
    });
  };

  useEffect(() => {
    const abort = new AbortController();
    api.call<VpnConnection>('DescribeVpnConnection', { RegionId: regionId, VpnConnectionId: connectionId }, undefined, abort.signal).then((c) => {
      setConnection(c);
      // Dual-tunnel connections' counts come with every route page (VpnRouteCounts); single-tunnel ones need the two totals.
      if ((c.TunnelOptionsSpecification?.TunnelOptions ?? []).length === 0) routeCounts(api, regionId, connectionId, abort.signal).then(setCounts, () => setCounts(undefined));
    }, (err: unknown) => !abort.signal.aborted && setError(err));
    return () => abort.abort();
  }, [api, regionId, connectionId, tick]);

  /** A write through the API; its error is shown as the API words it. */
  const write = async (action: string, params: Record<string, string | number>, done: string) => {
    setBusy(true);
    setActionError(undefined);
    setMessage('');
    try {
      const res = await api.call<{ RequestId: string }>(action, { RegionId: regionId, VpnConnectionId: connectionId, ...params });
      setMessage(`${done} (RequestId ${res.RequestId}).`);
      refresh();
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(false);
    }
  };
  const actions = useMemo(() => ({
    busy,
    setWeight: (r: RouteEntry, newWeight: number) =>
      void write('ModifyVcoRouteEntryWeight', { RouteDest: r.RouteDest, NextHop: r.NextHop, Weight: r.Weight, NewWeight: newWeight }, `Weight of ${r.RouteDest} set to ${newWeight}`),
    remove: (r: RouteEntry) => void write('DeleteVcoRouteEntry', { RouteDest: r.RouteDest, NextHop: r.NextHop, Weight: r.Weight }, `Route ${r.RouteDest} deleted`),
  }), [busy, api, regionId, connectionId]);

  const addRoute = (e: Event) => {
    e.preventDefault();
    const formEl = e.currentTarget as HTMLFormElement;
    const f = new FormData(formEl);
    const dest = String(f.get('routeDest') ?? '').trim();
    const params: Record<string, string | number> = { RouteDest: dest, NextHop: connectionId, Weight: Number(f.get('weight')) };
    const description = String(f.get('description') ?? '').trim();
    if (description) params.Description = description;
    void write('CreateVcoRouteEntry', params, `Route ${dest} added`).then(() => formEl.reset());
  };

  const onLiveChange = (_c: RouteChange) => refresh();
  const typeCount = (type: RouteEntryType) => counts?.filter((c) => c.RouteEntryType === type).reduce((n, c) => n + c.RouteCount, 0);
  const tunnels = connection?.TunnelOptionsSpecification?.TunnelOptions ?? [];

  return (
    <main id="main" tabIndex={-1}>
      <nav aria-label="Breadcrumb" class="breadcrumb"><a href={connectionsHref(regionId)}>Connections in {regionId}</a> / <span aria-current="page">{connectionId}</span></nav>
      <h1>{connectionId}{connection?.Name ? <span class="muted"> {connection.Name}</span> : null}</h1>
      <ErrorBox error={error} title="DescribeVpnConnection failed" />
      {connection ? (
        <dl class="summary">
          <div><dt>State</dt><dd><Badge text={connection.State} /> <Badge text={connection.Status} /></dd></div>
          <div><dt>Transit router</dt><dd>{connection.TransitRouterId ? <code>{connection.TransitRouterId}</code> : <span class="muted">not attached</span>}</dd></div>
          <div><dt>Tunnels (IPsec, BGP)</dt><dd><TunnelList tunnels={tunnels} /></dd></div>
          <div><dt>Routes</dt><dd>{counts ? <ul class="counts">{counts.map((c) => <li key={countLabel(c)}>{countLabel(c)}: {c.RouteCount}</li>)}</ul> : '…'}</dd></div>
        </dl>
      ) : null}

      <nav class="tabs" aria-label="Route type">
        {(['custom', 'bgp'] as const).map((t) => (
          <a key={t} href={connectionHref(regionId, connectionId, { type: t === 'custom' ? undefined : t, size: q.pageSize === 20 ? undefined : q.pageSize })}
            aria-current={q.type === t ? 'page' : undefined}>
            {t === 'custom' ? 'Custom routes' : 'BGP routes'}{typeCount(t) !== undefined ? ` (${typeCount(t)})` : ''}
          </a>
        ))}
      </nav>

      <p class="status" role="status" aria-live="polite">{message}</p>
      <ErrorBox error={actionError} title="The API refused the change" />

      {q.type === 'custom' ? (
        <section aria-labelledby="add-heading" class="add-route">
          <h2 id="add-heading">Add a custom route</h2>
          <form onSubmit={addRoute} class="inline">
            <label>Destination CIDR <input name="routeDest" required placeholder="192.168.10.0/24" spellcheck={false} /></label>
            <label>Weight
              <select name="weight" defaultValue="100"><option value="100">100 (high priority)</option><option value="0">0 (low priority)</option></select>
            </label>
            <label>Description <input name="description" /></label>
            <button type="submit" class="primary" disabled={busy}>Add route</button>
          </form>
          <p class="muted">Next hop: this connection (<code>{connectionId}</code>).</p>
        </section>
      ) : null}

      <RouteTable api={api} regionId={regionId} connectionId={connectionId} query={q} refreshTick={tick} actions={actions} onQuery={navigate} onCounts={setCounts} />


      <Timeline api={api} regionId={regionId} connectionId={connectionId} onLiveChange={onLiveChange} />
    </main>
  );
}
