/**
 * The route-change history as the two SQL backends store it (migration 13), and the reads and pruning over it.
 * Pure: the backends run the statements; this module decides what they hold and how a page is assembled.
 *
 * Why batches (BENCHMARKS.md, "Round 2: the history in batches"): a row and two index entries per change made
 * recording cost 40–50 % of route-write throughput. Now:
 *   - a write's changes are lines of text (one JSON array per change, each ending in "\n"), numbered from the
 *     connection's counter (vco_route_versions.last_change_id) as before;
 *   - a small write appends its lines to the connection's open *tail* (vco_route_versions.change_tail): the row
 *     every route change updates already, so recording writes no page the change did not write;
 *   - when the tail would grow past TAIL_MAX_CHANGES or TAIL_MAX_CHARS, or a write is large, the tail and the
 *     write's lines are *sealed* into rows of at most BATCH_MAX_CHANGES changes, keyed (connection, last event):
 *     a summary in vco_route_change_batches (event and time ranges, the sources present, the destination range)
 *     and the lines in vco_route_change_lines;
 *   - reads take the tail first, then walk the summaries, and decode the lines of rows that may match.
 * A connection's events are therefore: sealed batches, contiguous and disjoint, then the tail
 * (last_change_id - tail_count + 1 … last_change_id). Everything is written in the route change's own
 * transaction, so a rolled-back write records nothing, as before.
 */
import { parseCidr } from '../domain/cidr';
import type { BgpSource, RouteChangeCause, RouteChangeOrigin, RouteChangeQuery, RouteChangeRecord, RouteChangeType, RouteEntryType, RouteRecord } from './store';

/** Sealed rows' summaries (what a read's scan walks: small rows, dense pages) and, apart, their lines. */
export const BATCHES_TABLE = 'vco_route_change_batches';
export const LINES_TABLE = 'vco_route_change_lines';
/** Both, for whoever empties the history (reset). */
export const HISTORY_TABLES = [BATCHES_TABLE, LINES_TABLE] as const;

/** A change made in the current transaction, before it gets its event ID. */
export interface PendingRouteChange {
  changeType: RouteChangeType;
  old: RouteRecord | null;
  new: RouteRecord | null;
  origin: RouteChangeOrigin;
  /** storedRouteText(new), when the writer built it already */
  newText?: string;
}

export const API_ORIGIN: RouteChangeOrigin = { cause: 'api', tunnelId: '' };

