/**
 * CreateTransitRouterRouteEntry, DeleteTransitRouterRouteEntry (static and blackhole entries) and
 * ListTransitRouterRouteEntries: the table as routing/ computes it — static entries and what the attachments
 * propagating into it bring, each with its selection status (cen-api.md §9, §11.3, §11.5).
 */
import { E, PopError } from '../../pop/errors';
import type { Params } from '../../pop/signature';
import { cidrContains, formatCidr, parseCidr, parseIpv4, type Cidr } from '../../domain/cidr';
import { cenTime, docOf, isTransient, newCenId, RESOURCE_STATUS, settlesAt, statusAt, type RouteEntryDoc } from '../../domain/cen';
import type { CenResourceRecord } from '../../store/store';
import { recomputeTransitRouter, routeTableEntries, type TableEntry } from '../../routing';
import { ENTRY_PREFERENCE } from '../../routing/core';
import { defineOperation, type OperationContext, type ResponseBody } from '../product';
import { optionalString } from '../params';
import { enumValue, flattenedList, isDryRun } from '../vpc/vpc-params';
import { descriptionParam, idParam, indexedValues, missingParam, nameParam, requiredIdParam, tokenPage, tokenParams, type TokenRequest } from './cbn-params';
import { dryRunPassed, findResource, findSettled } from './cen-access';
import { CBN, cenArn } from './product';

/** Decided: static entries per route table (the documented maximum of 2,000 entries counts propagated ones too). */
export const MAX_STATIC_ENTRIES_PER_TABLE = 500;

function destinationParam(params: Params): string {
  const text = optionalString(params, 'TransitRouterRouteEntryDestinationCidrBlock');
  if (text === undefined) throw missingParam('TransitRouterRouteEntryDestinationCidrBlock');
  const cidr = parseCidr(text);
  // Decided: IPv4 only (vcoroute's connections carry IPv4 routes).
  if (!cidr) throw new PopError(E.RouteEntryIllegalDestination);
  return formatCidr(cidr);
}

type NextHopType = RouteEntryDoc['nextHopType'];

function nextHopParams(params: Params): { type: NextHopType; id: string | null } {
  const text = optionalString(params, 'TransitRouterRouteEntryNextHopType');
  if (text !== 'BlackHole' && text !== 'Attachment') throw new PopError(E.RouteEntryIllegalNextHopType);
  const id = idParam(params, 'TransitRouterRouteEntryNextHopId') ?? null;
  if (text === 'BlackHole' && id !== null) throw new PopError(E.RouteEntryBlackHoleWithNextHopId);
  if (text === 'Attachment' && id === null) throw new PopError(E.RouteEntryMissingNextHopId);
  return { type: text, id };
}

interface CreateInput { tableId: string; dest: string; nextHop: { type: NextHopType; id: string | null }; name: string; description: string; dryRun: boolean }

