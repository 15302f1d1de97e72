/**
 * CreateTransitRouterVpnAttachment, ListTransitRouterVpnAttachments, UpdateTransitRouterVpnAttachmentAttribute,
 * DeleteTransitRouterVpnAttachment (cen-api.md §5, §12). Attaching and detaching follow the one rule of
 * routing/attach.ts, which the admin attach and --auto-attach share.
 */
import { E, PopError, invalidParameter } from '../../pop/errors';
import type { Params } from '../../pop/signature';
import { cenTime, docOf, isTransient, newCenId, RESOURCE_STATUS, statusAt, type VpnAttachmentDoc } from '../../domain/cen';
import type { CenResourceRecord } from '../../store/store';
import { attachConnection, canAttach, detachAttachment, recomputeTransitRouter } from '../../routing';
import { defineOperation, type OperationContext, type ResponseBody } from '../product';
import { optionalString, regionIdParam } from '../params';
import { booleanParam, enumParam, flattenedList, isDryRun } from '../vpc/vpc-params';
import {
  cenTagsParam, descriptionParam, idParam, matchesTags, nameParam, plainTags, requiredIdParam, tokenPage, tokenParams, type TokenRequest,
} from './cbn-params';
import { dryRunPassed, findResource, findSettled } from './cen-access';
import { CBN, cenArn } from './product';

/** VPN attachments per transit router (DOC default quota; adjustable in the cloud). */
export const MAX_VPN_ATTACHMENTS_PER_TRANSIT_ROUTER = 50;

export function attachmentView(r: CenResourceRecord, now: number): ResponseBody {
  const d = docOf<VpnAttachmentDoc>(r);
  return {
    TransitRouterAttachmentId: r.id,
    TransitRouterAttachmentName: d.name,
    TransitRouterAttachmentDescription: d.description,
    TransitRouterId: r.parentId,
    CenId: d.cenId,
    VpnId: r.refId,
    VpnOwnerId: d.vpnOwnerId,
    VpnRegionId: r.regionId,
    ResourceType: 'VPN',
    Status: statusAt(r, RESOURCE_STATUS.vpnAttachment, now),
    CreationTime: cenTime(r.createTime),
    ChargeType: d.chargeType,
    OrderType: 'PayByCenOwner',
    AutoPublishRouteEnabled: d.autoPublish,
    Zones: d.zones.map((z) => ({ ZoneId: z })),
    Tags: plainTags(d.tags),
  };
}

function zonesParam(params: Params): string[] {
  return [...flattenedList(params, 'Zone', 10).values()].map((z) => z.ZoneId ?? '').filter((z) => z !== '');
}

interface CreateInput {
  regionId: string; vpnId: string; transitRouterId?: string; cenId?: string; vpnOwnerId?: string; autoPublish: boolean; name: string; description: string;
  zones: string[]; tags: VpnAttachmentDoc['tags']; dryRun: boolean;
}

/** The transit router the request names: TransitRouterId, or the CEN's transit router in RegionId. */
async function targetTransitRouter(ctx: OperationContext, input: CreateInput): Promise<CenResourceRecord> {
  let tr: CenResourceRecord | undefined;
  if (input.transitRouterId) tr = await findResource(ctx, 'transitRouter', input.transitRouterId, E.TransitRouterIdNotFound);
  else {
    await findResource(ctx, 'cen', input.cenId!, E.CenNotFound);
    tr = await ctx.store.findCenResourceByUniqueKey('transitRouter', `${input.cenId}|${input.regionId}`, ctx.now);
  }
  if (!tr || tr.accountId !== ctx.principal.accountId || tr.regionId !== input.regionId) throw new PopError(E.TransitRouterIdNotFound);
  if (isTransient(tr, ctx.now)) throw new PopError(E.TransitRouterIncorrectStatus);
  return tr;
}

