/** CreateCen, DescribeCens, DeleteCen (cen-api.md §3). */
import { E, PopError, invalidParameter } from '../../pop/errors';
import { cenTime, docOf, newCenId, RESOURCE_STATUS, settlesAt, statusAt, type CenDoc } from '../../domain/cen';
import { DEFAULT_RESOURCE_GROUP } from '../../domain/vpn';
import type { CenResourceRecord } from '../../store/store';
import { defineOperation, type ResponseBody } from '../product';
import { enumParam, flattenedList } from '../vpc/vpc-params';
import { cenTagsParam, descriptionParam, matchesTags, nameParam, numberedPage, pageParams, requiredIdParam, type PageRequest } from './cbn-params';
import { findResource } from './cen-access';
import { CBN, cenArn } from './product';

export function cenView(r: CenResourceRecord, now: number): ResponseBody {
  const d = docOf<CenDoc>(r);
  return {
    CenId: r.id,
    Name: d.name,
    Description: d.description,
    Status: statusAt(r, RESOURCE_STATUS.cen, now),
    CreationTime: cenTime(r.createTime),
    ProtectionLevel: d.protectionLevel,
    Ipv6Level: 'DISABLED',
    ResourceGroupId: DEFAULT_RESOURCE_GROUP,
    Tags: { Tag: d.tags.map((t) => ({ Key: t.key, Value: t.value })) },
    CenBandwidthPackageIds: { CenBandwidthPackageId: [] },
  };
}

interface CreateCenInput { name: string; description: string; protectionLevel: string; tags: CenDoc['tags'] }

export const createCen = defineOperation<CreateCenInput>({
  product: CBN,
  action: 'CreateCen',
  ramAction: 'cen:CreateCen',
  resource: (_input, principal) => cenArn(principal.accountId, 'cen', undefined),
  clientToken: true,
  parse: (params) => ({
    name: nameParam(params, 'Name'),
    description: descriptionParam(params, 'Description'),
    protectionLevel: enumParam(params, 'ProtectionLevel', ['REDUCED'], 'REDUCED'),
    tags: cenTagsParam(params),
  }),
  async run(input, ctx) {
    const doc: CenDoc = { name: input.name, description: input.description, protectionLevel: input.protectionLevel, tags: input.tags };
    const record: CenResourceRecord = {
      id: newCenId('cen'), kind: 'cen', accountId: ctx.principal.accountId, parentId: null, regionId: '', uniqueKey: null, refId: null,
      createTime: ctx.now, readyAt: settlesAt(ctx.now, ctx.settings.changeDelayMs), goneAt: null, doc: doc as unknown as Record<string, unknown>,
    };
    const body = { CenId: record.id };
    await ctx.store.createCenResource(record, ctx.clientToken?.completion(body));
    return body;
  },
});

interface DescribeCensInput { page: PageRequest; cenIds?: string[]; names?: string[]; tags: CenDoc['tags'] }

/** Filter.N.Key (CenId | Name; ≤5, AND) with Filter.N.Value.M (≤5, OR). */
function parseFilters(params: Record<string, string>): Pick<DescribeCensInput, 'cenIds' | 'names'> {
  const out: Pick<DescribeCensInput, 'cenIds' | 'names'> = {};
  for (const [n, item] of flattenedList(params, 'Filter', 5)) {
    const values = Object.entries(item).filter(([k]) => /^Value\.[1-5]$/.test(k)).map(([, v]) => v);
    if (Object.keys(item).some((k) => k !== 'Key' && !/^Value\.[1-5]$/.test(k))) throw invalidParameter(`Filter.${n}`, 'Filter.N.Value.M must use M from 1 to 5.');
    if (item.Key === 'CenId') out.cenIds = values;
    else if (item.Key === 'Name') out.names = values;
    else throw invalidParameter(`Filter.${n}.Key`, 'it must be CenId or Name.');
  }
  return out;
}

export const describeCens = defineOperation<DescribeCensInput>({
  product: CBN,
  action: 'DescribeCens',
  ramAction: 'cen:DescribeCens',
  resource: (input, principal) => cenArn(principal.accountId, 'cen', input.cenIds?.length === 1 ? input.cenIds[0] : undefined),
  clientToken: false,
  parse: (params) => ({ page: pageParams(params), ...parseFilters(params), tags: cenTagsParam(params) }),
  async run(input, ctx) {
    const all = await ctx.store.listCenResources(ctx.principal.accountId, 'cen', {}, ctx.now);
    const matching = all.filter((r) => (!input.cenIds || input.cenIds.includes(r.id)) &&
      (!input.names || input.names.includes(docOf<CenDoc>(r).name)) && matchesTags(docOf<CenDoc>(r).tags, input.tags));
    const { page, members } = numberedPage(matching, input.page);
    return { ...members, Cens: { Cen: page.map((r) => cenView(r, ctx.now)) } };
  },
});

export const deleteCen = defineOperation<{ cenId: string }>({
  product: CBN,
  action: 'DeleteCen',
  ramAction: 'cen:DeleteCen',
  resource: (input, principal) => cenArn(principal.accountId, 'cen', input.cenId),
  clientToken: true,
  parse: (params) => ({ cenId: requiredIdParam(params, 'CenId') }),
  async run(input, ctx) {
    await findResource(ctx, 'cen', input.cenId, E.CenNotFound);
    // Decided: a CEN with transit routers (of any state) cannot be deleted; Terraform deletes them first.
    const r = await ctx.store.deleteCenResource(ctx.principal.accountId, 'cen', input.cenId, ctx.now + ctx.settings.changeDelayMs, ctx.now,
      [{ kind: 'transitRouter', parentId: input.cenId }], ctx.clientToken?.completion({}));
    if (r.outcome === 'missing') throw new PopError(E.CenNotFound);
    if (r.outcome === 'busy') throw new PopError(E.CenInstanceStatus);
    if (r.outcome === 'blocked') throw new PopError(E.CenChildInstanceExist);
    return {};
  },
});
