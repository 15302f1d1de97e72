/** CreateTransitRouterRouteTable, ListTransitRouterRouteTables, DeleteTransitRouterRouteTable (cen-api.md §6, §11.1). */
import { E, PopError } from '../../pop/errors';
import { cenTime, docOf, newCenId, RESOURCE_STATUS, settlesAt, statusAt, type RouteTableDoc } from '../../domain/cen';
import type { CenResourceRecord } from '../../store/store';
import { defineOperation, type ResponseBody } from '../product';
import { enumParam, isDryRun } from '../vpc/vpc-params';
import {
  cenTagsParam, descriptionParam, idParam, indexedValues, matchesTags, nameParam, plainTags, requiredIdParam, tokenPage, tokenParams, type TokenRequest,
} from './cbn-params';
import { dryRunPassed, findResource, findSettled } from './cen-access';
import { CBN, cenArn } from './product';

/** Decided: custom route tables per transit router (no documented quota). */
export const MAX_CUSTOM_ROUTE_TABLES = 20;

function routeTableView(r: CenResourceRecord, now: number): ResponseBody {
  const d = docOf<RouteTableDoc>(r);
  return {
    TransitRouterRouteTableId: r.id,
    TransitRouterRouteTableName: d.name,
    TransitRouterRouteTableDescription: d.description,
    TransitRouterRouteTableType: d.type,
    TransitRouterRouteTableStatus: statusAt(r, RESOURCE_STATUS.routeTable, now),
    TransitRouterId: r.parentId,
    RegionId: r.regionId,
    CreateTime: cenTime(r.createTime),
    RouteTableOptions: { MultiRegionECMP: d.multiRegionEcmp },
    Tags: plainTags(d.tags),
  };
}

interface CreateInput { transitRouterId: string; name: string; description: string; ecmp: 'enable' | 'disable'; tags: RouteTableDoc['tags']; dryRun: boolean }

export const createTransitRouterRouteTable = defineOperation<CreateInput>({
  product: CBN,
  action: 'CreateTransitRouterRouteTable',
  ramAction: 'cen:CreateTransitRouterRouteTable',
  resource: (input, principal) => cenArn(principal.accountId, 'transitRouter', input.transitRouterId),
  clientToken: true,
  parse: (params) => ({
    transitRouterId: requiredIdParam(params, 'TransitRouterId'),
    name: nameParam(params, 'TransitRouterRouteTableName'),
    description: descriptionParam(params, 'TransitRouterRouteTableDescription'),
    ecmp: enumParam(params, 'RouteTableOptions.MultiRegionECMP', ['enable', 'disable'], 'disable'),
    tags: cenTagsParam(params, 'IllegalParam'),
    dryRun: isDryRun(params),
  }),
  async run(input, ctx) {
    const tr = await findSettled(ctx, 'transitRouter', input.transitRouterId, E.TransitRouterIdNotFound, E.TransitRouterIncorrectStatus);
    const tables = await ctx.store.listCenResources(ctx.principal.accountId, 'routeTable', { parentId: tr.id }, ctx.now);
    if (tables.filter((t) => docOf<RouteTableDoc>(t).type === 'Custom').length >= MAX_CUSTOM_ROUTE_TABLES) {
      throw new PopError({ code: 'QuotaExceeded.TransitRouterRouteTable', status: 400, message: `A transit router has at most ${MAX_CUSTOM_ROUTE_TABLES} custom route tables.` });
    }
    if (input.dryRun) dryRunPassed();
    const doc: RouteTableDoc = { name: input.name, description: input.description, type: 'Custom', multiRegionEcmp: input.ecmp, tags: input.tags };
    const table: CenResourceRecord = {
      id: newCenId('vtb'), kind: 'routeTable', accountId: tr.accountId, parentId: tr.id, regionId: tr.regionId, uniqueKey: null, refId: null,
      createTime: ctx.now, readyAt: settlesAt(ctx.now, ctx.settings.changeDelayMs), goneAt: null, doc: doc as unknown as Record<string, unknown>,
    };
    const body = { TransitRouterRouteTableId: table.id };
    if ((await ctx.store.createCenResource(table, ctx.clientToken?.completion(body))) !== 'created') throw new PopError(E.TransitRouterIncorrectStatus);
    return body;
  },
});

interface ListInput {
  transitRouterId?: string; ids: string[]; names: string[]; type?: string; status?: string; ecmp?: string; tags: RouteTableDoc['tags']; page: TokenRequest;
}

