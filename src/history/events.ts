/**
 * A recorded change as the API shows it (the Event of /work/history-api.md: PascalCase like the rest of the
 * VPC API), and its Server-Sent Events frame. Pure.
 */
import { formatAsPath, routeState } from '../domain/routes';
import type { RouteChangeCause, RouteChangeRecord, RouteChangeType, RouteEntryType, RouteRecord } from '../store/store';

/** A route's attributes as DescribeVcoRouteEntries lists them (AsPath, Community and Source for BGP routes only). */
export interface RouteAttributes {
  Weight: number;
  State: string;
  CreateTime: number;
  AsPath?: string;
  Community?: string;
  Source?: string;
  /** the tunnels the row names; absent when it names none (every tunnel of the connection) */
  NextHopTunnelIdList?: string[];
}

export interface RouteChangeEvent {
  EventId: string;
  ChangeTime: string;
  VpnConnectionId: string;
  ChangeType: RouteChangeType;
  RouteEntryType: RouteEntryType;
  Source: 'CUSTOM' | 'VPN_BGP' | 'CLOUD';
  RouteDest: string;
  NextHop: string;
  Old: RouteAttributes | null;
  New: RouteAttributes | null;
  TunnelId: string;
  Cause: RouteChangeCause;
}

export function routeAttributes(r: RouteRecord): RouteAttributes {
  const a: RouteAttributes = { Weight: r.weight, State: routeState(r.routeEntryType), CreateTime: r.createTime };
  if (r.routeEntryType === 'bgp') {
    a.AsPath = formatAsPath(r.asPath ?? []);
    a.Community = r.community ?? '';
    if (r.source !== null) a.Source = r.source;
  }
  if (r.nextHopTunnelIds !== null) a.NextHopTunnelIdList = [...r.nextHopTunnelIds];
  return a;
}

export function routeChangeEvent(c: RouteChangeRecord): RouteChangeEvent {
  return {
    EventId: String(c.eventId),
    ChangeTime: new Date(c.changeTime).toISOString(),
    VpnConnectionId: c.connectionId,
    ChangeType: c.changeType,
    RouteEntryType: c.routeEntryType,
    Source: c.source ?? 'CUSTOM',
    RouteDest: c.routeDest,
    NextHop: c.nextHop,
    Old: c.old && routeAttributes(c.old),
    New: c.new && routeAttributes(c.new),
    TunnelId: c.tunnelId,
    Cause: c.cause,
  };
}

/** One SSE message: `id`, `event: route-change`, and the event JSON on one data line (JSON.stringify never emits a newline). */
export function sseFrame(event: RouteChangeEvent): string {
  return `id: ${event.EventId}\nevent: route-change\ndata: ${JSON.stringify(event)}\n\n`;
}

export const SSE_KEEP_ALIVE = ': keep-alive\n\n';
export const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';