export const createTransitRouterRouteEntry = defineOperation<CreateInput>({
  product: CBN,
  action: 'CreateTransitRouterRouteEntry',
  ramAction: 'cen:CreateTransitRouterRouteEntry',
  resource: (input, principal) => cenArn(principal.accountId, 'routeTable', input.tableId),
  clientToken: true,
  parse: (params) => ({
    tableId: requiredIdParam(params, 'TransitRouterRouteTableId'),
    dest: destinationParam(params),
    nextHop: nextHopParams(params),
    name: nameParam(params, 'TransitRouterRouteEntryName'),
    description: descriptionParam(params, 'TransitRouterRouteEntryDescription'),
    dryRun: isDryRun(params),
  }),
  async run(input, ctx) {
    const table = await findSettled(ctx, 'routeTable', input.tableId, E.RouteTableIdNotFound, E.RouteTableIncorrectStatus);
    if (input.nextHop.id !== null) {
      const hop = await ctx.store.getCenResource(ctx.principal.accountId, 'vpnAttachment', input.nextHop.id, ctx.now);
      if (!hop || hop.parentId !== table.parentId || hop.goneAt !== null) throw new PopError(E.RouteEntryNextHopNotFound);
    }
    const entries = await ctx.store.listCenResources(ctx.principal.accountId, 'routeEntry', { parentId: table.id }, ctx.now);
    if (entries.some((e) => e.goneAt === null && docOf<RouteEntryDoc>(e).dest === input.dest)) throw new PopError(E.RouteEntrySameDestination);
    if (entries.length >= MAX_STATIC_ENTRIES_PER_TABLE) throw new PopError(E.RouteEntryQuota);
    if (input.dryRun) dryRunPassed();
    const doc: RouteEntryDoc = { name: input.name, description: input.description, dest: input.dest, nextHopType: input.nextHop.type };
    const entry: CenResourceRecord = {
      id: newCenId('rte'), kind: 'routeEntry', accountId: table.accountId, parentId: table.id, regionId: table.regionId,
      uniqueKey: `${table.id}|${input.dest}`, refId: input.nextHop.id, createTime: ctx.now, readyAt: settlesAt(ctx.now, ctx.settings.changeDelayMs),
      goneAt: null, doc: doc as unknown as Record<string, unknown>,
    };
    const body = { TransitRouterRouteEntryId: entry.id };
    const outcome = await ctx.store.createCenResource(entry, ctx.clientToken?.completion(body));
    if (outcome === 'exists') throw new PopError(E.RouteEntrySameDestination);
    if (outcome === 'no-parent') throw new PopError(E.RouteTableIncorrectStatus);
    // Decided: an entry routes from the moment it is created (Creating is shown for the change delay).
    await recomputeTransitRouter(ctx.store, table.accountId, table.parentId!, ctx.now);
    return body;
  },
});

interface DeleteInput { entryId?: string; tableId?: string; dest?: string; nextHop?: { type: NextHopType; id: string | null }; dryRun: boolean }

export const deleteTransitRouterRouteEntry = defineOperation<DeleteInput>({
  product: CBN,
  action: 'DeleteTransitRouterRouteEntry',
  ramAction: 'cen:DeleteTransitRouterRouteEntry',
  resource: (input, principal) => (input.entryId ? cenArn(principal.accountId, 'routeEntry', input.entryId) : cenArn(principal.accountId, 'routeTable', input.tableId)),
  clientToken: true,
  parse(params) {
    const entryId = idParam(params, 'TransitRouterRouteEntryId');
    const tableId = idParam(params, 'TransitRouterRouteTableId');
    const hasDest = optionalString(params, 'TransitRouterRouteEntryDestinationCidrBlock') !== undefined;
    if (entryId !== undefined) {
      // Terraform sends the ID with the next-hop type and ID: only the table and destination conflict with it.
      if (tableId !== undefined || hasDest) throw new PopError(E.RouteEntryIdExclusive);
      return { entryId, dryRun: isDryRun(params) };
    }
    if (tableId === undefined) throw missingParam('TransitRouterRouteTableId');
    return { tableId, dest: destinationParam(params), nextHop: nextHopParams(params), dryRun: isDryRun(params) };
  },
  async run(input, ctx) {
    let entry: CenResourceRecord | undefined;
    if (input.entryId !== undefined) {
      entry = await ctx.store.getCenResource(ctx.principal.accountId, 'routeEntry', input.entryId, ctx.now);
      if (!entry) throw new PopError(E.RouteEntryIdNotFound);
    } else {
      const table = await findResource(ctx, 'routeTable', input.tableId!, E.RouteTableIdNotFound);
      const entries = await ctx.store.listCenResources(ctx.principal.accountId, 'routeEntry', { parentId: table.id }, ctx.now);
      entry = entries.find((e) => docOf<RouteEntryDoc>(e).dest === input.dest && docOf<RouteEntryDoc>(e).nextHopType === input.nextHop!.type &&
        e.refId === input.nextHop!.id);
      if (!entry) {
        const computed = await routeTableEntries(ctx.store, ctx.principal.accountId, table.parentId!, table.id, ctx.now);
        throw new PopError(computed.some((e) => e.type === 'Propagated' && e.dest === input.dest) ? E.RouteEntryAutomatic : E.RouteEntryDestinationNotFound);
      }
    }
    if (isTransient(entry, ctx.now)) throw new PopError(E.RouteEntryIncorrectStatus);
    if (input.dryRun) dryRunPassed();
    const r = await ctx.store.deleteCenResource(ctx.principal.accountId, 'routeEntry', entry.id, ctx.now + ctx.settings.changeDelayMs, ctx.now, [],
      ctx.clientToken?.completion({}));
    if (r.outcome === 'missing') throw new PopError(E.RouteEntryIdNotFound);
    if (r.outcome !== 'deleted') throw new PopError(E.RouteEntryIncorrectStatus);
    const table = await ctx.store.getCenResource(ctx.principal.accountId, 'routeTable', entry.parentId!, ctx.now);
    if (table) await recomputeTransitRouter(ctx.store, table.accountId, table.parentId!, ctx.now);
    return {};
  },
});

