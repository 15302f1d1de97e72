import type { Product } from '../product';
import { VPC_PARAMETERS } from './vpc-params';

export const VPC: Product = { name: 'Vpc', version: '2016-04-28', host: 'vpc.aliyuncs.com', ramService: 'vpc', parameters: VPC_PARAMETERS };

/** acs:vpc:{regionId}:{accountId}:vpnconnection/{VpnConnectionId} (DescribeVcoRouteEntries API page). */
export function vpnConnectionArn(regionId: string, accountId: string, connectionId: string): string {
  return `acs:vpc:${regionId}:${accountId}:vpnconnection/${connectionId}`;
}
