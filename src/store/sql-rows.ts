/**
 * Row shapes and row → record mappings shared by the two SQL backends. Both schemas use the same table and
 * column names (sqlite/migrations.ts, postgres/migrations.ts), so a row reads the same from either; only
 * the SQL dialect around it differs.
 */
import type { RamEntityKind, RamEntityRecord, RamLinkKind, RamLinkRecord, StsSessionRecord, UserAccessKeyRecord } from './ram-records';
import type {
  BgpSource, CenLinkKind, CenLinkRecord, CenResourceKind, CenResourceRecord, ConnectionAttributes, ConnectionRecord, CustomerGatewayRecord, RouteEntryType, RouteRecord, Tag, TunnelOptions, TunnelRecord,
} from './store';

// ---- Vco routes ----

export interface RouteRow {
  route_entry_type: RouteEntryType;
  route_dest: string;
  next_hop: string;
  weight: number;
  source: string | null;
  as_path: string | null;
  community: string | null;
  next_hop_tunnel_ids: string | null;
  create_time: number;
}

export const ROUTE_COLUMNS = 'route_entry_type, route_dest, next_hop, weight, source, as_path, community, next_hop_tunnel_ids, create_time';

export function toRoute(row: RouteRow): RouteRecord {
  return {
    routeEntryType: row.route_entry_type,
    routeDest: row.route_dest,
    nextHop: row.next_hop,
    weight: row.weight,
    source: row.source as BgpSource | null,
    asPath: row.as_path === null ? null : (JSON.parse(row.as_path) as number[]),
    community: row.community,
    nextHopTunnelIds: row.next_hop_tunnel_ids === null ? null : (JSON.parse(row.next_hop_tunnel_ids) as string[]),
    createTime: row.create_time,
  };
}

// ---- customer gateways, connections, tunnels ----

export interface GatewayRow {
  customer_gateway_id: string;
  account_id: string;
  region_id: string;
  ip_address: string;
  asn: number | null;
  auth_key: string;
  name: string;
  description: string;
  resource_group_id: string;
  tags: string;
  create_time: number;
}

export const GATEWAY_COLUMNS =
  'customer_gateway_id, account_id, region_id, ip_address, asn, auth_key, name, description, resource_group_id, tags, create_time';

export function toGateway(r: GatewayRow): CustomerGatewayRecord {
  return {
    customerGatewayId: r.customer_gateway_id,
    accountId: r.account_id,
    regionId: r.region_id,
    ipAddress: r.ip_address,
    asn: r.asn,
    authKey: r.auth_key,
    name: r.name,
    description: r.description,
    resourceGroupId: r.resource_group_id,
    tags: JSON.parse(r.tags) as Tag[],
    createTime: r.create_time,
  };
}

export interface ConnectionRow {
  connection_id: string;
  account_id: string;
  region_id: string;
  state: string;
  pending_state: string | null;
  pending_until: number | null;
  transit_router_id: string | null;
  customer_gateway_id: string | null;
  create_time: number;
  attributes: string;
  /** only where the query reads the routes version */
  routes_version?: number;
  /** only where the query reads the revision */
  revision?: number;
}

export const CONNECTION_COLUMNS =
  'connection_id, account_id, region_id, state, pending_state, pending_until, transit_router_id, customer_gateway_id, create_time, attributes';

export interface TunnelRow {
  tunnel_id: string;
  tunnel_index: number;
  status: string;
  customer_gateway_id: string | null;
  options: string;
}

export function toTunnel(t: TunnelRow): TunnelRecord {
  return {
    tunnelId: t.tunnel_id,
    tunnelIndex: t.tunnel_index,
    status: t.status,
    customerGatewayId: t.customer_gateway_id,
    options: JSON.parse(t.options) as TunnelOptions,
  };
}

export function toConnection(row: ConnectionRow, tunnels: TunnelRecord[]): ConnectionRecord {
  return {
    connectionId: row.connection_id,
    accountId: row.account_id,
    regionId: row.region_id,
    state: row.state,
    pendingState: row.pending_state,
    pendingUntil: row.pending_until,
    transitRouterId: row.transit_router_id,
    customerGatewayId: row.customer_gateway_id,
    createTime: row.create_time,
    tunnels,
    attributes: JSON.parse(row.attributes) as ConnectionAttributes,
    ...(row.routes_version === undefined ? {} : { routesVersion: row.routes_version }),
    ...(row.revision === undefined ? {} : { revision: Number(row.revision) }),
  };
}

// ---- RAM & STS ----