// ---------- ListTransitRouterRouteEntries ----------

const ENTRY_STATUSES = ['All', 'Active', 'Rejected', 'Prohibited', 'Standby', 'Candidate'] as const;
const RESOURCE_TYPES = ['VPC', 'VBR', 'TR', 'VPN'] as const;
const ROUTE_FILTER_KEYS = ['PrefixExactMatchCidrs', 'LongestPrefixMatchCidrs', 'SubnetOfMatchCidrs', 'SupernetOfMatchCidrs'] as const;
type RouteFilterKey = (typeof ROUTE_FILTER_KEYS)[number];

interface ListInput {
  tableId: string; status?: string; ids: string[]; names: string[]; type?: string; nextHopType?: string; nextHopId?: string;
  nextHopResourceId?: string; nextHopResourceType?: string; originResourceId?: string; originResourceType?: string; dest?: string;
  routeFilters: Map<RouteFilterKey, Cidr[]>; page: TokenRequest;
}

function routeFiltersParam(params: Params): Map<RouteFilterKey, Cidr[]> {
  const filters = new Map<RouteFilterKey, Cidr[]>();
  for (const item of flattenedList(params, 'RouteFilter', 10).values()) {
    const key = item.Key as RouteFilterKey;
    if (!(ROUTE_FILTER_KEYS as readonly string[]).includes(key)) throw new PopError({ code: 'InvalidFilterKey', status: 400, message: 'The specified RouteFilter key is invalid.' });
    if (filters.has(key)) throw new PopError({ code: 'FilterKeyDuplicated.RouteFilter', status: 400, message: 'A RouteFilter key is specified more than once.' });
    const values = Object.entries(item).filter(([k]) => k.startsWith('Value.')).map(([, v]) => v);
    const code = `IllegalParam.${key.replace(/s$/, '')}`;
    if (values.length > 500) throw new PopError({ code, status: 400, message: `At most 500 values per RouteFilter key.` });
    filters.set(key, values.map((v) => {
      const address = parseIpv4(v);
      const cidr = address !== undefined ? { network: address, prefix: 32 } : parseCidr(v);
      if (!cidr) throw new PopError({ code, status: 400, message: `The value ${v} of RouteFilter ${key} is not an IPv4 address or CIDR block.` });
      return cidr;
    }));
  }
  return filters;
}

const contains = (outer: Cidr, inner: Cidr) => outer.prefix <= inner.prefix && cidrContains(outer, inner.network);

/** The RouteFilter conditions on the table's entries (keys AND-ed, values OR-ed). */
function routeFilterMatches(entries: readonly TableEntry[], filters: Map<RouteFilterKey, Cidr[]>): (e: TableEntry) => boolean {
  const longest = new Set<string>();
  for (const target of filters.get('LongestPrefixMatchCidrs') ?? []) {
    let best = -1;
    for (const e of entries) { const c = parseCidr(e.dest)!; if (contains(c, target)) best = Math.max(best, c.prefix); }
    for (const e of entries) { const c = parseCidr(e.dest)!; if (c.prefix === best && contains(c, target)) longest.add(e.dest); }
  }
  return (e) => {
    const c = parseCidr(e.dest)!;
    for (const [key, values] of filters) {
      if (key === 'PrefixExactMatchCidrs' && !values.some((v) => v.network === c.network && v.prefix === c.prefix)) return false;
      if (key === 'SubnetOfMatchCidrs' && !values.some((v) => contains(v, c))) return false;
      if (key === 'SupernetOfMatchCidrs' && !values.some((v) => contains(c, v))) return false;
      if (key === 'LongestPrefixMatchCidrs' && !longest.has(e.dest)) return false;
    }
    return true;
  };
}

