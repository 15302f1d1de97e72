/**
 * CreateTransitRouter (with its system route table), ListTransitRouters, DeleteTransitRouter, and the TR CIDR
 * blocks: CreateTransitRouterCidr, ListTransitRouterCidr (cen-api.md §4, §11.6).
 */
import { E, PopError, invalidParameter } from '../../pop/errors';
import type { Params } from '../../pop/signature';
import { cidrsOverlap, formatCidr, parseCidr, type Cidr } from '../../domain/cidr';
import {
  cenTime, docOf, isTransient, newCenId, RESOURCE_STATUS, settlesAt, statusAt, type RouteTableDoc, type TransitRouterCidr, type TransitRouterDoc,
} from '../../domain/cen';
import type { CenResourceRecord } from '../../store/store';
import { defineOperation, type OperationContext, type ResponseBody } from '../product';
import { optionalString, regionIdParam } from '../params';
import { booleanParam, enumParam, flattenedList, isDryRun } from '../vpc/vpc-params';
import {
  cenTagsParam, descriptionParam, idParam, matchesTags, nameParam, numberedPage, pageParams, plainTags, requiredIdParam, type PageRequest,
} from './cbn-params';
import { dryRunPassed, findResource, findSettled } from './cen-access';
import { CBN, cenArn } from './product';

export const MAX_TR_CIDRS = 5;
const RESERVED_CIDRS: readonly Cidr[] = ['100.64.0.0/10', '224.0.0.0/4', '127.0.0.0/8', '169.254.0.0/16'].map((c) => parseCidr(c)!);

function transitRouterView(r: CenResourceRecord, accountId: string, now: number): ResponseBody {
  const d = docOf<TransitRouterDoc>(r);
  return {
    TransitRouterId: r.id,
    TransitRouterName: d.name,
    TransitRouterDescription: d.description,
    CenId: r.parentId,
    RegionId: r.regionId,
    Type: 'Enterprise',
    Status: statusAt(r, RESOURCE_STATUS.transitRouter, now),
    CreationTime: cenTime(r.createTime),
    AliUid: Number(accountId),
    SupportMulticast: d.supportMulticast,
    TransitRouterCidrList: d.cidrs.map((c) => ({
      TransitRouterCidrId: c.id, Cidr: c.cidr, Name: c.name, Description: c.description, PublishCidrRoute: c.publishCidrRoute,
    })),
    Tags: plainTags(d.tags),
  };
}

/** A TR CIDR: IPv4, mask /16–/24, outside 100.64/10, 224/4, 127/8 and 169.254/16 (CreateTransitRouterCidr remark). */
function trCidr(text: unknown): string {
  const cidr = typeof text === 'string' ? parseCidr(text) : undefined;
  if (!cidr || cidr.prefix < 16 || cidr.prefix > 24 || RESERVED_CIDRS.some((r) => cidrsOverlap(r, cidr))) throw new PopError(E.TransitRouterCidrIllegal);
  return formatCidr(cidr);
}

function checkNoOverlap(cidrs: readonly string[]): void {
  const parsed = cidrs.map((c) => parseCidr(c)!);
  for (let i = 0; i < parsed.length; i++) for (let j = i + 1; j < parsed.length; j++) if (cidrsOverlap(parsed[i]!, parsed[j]!)) throw new PopError(E.TransitRouterCidrOverlap);
}

/** TransitRouterCidrList: a JSON string of ≤5 `{Cidr, Name, Description, PublishCidrRoute}`. */
function cidrListParam(params: Params): TransitRouterCidr[] {
  const text = params.TransitRouterCidrList;
  if (text === undefined || text === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidParameter('TransitRouterCidrList', 'it must be a JSON array.');
  }
  if (!Array.isArray(value) || value.length > MAX_TR_CIDRS) throw invalidParameter('TransitRouterCidrList', `it must be a JSON array of at most ${MAX_TR_CIDRS} objects.`);
  const cidrs = value.map((item: unknown): TransitRouterCidr => {
    if (typeof item !== 'object' || item === null) throw invalidParameter('TransitRouterCidrList', 'each item must be an object.');
    const o = item as Record<string, unknown>;
    const text = (k: string, max: number) => {
      const v = o[k];
      if (v === undefined) return '';
      if (typeof v !== 'string' || v.length > max) throw invalidParameter(`TransitRouterCidrList.${k}`, `it must be a string of at most ${max} characters.`);
      return v;
    };
    if (o.PublishCidrRoute !== undefined && typeof o.PublishCidrRoute !== 'boolean') throw invalidParameter('TransitRouterCidrList.PublishCidrRoute', 'it must be a boolean.');
    return { id: newCenId('cidr'), cidr: trCidr(o.Cidr), name: text('Name', 128), description: text('Description', 256), publishCidrRoute: o.PublishCidrRoute !== false };
  });
  checkNoOverlap(cidrs.map((c) => c.cidr));
  return cidrs;
}