export interface EntityRow {
  account_id: string;
  kind: RamEntityKind;
  entity_id: string;
  name: string;
  data: string;
  create_date: number;
  update_date: number;
  revision: number;
}

export interface LinkRow {
  account_id: string;
  kind: RamLinkKind;
  from_id: string;
  to_id: string;
  create_date: number;
}

export interface KeyRow {
  access_key_id: string;
  account_id: string;
  user_id: string;
  secret: string;
  status: UserAccessKeyRecord['status'];
  create_date: number;
}

export interface SessionRow {
  access_key_id: string;
  account_id: string;
  secret: string;
  token: string;
  role_id: string;
  role_name: string;
  session_name: string;
  session_policy: string | null;
  source_identity: string | null;
  expires_at: number;
  create_date: number;
  origin_account_id: string | null;
  origin_user_id: string | null;
}

export const ENTITY_COLUMNS = 'account_id, kind, entity_id, name, data, create_date, update_date';
/** What reads of entities select: the written columns and the revision. */
export const ENTITY_READ_COLUMNS = `${ENTITY_COLUMNS}, revision`;
export const LINK_COLUMNS = 'account_id, kind, from_id, to_id, create_date';
export const KEY_COLUMNS = 'access_key_id, account_id, user_id, secret, status, create_date';
export const SESSION_COLUMNS = 'access_key_id, account_id, secret, token, role_id, role_name, session_name, session_policy, source_identity, expires_at, create_date, origin_account_id, origin_user_id';

export const toEntity = (r: EntityRow): RamEntityRecord => ({
  accountId: r.account_id, kind: r.kind, id: r.entity_id, name: r.name, createDate: r.create_date, updateDate: r.update_date,
  data: JSON.parse(r.data) as Record<string, unknown>, revision: r.revision,
});
export const toLink = (r: LinkRow): RamLinkRecord => ({ accountId: r.account_id, kind: r.kind, fromId: r.from_id, toId: r.to_id, createDate: r.create_date });
export const toKey = (r: KeyRow): UserAccessKeyRecord => ({
  accessKeyId: r.access_key_id, accountId: r.account_id, userId: r.user_id, secret: r.secret, status: r.status, createDate: r.create_date,
});
export const toSession = (r: SessionRow): StsSessionRecord => ({
  accessKeyId: r.access_key_id, accountId: r.account_id, secret: r.secret, token: r.token, roleId: r.role_id, roleName: r.role_name,
  sessionName: r.session_name, sessionPolicy: r.session_policy, sourceIdentity: r.source_identity, expiresAt: r.expires_at, createDate: r.create_date,
  originAccountId: r.origin_account_id, originUserId: r.origin_user_id,
});

// ---- CEN resources and links ----

export interface CenResourceRow {
  id: string;
  kind: CenResourceKind;
  account_id: string;
  parent_id: string | null;
  region_id: string;
  unique_key: string | null;
  ref_id: string | null;
  create_time: number | string;
  ready_at: number | string | null;
  gone_at: number | string | null;
  doc: string;
}

export const CEN_RESOURCE_COLUMNS = 'id, kind, account_id, parent_id, region_id, unique_key, ref_id, create_time, ready_at, gone_at, doc';

const optionalNumber = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function toCenResource(r: CenResourceRow): CenResourceRecord {
  return {
    id: r.id,
    kind: r.kind,
    accountId: r.account_id,
    parentId: r.parent_id,
    regionId: r.region_id,
    uniqueKey: r.unique_key,
    refId: r.ref_id,
    createTime: Number(r.create_time),
    readyAt: optionalNumber(r.ready_at),
    goneAt: optionalNumber(r.gone_at),
    doc: JSON.parse(r.doc) as Record<string, unknown>,
  };
}

export interface CenLinkRow {
  kind: CenLinkKind;
  account_id: string;
  attachment_id: string;
  route_table_id: string;
  transit_router_id: string;
  create_time: number | string;
  ready_at: number | string | null;
  gone_at: number | string | null;
}

export const CEN_LINK_COLUMNS = 'kind, account_id, attachment_id, route_table_id, transit_router_id, create_time, ready_at, gone_at';

export function toCenLink(r: CenLinkRow): CenLinkRecord {
  return {
    kind: r.kind,
    accountId: r.account_id,
    attachmentId: r.attachment_id,
    routeTableId: r.route_table_id,
    transitRouterId: r.transit_router_id,
    createTime: Number(r.create_time),
    readyAt: optionalNumber(r.ready_at),
    goneAt: optionalNumber(r.gone_at),
  };
}
