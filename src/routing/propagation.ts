/**
 * Transit-router routing, the shell: loads one transit router's routing inputs from the store, runs the pure
 * core (core.ts) and materialises each VPN attachment's CLOUD routes as rows of its connection
 * (Store.syncPropagatedRoutes: Source=CLOUD, marked propagated, so hand-seeded CLOUD routes are never touched).
 *
 * Contract of the entry points (exported from routing/index.ts):
 *   - propagateFromConnection(store, connectionId, now, scope): call after ANY change of a connection's
 *     custom or VPN_BGP routes (Vco route writes, admin seeding, the BGP speaker learning or losing a prefix),
 *     or (scope 'all') of what decides its export (EnableTunnelsBgp, tunnel LocalAsn). No-op for a connection
 *     without a VPN attachment.
 *   - recomputeTransitRouter(store, accountId, transitRouterId, now, options): call after a change of the
 *     transit router's attachments, associations, propagations, AutoPublishRouteEnabled or static entries;
 *     `cleared` names connections that just left the router (their propagated CLOUD routes go).
 * Both finish before the request answers: the rows are in the database, and the routes version of every
 * changed connection moved on in the same transaction, so every server (and every page cache) sees the result
 * at once. Several servers recomputing at once converge: after writing, a recomputation re-reads its inputs and
 * runs again (at most MAX_PASSES) when they moved on meanwhile, so the last writer always wrote the latest inputs'
 * result. What a process materialised is remembered per connection and routes version, so an unchanged exported
 * set costs no write and a changed one is written as a diff.
 *
 * Bounds: each attachment propagates at most MAX_ROUTES_PER_ORIGIN custom and as many VPN_BGP routes (its
 * first ones in listing order); a route change recomputes only the tables its attachment propagates into and
 * re-exports only the attachments associated with them.
 */
import { routeKey } from '../domain/routes';
import { DEFAULT_LOCAL_ASN } from '../domain/vpn';
import { StoreConflictError, type CenResourceRecord, type ConnectionRecord, type KeyedRoute, type PropagatedSnapshot, type RouteRecord, type Store } from '../store/store';
import { cloudRoutesFor, computeTable, type AttachmentInput, type SourceRoute, type StaticEntryInput, type TableEntry } from './core';

export const MAX_ROUTES_PER_ORIGIN = 1000;
const MAX_PASSES = 3;

/** BGP on for the connection: the dual-tunnel switch, or the single-tunnel BgpConfig. */
export function connectionBgpEnabled(c: ConnectionRecord): boolean {
  return c.tunnels.length > 0 ? c.attributes.enableTunnelsBgp : c.attributes.single?.bgp.enableBgp ?? false;
}

/** The transit router side's ASN on the connection: its first tunnel's LocalAsn (single tunnel: its BgpConfig). */
export function connectionLocalAsn(c: ConnectionRecord): number {
  return c.tunnels[0]?.options.bgp.localAsn ?? c.attributes.single?.bgp.localAsn ?? DEFAULT_LOCAL_ASN;
}

/** A static entry's routing input (routeEntry documents: products/cbn/records.ts). */
function staticInput(e: CenResourceRecord): StaticEntryInput {
  return { entryId: e.id, tableId: e.parentId!, dest: String(e.doc.dest), nextHopAttachmentId: e.refId };
}

async function sourceRoutes(store: Store, connectionId: string): Promise<SourceRoute[]> {
  const [custom, bgp] = await Promise.all([
    store.listRoutesOfSource(connectionId, 'custom', null, MAX_ROUTES_PER_ORIGIN),
    store.listRoutesOfSource(connectionId, 'bgp', 'VPN_BGP', MAX_ROUTES_PER_ORIGIN),
  ]);
  const of = (r: RouteRecord, origin: SourceRoute['origin']): SourceRoute => ({ dest: r.routeDest, origin, weight: r.weight, asPath: r.asPath ?? [], community: r.community });
  return [...custom.map((r) => of(r, 'custom')), ...bgp.map((r) => of(r, 'bgp'))];
}

export interface TransitRouterInputs {
  attachments: AttachmentInput[];
  statics: StaticEntryInput[];
  tableIds: string[];
  /** each attachment's connection's routes version when read (undefined: the connection is gone) */
  routesVersions: Map<string, number | undefined>;
}

