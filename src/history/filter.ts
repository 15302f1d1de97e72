/**
 * The filters and cursors of ListVcoRouteChanges / WatchVcoRouteChanges (and their admin equivalents), from
 * request parameters to a store query. Pure: errors are HistoryParamError values, worded by the caller's API.
 */
import { parseCidr, type Cidr } from '../domain/cidr';
import type { BgpSource, RouteChangeQuery, RouteEntryType } from '../store/store';

export class HistoryParamError extends Error {
  constructor(readonly param: string, message: string) {
    super(message);
    this.name = 'HistoryParamError';
  }
}

export const HISTORY_SOURCES = ['CUSTOM', 'VPN_BGP', 'CLOUD'] as const;
export const DEFAULT_MAX_RESULTS = 20;
export const MAX_MAX_RESULTS = 100;

export interface RouteChangeFilter {
  routeEntryType?: RouteEntryType;
  /** null: custom routes (Source=CUSTOM) */
  source?: BgpSource | null;
  within?: Cidr;
  startTime?: number;
  endTime?: number;
}

export interface ListRequest {
  filter: RouteChangeFilter;
  /** ascending from here (resume); undefined: newest first */
  afterEventId?: number;
  maxResults: number;
  /** where the previous page ended (NextToken) */
  cursor?: number;
}

type Params = Readonly<Record<string, string | undefined>>;

const present = (params: Params, name: string): string | undefined => {
  const v = params[name];
  return v === undefined || v === '' ? undefined : v;
};

/** `yyyy-MM-ddTHH:mm:ssZ`, optionally with milliseconds; a real date. */
export function parseIsoTime(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/.test(text)) return undefined;
  const t = Date.parse(text);
  if (Number.isNaN(t)) return undefined;
  // Date.parse rolls 2026-02-30 over to March: refuse dates that do not format back to themselves.
  const back = new Date(t).toISOString();
  return back.slice(0, 19) === text.slice(0, 19) ? t : undefined;
}

function eventIdParam(params: Params, name: string): number | undefined {
  const text = present(params, name);
  if (text === undefined) return undefined;
  if (!/^\d{1,15}$/.test(text)) throw new HistoryParamError(name, `The specified ${name} is invalid. It must be an EventId (a non-negative integer).`);
  return Number(text);
}

export function parseFilter(params: Params): RouteChangeFilter {
  const filter: RouteChangeFilter = {};
  const type = present(params, 'RouteEntryType');
  if (type !== undefined) {
    if (type !== 'custom' && type !== 'bgp') throw new HistoryParamError('RouteEntryType', 'The specified RouteEntryType is invalid: custom or bgp.');
    filter.routeEntryType = type;
  }
  const source = present(params, 'Source');
  if (source !== undefined) {
    if (!(HISTORY_SOURCES as readonly string[]).includes(source)) throw new HistoryParamError('Source', 'The specified Source is invalid: CUSTOM, VPN_BGP or CLOUD.');
    filter.source = source === 'CUSTOM' ? null : (source as BgpSource);
  }
  const cidr = present(params, 'DestinationCidrBlock');
  if (cidr !== undefined) {
    const within = parseCidr(cidr, true);
    if (!within) throw new HistoryParamError('DestinationCidrBlock', 'The specified DestinationCidrBlock is invalid: an IPv4 CIDR block such as 10.0.0.0/16.');
    filter.within = within;
  }
  for (const [name, key] of [['StartTime', 'startTime'], ['EndTime', 'endTime']] as const) {
    const text = present(params, name);
    if (text === undefined) continue;
    const t = parseIsoTime(text);
    if (t === undefined) throw new HistoryParamError(name, `The specified ${name} is invalid: yyyy-MM-ddTHH:mm:ssZ (UTC), optionally with milliseconds.`);
    filter[key] = t;
  }
  if (filter.startTime !== undefined && filter.endTime !== undefined && filter.startTime > filter.endTime) {
    throw new HistoryParamError('EndTime', 'The specified EndTime is before StartTime.');
  }
  return filter;
}

const TOKEN_PREFIX = 'rc1.';

/** NextToken: opaque to clients; the EventId the page ended at. */
export function encodeNextToken(eventId: number): string {
  return Buffer.from(`${TOKEN_PREFIX}${eventId}`).toString('base64url');
}

export function decodeNextToken(token: string): number {
  const text = /^[A-Za-z0-9_-]{1,40}$/.test(token) ? Buffer.from(token, 'base64url').toString() : '';
  const m = /^rc1\.(\d{1,15})$/.exec(text);
  if (!m || !text.startsWith(TOKEN_PREFIX)) throw new HistoryParamError('NextToken', 'The specified NextToken is invalid: pass the NextToken of the previous page unchanged.');
  return Number(m[1]);
}

export function parseListRequest(params: Params): ListRequest {
  const filter = parseFilter(params);
  const afterEventId = eventIdParam(params, 'AfterEventId');
  const maxText = present(params, 'MaxResults');
  let maxResults = DEFAULT_MAX_RESULTS;
  if (maxText !== undefined) {
    if (!/^\d{1,4}$/.test(maxText) || Number(maxText) < 1 || Number(maxText) > MAX_MAX_RESULTS) {
      throw new HistoryParamError('MaxResults', `The specified MaxResults is invalid. It must be an integer from 1 to ${MAX_MAX_RESULTS}.`);
    }
    maxResults = Number(maxText);
  }
  const token = present(params, 'NextToken');
  return { filter, afterEventId, maxResults, cursor: token === undefined ? undefined : decodeNextToken(token) };
}

/** The watch's resume point: the Last-Event-ID header (EventSource's name), else the LastEventId parameter; undefined: live only. */
export function parseResumePoint(params: Params, lastEventIdHeader: string | undefined): number | undefined {
  if (lastEventIdHeader !== undefined && lastEventIdHeader !== '') return eventIdParam({ 'Last-Event-ID': lastEventIdHeader }, 'Last-Event-ID');
  return eventIdParam(params, 'LastEventId');
}

/** The IPv4 range of a block. */
export function blockRange(c: Cidr): { first: number; last: number; minPrefix: number } {
  return { first: c.network, last: c.network + 2 ** (32 - c.prefix) - 1, minPrefix: c.prefix };
}

/** The store query of one filtered read. */
export function storeQuery(connectionId: string, filter: RouteChangeFilter, page: Pick<RouteChangeQuery, 'order' | 'limit' | 'afterEventId' | 'beforeEventId'>): RouteChangeQuery {
  const q: RouteChangeQuery = { connectionId, ...page };
  if (filter.routeEntryType !== undefined) q.routeEntryType = filter.routeEntryType;
  if (filter.source !== undefined) q.source = filter.source;
  if (filter.within !== undefined) q.within = blockRange(filter.within);
  if (filter.startTime !== undefined) q.startTime = filter.startTime;
  if (filter.endTime !== undefined) q.endTime = filter.endTime;
  return q;
}

/** A page: ascending after AfterEventId (or the token's cursor), else newest first before the cursor. One extra row tells whether more follow. */
export function pageQuery(connectionId: string, req: ListRequest): RouteChangeQuery {
  const limit = req.maxResults + 1;
  if (req.afterEventId !== undefined) return storeQuery(connectionId, req.filter, { order: 'asc', limit, afterEventId: Math.max(req.afterEventId, req.cursor ?? 0) });
  return storeQuery(connectionId, req.filter, { order: 'desc', limit, ...(req.cursor === undefined ? {} : { beforeEventId: req.cursor }) });
}
