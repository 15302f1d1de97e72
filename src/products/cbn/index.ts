import type { Operation } from '../product';
import { createCen, deleteCen, describeCens } from './cens';
import {
  associateTransitRouterAttachmentWithRouteTable, disableTransitRouterRouteTablePropagation, dissociateTransitRouterAttachmentFromRouteTable,
  enableTransitRouterRouteTablePropagation, listTransitRouterRouteTableAssociations, listTransitRouterRouteTablePropagations,
} from './links';
import { createTransitRouterRouteEntry, deleteTransitRouterRouteEntry, listTransitRouterRouteEntries } from './route-entries';
import { createTransitRouterRouteTable, deleteTransitRouterRouteTable, listTransitRouterRouteTables } from './route-tables';
import { createTransitRouter, createTransitRouterCidr, deleteTransitRouter, listTransitRouterCidr, listTransitRouters } from './transit-routers';
import {
  createTransitRouterVpnAttachment, deleteTransitRouterVpnAttachment, listTransitRouterVpnAttachments, updateTransitRouterVpnAttachmentAttribute,
} from './vpn-attachments';

export const CBN_OPERATIONS: readonly Operation[] = [
  createCen,
  describeCens,
  deleteCen,
  createTransitRouter,
  listTransitRouters,
  deleteTransitRouter,
  createTransitRouterCidr,
  listTransitRouterCidr,
  createTransitRouterVpnAttachment,
  listTransitRouterVpnAttachments,
  updateTransitRouterVpnAttachmentAttribute,
  deleteTransitRouterVpnAttachment,
  createTransitRouterRouteTable,
  listTransitRouterRouteTables,
  deleteTransitRouterRouteTable,
  associateTransitRouterAttachmentWithRouteTable,
  dissociateTransitRouterAttachmentFromRouteTable,
  listTransitRouterRouteTableAssociations,
  enableTransitRouterRouteTablePropagation,
  disableTransitRouterRouteTablePropagation,
  listTransitRouterRouteTablePropagations,
  createTransitRouterRouteEntry,
  deleteTransitRouterRouteEntry,
  listTransitRouterRouteEntries,
];
