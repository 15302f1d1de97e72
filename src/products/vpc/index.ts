import type { Operation } from '../product';
import { createCustomerGateway, deleteCustomerGateway, describeCustomerGateway, describeCustomerGateways } from './customer-gateways';
import { describeVcoRouteEntries } from './describe-vco-route-entries';
import { downloadVpnConnectionConfig } from './download-vpn-connection-config';
import { listVcoRouteChanges, watchVcoRouteChanges } from './route-changes';
import { createVcoRouteEntry, deleteVcoRouteEntry, modifyVcoRouteEntryWeight } from './vco-route-writes';
import { createVpnAttachment } from './vpn-attachment-create';
import { modifyVpnAttachmentAttribute } from './vpn-attachment-modify';
import { deleteVpnAttachment, deleteVpnConnection, describeVpnAttachments, describeVpnConnection, describeVpnConnections } from './vpn-connections';

export const VPC_OPERATIONS: readonly Operation[] = [
  describeVcoRouteEntries,
  createVcoRouteEntry,
  deleteVcoRouteEntry,
  modifyVcoRouteEntryWeight,
  createCustomerGateway,
  describeCustomerGateways,
  describeCustomerGateway,
  deleteCustomerGateway,
  createVpnAttachment,
  modifyVpnAttachmentAttribute,
  describeVpnAttachments,
  describeVpnConnection,
  describeVpnConnections,
  deleteVpnAttachment,
  deleteVpnConnection,
  downloadVpnConnectionConfig,
  listVcoRouteChanges,
  watchVcoRouteChanges,
];
