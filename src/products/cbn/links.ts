/**
 * Forwarding associations and route learning (propagations) of VPN attachments with route tables:
 * Associate/DissociateTransitRouterAttachment…, ListTransitRouterRouteTableAssociations,
 * Enable/DisableTransitRouterRouteTablePropagation, ListTransitRouterRouteTablePropagations (cen-api.md §7, §8).
 * Every change recomputes the transit router's routing in the same request (routing/): an association decides
 * which table a connection's CLOUD routes come from, a propagation which tables its routes go into.
 */
import { E, PopError, type ErrorDefinition } from '../../pop/errors';
import { isTransient, LINK_STATUS, settlesAt, statusAt } from '../../domain/cen';
import type { CenLinkKind, CenLinkRecord } from '../../store/store';
import { recomputeTransitRouter } from '../../routing';
import { defineOperation, type Operation, type OperationContext } from '../product';
import { enumParam, isDryRun } from '../vpc/vpc-params';
import { idParam, missingParam, requiredIdParam, tokenPage, tokenParams, type TokenRequest } from './cbn-params';
import { dryRunPassed, findResource } from './cen-access';
import { CBN, cenArn } from './product';
import type { Principal } from '../../identity/principal';

interface LinkInput { attachmentId: string; tableId: string; dryRun: boolean }

const parseLink = (params: Record<string, string>): LinkInput => ({
  attachmentId: requiredIdParam(params, 'TransitRouterAttachmentId'),
  tableId: requiredIdParam(params, 'TransitRouterRouteTableId'),
  dryRun: isDryRun(params),
});

/** What Associate/Dissociate/Enable/Disable share: RAM action, the attachment's ARN, ClientToken, parameters. */
const linkShell = (action: string) => ({
  product: CBN,
  action,
  ramAction: `cen:${action}`,
  resource: (input: LinkInput, principal: Principal) => cenArn(principal.accountId, 'vpnAttachment', input.attachmentId),
  clientToken: true,
  parse: parseLink,
});

interface LinkErrors { attachmentNotFound: ErrorDefinition; tableNotFound: ErrorDefinition; exists: ErrorDefinition; missing: ErrorDefinition }

/** The attachment and table of a link request, settled and on one transit router. */
async function linkEnds(ctx: OperationContext, input: LinkInput, errors: LinkErrors) {
  const attachment = await findResource(ctx, 'vpnAttachment', input.attachmentId, errors.attachmentNotFound);
  const table = await findResource(ctx, 'routeTable', input.tableId, errors.tableNotFound);
  if (attachment.parentId !== table.parentId) throw new PopError(E.LinkTableOfOtherRouter);
  if (isTransient(attachment, ctx.now) || isTransient(table, ctx.now)) throw new PopError(E.LinkIncorrectStatus);
  return { attachment, table };
}

function createLinkOperation(kind: CenLinkKind, action: string, errors: LinkErrors): Operation {
  return defineOperation<LinkInput>({
    ...linkShell(action),
    async run(input, ctx) {
      const { attachment } = await linkEnds(ctx, input, errors);
      if (input.dryRun) dryRunPassed();
      const link: CenLinkRecord = {
        kind, accountId: ctx.principal.accountId, attachmentId: input.attachmentId, routeTableId: input.tableId, transitRouterId: attachment.parentId!,
        createTime: ctx.now, readyAt: settlesAt(ctx.now, ctx.settings.changeDelayMs), goneAt: null,
      };
      const outcome = await ctx.store.createCenLink(link, ctx.clientToken?.completion({}));
      if (outcome === 'exists' || outcome === 'associated') throw new PopError(errors.exists);
      if (outcome === 'no-parent') throw new PopError(E.LinkIncorrectStatus);
      await recomputeTransitRouter(ctx.store, attachment.accountId, attachment.parentId!, ctx.now);
      return {};
    },
  });
}

function deleteLinkOperation(kind: CenLinkKind, action: string, errors: LinkErrors): Operation {
  return defineOperation<LinkInput>({
    ...linkShell(action),
    async run(input, ctx) {
      const { attachment } = await linkEnds(ctx, input, errors);
      if (input.dryRun) {
        const links = await ctx.store.listCenLinks(ctx.principal.accountId, kind, { attachmentId: input.attachmentId, routeTableId: input.tableId }, ctx.now);
        if (links.length === 0) throw new PopError(errors.missing);
        dryRunPassed();
      }
      const outcome = await ctx.store.deleteCenLink(ctx.principal.accountId, kind, input.attachmentId, input.tableId, ctx.now + ctx.settings.changeDelayMs, ctx.now,
        ctx.clientToken?.completion({}));
      if (outcome === 'missing') throw new PopError(errors.missing);
      if (outcome === 'busy') throw new PopError(E.LinkIncorrectStatus);
      await recomputeTransitRouter(ctx.store, attachment.accountId, attachment.parentId!, ctx.now);
      return {};
    },
  });
}

