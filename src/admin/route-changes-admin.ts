/**
 * Admin API of the route-change history (tooling): GET /_vcoroute/v1/route-changes (a filtered page) and
 * GET /_vcoroute/v1/route-changes/watch (Server-Sent Events), with the parameters of ListVcoRouteChanges /
 * WatchVcoRouteChanges. Any connection, deleted ones included (their changes stay until retention prunes them).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { StreamedBody } from '../pop/render';
import type { Store } from '../store/store';
import {
  HistoryParamError, parseFilter, parseListRequest, parseResumePoint, readRouteChanges, TooManyWatchersError, type RouteChangeFeed,
} from '../history';
import { AdminError, badRequest } from './admin-errors';

export const ROUTE_CHANGES_PATH = '/_vcoroute/v1/route-changes';

export async function handleRouteChanges(
  store: Store, feed: RouteChangeFeed | undefined, method: string, url: URL, headers: IncomingHttpHeaders,
): Promise<{ status: number; body: unknown; stream?: StreamedBody } | undefined> {
  const watch = url.pathname === `${ROUTE_CHANGES_PATH}/watch`;
  if (url.pathname !== ROUTE_CHANGES_PATH && !watch) return undefined;
  if (method !== 'GET') throw new AdminError(405, 'MethodNotAllowed', `${method} is not supported on ${url.pathname}`);
  const params = Object.fromEntries(url.searchParams);
  const connectionId = params.VpnConnectionId;
  if (!connectionId) throw badRequest('VpnConnectionId is required');
  try {
    if (!watch) {
      const page = await readRouteChanges(store, connectionId, parseListRequest(params));
      return { status: 200, body: { RouteChanges: page.events, NextToken: page.nextToken } };
    }
    if (!feed) throw new AdminError(404, 'NotFound', 'watching is not available on this server');
    const lastEventId = headers['last-event-id'];
    const stream = await feed.open(connectionId, parseFilter(params), parseResumePoint(params, Array.isArray(lastEventId) ? lastEventId[0] : lastEventId));
    return { status: 200, body: null, stream };
  } catch (err) {
    if (err instanceof HistoryParamError) throw badRequest(`${err.param}: ${err.message}`);
    if (err instanceof TooManyWatchersError) throw new AdminError(503, 'ServiceUnavailable', err.message);
    throw err;
  }
}
