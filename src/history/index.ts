/**
 * The route-change history (issue 12): every change of a connection's Vco routes, recorded by the store in the
 * transaction of the change (store.ts "route-change history"), read in filtered pages and watched live as
 * Server-Sent Events. The one entry point: the VPC operations (products/vpc/route-changes.ts), the admin API
 * and the server's housekeeping use only what this file exports.
 */
import type { Store } from '../store/store';
import { routeChangeEvent, type RouteChangeEvent } from './events';
import { encodeNextToken, pageQuery, type ListRequest } from './filter';

export { RouteChangeFeed, TooManyWatchersError, type StreamWrite, type WatchStream } from './feed';
export { HistoryParamError, parseFilter, parseListRequest, parseResumePoint, type ListRequest, type RouteChangeFilter } from './filter';
export { routeChangeEvent, SSE_CONTENT_TYPE, type RouteChangeEvent } from './events';
export { DEFAULT_HISTORY_SETTINGS, retentionCut, type HistorySettings } from './retention';

export interface RouteChangePage {
  events: RouteChangeEvent[];
  /** '' when no further page */
  nextToken: string;
}

/** One page of a connection's changes: newest first, or ascending after AfterEventId. */
export async function readRouteChanges(store: Store, connectionId: string, req: ListRequest): Promise<RouteChangePage> {
  const rows = await store.listRouteChanges(pageQuery(connectionId, req));
  const more = rows.length > req.maxResults;
  const page = more ? rows.slice(0, req.maxResults) : rows;
  return { events: page.map(routeChangeEvent), nextToken: more ? encodeNextToken(page[page.length - 1]!.eventId) : '' };
}
