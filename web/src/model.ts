/** The API's response shapes the console reads (the fields it shows; the API sends more). */

export interface Tunnel {
  TunnelId: string;
  TunnelIndex?: number;
  State?: string;
  Status?: string;
  CustomerGatewayId?: string;
  TunnelBgpConfig?: { BgpStatus?: string; PeerAsn?: string; LocalAsn?: string; LocalBgpIp?: string; PeerBgpIp?: string; TunnelCidr?: string };
}

export interface VpnConnection {
  VpnConnectionId: string;
  Name?: string;
  State?: string;
  Status?: string;
  TransitRouterId?: string;
  EnableTunnelsBgp?: boolean;
  CreateTime?: number;
  LocalSubnet?: string;
  RemoteSubnet?: string;
  VpnBgpConfig?: { Status?: string };
  TunnelOptionsSpecification?: { TunnelOptions?: Tunnel[] };
}

export interface DescribeVpnConnectionsResponse {
  TotalCount: number;
  PageNumber: number;
  PageSize: number;
  VpnConnections: { VpnConnection: VpnConnection[] };
}

export type RouteEntryType = 'custom' | 'bgp';

export interface RouteEntry {
  VpnConnectionId: string;
  RouteDest: string;
  NextHop: string;
  Weight: number;
  State: string;
  RouteEntryType: RouteEntryType;
  CreateTime: number;
  AsPath?: string;
  Community?: string;
  Source?: string;
  NextHopTunnelIdList?: string[];
}

export interface RouteCount {
  RouteEntryType: string;
  Source: string;
  RouteCount: number;
}

export interface DescribeVcoRouteEntriesResponse {
  RequestId: string;
  TotalCount: number;
  PageNumber: number;
  PageSize: number;
  VcoRouteEntries: RouteEntry[];
  VpnRouteCounts?: RouteCount[];
}

/** One route change (ListVcoRouteChanges / WatchVcoRouteChanges; contract in /work/history-api.md). */
export interface RouteChange {
  EventId: string;
  ChangeTime: string;
  VpnConnectionId: string;
  ChangeType: 'Added' | 'Modified' | 'Removed';
  RouteEntryType: RouteEntryType;
  Source: string;
  RouteDest: string;
  NextHop?: string;
  Old: Record<string, unknown> | null;
  New: Record<string, unknown> | null;
  TunnelId?: string;
  Cause: string;
}

export interface ListVcoRouteChangesResponse {
  RequestId: string;
  RouteChanges: RouteChange[];
  NextToken: string;
}

export interface CallerIdentity {
  Arn?: string;
  AccountId?: string;
  IdentityType?: string;
  PrincipalId?: string;
}