/** The system route table created with a transit router (cen-api.md §11.1): empty name, the TR's creation time. */
export function systemRouteTable(tr: CenResourceRecord, id: string): CenResourceRecord {
  const doc: RouteTableDoc = { name: '', description: '', type: 'System', multiRegionEcmp: 'disable', tags: [] };
  return {
    id, kind: 'routeTable', accountId: tr.accountId, parentId: tr.id, regionId: tr.regionId, uniqueKey: null, refId: null,
    createTime: tr.createTime, readyAt: tr.readyAt, goneAt: null, doc: doc as unknown as Record<string, unknown>,
  };
}

interface CreateInput {
  cenId: string; regionId: string; name: string; description: string; supportMulticast: boolean; cidrs: TransitRouterCidr[];
  tags: TransitRouterDoc['tags']; dryRun: boolean;
}

export const createTransitRouter = defineOperation<CreateInput>({
  product: CBN,
  action: 'CreateTransitRouter',
  ramAction: 'cen:CreateTransitRouter',
  resource: (_input, principal) => cenArn(principal.accountId, 'transitRouter', undefined),
  clientToken: true,
  parse: (params) => ({
    cenId: requiredIdParam(params, 'CenId'),
    regionId: regionIdParam(params),
    name: nameParam(params, 'TransitRouterName'),
    description: descriptionParam(params, 'TransitRouterDescription'),
    supportMulticast: booleanParam(params, 'SupportMulticast', false),
    cidrs: cidrListParam(params),
    tags: cenTagsParam(params, 'IllegalParam'),
    dryRun: isDryRun(params),
  }),
  async run(input, ctx) {
    const cen = await findSettled(ctx, 'cen', input.cenId, E.CenNotFound, E.CenInstanceStatus);
    const taken = await ctx.store.findCenResourceByUniqueKey('transitRouter', `${cen.id}|${input.regionId}`, ctx.now);
    if (taken) throw new PopError(E.TransitRouterInstanceExist);
    if (input.dryRun) dryRunPassed();
    const systemTableId = newCenId('vtb');
    const doc: TransitRouterDoc = {
      name: input.name, description: input.description, supportMulticast: input.supportMulticast, tags: input.tags, cidrs: input.cidrs, systemTableId,
    };
    const tr: CenResourceRecord = {
      id: newCenId('tr'), kind: 'transitRouter', accountId: ctx.principal.accountId, parentId: cen.id, regionId: input.regionId,
      uniqueKey: `${cen.id}|${input.regionId}`, refId: null, createTime: ctx.now, readyAt: settlesAt(ctx.now, ctx.settings.changeDelayMs), goneAt: null,
      doc: doc as unknown as Record<string, unknown>,
    };
    const body = { TransitRouterId: tr.id };
    const outcome = await ctx.store.createCenResource(tr);
    if (outcome === 'exists') throw new PopError(E.TransitRouterInstanceExist);
    if (outcome === 'no-parent') throw new PopError(E.CenInstanceStatus);
    // The ClientToken's response commits with the last write: the system route table.
    await ctx.store.createCenResource(systemRouteTable(tr, systemTableId), ctx.clientToken?.completion(body));
    return body;
  },
});

interface ListInput {
  cenId?: string; regionId?: string; transitRouterId?: string; name?: string; status?: string; type?: string; multicast?: boolean;
  tags: TransitRouterDoc['tags']; page: PageRequest;
}