const ASSOCIATION_ERRORS: LinkErrors = {
  attachmentNotFound: E.AttachmentIdNotFound, tableNotFound: E.RouteTableIdNotFound, exists: E.AttachmentAssociationExist, missing: E.LinkIncorrectStatus,
};

export const associateTransitRouterAttachmentWithRouteTable = createLinkOperation('association', 'AssociateTransitRouterAttachmentWithRouteTable', ASSOCIATION_ERRORS);
export const dissociateTransitRouterAttachmentFromRouteTable = deleteLinkOperation('association', 'DissociateTransitRouterAttachmentFromRouteTable', ASSOCIATION_ERRORS);
export const enableTransitRouterRouteTablePropagation = createLinkOperation('propagation', 'EnableTransitRouterRouteTablePropagation', {
  attachmentNotFound: E.PropagationAttachmentNotFound, tableNotFound: E.PropagationRouteTableNotFound, exists: E.LinkIncorrectStatus, missing: E.LinkIncorrectStatus,
});
// The Disable page documents InvalidAttachmentId.NotFound as 400 (404 on Enable): kept as documented.
export const disableTransitRouterRouteTablePropagation = deleteLinkOperation('propagation', 'DisableTransitRouterRouteTablePropagation', {
  attachmentNotFound: E.PropagationAttachmentNotFound400, tableNotFound: E.PropagationRouteTableNotFound, exists: E.LinkIncorrectStatus, missing: E.LinkIncorrectStatus,
});

interface ListLinksInput {
  tableId?: string; attachmentId?: string; status?: string; resourceId?: string; resourceType?: string; page: TokenRequest;
}

function listLinksOperation(kind: CenLinkKind, action: string, member: string, statuses: readonly string[], tableRequired: boolean): Operation {
  return defineOperation<ListLinksInput>({
    product: CBN,
    action,
    ramAction: `cen:${action}`,
    resource: (input, principal) => (input.tableId ? cenArn(principal.accountId, 'routeTable', input.tableId) : cenArn(principal.accountId, 'vpnAttachment', input.attachmentId)),
    clientToken: false,
    parse(params) {
      const input: ListLinksInput = {
        tableId: idParam(params, 'TransitRouterRouteTableId'),
        attachmentId: idParam(params, 'TransitRouterAttachmentId'),
        status: enumParam(params, 'Status', statuses),
        resourceId: idParam(params, 'TransitRouterAttachmentResourceId'),
        resourceType: enumParam(params, 'TransitRouterAttachmentResourceType', ['VPC', 'VBR', 'TR', 'VPN']),
        page: tokenParams(params, 50),
      };
      if (!input.tableId && (tableRequired || !input.attachmentId)) throw missingParam('TransitRouterRouteTableId');
      return input;
    },
    async run(input, ctx) {
      const links = await ctx.store.listCenLinks(ctx.principal.accountId, kind, { routeTableId: input.tableId, attachmentId: input.attachmentId }, ctx.now);
      const connections = new Map<string, string | null>();
      for (const l of links) {
        if (!connections.has(l.attachmentId)) connections.set(l.attachmentId, (await ctx.store.getCenResource(ctx.principal.accountId, 'vpnAttachment', l.attachmentId, ctx.now))?.refId ?? null);
      }
      const matching = links.filter((l) => (!input.status || statusAt(l, LINK_STATUS[kind], ctx.now) === input.status) &&
        (!input.resourceId || connections.get(l.attachmentId) === input.resourceId) && (!input.resourceType || input.resourceType === 'VPN'));
      const { page, members } = tokenPage(matching, input.page);
      return {
        ...members,
        [member]: page.map((l) => ({
          TransitRouterAttachmentId: l.attachmentId,
          TransitRouterRouteTableId: l.routeTableId,
          ResourceId: connections.get(l.attachmentId) ?? '',
          ResourceType: 'VPN',
          Status: statusAt(l, LINK_STATUS[kind], ctx.now),
        })),
      };
    },
  });
}

export const listTransitRouterRouteTableAssociations = listLinksOperation('association', 'ListTransitRouterRouteTableAssociations', 'TransitRouterAssociations',
  ['Active', 'Associating', 'Dissociating'], false);
export const listTransitRouterRouteTablePropagations = listLinksOperation('propagation', 'ListTransitRouterRouteTablePropagations', 'TransitRouterPropagations',
  ['Active', 'Enabling', 'Disabling'], true);
