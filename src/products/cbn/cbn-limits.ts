/**
 * The CEN parameter table: a bound on every parameter's length before any work (non-XML characters refused too),
 * → IllegalParam.{Name}. Names and descriptions are bounded well above their documented 128 / 256 characters, so
 * the operations' own checks answer a slightly long one with CEN's documented InvalidName / InvalidDescription;
 * IDs, CIDR blocks, enums and numbers decided at 256 / 64 / 64 / 20.
 */
import { illegalParam } from '../../pop/errors';
import type { ParameterTable } from '../params';

const NAME = 1024;
const DESCRIPTION = 2048;
const ID = 256;
const SHORT = 64;
const NUMBER = 20;

export const CBN_PARAMETERS: ParameterTable = {
  maxLength: {
    RegionId: SHORT, ClientToken: SHORT, DryRun: SHORT, PageNumber: NUMBER, PageSize: NUMBER, MaxResults: NUMBER, NextToken: 256,
    Name: NAME, Description: DESCRIPTION, CenId: ID, ProtectionLevel: SHORT, 'Tag.N.Key': SHORT, 'Tag.N.Value': NAME,
    TransitRouterId: ID, TransitRouterName: NAME, TransitRouterDescription: DESCRIPTION, SupportMulticast: SHORT, Type: SHORT, Status: SHORT,
    'TransitRouterCidrList.N.Cidr': SHORT, 'TransitRouterCidrList.N.Name': NAME, 'TransitRouterCidrList.N.Description': DESCRIPTION,
    'TransitRouterCidrList.N.PublishCidrRoute': SHORT, 'TransitRouterIds.N': ID,
    TransitRouterAttachmentId: ID, TransitRouterAttachmentName: NAME, TransitRouterAttachmentDescription: DESCRIPTION,
    VpnId: ID, VpnOwnerId: NUMBER, CenRegionId: SHORT, AutoPublishRouteEnabled: SHORT, ChargeType: SHORT, Force: SHORT,
    'Zone.N.ZoneId': SHORT,
    TransitRouterRouteTableId: ID, TransitRouterRouteTableName: NAME, TransitRouterRouteTableDescription: DESCRIPTION,
    TransitRouterRouteTableType: SHORT, TransitRouterRouteTableStatus: SHORT, 'TransitRouterRouteTableIds.N': ID, 'TransitRouterRouteTableNames.N': NAME,
    'RouteTableOptions.MultiRegionECMP': SHORT,
    TransitRouterRouteEntryId: ID, TransitRouterRouteEntryName: NAME, TransitRouterRouteEntryDescription: DESCRIPTION,
    TransitRouterRouteEntryDestinationCidrBlock: SHORT, TransitRouterRouteEntryNextHopType: SHORT, TransitRouterRouteEntryNextHopId: ID,
    TransitRouterRouteEntryStatus: SHORT, TransitRouterRouteEntryType: SHORT, TransitRouterRouteEntryOriginResourceType: SHORT,
    TransitRouterRouteEntryOriginResourceId: ID, TransitRouterRouteEntryNextHopResourceType: SHORT, TransitRouterRouteEntryNextHopResourceId: ID,
    'TransitRouterRouteEntryIds.N': ID, 'TransitRouterRouteEntryNames.N': NAME, PrefixListId: ID,
    'RouteFilter.N.Key': SHORT, 'RouteFilter.N.Value.N': SHORT, 'Filter.N.Key': SHORT, 'Filter.N.Value.N': SHORT,
  },
  invalid: (name, _rule, message) => illegalParam(name, message),
};