function featureFilter(params: Params): boolean | undefined {
  let multicast: boolean | undefined;
  for (const [n, item] of flattenedList(params, 'FeatureFilter', 5)) {
    if (item.Key !== 'Multicast') throw new PopError({ code: 'InvalidOperation.UnsupportFilter', status: 400, message: `The filter key FeatureFilter.${n}.Key is not supported.` });
    const value = item['Value.1'];
    if (value !== 'Enabled' && value !== 'Disabled') throw new PopError({ code: 'InvalidOperation.UnsupportFilterValue', status: 400, message: `The filter value of FeatureFilter.${n} is not supported.` });
    multicast = value === 'Enabled';
  }
  return multicast;
}

export const listTransitRouters = defineOperation<ListInput>({
  product: CBN,
  action: 'ListTransitRouters',
  ramAction: 'cen:ListTransitRouters',
  resource: (input, principal) => cenArn(principal.accountId, 'transitRouter', input.transitRouterId),
  clientToken: false,
  parse(params) {
    const input: ListInput = {
      cenId: idParam(params, 'CenId'),
      regionId: optionalString(params, 'RegionId') === undefined ? undefined : regionIdParam(params),
      transitRouterId: idParam(params, 'TransitRouterId'),
      name: optionalString(params, 'TransitRouterName'),
      status: enumParam(params, 'Status', ['Creating', 'Active', 'Modifying', 'Deleting', 'Upgrading']),
      type: enumParam(params, 'Type', ['Enterprise', 'Basic']),
      multicast: featureFilter(params),
      tags: cenTagsParam(params, 'IllegalParam'),
      page: pageParams(params),
    };
    if (!input.cenId && !input.regionId && !input.transitRouterId) throw new PopError(E.TransitRouterCombination);
    return input;
  },
  async run(input, ctx) {
    const all = await ctx.store.listCenResources(ctx.principal.accountId, 'transitRouter', { parentId: input.cenId, regionId: input.regionId }, ctx.now);
    const matching = all.filter((r) => {
      const d = docOf<TransitRouterDoc>(r);
      return (!input.transitRouterId || r.id === input.transitRouterId) && (!input.name || d.name === input.name) &&
        (!input.status || statusAt(r, RESOURCE_STATUS.transitRouter, ctx.now) === input.status) && (!input.type || input.type === 'Enterprise') &&
        (input.multicast === undefined || d.supportMulticast === input.multicast) && matchesTags(d.tags, input.tags);
    });
    const { page, members } = numberedPage(matching, input.page);
    return { ...members, TransitRouters: page.map((r) => transitRouterView(r, ctx.principal.accountId, ctx.now)) };
  },
});

export const deleteTransitRouter = defineOperation<{ transitRouterId: string; dryRun: boolean }>({
  product: CBN,
  action: 'DeleteTransitRouter',
  ramAction: 'cen:DeleteTransitRouter',
  resource: (input, principal) => cenArn(principal.accountId, 'transitRouter', input.transitRouterId),
  clientToken: true,
  parse: (params) => ({ transitRouterId: requiredIdParam(params, 'TransitRouterId'), dryRun: isDryRun(params) }),
  async run(input, ctx) {
    const tr = await findSettled(ctx, 'transitRouter', input.transitRouterId, E.TransitRouterInstanceNotFound, E.TransitRouterIncorrectStatus);
    const systemTableId = docOf<TransitRouterDoc>(tr).systemTableId;
    const blockers = [
      { kind: 'vpnAttachment', parentId: tr.id },
      { kind: 'routeTable', parentId: tr.id, exceptId: systemTableId },
      { kind: 'routeEntry', parentId: systemTableId },
    ] as const;
    const errors = [E.CenChildInstanceExist, E.DeleteTransitRouterFailed, E.DeleteTransitRouterFailed];
    if (input.dryRun) {
      const attachments = await ctx.store.listCenResources(ctx.principal.accountId, 'vpnAttachment', { parentId: tr.id }, ctx.now);
      if (attachments.length > 0) throw new PopError(errors[0]!);
      dryRunPassed();
    }
    const goneAt = ctx.now + ctx.settings.changeDelayMs;
    const r = await ctx.store.deleteCenResource(ctx.principal.accountId, 'transitRouter', tr.id, goneAt, ctx.now, blockers, ctx.clientToken?.completion({}));
    if (r.outcome === 'missing') throw new PopError(E.TransitRouterInstanceNotFound);
    if (r.outcome === 'busy') throw new PopError(E.TransitRouterIncorrectStatus);
    if (r.outcome === 'blocked') throw new PopError(errors[r.blocker!]!);
    await ctx.store.deleteCenResource(ctx.principal.accountId, 'routeTable', systemTableId, goneAt, ctx.now, []);
    return {};
  },
});