interface ListedEntry { entry: TableEntry; static?: CenResourceRecord; status: string }

function entryView(l: ListedEntry, connections: Map<string, string>): ResponseBody {
  const e = l.entry;
  const nextHopResource = e.nextHopAttachmentId === null ? undefined : connections.get(e.nextHopAttachmentId);
  const originResource = e.type === 'Propagated' && e.originAttachmentId !== null ? connections.get(e.originAttachmentId) : undefined;
  const view: ResponseBody = {};
  if (l.static) {
    const d = docOf<RouteEntryDoc>(l.static);
    Object.assign(view, { TransitRouterRouteEntryId: l.static.id, TransitRouterRouteEntryName: d.name, TransitRouterRouteEntryDescription: d.description,
      CreateTime: cenTime(l.static.createTime) });
  }
  Object.assign(view, {
    TransitRouterRouteEntryDestinationCidrBlock: e.dest,
    TransitRouterRouteEntryType: e.type,
    TransitRouterRouteEntryStatus: l.status,
    TransitRouterRouteEntryNextHopType: e.nextHopAttachmentId === null ? 'BlackHole' : 'Attachment',
  });
  if (e.nextHopAttachmentId !== null) {
    Object.assign(view, { TransitRouterRouteEntryNextHopId: e.nextHopAttachmentId, TransitRouterRouteEntryNextHopResourceId: nextHopResource ?? '',
      TransitRouterRouteEntryNextHopResourceType: 'VPN' });
  }
  if (originResource !== undefined) Object.assign(view, { TransitRouterRouteEntryOriginResourceId: originResource, TransitRouterRouteEntryOriginResourceType: 'VPN' });
  view.OperationalMode = e.type === 'Static';
  view.PathAttributes = {
    AsPaths: e.asPath.map(String),
    Communities: e.community ? e.community.split(/\s+/).filter((c) => c !== '') : [],
    OriginInstanceId: originResource ?? '',
    OriginInstanceType: originResource !== undefined ? 'VPN' : '',
    OriginRouteType: e.originRouteType,
    Preference: ENTRY_PREFERENCE,
  };
  return view;
}

