/**
 * Reading and deleting IPsec connections: DescribeVpnConnection, DescribeVpnConnections,
 * DescribeVpnAttachments, DeleteVpnAttachment, DeleteVpnConnection.
 */
import { E, PopError } from '../../pop/errors';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_NUMBER, MAX_PAGE_SIZE } from '../../domain/routes';
import { isChanging } from '../../domain/vpn';
import type { Params } from '../../pop/signature';
import { defineOperation, type OperationContext } from '../product';
import { integerInRange, optionalString, regionIdParam, requiredString } from '../params';
import { findConnection, gatewayAsns, lostWrite } from './connection-access';
import { enumParam } from './vpc-params';
import { attachmentView, describeConnectionView, listedConnectionView } from './vpn-connection-views';
import { VPC, vpnConnectionArn } from './product';
import { liveBgpSessions } from './bgp-sessions';

export interface OneConnectionInput {
  regionId: string;
  vpnConnectionId: string;
}

/** RegionId and VpnConnectionId, both required: the request of every operation on one connection. */
export const parseOne = (params: Params): OneConnectionInput => ({
  regionId: regionIdParam(params),
  vpnConnectionId: requiredString(params, 'VpnConnectionId'),
});

const pageOf = (params: Params) => ({
  pageNumber: integerInRange(params, 'PageNumber', 1, MAX_PAGE_NUMBER, 1, () => new PopError(E.IllegalParamPageNumber)),
  pageSize: integerInRange(params, 'PageSize', 1, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE, () => new PopError(E.IllegalParamPageSize)),
});

export const describeVpnConnection = defineOperation<OneConnectionInput>({
  product: VPC,
  action: 'DescribeVpnConnection',
  ramAction: 'vpc:DescribeVpnConnection',
  resource: (input, principal) => vpnConnectionArn(input.regionId, principal.accountId, input.vpnConnectionId),
  clientToken: false,
  parse: parseOne,
  async run(input, { store, principal, now, settings }) {
    const c = await findConnection(store, principal.accountId, input.regionId, input.vpnConnectionId);
    return describeConnectionView(c, now, await gatewayAsns(store, c), settings.bgpSpeaker ? await liveBgpSessions(store, c, now) : undefined);
  },
});

interface ListInput {
  regionId: string;
  vpnConnectionId?: string;
  customerGatewayId?: string;
  vpnGatewayId?: string;
  pageNumber: number;
  pageSize: number;
}

export const describeVpnConnections = defineOperation<ListInput>({
  product: VPC,
  action: 'DescribeVpnConnections',
  ramAction: 'vpc:DescribeVpnConnections',
  resource: (input, principal) => vpnConnectionArn(input.regionId, principal.accountId, input.vpnConnectionId ?? '*'),
  clientToken: false,
  parse: (params) => ({
    regionId: regionIdParam(params),
    vpnConnectionId: optionalString(params, 'VpnConnectionId'),
    customerGatewayId: optionalString(params, 'CustomerGatewayId'),
    vpnGatewayId: optionalString(params, 'VpnGatewayId'),
    ...pageOf(params),
  }),
  async run(input, { store, principal, now, settings }) {
    // Connections for transit routers belong to no VPN gateway: a VpnGatewayId filter matches none of them.
    if (input.vpnGatewayId !== undefined) {
      return { TotalCount: 0, PageNumber: input.pageNumber, PageSize: input.pageSize, VpnConnections: { VpnConnection: [] } };
    }
    const page = await store.listConnections(
      principal.accountId, input.regionId, { connectionId: input.vpnConnectionId, customerGatewayId: input.customerGatewayId },
      (input.pageNumber - 1) * input.pageSize, input.pageSize,
    );
    const items = [];
    for (const c of page.items) {
      items.push(listedConnectionView(c, now, await gatewayAsns(store, c), settings.bgpSpeaker ? await liveBgpSessions(store, c, now) : undefined));
    }
    return { TotalCount: page.total, PageNumber: input.pageNumber, PageSize: input.pageSize, VpnConnections: { VpnConnection: items } };
  },
});

interface AttachmentsInput {
  regionId: string;
  vpnConnectionId?: string;
  pageNumber: number;
  pageSize: number;
}

export const describeVpnAttachments = defineOperation<AttachmentsInput>({
  product: VPC,
  action: 'DescribeVpnAttachments',
  ramAction: 'vpc:DescribeVpnAttachments',
  resource: (input, principal) => vpnConnectionArn(input.regionId, principal.accountId, input.vpnConnectionId ?? '*'),
  clientToken: false,
  parse(params) {
    enumParam(params, 'AttachType', ['CEN'], 'CEN');
    return { regionId: regionIdParam(params), vpnConnectionId: optionalString(params, 'VpnConnectionId'), ...pageOf(params) };
  },
  async run(input, { store, principal }) {
    const page = await store.listConnections(
      principal.accountId, input.regionId, { connectionId: input.vpnConnectionId, attachedToTransitRouter: true },
      (input.pageNumber - 1) * input.pageSize, input.pageSize,
    );
    return { TotalCount: page.total, PageNumber: input.pageNumber, PageSize: input.pageSize, VpnAttachments: page.items.map(attachmentView) };
  },
});

/**
 * Decided: a connection attached to (or attaching to / detaching from) a transit router must be detached
 * first (Vco.StatusNotSupport), as DeleteVpnAttachment documents; an unattached one is deleted at once.
 */
async function deleteUnattached(input: OneConnectionInput, { store, principal, now, clientToken }: OperationContext, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const c = await findConnection(store, principal.accountId, input.regionId, input.vpnConnectionId);
  if (isChanging(c, now)) throw new PopError(E.VpnConnectionConfiguring);
  if (c.transitRouterId !== null) throw new PopError(E.VcoStatusNotSupport);
  // Only the connection as read: an attach (or any change) that lands in between wins.
  if (!(await store.deleteConnection(c.connectionId, c.revision ?? 0, clientToken?.completion(body)))) throw await lostWrite(store, c);
  return body;
}

export const deleteVpnAttachment = defineOperation<OneConnectionInput>({
  product: VPC,
  action: 'DeleteVpnAttachment',
  ramAction: 'vpc:DeleteVpnAttachment',
  resource: (input, principal) => vpnConnectionArn(input.regionId, principal.accountId, input.vpnConnectionId),
  clientToken: true,
  parse: parseOne,
  async run(input, ctx) {
    return deleteUnattached(input, ctx, { Code: '200', Message: 'successful', Success: true });
  },
});

export const deleteVpnConnection = defineOperation<OneConnectionInput>({
  product: VPC,
  action: 'DeleteVpnConnection',
  ramAction: 'vpc:DeleteVpnConnection',
  resource: (input, principal) => vpnConnectionArn(input.regionId, principal.accountId, input.vpnConnectionId),
  clientToken: true,
  parse: parseOne,
  async run(input, ctx) {
    return deleteUnattached(input, ctx, {});
  },
});
