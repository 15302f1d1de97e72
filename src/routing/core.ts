/**
 * Transit-router routing, the pure core: from the attachments of one transit router (their connections' routes,
 * associations, propagations) and the static entries of its route tables, compute each table's entries with
 * their selection status, and the CLOUD routes each VPN attachment receives. No I/O; vector tests in
 * test/unit/routing.test.ts. Every decision here is recorded in docs/compatibility.md ("CEN and transit-router
 * routing"); sources: ../shared/reference/cen-api.md §11.3–§11.5.
 */
import { parseCidr } from '../domain/cidr';

/** A route of a connection that its attachment propagates: a Vco custom route or a prefix learned over BGP (VPN_BGP). */
export interface SourceRoute {
  dest: string;
  origin: 'custom' | 'bgp';
  weight: number;
  asPath: readonly number[];
  community: string | null;
}

export interface AttachmentInput {
  attachmentId: string;
  connectionId: string;
  /** AutoPublishRouteEnabled */
  autoPublish: boolean;
  /** BGP is on for the connection (route synchronisation to an IPsec connection works only with BGP) */
  bgpEnabled: boolean;
  /** the transit router side's ASN on this connection (its tunnels' LocalAsn) */
  localAsn: number;
  /** the table it is associated with (forwarding), null for none */
  associatedTableId: string | null;
  /** the tables it propagates into (route learning) */
  propagatesTo: readonly string[];
  routes: readonly SourceRoute[];
}

export interface StaticEntryInput {
  entryId: string;
  tableId: string;
  dest: string;
  /** null: blackhole */
  nextHopAttachmentId: string | null;
}

export type EntryStatus = 'Active' | 'Candidate' | 'Standby';

export interface TableEntry {
  tableId: string;
  dest: string;
  type: 'Static' | 'Propagated';
  status: EntryStatus;
  /** static entries only */
  entryId: string | null;
  /** null: blackhole */
  nextHopAttachmentId: string | null;
  /** the attachment the route came from (propagated), or its next hop (static); null for a blackhole */
  originAttachmentId: string | null;
  originRouteType: 'static' | 'BlackHole' | 'Custom' | 'BGP';
  asPath: readonly number[];
  community: string | null;
  weight: number;
}

export interface CloudRoute {
  dest: string;
  asPath: number[];
  community: string | null;
}

/** At most this many attachments share a prefix as equal-cost paths (DOC quota: 16 ECMP-capable VPN attachments per TR). */
export const MAX_ECMP_PATHS = 16;
/** Decided: PathAttributes.Preference of every entry (the documented example value; selection does not use it). */
export const ENTRY_PREFERENCE = 50;

/**
 * One propagated entry per attachment and prefix: a destination (custom) route beats a BGP route for the same
 * prefix, as on VPN gateways, where destination-based routes take priority over BGP routes.
 */
function propagatedOf(a: AttachmentInput, tableId: string): TableEntry[] {
  const byDest = new Map<string, SourceRoute>();
  for (const r of a.routes) {
    const known = byDest.get(r.dest);
    if (known === undefined || (known.origin === 'bgp' && r.origin === 'custom')) byDest.set(r.dest, r);
  }
  return [...byDest.values()].map((r) => ({
    tableId,
    dest: r.dest,
    type: 'Propagated',
    status: 'Candidate',
    entryId: null,
    nextHopAttachmentId: a.attachmentId,
    originAttachmentId: a.attachmentId,
    originRouteType: r.origin === 'custom' ? 'Custom' : 'BGP',
    asPath: r.origin === 'bgp' ? r.asPath : [],
    community: r.origin === 'bgp' ? r.community : null,
    weight: r.weight,
  }));
}

/** Listing order of a table: by prefix (address, then length), static before propagated, then attachment ID. */
export function compareEntries(a: TableEntry, b: TableEntry): number {
  const pa = parseCidr(a.dest);
  const pb = parseCidr(b.dest);
  if (pa && pb && (pa.network !== pb.network || pa.prefix !== pb.prefix)) return pa.network - pb.network || pa.prefix - pb.prefix;
  if (a.dest !== b.dest) return a.dest < b.dest ? -1 : 1;
  if (a.type !== b.type) return a.type === 'Static' ? -1 : 1;
  const ia = a.originAttachmentId ?? '';
  const ib = b.originAttachmentId ?? '';
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

/**
 * Selection among the entries of one prefix: (1) a static entry (also a blackhole) is Active and every
 * propagated one is Candidate; (2) otherwise the propagated entries with the highest weight (Vco Weight; a
 * BGP route weighs 100), then the shortest AS path, are Active — equal-cost paths over at most 16 attachments,
 * lowest attachment IDs first — and the rest Candidate, or Standby when their weight is 0.
 */
function select(entries: TableEntry[]): void {
  const statics = entries.filter((e) => e.type === 'Static');
  if (statics.length > 0) {
    for (const e of entries) e.status = e.type === 'Static' ? 'Active' : 'Candidate';
    return;
  }
  const better = (a: TableEntry, b: TableEntry) => b.weight - a.weight || a.asPath.length - b.asPath.length;
  const sorted = [...entries].sort((a, b) => better(a, b) || compareEntries(a, b));
  const best = sorted[0]!;
  let active = 0;
  for (const e of sorted) {
    if (better(e, best) === 0 && active < MAX_ECMP_PATHS) {
      e.status = 'Active';
      active++;
    } else e.status = e.weight === 0 ? 'Standby' : 'Candidate';
  }
}

/** The entries of one route table: its static entries and what the attachments propagating into it bring, selected. */
export function computeTable(tableId: string, statics: readonly StaticEntryInput[], attachments: readonly AttachmentInput[]): TableEntry[] {
  const entries: TableEntry[] = [];
  for (const s of statics) {
    if (s.tableId !== tableId) continue;
    entries.push({
      tableId, dest: s.dest, type: 'Static', status: 'Active', entryId: s.entryId, nextHopAttachmentId: s.nextHopAttachmentId,
      originAttachmentId: s.nextHopAttachmentId, originRouteType: s.nextHopAttachmentId === null ? 'BlackHole' : 'static',
      asPath: [], community: null, weight: 100,
    });
  }
  for (const a of attachments) if (a.propagatesTo.includes(tableId)) entries.push(...propagatedOf(a, tableId));
  const byDest = new Map<string, TableEntry[]>();
  for (const e of entries) {
    let group = byDest.get(e.dest);
    if (!group) byDest.set(e.dest, (group = []));
    group.push(e);
  }
  for (const group of byDest.values()) select(group);
  return entries.sort(compareEntries);
}

/**
 * The CLOUD routes a VPN attachment receives: nothing unless it is associated with a table, AutoPublishRouteEnabled
 * and BGP is on; otherwise one route per prefix of the associated table whose Active entries lead somewhere else
 * than this attachment (split horizon) and are not blackholes. AS path: the transit router side's ASN, then
 * the origin's path for routes learned over BGP; community passed through (taken from the first Active entry).
 */
export function cloudRoutesFor(a: AttachmentInput, associatedTable: readonly TableEntry[]): CloudRoute[] {
  if (a.associatedTableId === null || !a.autoPublish || !a.bgpEnabled) return [];
  const out: CloudRoute[] = [];
  const seen = new Set<string>();
  for (const e of associatedTable) {
    if (e.status !== 'Active' || e.nextHopAttachmentId === null || e.nextHopAttachmentId === a.attachmentId || seen.has(e.dest)) continue;
    seen.add(e.dest);
    out.push({ dest: e.dest, asPath: [a.localAsn, ...e.asPath], community: e.community });
  }
  return out;
}