export const listTransitRouterRouteTables = defineOperation<ListInput>({
  product: CBN,
  action: 'ListTransitRouterRouteTables',
  ramAction: 'cen:ListTransitRouterRouteTables',
  resource: (input, principal) => (input.transitRouterId ? cenArn(principal.accountId, 'transitRouter', input.transitRouterId)
    : cenArn(principal.accountId, 'routeTable', input.ids.length === 1 ? input.ids[0] : undefined)),
  clientToken: false,
  parse(params) {
    const input: ListInput = {
      transitRouterId: idParam(params, 'TransitRouterId'),
      ids: indexedValues(params, 'TransitRouterRouteTableIds'),
      names: indexedValues(params, 'TransitRouterRouteTableNames'),
      type: enumParam(params, 'TransitRouterRouteTableType', ['Custom', 'System']),
      status: enumParam(params, 'TransitRouterRouteTableStatus', ['Creating', 'Active', 'Deleting']),
      ecmp: enumParam(params, 'RouteTableOptions.MultiRegionECMP', ['enable', 'disable']),
      tags: cenTagsParam(params, 'IllegalParam'),
      page: tokenParams(params, 20),
    };
    if (!input.transitRouterId && input.ids.length === 0) throw new PopError(E.RouteTableMissingParam);
    return input;
  },
  async run(input, ctx) {
    let tables: CenResourceRecord[];
    if (input.transitRouterId) {
      await findResource(ctx, 'transitRouter', input.transitRouterId, E.TransitRouterIdNotFound);
      tables = await ctx.store.listCenResources(ctx.principal.accountId, 'routeTable', { parentId: input.transitRouterId }, ctx.now);
    } else {
      tables = [];
      for (const id of input.ids) {
        const t = await ctx.store.getCenResource(ctx.principal.accountId, 'routeTable', id, ctx.now);
        if (t) tables.push(t);
      }
    }
    const matching = tables.filter((t) => {
      const d = docOf<RouteTableDoc>(t);
      return (input.ids.length === 0 || input.ids.includes(t.id)) && (input.names.length === 0 || input.names.includes(d.name)) &&
        (!input.type || d.type === input.type) && (!input.status || statusAt(t, RESOURCE_STATUS.routeTable, ctx.now) === input.status) &&
        (!input.ecmp || d.multiRegionEcmp === input.ecmp) && matchesTags(d.tags, input.tags);
    });
    const { page, members } = tokenPage(matching, input.page);
    return { ...members, TransitRouterRouteTables: page.map((t) => routeTableView(t, ctx.now)) };
  },
});

export const deleteTransitRouterRouteTable = defineOperation<{ tableId: string; dryRun: boolean }>({
  product: CBN,
  action: 'DeleteTransitRouterRouteTable',
  ramAction: 'cen:DeleteTransitRouterRouteTable',
  resource: (input, principal) => cenArn(principal.accountId, 'routeTable', input.tableId),
  clientToken: true,
  parse: (params) => ({ tableId: requiredIdParam(params, 'TransitRouterRouteTableId'), dryRun: isDryRun(params) }),
  async run(input, ctx) {
    const table = await findSettled(ctx, 'routeTable', input.tableId, E.RouteTableIdNotFound, E.RouteTableIncorrectStatus);
    if (docOf<RouteTableDoc>(table).type === 'System') throw new PopError(E.RouteTableDeleteSystem);
    const blockers = [
      { link: 'association', routeTableId: table.id }, { link: 'propagation', routeTableId: table.id }, { kind: 'routeEntry', parentId: table.id },
    ] as const;
    const errors = [E.RouteTableDeleteWithAssociation, E.RouteTableDeleteWithPropagation, E.RouteTableDeleteWithRouteEntry];
    if (input.dryRun) dryRunPassed();
    const r = await ctx.store.deleteCenResource(ctx.principal.accountId, 'routeTable', table.id, ctx.now + ctx.settings.changeDelayMs, ctx.now, blockers,
      ctx.clientToken?.completion({}));
    if (r.outcome === 'missing') throw new PopError(E.RouteTableIdNotFound);
    if (r.outcome === 'busy') throw new PopError(E.RouteTableIncorrectStatus);
    if (r.outcome === 'blocked') throw new PopError(errors[r.blocker!]!);
    return {};
  },
});
