/**
 * A connection's route changes, newest first (ListVcoRouteChanges), kept live by WatchVcoRouteChanges from the
 * newest event shown, so nothing between the list and the stream is lost. Each live event is announced
 * (aria-live) and handed to the page, which refreshes the route table.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiClient } from './api';
import type { ListVcoRouteChangesResponse, RouteChange } from './model';
import { watchRouteChanges, type WatchStatus } from './watch';
import { Badge, ErrorBox, formatTime } from './ui';

/** Enough to look back on; older events stay one "Load older" away in the API. */
const MAX_SHOWN = 1000;
/** Changes per ListVcoRouteChanges page. */
const PAGE = 25;

/** An attribute as the route table shows it: strings bare, lists comma-separated, nothing as "none". */
function shown(v: unknown): string {
  if (v === undefined || v === null || v === '') return 'none';
  if (Array.isArray(v)) return v.length === 0 ? 'none' : v.join(', ');
  return String(v);
}

/** What changed (Modified), or the route's main attributes (Added, Removed). */
function diff(c: RouteChange): string[] {
  const before = c.Old ?? {};
  const after = c.New ?? {};
  const out: string[] = [];
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (c.ChangeType === 'Modified') {
      if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) out.push(`${k} ${shown(before[k])} → ${shown(after[k])}`);
    } else if (['Weight', 'AsPath', 'Community'].includes(k)) {
      const v = (c.ChangeType === 'Removed' ? before : after)[k];
      if (v !== '' && v !== undefined && v !== null) out.push(`${k} ${shown(v)}`);
    }
  }
  return out;
}

export function describeChange(c: RouteChange): string {
  return `${c.ChangeType} ${c.RouteDest} (${c.RouteEntryType === 'custom' ? 'custom' : c.Source}, ${c.Cause})`;
}

function statusText(s: WatchStatus): string {
  switch (s.state) {
    case 'connecting': return 'Connecting to live updates…';
    case 'live': return 'Live: new changes appear as they happen.';
    case 'retrying': return `Live updates interrupted${s.error ? ` (${s.error.code})` : ''}; reconnecting in ${Math.round(s.inMs / 1000)} s.`;
    case 'stopped': return 'Live updates stopped.';
  }
}

export function Timeline({ api, regionId, connectionId, onLiveChange }: {
  api: ApiClient; regionId: string; connectionId: string; onLiveChange(c: RouteChange): void;
}) {
  const [events, setEvents] = useState<RouteChange[]>([]);
  const [nextToken, setNextToken] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [loaded, setLoaded] = useState(false);
  const [status, setStatus] = useState<WatchStatus>({ state: 'connecting' });
  const [announcement, setAnnouncement] = useState('');
  // EventIds are per-connection integers in commit order: the newest shown bounds the stream, the oldest the next page.
  const newest = useRef(0);
  const oldest = useRef(Infinity);
  const onLive = useRef(onLiveChange);
  onLive.current = onLiveChange;
  const base = { RegionId: regionId, VpnConnectionId: connectionId };

  useEffect(() => {
    let stop: (() => void) | undefined;
    const abort = new AbortController();
    newest.current = 0;
    oldest.current = Infinity;
    setEvents([]);
    setLoaded(false);
    setError(undefined);
    api.call<ListVcoRouteChangesResponse>('ListVcoRouteChanges', { ...base, MaxResults: PAGE }, undefined, abort.signal).then((res) => {
      for (const e of res.RouteChanges) {
        newest.current = Math.max(newest.current, Number(e.EventId));
        oldest.current = Math.min(oldest.current, Number(e.EventId));
      }
      setEvents(res.RouteChanges);
      setNextToken(res.NextToken);
      setLoaded(true);
      stop = watchRouteChanges({
        key: api.key,
        params: base,
        lastEventId: res.RouteChanges[0]?.EventId ?? '0',
        onStatus: setStatus,
        onEvent: (c) => {
          if (Number(c.EventId) <= newest.current) return; // already shown (a replay overlapping the list)
          newest.current = Number(c.EventId);
          setEvents((prev) => [c, ...prev].slice(0, MAX_SHOWN));
          setAnnouncement(describeChange(c));
          onLive.current(c);
        },
      });
    }, (err: unknown) => !abort.signal.aborted && setError(err));
    return () => {
      abort.abort();
      stop?.();
    };
  }, [api, regionId, connectionId]);

  const loadOlder = async () => {
    try {
      const res = await api.call<ListVcoRouteChangesResponse>('ListVcoRouteChanges', { ...base, MaxResults: PAGE, NextToken: nextToken });
      const fresh = res.RouteChanges.filter((e) => Number(e.EventId) < oldest.current);
      for (const e of fresh) oldest.current = Math.min(oldest.current, Number(e.EventId));
      setEvents((prev) => [...prev, ...fresh]);
      setNextToken(res.NextToken);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-labelledby="history-heading" class="timeline">
      <h2 id="history-heading">Change history</h2>
      <ErrorBox error={error} title="ListVcoRouteChanges failed" />
      {loaded ? <p class="muted">{statusText(status)}</p> : null}
      {status.state === 'stopped' ? <ErrorBox error={status.error} title="WatchVcoRouteChanges failed" /> : null}
      <p class="visually-hidden" aria-live="polite" aria-atomic="true">{announcement}</p>
      {loaded && events.length === 0 ? <p class="muted">No changes recorded yet.</p> : null}
      <ol class="events">
        {events.map((c) => (
          <li key={c.EventId} data-event-id={c.EventId} class={`event event-${c.ChangeType.toLowerCase()}`}>
            <time dateTime={c.ChangeTime}>{formatTime(c.ChangeTime)}</time>
            <Badge text={c.ChangeType} />
            <code>{c.RouteDest}</code>
            <span>{c.RouteEntryType === 'custom' ? 'custom' : c.Source}</span>
            <span class="muted">{c.Cause}{c.TunnelId ? ` via ${c.TunnelId}` : ''}</span>
            {diff(c).length > 0 ? <span class="muted">{diff(c).join('; ')}</span> : null}
          </li>
        ))}
      </ol>
      {nextToken ? <button type="button" onClick={() => void loadOlder()}>Load older changes</button> : null}
    </section>
  );
}