/**
 * The routing inputs of a transit router. Attachments being detached, and links and static entries being
 * removed, count as gone already (withdrawal is immediate); routes are loaded only for attachments that
 * propagate into `tables` (all when absent).
 */
export async function loadTransitRouter(store: Store, accountId: string, transitRouterId: string, now: number, tables?: ReadonlySet<string>): Promise<TransitRouterInputs> {
  const [attachments, associations, propagations, routeTables] = await Promise.all([
    store.listCenResources(accountId, 'vpnAttachment', { parentId: transitRouterId }, now),
    store.listCenLinks(accountId, 'association', { transitRouterId }, now),
    store.listCenLinks(accountId, 'propagation', { transitRouterId }, now),
    store.listCenResources(accountId, 'routeTable', { parentId: transitRouterId }, now),
  ]);
  const tableIds = routeTables.filter((t) => t.goneAt === null).map((t) => t.id);
  const statics: StaticEntryInput[] = [];
  for (const tableId of tableIds) {
    if (tables && !tables.has(tableId)) continue;
    for (const e of await store.listCenResources(accountId, 'routeEntry', { parentId: tableId }, now)) if (e.goneAt === null) statics.push(staticInput(e));
  }
  const inputs: AttachmentInput[] = [];
  const routesVersions = new Map<string, number | undefined>();
  for (const a of attachments) {
    if (a.goneAt !== null || a.refId === null) continue;
    const connection = await store.findConnection(a.refId);
    routesVersions.set(a.refId, connection?.routesVersion);
    const propagatesTo = propagations.filter((l) => l.goneAt === null && l.attachmentId === a.id).map((l) => l.routeTableId);
    const needed = propagatesTo.some((t) => !tables || tables.has(t));
    inputs.push({
      attachmentId: a.id,
      connectionId: a.refId,
      autoPublish: a.doc.autoPublish !== false,
      bgpEnabled: connection ? connectionBgpEnabled(connection) : false,
      localAsn: connection ? connectionLocalAsn(connection) : DEFAULT_LOCAL_ASN,
      associatedTableId: associations.find((l) => l.goneAt === null && l.attachmentId === a.id)?.routeTableId ?? null,
      propagatesTo,
      routes: connection && needed ? await sourceRoutes(store, a.refId) : [],
    });
  }
  return { attachments: inputs, statics, tableIds, routesVersions };
}

/** The entries of one table of the transit router, selected (ListTransitRouterRouteEntries). */
export async function routeTableEntries(store: Store, accountId: string, transitRouterId: string, tableId: string, now: number): Promise<TableEntry[]> {
  const inputs = await loadTransitRouter(store, accountId, transitRouterId, now, new Set([tableId]));
  return computeTable(tableId, inputs.statics, inputs.attachments);
}

function cloudRows(a: AttachmentInput, table: readonly TableEntry[], now: number): KeyedRoute[] {
  return cloudRoutesFor(a, table).map((r) => {
    const route: RouteRecord = {
      routeEntryType: 'bgp', routeDest: r.dest, nextHop: a.connectionId, weight: 100, source: 'CLOUD',
      asPath: r.asPath, community: r.community, nextHopTunnelIds: null, createTime: now,
    };
    return { key: routeKey(route), route };
  });
}

/**
 * What this process last materialised, per store and connection: the propagated rows at a routes version. While
 * a connection is still at that version its rows cannot have changed (every change anywhere — another server,
 * admin seeding — moves the version on), so an unchanged exported set needs no store call, and a changed one is
 * written as a diff without reading every row back (Store.syncPropagatedRoutes `known`).
 */
interface Remembered extends PropagatedSnapshot {
  /** wanted keys a seeded route held */
  skipped: ReadonlySet<string>;
}

const remembered = new WeakMap<Store, { rows: number; byConnection: Map<string, Remembered> }>();
/** Bound on the rows remembered per store (beyond it, the memory starts again empty). */
const MAX_REMEMBERED_ROWS = 500_000;

function memoryOf(store: Store): { rows: number; byConnection: Map<string, Remembered> } {
  let memory = remembered.get(store);
  if (!memory) remembered.set(store, (memory = { rows: 0, byConnection: new Map() }));
  return memory;
}