export const createTransitRouterVpnAttachment = defineOperation<CreateInput>({
  product: CBN,
  action: 'CreateTransitRouterVpnAttachment',
  ramAction: 'cen:CreateTransitRouterVpnAttachment',
  resource: (input, principal) => (input.transitRouterId ? cenArn(principal.accountId, 'transitRouter', input.transitRouterId) : cenArn(principal.accountId, 'cen', input.cenId)),
  clientToken: true,
  parse(params) {
    const input: CreateInput = {
      regionId: regionIdParam(params),
      vpnId: requiredIdParam(params, 'VpnId'),
      transitRouterId: idParam(params, 'TransitRouterId'),
      cenId: idParam(params, 'CenId'),
      vpnOwnerId: optionalString(params, 'VpnOwnerId'),
      autoPublish: booleanParam(params, 'AutoPublishRouteEnabled', true),
      name: nameParam(params, 'TransitRouterAttachmentName'),
      description: descriptionParam(params, 'TransitRouterAttachmentDescription'),
      zones: zonesParam(params),
      tags: cenTagsParam(params, 'IllegalParam'),
      dryRun: isDryRun(params),
    };
    enumParam(params, 'ChargeType', ['POSTPAY'], 'POSTPAY');
    if (!input.transitRouterId && !input.cenId) throw invalidParameter('TransitRouterId', 'give TransitRouterId, or CenId with RegionId.');
    return input;
  },
  async run(input, ctx) {
    const tr = await targetTransitRouter(ctx, input);
    // Decided: cross-account connections (VpnOwnerId of another account) are not supported: they are not found.
    if (input.vpnOwnerId !== undefined && input.vpnOwnerId !== ctx.principal.accountId) throw new PopError(E.VpnIdNotFound);
    const c = await ctx.store.getConnection(ctx.principal.accountId, input.vpnId);
    if (!c || c.regionId !== tr.regionId) throw new PopError(E.VpnIdNotFound);
    if (!canAttach(c, ctx.now)) throw new PopError(E.VpnIncorrectStatus);
    const existing = await ctx.store.listCenResources(ctx.principal.accountId, 'vpnAttachment', { parentId: tr.id }, ctx.now);
    if (existing.length >= MAX_VPN_ATTACHMENTS_PER_TRANSIT_ROUTER) throw new PopError(E.VpnAttachmentQuota);
    if (input.dryRun) dryRunPassed();
    const attachmentId = newCenId('tr-attach');
    const body = { TransitRouterAttachmentId: attachmentId };
    const result = await attachConnection(ctx.store, c, tr.id, ctx.now, ctx.settings.changeDelayMs, {
      attachmentId, name: input.name, description: input.description, autoPublish: input.autoPublish, tags: input.tags, zones: input.zones,
    }, ctx.clientToken?.completion(body));
    if (result.outcome === 'no-parent') throw new PopError(E.TransitRouterIncorrectStatus);
    if (result.outcome !== 'attached') throw new PopError(E.VpnIncorrectStatus);
    return body;
  },
});

interface ListInput { regionId?: string; cenId?: string; transitRouterId?: string; attachmentId?: string; tags: VpnAttachmentDoc['tags']; page: TokenRequest }

export const listTransitRouterVpnAttachments = defineOperation<ListInput>({
  product: CBN,
  action: 'ListTransitRouterVpnAttachments',
  ramAction: 'cen:ListTransitRouterVpnAttachments',
  resource: (input, principal) => cenArn(principal.accountId, 'vpnAttachment', input.attachmentId),
  clientToken: false,
  parse: (params) => ({
    regionId: optionalString(params, 'RegionId') === undefined ? undefined : regionIdParam(params),
    cenId: idParam(params, 'CenId'),
    transitRouterId: idParam(params, 'TransitRouterId'),
    attachmentId: idParam(params, 'TransitRouterAttachmentId'),
    tags: cenTagsParam(params, 'IllegalParam'),
    page: tokenParams(params, 20),
  }),
  async run(input, ctx) {
    // Unknown or deleted IDs give an empty list, never an error (cen-api.md §1.2).
    const all = await ctx.store.listCenResources(ctx.principal.accountId, 'vpnAttachment', { parentId: input.transitRouterId, regionId: input.regionId }, ctx.now);
    const matching = all.filter((r) => (!input.attachmentId || r.id === input.attachmentId) && (!input.cenId || docOf<VpnAttachmentDoc>(r).cenId === input.cenId) &&
      matchesTags(docOf<VpnAttachmentDoc>(r).tags, input.tags));
    const { page, members } = tokenPage(matching, input.page);
    return { ...members, TransitRouterAttachments: page.map((r) => attachmentView(r, ctx.now)) };
  },
});