export const listTransitRouterRouteEntries = defineOperation<ListInput>({
  product: CBN,
  action: 'ListTransitRouterRouteEntries',
  ramAction: 'cen:ListTransitRouterRouteEntries',
  resource: (input, principal) => cenArn(principal.accountId, 'routeTable', input.tableId),
  clientToken: false,
  parse(params) {
    const input: ListInput = {
      tableId: requiredIdParam(params, 'TransitRouterRouteTableId'),
      status: optionalString(params, 'TransitRouterRouteEntryStatus'),
      ids: indexedValues(params, 'TransitRouterRouteEntryIds'),
      names: indexedValues(params, 'TransitRouterRouteEntryNames'),
      type: optionalString(params, 'TransitRouterRouteEntryType'),
      nextHopType: optionalString(params, 'TransitRouterRouteEntryNextHopType'),
      nextHopId: idParam(params, 'TransitRouterRouteEntryNextHopId'),
      nextHopResourceId: idParam(params, 'TransitRouterRouteEntryNextHopResourceId'),
      nextHopResourceType: enumValue('TransitRouterRouteEntryNextHopResourceType', params.TransitRouterRouteEntryNextHopResourceType, RESOURCE_TYPES),
      originResourceId: idParam(params, 'TransitRouterRouteEntryOriginResourceId'),
      originResourceType: enumValue('TransitRouterRouteEntryOriginResourceType', params.TransitRouterRouteEntryOriginResourceType, RESOURCE_TYPES),
      dest: optionalString(params, 'TransitRouterRouteEntryDestinationCidrBlock'),
      routeFilters: routeFiltersParam(params),
      page: tokenParams(params, 20),
    };
    if (input.status !== undefined && !(ENTRY_STATUSES as readonly string[]).includes(input.status)) throw new PopError(E.RouteEntryIllegalStatus);
    if (input.status !== undefined && (input.ids.length > 0 || input.names.length > 0)) throw new PopError(E.RouteEntryIdsAndStatus);
    if (input.type !== undefined && input.type !== 'Static' && input.type !== 'Propagated') throw new PopError(E.RouteEntryIllegalType);
    if (input.nextHopType !== undefined && input.nextHopType !== 'BlackHole' && input.nextHopType !== 'Attachment') throw new PopError(E.RouteEntryIllegalNextHopTypeFilter);
    return input;
  },
  async run(input, ctx) {
    const table = await findResource(ctx, 'routeTable', input.tableId, E.RouteTableIdNotFound);
    const listed = await listedEntries(ctx, table);
    const connections = new Map<string, string>();
    for (const a of await ctx.store.listCenResources(ctx.principal.accountId, 'vpnAttachment', { parentId: table.parentId! }, ctx.now)) {
      if (a.refId !== null) connections.set(a.id, a.refId);
    }
    const byId = input.ids.length > 0 || input.names.length > 0;
    const routeFilter = routeFilterMatches(listed.map((l) => l.entry), input.routeFilters);
    const matching = listed.filter(({ entry: e, static: s, status }) => {
      if (byId) {
        // An ID (or name) query matches static entries in any status (Terraform reads a new entry by ID and waits for Active).
        if (!s || (input.ids.length > 0 && !input.ids.includes(s.id)) || (input.names.length > 0 && !input.names.includes(docOf<RouteEntryDoc>(s).name))) return false;
      } else if ((input.status ?? 'Active') !== 'All' && status !== (input.status ?? 'Active')) return false;
      const hopResource = e.nextHopAttachmentId === null ? undefined : connections.get(e.nextHopAttachmentId);
      const originResource = e.type === 'Propagated' && e.originAttachmentId !== null ? connections.get(e.originAttachmentId) : undefined;
      return (!input.type || e.type === input.type) &&
        (!input.nextHopType || (input.nextHopType === 'BlackHole') === (e.nextHopAttachmentId === null)) &&
        (!input.nextHopId || e.nextHopAttachmentId === input.nextHopId) &&
        (!input.nextHopResourceId || hopResource === input.nextHopResourceId) && (!input.nextHopResourceType || (hopResource !== undefined && input.nextHopResourceType === 'VPN')) &&
        (!input.originResourceId || originResource === input.originResourceId) && (!input.originResourceType || (originResource !== undefined && input.originResourceType === 'VPN')) &&
        (!input.dest || e.dest === input.dest) && routeFilter(e);
    });
    const { page, members } = tokenPage(matching, input.page);
    return { ...members, TransitRouterRouteEntries: page.map((l) => entryView(l, connections)) };
  },
});

/** The table's entries as routing computes them, with static entries' transient statuses and the ones being deleted. */
async function listedEntries(ctx: OperationContext, table: CenResourceRecord): Promise<ListedEntry[]> {
  const [computed, statics] = await Promise.all([
    routeTableEntries(ctx.store, ctx.principal.accountId, table.parentId!, table.id, ctx.now),
    ctx.store.listCenResources(ctx.principal.accountId, 'routeEntry', { parentId: table.id }, ctx.now),
  ]);
  const staticById = new Map(statics.map((s) => [s.id, s]));
  const listed: ListedEntry[] = computed.map((entry) => {
    const s = entry.entryId === null ? undefined : staticById.get(entry.entryId);
    const transient = s && isTransient(s, ctx.now);
    return { entry, static: s, status: transient ? statusAt(s, RESOURCE_STATUS.routeEntry, ctx.now) : entry.status };
  });
  for (const s of statics) {
    if (s.goneAt === null) continue;
    const d = docOf<RouteEntryDoc>(s);
    listed.push({
      static: s, status: 'Deleting',
      entry: { tableId: table.id, dest: d.dest, type: 'Static', status: 'Active', entryId: s.id, nextHopAttachmentId: s.refId, originAttachmentId: s.refId,
        originRouteType: s.refId === null ? 'BlackHole' : 'static', asPath: [], community: null, weight: 100 },
    });
  }
  return listed;
}