function sameRows(known: Remembered, wanted: readonly KeyedRoute[]): boolean {
  let count = 0;
  for (const w of wanted) {
    if (known.skipped.has(w.key)) continue;
    const r = known.rows.get(w.key);
    if (r === undefined || r.community !== w.route.community || (r.asPath ?? []).join() !== (w.route.asPath ?? []).join() || r.nextHop !== w.route.nextHop) return false;
    count++;
  }
  return count === known.rows.size;
}

/**
 * Writes a connection's propagated CLOUD routes (`version`: its routes version when the inputs were read); true
 * when something changed. A connection deleted meanwhile has none to write.
 */
async function sync(store: Store, connectionId: string, rows: readonly KeyedRoute[], version: number | undefined, cause?: 'detached'): Promise<boolean> {
  const memory = memoryOf(store);
  const known = memory.byConnection.get(connectionId);
  if (known !== undefined && version !== undefined && known.routesVersion === version && sameRows(known, rows)) return false;
  let result;
  try {
    result = await store.syncPropagatedRoutes(connectionId, rows, known, cause);
  } catch (err) {
    memory.byConnection.delete(connectionId);
    if (err instanceof StoreConflictError) return false;
    throw err;
  }
  const skipped = new Set(result.skipped);
  const kept = new Map<string, RouteRecord>();
  for (const r of rows) if (!skipped.has(r.key)) kept.set(r.key, r.route);
  memory.rows += kept.size - (known?.rows.size ?? 0);
  memory.byConnection.set(connectionId, { routesVersion: result.routesVersion, rows: kept, skipped });
  if (memory.rows > MAX_REMEMBERED_ROWS) remembered.delete(store);
  return result.inserted + result.updated + result.deleted > 0;
}

/** What a recomputation reads, as one string: equal strings, equal results. */
function inputsDigest(inputs: TransitRouterInputs): string {
  return JSON.stringify([inputs.attachments, inputs.statics, inputs.tableIds]);
}

export interface RecomputeOptions {
  /** only these tables changed (a route change of an attachment propagating into them); absent: everything */
  tables?: ReadonlySet<string>;
  /** connections that just left the transit router: their propagated CLOUD routes go */
  cleared?: readonly string[];
}

export async function recomputeTransitRouter(store: Store, accountId: string, transitRouterId: string, now: number, options: RecomputeOptions = {}): Promise<void> {
  for (const connectionId of options.cleared ?? []) await sync(store, connectionId, [], undefined, 'detached');
  let inputs = await loadTransitRouter(store, accountId, transitRouterId, now, options.tables);
  for (let pass = 1; ; pass++) {
    const tables = new Map<string, TableEntry[]>();
    let changed = false;
    for (const a of inputs.attachments) {
      const tableId = a.associatedTableId;
      if (options.tables && (tableId === null || !options.tables.has(tableId))) continue;
      let rows: KeyedRoute[] = [];
      if (tableId !== null) {
        let table = tables.get(tableId);
        if (!table) tables.set(tableId, (table = computeTable(tableId, inputs.statics, inputs.attachments)));
        rows = cloudRows(a, table, now);
      }
      if (await sync(store, a.connectionId, rows, inputs.routesVersions.get(a.connectionId))) changed = true;
    }
    if (!changed || pass === MAX_PASSES) return;
    // Another server may have written results of older inputs in between: when the inputs moved on, run again.
    const again = await loadTransitRouter(store, accountId, transitRouterId, now, options.tables);
    if (inputsDigest(again) === inputsDigest(inputs)) return;
    inputs = again;
  }
}

/** See the file header. `scope` 'routes': the connection's routes changed; 'all': also what decides its own export. */
export async function propagateFromConnection(store: Store, connectionId: string, now: number, scope: 'routes' | 'all' = 'routes'): Promise<void> {
  const attachment = await store.findCenResourceByUniqueKey('vpnAttachment', connectionId, now);
  if (!attachment || attachment.parentId === null) return;
  if (scope === 'all') return recomputeTransitRouter(store, attachment.accountId, attachment.parentId, now);
  const propagations = await store.listCenLinks(attachment.accountId, 'propagation', { attachmentId: attachment.id }, now);
  const tables = new Set(propagations.filter((l) => l.goneAt === null).map((l) => l.routeTableId));
  if (tables.size === 0) return;
  await recomputeTransitRouter(store, attachment.accountId, attachment.parentId, now, { tables });
}