interface UpdateInput { attachmentId: string; name?: string; description?: string; autoPublish?: boolean; dryRun: boolean }

export const updateTransitRouterVpnAttachmentAttribute = defineOperation<UpdateInput>({
  product: CBN,
  action: 'UpdateTransitRouterVpnAttachmentAttribute',
  ramAction: 'cen:UpdateTransitRouterVpnAttachmentAttribute',
  resource: (input, principal) => cenArn(principal.accountId, 'vpnAttachment', input.attachmentId),
  clientToken: true,
  parse: (params) => ({
    attachmentId: requiredIdParam(params, 'TransitRouterAttachmentId'),
    name: params.TransitRouterAttachmentName === undefined ? undefined : nameParam(params, 'TransitRouterAttachmentName'),
    description: params.TransitRouterAttachmentDescription === undefined ? undefined : descriptionParam(params, 'TransitRouterAttachmentDescription'),
    autoPublish: optionalString(params, 'AutoPublishRouteEnabled') === undefined ? undefined : booleanParam(params, 'AutoPublishRouteEnabled', true),
    dryRun: isDryRun(params),
  }),
  async run(input, ctx) {
    const a = await findSettled(ctx, 'vpnAttachment', input.attachmentId, E.AttachmentIdNotFound, E.AttachmentIncorrectStatus);
    if (input.dryRun) dryRunPassed();
    const d = docOf<VpnAttachmentDoc>(a);
    const next: VpnAttachmentDoc = { ...d, name: input.name ?? d.name, description: input.description ?? d.description, autoPublish: input.autoPublish ?? d.autoPublish };
    if (!(await ctx.store.updateCenResource(ctx.principal.accountId, 'vpnAttachment', a.id, next as unknown as Record<string, unknown>, ctx.now, ctx.clientToken?.completion({})))) {
      throw new PopError(E.AttachmentIncorrectStatus);
    }
    // Flipping AutoPublishRouteEnabled adds or withdraws the connection's CLOUD routes at once.
    if (next.autoPublish !== d.autoPublish) await recomputeTransitRouter(ctx.store, a.accountId, a.parentId!, ctx.now);
    return {};
  },
});

export const deleteTransitRouterVpnAttachment = defineOperation<{ attachmentId: string; force: boolean; dryRun: boolean }>({
  product: CBN,
  action: 'DeleteTransitRouterVpnAttachment',
  ramAction: 'cen:DeleteTransitRouterVpnAttachment',
  resource: (input, principal) => cenArn(principal.accountId, 'vpnAttachment', input.attachmentId),
  clientToken: true,
  parse: (params) => ({ attachmentId: requiredIdParam(params, 'TransitRouterAttachmentId'), force: booleanParam(params, 'Force', false), dryRun: isDryRun(params) }),
  async run(input, ctx) {
    const a = await findSettled(ctx, 'vpnAttachment', input.attachmentId, E.AttachmentIdNotFound, E.AttachmentIncorrectStatus);
    const blockerErrors = [E.AttachmentAssociationExist, E.AttachmentPropagationExist, E.AttachmentRouteEntryExist];
    if (input.dryRun) {
      if (!input.force) {
        const [associations, propagations, entries] = await Promise.all([
          ctx.store.listCenLinks(a.accountId, 'association', { attachmentId: a.id }, ctx.now),
          ctx.store.listCenLinks(a.accountId, 'propagation', { attachmentId: a.id }, ctx.now),
          ctx.store.listCenResources(a.accountId, 'routeEntry', { refId: a.id }, ctx.now),
        ]);
        const held = [associations, propagations, entries].findIndex((l) => l.length > 0);
        if (held >= 0) throw new PopError(blockerErrors[held]!);
      }
      dryRunPassed();
    }
    const r = await detachAttachment(ctx.store, a, ctx.now, ctx.settings.changeDelayMs, input.force, ctx.clientToken?.completion({}));
    if (r.outcome === 'missing') throw new PopError(E.AttachmentIdNotFound);
    if (r.outcome === 'blocked') throw new PopError(blockerErrors[(r as { blocker: number }).blocker]!);
    if (r.outcome !== 'deleted') throw new PopError(E.AttachmentIncorrectStatus);
    return {};
  },
});