function sameList<T>(a: readonly T[] | null, b: readonly T[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Same row as listed, creation time aside. */
export function sameRouteAttributes(a: RouteRecord, b: RouteRecord): boolean {
  return a.routeDest === b.routeDest && a.nextHop === b.nextHop && a.weight === b.weight && a.source === b.source &&
    sameList(a.asPath, b.asPath) && a.community === b.community && sameList(a.nextHopTunnelIds, b.nextHopTunnelIds);
}

/** The change an upsert makes: Added, Modified, or nothing when the row is rewritten unchanged. */
export function upsertChange(old: RouteRecord | undefined, next: RouteRecord, origin: RouteChangeOrigin, newText?: string): PendingRouteChange | undefined {
  if (old !== undefined && sameRouteAttributes(old, next)) return undefined;
  const change: PendingRouteChange = old === undefined ? { changeType: 'Added', old: null, new: next, origin } : { changeType: 'Modified', old, new: next, origin };
  if (newText !== undefined) change.newText = newText;
  return change;
}

// ---- limits (decided; docs/compatibility.md "Route-change history") ----

/**
 * The open tail holds at most this many changes and characters. The characters bound keeps
 * vco_route_versions rows inside one SQLite page (a WITHOUT ROWID row over ~1,000 bytes would spill to an
 * overflow page that every append rewrites) and PostgreSQL rows out of TOAST (2 kB).
 */
export const TAIL_MAX_CHANGES = 16;
export const TAIL_MAX_CHARS = 900;
/** Changes per sealed row: bounds what one row costs to read and decode, and how far a descending read scans. */
export const BATCH_MAX_CHANGES = 256;
/** Whether a write of `changes` lines of `chars` characters goes to a tail holding `tailCount` lines of `tailChars`. */
export function fitsTail(tailCount: number, tailChars: number, changes: number, chars: number): boolean {
  return tailCount + changes <= TAIL_MAX_CHANGES && tailChars + chars <= TAIL_MAX_CHARS;
}

/**
 * fitsTail as an SQL condition, for a backend that decides in the statement that appends (one statement, no
 * read of the tail first): the four arguments are SQL expressions; `tailChars` counts characters as the dialect's
 * length function does (the same as JS for the ASCII lines hold).
 */
export const fitsTailSql = (tailCount: string, tailChars: string, changes: string, chars: string): string =>
  `${tailCount} + ${changes} <= ${TAIL_MAX_CHANGES} AND ${tailChars} + ${chars} <= ${TAIL_MAX_CHARS}`;

// ---- lines ----

/**
 * One change as stored: [routeDest, source ('' custom), changeType, routeEntryType, nextHop ('' when it is the
 * connection itself, as for every learned route), time, old, new, tunnelId, cause]; old and new as what can
 * differ between them: [weight, asPath, community, nextHopTunnelIds, createTime] (the rest is the change's own).
 * Lines are built by hand, not with JSON.stringify of an array: recording is on the path of every route write
 * and this is most of its CPU (BENCHMARKS.md); strings are quoted with JSON.stringify, so a line is always JSON.
 */
type StoredRoute = [number, number[] | null, string | null, string[] | null, number];
type StoredChange = [string, string, RouteChangeType, RouteEntryType, string, number, StoredRoute | null, StoredRoute | null, string, RouteChangeCause];

const SOURCE_BITS: Record<string, number> = { '': 1, VPN_BGP: 2, CLOUD: 4 };
const ALL_SOURCES = 7;
const sourceBit = (source: string): number => SOURCE_BITS[source] ?? ALL_SOURCES;
const quote = (text: string): string => JSON.stringify(text);

/**
 * A route's stored old/new part as JSON text. A writer that has its AS path and tunnel list as JSON already
 * (the text it stores in vco_routes) passes them: not encoded twice.
 */
export function storedRouteText(r: RouteRecord, asPathJson?: string | null, tunnelsJson?: string | null): string {
  const asPath = asPathJson !== undefined ? asPathJson : r.asPath === null ? null : `[${r.asPath.join(',')}]`;
  const tunnels = tunnelsJson !== undefined ? tunnelsJson : r.nextHopTunnelIds === null ? null : JSON.stringify(r.nextHopTunnelIds);
  return storedText(r.weight, asPath, r.community, tunnels, r.createTime);
}

/** The stored part from its values, the lists as JSON text (as vco_routes holds them). */
function storedText(weight: number | string, asPathJson: string | null, community: string | null, tunnelsJson: string | null, createTime: number | string): string {
  return '[' + weight + ',' + (asPathJson ?? 'null') + ',' + (community === null ? 'null' : quote(community)) + ',' + (tunnelsJson ?? 'null') + ',' + createTime + ']';
}

/** A destination with no network address (unparsable): its summary range is the whole space. */
const UNPARSABLE = -1;
/** A destination's network address for a batch summary, or UNPARSABLE. */
function destNetwork(routeDest: string): number {
  return parseCidr(routeDest, true)?.network ?? UNPARSABLE;
}
const destFirstOf = (network: number): number => (network === UNPARSABLE ? 0 : network);
const destLastOf = (network: number): number => (network === UNPARSABLE ? 0xffffffff : network);

/** A change ready to be stored: its line and what the summaries of its batch need. */
export interface EncodedChange {
  line: string;
  time: number;
  sources: number;
  /** the destination's network address, UNPARSABLE (-1) when it has none */
  network: number;
}

function encoded(connectionId: string, routeDest: string, source: string, changeType: RouteChangeType, routeEntryType: RouteEntryType, nextHop: string,
  time: WriteTime, oldText: string, newText: string, origin: RouteChangeOrigin): EncodedChange {
  const hop = nextHop === connectionId ? '""' : quote(nextHop);
  const line = '[' + quote(routeDest) + ',"' + source + '","' + changeType + '","' + routeEntryType + '",' + hop + ',' + time.text + ',' + oldText + ','
    + newText + ',' + (origin.tunnelId === '' ? '""' : quote(origin.tunnelId)) + ',"' + origin.cause + '"]\n';
  return { line, time: time.ms, sources: sourceBit(source), network: destNetwork(routeDest) };
}

/** A write's time, as a number and as the text every line of the write carries (converted once per write). */
export interface WriteTime {
  ms: number;
  text: string;
}

export const writeTime = (ms: number): WriteTime => ({ ms, text: String(ms) });

export function encodeChange(connectionId: string, c: PendingRouteChange, time: WriteTime): EncodedChange {
  const route = (c.new ?? c.old)!;
  return encoded(connectionId, route.routeDest, route.source ?? '', c.changeType, route.routeEntryType, route.nextHop, time,
    c.old === null ? 'null' : storedRouteText(c.old), c.newText ?? (c.new === null ? 'null' : storedRouteText(c.new)), c.origin);
}

/**
 * A deleted vco_routes row as a recording delete returns it: REMOVED_COLUMNS in order, as an array (SQLite's raw
 * rows). Why an array and the raw columns: SQLite buffers RETURNING rows, and a row of 11 named values made a
 * delete ≈ 6 µs a row slower than one of 3, as an array ≈ 2 µs; building the stored part in SQL (concatenation,
 * json_quote) was no cheaper (BENCHMARKS.md, round 3). as_path and next_hop_tunnel_ids hold JSON already.
 */
export type RemovedRouteRow = readonly [
  seq: number, routeKey: string, routeEntryType: RouteEntryType, source: string | null, routeDest: string, nextHop: string,
  /** numbers, or their decimal text as PostgreSQL returns BIGINT */
  weight: number | string, asPathJson: string | null, community: string | null, tunnelsJson: string | null, createTime: number | string,
];

export const REMOVED_COLUMNS = 'seq, route_key, route_entry_type, source, route_dest, next_hop, weight, as_path, community, next_hop_tunnel_ids, create_time';

export function encodeRemoved(connectionId: string, r: RemovedRouteRow, origin: RouteChangeOrigin, time: WriteTime): EncodedChange {
  return encoded(connectionId, r[4], r[3] ?? '', 'Removed', r[2], r[5], time, storedText(r[6], r[7], r[8], r[9], r[10]), 'null', origin);
}

function loadRoute(connectionId: string, s: StoredChange, r: StoredRoute): RouteRecord {
  const [weight, asPath, community, nextHopTunnelIds, createTime] = r;
  return { routeEntryType: s[3], routeDest: s[0], nextHop: s[4] === '' ? connectionId : s[4], weight, source: s[1] === '' ? null : (s[1] as BgpSource), asPath,
    community, nextHopTunnelIds, createTime };
}

function decodeLine(connectionId: string, eventId: number, line: string): RouteChangeRecord {
  const s = JSON.parse(line) as StoredChange;
  return {
    connectionId, eventId, changeTime: s[5], changeType: s[2], routeEntryType: s[3], source: s[1] === '' ? null : (s[1] as BgpSource), routeDest: s[0],
    nextHop: s[4] === '' ? connectionId : s[4], old: s[6] && loadRoute(connectionId, s, s[6]), new: s[7] && loadRoute(connectionId, s, s[7]), tunnelId: s[8], cause: s[9],
  };
}

/** The lines of a tail or batch text (each ends in "\n"). */
export function linesOf(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  lines.pop();
  return lines;
}

/** A stored line back as an EncodedChange (sealing a tail: its lines' summaries were not kept). */
export function reencode(line: string): EncodedChange {
  const s = JSON.parse(line) as StoredChange;
  return { line: `${line}\n`, time: s[5], sources: sourceBit(s[1]), network: destNetwork(s[0]) };
}

/**
 * A vco_route_changes row (schema ≤ 12: one row per change) as a sealed row of one change, as migration 13
 * converts them; used for snapshots of that schema. Unparsable values are refused by the import's own checks.
 */
export function batchOfRetiredChange(r: Readonly<Record<string, string | number | null>>): Record<string, Record<string, string | number | null>> {
  const text = (v: string | number | null | undefined): string => (typeof v === 'string' ? v : String(v ?? ''));
  const stored = (v: string | number | null | undefined): string => (typeof v === 'string' && v !== '' ? v : 'null');
  const time = Number(r.change_time);
  const network = destNetwork(text(r.route_dest));
  const line = `[${quote(text(r.route_dest))},${quote(text(r.source))},${quote(text(r.change_type))},${quote(text(r.route_entry_type))},${quote(text(r.next_hop))},`
    + `${time},${stored(r.old_route)},${stored(r.new_route)},${quote(text(r.tunnel_id))},${quote(text(r.cause))}]\n`;
  JSON.parse(line); // a malformed stored route makes the row (and the import) fail here, not a later read
  const key = { connection_id: r.connection_id ?? null, last_event_id: r.event_id ?? null };
  return {
    [BATCHES_TABLE]: { ...key, first_event_id: r.event_id ?? null, time_min: time, time_max: time, sources: sourceBit(text(r.source)), dest_min: destFirstOf(network),
      dest_max: destLastOf(network) },
    [LINES_TABLE]: { ...key, changes: line },
  };
}

// ---- sealed rows ----

/** A sealed row: its summary (vco_route_change_batches) and, as a read joins them, its lines (vco_route_change_lines). */
export interface BatchRow {
  connection_id: string;
  last_event_id: number | string;
  first_event_id: number | string;
  time_min: number | string;
  time_max: number | string;
  sources: number;
  dest_min: number | string;
  dest_max: number | string;
  changes: string;
}

export type BatchSummary = Omit<BatchRow, 'changes'>;

export const SUMMARY_COLUMNS = 'connection_id, last_event_id, first_event_id, time_min, time_max, sources, dest_min, dest_max';
export const SUMMARY_WIDTH = 8;
export const LINES_COLUMNS = 'connection_id, last_event_id, changes';

/** A sealed row to insert: its summary values (SUMMARY_COLUMNS order) and its lines. */
export interface SealedRow {
  summary: (string | number)[];
  changes: string;
}

/** The rows sealing `changes`, numbered from `firstId`: BATCH_MAX_CHANGES per row. */
export function batchRows(connectionId: string, firstId: number, changes: readonly EncodedChange[]): SealedRow[] {
  const rows: SealedRow[] = [];
  for (let start = 0; start < changes.length; start += BATCH_MAX_CHANGES) {
    const end = Math.min(start + BATCH_MAX_CHANGES, changes.length);
    let [timeMin, timeMax, sources, destMin, destMax] = [Infinity, -Infinity, 0, Infinity, -Infinity];
    let text = '';
    for (let i = start; i < end; i++) {
      const c = changes[i]!;
      if (c.time < timeMin) timeMin = c.time;
      if (c.time > timeMax) timeMax = c.time;
      sources |= c.sources;
      const first = destFirstOf(c.network);
      const last = destLastOf(c.network);
      if (first < destMin) destMin = first;
      if (last > destMax) destMax = last;
      text += c.line;
    }
    rows.push({ summary: [connectionId, firstId + end - 1, firstId + start, timeMin, timeMax, sources, destMin, destMax], changes: text });
  }
  return rows;
}

// ---- reads ----

/** The connection's counter and open tail, as one read of vco_route_versions. */
export interface TailRow {
  last: number;
  count: number;
  text: string;
}

/** Which sealed rows a step of a read wants: those whose events may match, in event order, at most `limit`. */
export interface BatchWindow {
  connectionId: string;
  order: 'asc' | 'desc';
  /** asc: rows with last_event_id > after; desc: rows with first_event_id < before */
  after?: number;
  before?: number;
  /** the events read lie in [low, high] */
  low: number;
  high: number;
  sources: number;
  startTime?: number;
  endTime?: number;
  destFirst?: number;
  destLast?: number;
  limit: number;
}

/** Rows fetched per statement while a page is filled. */
const ROWS_PER_STEP = 8;

/**
 * The WHERE … ORDER BY … LIMIT of one step, `param(value)` adding an argument and returning its placeholder.
 * The primary key (connection_id, last_event_id) serves both orders; a descending step also bounds
 * last_event_id (a row holding an event below `before` ends before `before + BATCH_MAX_CHANGES`), so the walk
 * starts where it should instead of skipping newer rows.
 */
export function batchSelect(w: BatchWindow, param: (value: string | number) => string): string {
  const where = [`b.connection_id = ${param(w.connectionId)}`];
  if (w.order === 'asc') where.push(`b.last_event_id > ${param(w.after ?? 0)}`, `b.first_event_id <= ${param(w.high)}`);
  else {
    where.push(`b.last_event_id < ${param(w.before! + BATCH_MAX_CHANGES)}`, `b.first_event_id < ${param(w.before!)}`, `b.last_event_id >= ${param(w.low)}`);
  }
  if (w.sources !== ALL_SOURCES) where.push(`(b.sources & ${param(w.sources)}) <> 0`);
  if (w.startTime !== undefined) where.push(`b.time_max >= ${param(w.startTime)}`);
  if (w.endTime !== undefined) where.push(`b.time_min <= ${param(w.endTime)}`);
  if (w.destFirst !== undefined) where.push(`b.dest_max >= ${param(w.destFirst)}`, `b.dest_min <= ${param(w.destLast!)}`);
  const order = w.order === 'asc' ? 'ASC' : 'DESC';
  // The summaries are walked in key order; only the rows that pass are joined to their lines.
  return `SELECT ${SUMMARY_COLUMNS.split(', ').map((c) => `b.${c}`).join(', ')}, l.changes FROM ${BATCHES_TABLE} b `
    + `JOIN ${LINES_TABLE} l ON l.connection_id = b.connection_id AND l.last_event_id = b.last_event_id `
    + `WHERE ${where.join(' AND ')} ORDER BY b.last_event_id ${order} LIMIT ${param(w.limit)}`;
}

/** What a backend gives the reader. */
export interface BatchSource {
  tail(connectionId: string): TailRow | undefined | Promise<TailRow | undefined>;
  batches(window: BatchWindow): BatchRow[] | Promise<BatchRow[]>;
}

function querySources(q: RouteChangeQuery): number {
  if (q.source !== undefined) return sourceBit(q.source ?? '');
  if (q.routeEntryType === 'custom') return SOURCE_BITS['']!;
  if (q.routeEntryType === 'bgp') return SOURCE_BITS.VPN_BGP! | SOURCE_BITS.CLOUD!;
  return ALL_SOURCES;
}

function matches(q: RouteChangeQuery, c: RouteChangeRecord): boolean {
  if (q.routeEntryType !== undefined && c.routeEntryType !== q.routeEntryType) return false;
  if (q.source !== undefined && c.source !== q.source) return false;
  if (q.startTime !== undefined && c.changeTime < q.startTime) return false;
  if (q.endTime !== undefined && c.changeTime > q.endTime) return false;
  if (q.within !== undefined) {
    const cidr = parseCidr(c.routeDest, true);
    if (!cidr || cidr.network < q.within.first || cidr.network > q.within.last || cidr.prefix < q.within.minPrefix) return false;
  }
  return true;
}

/**
 * A filtered page of one connection's changes. The tail is read first: it fixes the page's view (events up to
 * its last_change_id), and a tail sealed meanwhile only moves its events into a row, whose events from the
 * tail's first on are then skipped, so nothing is lost or repeated. Every loop is bounded by the rows that
 * exist (each step moves the cursor past the rows it read).
 */
export async function readBatches(q: RouteChangeQuery, source: BatchSource): Promise<RouteChangeRecord[]> {
  const tail = await source.tail(q.connectionId);
  if (tail === undefined || tail.last === 0) return [];
  const tailFirst = tail.last - tail.count + 1;
  const low = (q.afterEventId ?? 0) + 1;
  const high = Math.min(q.beforeEventId ?? Infinity, tail.last + 1) - 1;
  if (low > high || q.limit <= 0) return [];
  const out: RouteChangeRecord[] = [];
  const take = (id: number, line: string): boolean => {
    if (id < low || id > high) return false;
    const c = decodeLine(q.connectionId, id, line);
    if (matches(q, c)) out.push(c);
    return out.length >= q.limit;
  };
  const tailLines = linesOf(tail.text);
  const fromTail = (): boolean => {
    if (q.order === 'asc') { for (let i = 0; i < tailLines.length; i++) if (take(tailFirst + i, tailLines[i]!)) return true; } else {
      for (let i = tailLines.length - 1; i >= 0; i--) if (take(tailFirst + i, tailLines[i]!)) return true;
    }
    return false;
  };
  const sealedHigh = Math.min(high, tailFirst - 1);
  const window: Omit<BatchWindow, 'after' | 'before'> = {
    connectionId: q.connectionId, order: q.order, low, high: sealedHigh, sources: querySources(q), limit: ROWS_PER_STEP,
    ...(q.startTime !== undefined ? { startTime: q.startTime } : {}), ...(q.endTime !== undefined ? { endTime: q.endTime } : {}),
    ...(q.within !== undefined ? { destFirst: q.within.first, destLast: q.within.last } : {}),
  };
  const fromBatches = async (): Promise<boolean> => {
    if (low > sealedHigh) return false;
    let cursor = q.order === 'asc' ? low - 1 : sealedHigh + 1;
    for (;;) {
      const rows = await source.batches(q.order === 'asc' ? { ...window, after: cursor } : { ...window, before: cursor });
      for (const row of rows) {
        const first = Number(row.first_event_id);
        const lines = linesOf(row.changes);
        if (q.order === 'asc') {
          for (let i = 0; i < lines.length; i++) if (first + i <= sealedHigh && take(first + i, lines[i]!)) return true;
          cursor = Number(row.last_event_id);
        } else {
          for (let i = lines.length - 1; i >= 0; i--) if (first + i <= sealedHigh && take(first + i, lines[i]!)) return true;
          cursor = first;
        }
      }
      if (rows.length < ROWS_PER_STEP) return false;
    }
  };
  if (q.order === 'asc') {
    if (!(await fromBatches())) fromTail();
  } else if (!fromTail()) await fromBatches();
  return out;
}

// ---- retention ----

/** What pruning keeps of a connection: events after `keepAfter` made at or after `olderThan`. */
export interface PruneCut {
  keepAfter: number;
  olderThan: number;
}

/**
 * The lines of a row or tail that survive a cut, and how many go. `first` is the event ID of the first line.
 * Lines go from the front while their ID is at most keepAfter or their time is before olderThan; from the first
 * survivor on every line stays (IDs stay contiguous: a later line older than the cut, from another server's
 * clock, stays until the lines before it are gone).
 */
export function trimLines(text: string, first: number, cut: PruneCut): { kept: EncodedChange[]; firstKept: number; dropped: number } {
  const lines = linesOf(text).map(reencode);
  let dropped = 0;
  while (dropped < lines.length && (first + dropped <= cut.keepAfter || lines[dropped]!.time < cut.olderThan)) dropped++;
  return { kept: lines.slice(dropped), firstKept: first + dropped, dropped };
}

/** Sealed rows deleted per statement while pruning by age (oldest first): one short transaction each. */
export const PRUNE_ROWS = 500;

type MaybePromise<T> = T | Promise<T>;

/** The statements pruning needs; each its own short transaction (route writes wait no longer than one). */
export interface PruneOps {
  /** connections with any change: [connection, last_change_id] */
  counters(): MaybePromise<[string, number][]>;
  /** deletes the connection's rows (summaries and lines) up to this last event ID; returns how many events they held */
  dropThrough(connectionId: string, lastEventId: number): MaybePromise<number>;
  /** the summaries of the connection's PRUNE_ROWS oldest rows */
  oldest(connectionId: string): MaybePromise<BatchSummary[]>;
  /** a row's lines */
  lines(connectionId: string, lastEventId: number): MaybePromise<string>;
  /** replaces a row's summary and lines (its key stays) */
  rewrite(row: SealedRow): MaybePromise<void>;
  anyBatch(connectionId: string): MaybePromise<boolean>;
  tail(connectionId: string): MaybePromise<TailRow | undefined>;
  /** sets the tail, only if the counter is still `last` (no write came between); returns whether it did */
  setTail(connectionId: string, last: number, text: string, count: number): MaybePromise<boolean>;
}

/** Store.pruneRouteChanges over sealed rows and tails; returns how many changes went. */
export async function pruneBatches(ops: PruneOps, olderThan: number, keepPerConnection: number): Promise<number> {
  let n = 0;
  for (const [connectionId, last] of await ops.counters()) {
    const cut: PruneCut = { keepAfter: last - keepPerConnection, olderThan };
    if (cut.keepAfter > 0) n += await ops.dropThrough(connectionId, cut.keepAfter);
    n += await pruneOldest(ops, connectionId, cut);
    n += await pruneTail(ops, connectionId, cut);
  }
  return n;
}

/** The oldest rows wholly before the cut go; the first that straddles it keeps its newer lines. */
async function pruneOldest(ops: PruneOps, connectionId: string, cut: PruneCut): Promise<number> {
  let n = 0;
  for (;;) {
    const rows = await ops.oldest(connectionId);
    let gone = 0;
    while (gone < rows.length && Number(rows[gone]!.time_max) < cut.olderThan) gone++;
    if (gone > 0) n += await ops.dropThrough(connectionId, Number(rows[gone - 1]!.last_event_id));
    if (gone === rows.length) {
      if (rows.length === PRUNE_ROWS) continue;
      return n;
    }
    const row = rows[gone]!;
    const first = Number(row.first_event_id);
    if (first > cut.keepAfter && Number(row.time_min) >= cut.olderThan) return n;
    const { kept, firstKept } = trimLines(await ops.lines(connectionId, Number(row.last_event_id)), first, cut);
    if (kept.length === 0) {
      n += await ops.dropThrough(connectionId, Number(row.last_event_id));
      continue;
    }
    await ops.rewrite(batchRows(connectionId, firstKept, kept)[0]!);
    return n + (firstKept - first);
  }
}

/** With no sealed row left, the tail's oldest lines go by the same cut. */
async function pruneTail(ops: PruneOps, connectionId: string, cut: PruneCut): Promise<number> {
  if (await ops.anyBatch(connectionId)) return 0;
  const tail = await ops.tail(connectionId);
  if (tail === undefined || tail.count === 0) return 0;
  const { kept, dropped } = trimLines(tail.text, tail.last - tail.count + 1, cut);
  if (dropped === 0) return 0;
  return (await ops.setTail(connectionId, tail.last, kept.map((c) => c.line).join(''), kept.length)) ? dropped : 0;
}