// ---------- TR CIDR blocks ----------

async function transitRouterInRegion(ctx: OperationContext, id: string, regionId: string): Promise<CenResourceRecord> {
  const tr = await findResource(ctx, 'transitRouter', id, E.TransitRouterIdNotFound);
  if (tr.regionId !== regionId) throw new PopError(E.TransitRouterIdNotFound);
  return tr;
}

interface CreateCidrInput { regionId: string; transitRouterId: string; cidr: string; name: string; description: string; publishCidrRoute: boolean; dryRun: boolean }

export const createTransitRouterCidr = defineOperation<CreateCidrInput>({
  product: CBN,
  action: 'CreateTransitRouterCidr',
  ramAction: 'cen:CreateTransitRouterCidr',
  resource: (input, principal) => cenArn(principal.accountId, 'transitRouter', input.transitRouterId),
  clientToken: true,
  parse: (params) => ({
    regionId: regionIdParam(params),
    transitRouterId: requiredIdParam(params, 'TransitRouterId'),
    cidr: trCidr(params.Cidr ?? ''),
    name: nameParam(params, 'Name'),
    description: descriptionParam(params, 'Description'),
    publishCidrRoute: booleanParam(params, 'PublishCidrRoute', true),
    dryRun: isDryRun(params),
  }),
  async run(input, ctx) {
    const tr = await transitRouterInRegion(ctx, input.transitRouterId, input.regionId);
    if (isTransient(tr, ctx.now)) throw new PopError(E.TransitRouterIncorrectStatus);
    const doc = docOf<TransitRouterDoc>(tr);
    if (doc.cidrs.length >= MAX_TR_CIDRS) throw new PopError(E.TransitRouterCidrQuota);
    // Unique in the CEN: no overlap with the CIDR blocks of the CEN's transit routers.
    const siblings = await ctx.store.listCenResources(ctx.principal.accountId, 'transitRouter', { parentId: tr.parentId ?? '' }, ctx.now);
    checkNoOverlap([input.cidr, ...siblings.flatMap((s) => docOf<TransitRouterDoc>(s).cidrs.map((c) => c.cidr))]);
    if (input.dryRun) dryRunPassed();
    const cidr: TransitRouterCidr = { id: newCenId('cidr'), cidr: input.cidr, name: input.name, description: input.description, publishCidrRoute: input.publishCidrRoute };
    const body = { TransitRouterCidrId: cidr.id };
    const next = { ...doc, cidrs: [...doc.cidrs, cidr] };
    if (!(await ctx.store.updateCenResource(ctx.principal.accountId, 'transitRouter', tr.id, next as unknown as Record<string, unknown>, ctx.now, ctx.clientToken?.completion(body)))) {
      throw new PopError(E.TransitRouterIncorrectStatus);
    }
    return body;
  },
});

export const listTransitRouterCidr = defineOperation<{ regionId: string; transitRouterId: string; cidrId?: string }>({
  product: CBN,
  action: 'ListTransitRouterCidr',
  ramAction: 'cen:ListTransitRouterCidr',
  resource: (input, principal) => cenArn(principal.accountId, 'transitRouter', input.transitRouterId),
  clientToken: false,
  parse: (params) => ({ regionId: regionIdParam(params), transitRouterId: requiredIdParam(params, 'TransitRouterId'), cidrId: idParam(params, 'TransitRouterCidrId') }),
  async run(input, ctx) {
    const tr = await transitRouterInRegion(ctx, input.transitRouterId, input.regionId);
    const cidrs = docOf<TransitRouterDoc>(tr).cidrs.filter((c) => !input.cidrId || c.id === input.cidrId);
    return {
      CidrLists: cidrs.map((c) => ({
        TransitRouterCidrId: c.id, TransitRouterId: tr.id, Cidr: c.cidr, Name: c.name, Description: c.description, Family: 'IPv4', PublishCidrRoute: c.publishCidrRoute,
      })),
    };
  },
});
