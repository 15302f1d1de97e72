/**
 * The storage interface: asynchronous and backend-neutral. Business rules live above it (domain/,
 * products/); a backend only stores, indexes and counts. Every backend runs test/contract/store.test.ts.
 */
import type { ReadAheadRequest, ReadAheadResult } from './read-ahead';
import type {
  RamDependents, RamEntityKind, RamEntityRecord, RamEntityRef, RamLinkKind, RamLinkLimit, RamLinkRecord, StsSessionRecord, UserAccessKeyRecord,
} from './ram-records';
export type {
  RamDependents, RamEntityKind, RamEntityRecord, RamEntityRef, RamLinkKind, RamLinkLimit, RamLinkRecord, StsSessionRecord, UserAccessKeyRecord,
} from './ram-records';
import type { SnapshotBatch } from './snapshot-tables';

/**
 * The backend cannot be reached (connection refused or lost, timeout). Transient: the pipeline answers 503
 * ServiceUnavailable and /_vcoroute/health reports it; service resumes when the backend answers again.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** A write would break a uniqueness rule of the schema that the caller did not check (e.g. a tunnel ID of another connection). */
export class StoreConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreConflictError';
  }
}

export const ROUTE_ENTRY_TYPES = ['custom', 'bgp'] as const;
export type RouteEntryType = (typeof ROUTE_ENTRY_TYPES)[number];
export const BGP_SOURCES = ['VPN_BGP', 'CLOUD'] as const;
export type BgpSource = (typeof BGP_SOURCES)[number];

export interface AccessKeyRecord {
  accessKeyId: string;
  accountId: string;
  secret: string;
  status: 'Active' | 'Inactive';
}

export interface IkeConfig {
  ikeVersion: string;
  ikeMode: string;
  ikeEncAlg: string;
  ikeAuthAlg: string;
  ikePfs: string;
  ikeLifetime: number;
  localId: string;
  remoteId: string;
  psk: string;
}

export interface IpsecConfig {
  ipsecEncAlg: string;
  ipsecAuthAlg: string;
  ipsecPfs: string;
  ipsecLifetime: number;
}

export interface TunnelBgpConfig {
  localAsn: number;
  tunnelCidr: string;
  localBgpIp: string;
}

/** Configuration of one tunnel, stored as a document (nothing queries inside it). */
export interface TunnelOptions {
  enableDpd: boolean;
  enableNatTraversal: boolean;
  role: 'master' | 'slave';
  internetIp: string;
  zoneNo: string;
  ike: IkeConfig;
  ipsec: IpsecConfig;
  bgp: TunnelBgpConfig;
}

export interface TunnelRecord {
  tunnelId: string;
  tunnelIndex: number; // 1 or 2
  status: string; // IKE/IPsec negotiation status, e.g. ipsec_sa_established
  customerGatewayId: string | null;
  options: TunnelOptions;
}

export interface Tag {
  key: string;
  value: string;
}

/** Configuration of a connection, stored as a document (nothing queries inside it). */
export interface ConnectionAttributes {
  name: string;
  description: string;
  localSubnet: string;
  remoteSubnet: string;
  networkType: 'public' | 'private';
  effectImmediately: boolean;
  autoConfigRoute: boolean;
  enableTunnelsBgp: boolean;
  tunnelBandwidth: string;
  resourceGroupId: string;
  tags: Tag[];
  internetIp: string;
  /** single-tunnel connections only */
  single?: {
    enableDpd: boolean;
    enableNatTraversal: boolean;
    remoteCaCert: string;
    ike: IkeConfig;
    ipsec: IpsecConfig;
    bgp: { enableBgp: boolean; localAsn: number; tunnelCidr: string; localBgpIp: string };
    healthCheck: { enable: boolean; dip: string; sip: string; interval: number; retry: number; policy: string };
  };
}

export interface ConnectionRecord {
  connectionId: string;
  accountId: string;
  regionId: string;
  /** the stable state; while `now < pendingUntil` the connection shows `pendingState` instead */
  state: string;
  pendingState: string | null;
  pendingUntil: number | null;
  transitRouterId: string | null;
  /** single-tunnel connections: their customer gateway */
  customerGatewayId: string | null;
  createTime: number; // epoch ms
  tunnels: TunnelRecord[]; // empty = single-tunnel, two = dual-tunnel
  attributes: ConnectionAttributes;
  /**
   * Read-only, set by getConnection/findConnection (putConnection ignores it): changes in the same transaction
   * as every change to the connection's routes, and never repeats for a connection ID (deleting and re-creating
   * the connection moves it on). Caches of rendered route pages key on it.
   */
  routesVersion?: number;
  /**
   * Set by the store when it reads a connection: moves on with every write of the connection record
   * (put, update, transition), so a read-modify-write can be made conditional (updateConnection).
   */
  revision?: number;
}

export interface CustomerGatewayRecord {
  customerGatewayId: string;
  accountId: string;
  regionId: string;
  ipAddress: string;
  asn: number | null;
  authKey: string;
  name: string;
  description: string;
  resourceGroupId: string;
  tags: Tag[];
  createTime: number;
}

/** A state change of a connection, applied only if no other change is in progress. */
export interface ConnectionTransition {
  /** stable state after the change (e.g. attached) */
  state: string;
  /** state shown until `pendingUntil` (e.g. attaching, updating); null for an immediate change */
  pendingState: string | null;
  pendingUntil: number | null;
  transitRouterId?: string | null;
}

export interface RouteRecord {
  routeEntryType: RouteEntryType;
  routeDest: string;
  nextHop: string;
  weight: number;
  source: BgpSource | null; // null for custom routes
  asPath: number[] | null; // null for custom routes
  community: string | null; // null for custom routes
  nextHopTunnelIds: string[] | null; // null = every tunnel of the connection
  createTime: number; // epoch ms
}

/**
 * A condition a route write checks in its own transaction, with the connection row locked: the connection's
 * stored state must be `whenState`, else StoreConflictError and nothing changes (e.g. a detach won the race).
 */
export interface RouteWriteGuard {
  whenState: string;
}

/** A route with its identity, computed by the business rules (domain/routes.ts), never by a backend. */
export interface KeyedRoute {
  key: string;
  route: RouteRecord;
}

export interface RouteCount {
  routeEntryType: RouteEntryType;
  source: BgpSource | null;
  count: number;
}

export interface ConnectionFilter {
  connectionId?: string;
  customerGatewayId?: string;
  /** only connections attached to a transit router (DescribeVpnAttachments) */
  attachedToTransitRouter?: boolean;
}

export interface RouteFilter {
  routeEntryType?: RouteEntryType;
  /** a route's identity (domain/routes.ts routeKey) */
  routeKey?: string;
  routeDest?: string;
  source?: BgpSource;
}

/**
 * A tunnel's BGP session as every server sees it: who holds it (a lease renewed by the holder) and its state.
 * One server holds all live sessions of a connection at a time, so a connection's learned routes have one writer.
 */
export interface BgpSessionRecord {
  connectionId: string;
  /** the tunnel ID; a single-tunnel connection's ID for its one session */
  tunnelId: string;
  /** the server ID holding the session */
  holder: string;
  /** epoch ms; past it the session is void and its learned routes are dropped by any server (expireBgpSessions) */
  leaseExpiresAt: number;
  /** the FSM state (Established or not) */
  state: string;
  peerAsn: number | null;
  peerAddress: string | null;
  establishedAt: number | null;
  prefixesReceived: number;
  prefixesAccepted: number;
  prefixesAdvertised: number;
}

/**
 * The response of a ClientToken request, recorded in the same transaction as the write that produces it, so
 * the resource and its token commit together or not at all: a process killed or a database cut off in
 * between can never leave a committed write whose token still looks unfinished (a retry would run it twice).
 * Written only when the write takes effect, and only while the token is still this request's own pending claim
 * (`claimedAt`); otherwise the write is rolled back and ClientTokenLostError thrown.
 */
export interface TokenCompletion {
  accountId: string;
  token: string;
  claimedAt: number;
  response: { status: number; body: Record<string, unknown> };
}

/** A connection's propagated CLOUD routes (by key) as they were at a routes version. */
export interface PropagatedSnapshot {
  routesVersion: number;
  rows: ReadonlyMap<string, RouteRecord>;
}

export interface PropagatedSyncResult {
  inserted: number;
  updated: number;
  deleted: number;
  /** wanted keys held by hand-seeded CLOUD routes (not written) */
  skipped: string[];
  /** the connection's routes version after the call */
  routesVersion: number;
}

/** The request's ClientToken claim was taken over by a retry (it ran too long): its write was not made. */
export class ClientTokenLostError extends Error {
  constructor() {
    super('the ClientToken claim was taken over by a retry');
    this.name = 'ClientTokenLostError';
  }
}

export interface IdempotencyRecord {
  fingerprint: string;
  /** undefined while the first request is still running */
  response?: { status: number; body: Record<string, unknown> };
  createdAt: number;
}

/** A fault-injection rule or effect (src/chaos), stored as a document; shared by every server on the store. */
export interface FaultRuleRecord {
  ruleId: string;
  kind: 'fault' | 'effect' | 'bgp';
  /** the rule as JSON (src/chaos/fault-rules.ts) */
  rule: string;
  /** epoch ms after which the rule no longer applies; null = until deleted */
  expiresAt: number | null;
  createdAt: number;
}

// ---- CEN (product Cbn): transit routers, their route tables, VPN attachments, static entries ----

export type CenResourceKind = 'cen' | 'transitRouter' | 'routeTable' | 'vpnAttachment' | 'routeEntry';

/**
 * A CEN resource. What is queried or constrained is a column (kind, account, parent, region, unique key,
 * reference); the rest (names, tags, options) is a document shaped by the product (products/cbn/records.ts).
 * States come from timestamps: transient after creation until `readyAt`, leaving from the delete until
 * `goneAt`, absent after it (no timers; every server computes the same).
 */
export interface CenResourceRecord {
  id: string;
  kind: CenResourceKind;
  accountId: string;
  /** the CEN of a transit router, the transit router of a route table or attachment, the route table of an entry; null for a CEN */
  parentId: string | null;
  /** '' for a CEN (global) */
  regionId: string;
  /**
   * Unique among the kind's resources that are not being deleted, when set: one transit router per CEN and
   * region, one attachment per VPN connection, one static entry per table and destination. Cleared by the delete.
   */
  uniqueKey: string | null;
  /** a resource this one points at: an attachment's VPN connection, a static entry's next-hop attachment */
  refId: string | null;
  createTime: number;
  readyAt: number | null;
  goneAt: number | null;
  doc: Record<string, unknown>;
}

export type CenLinkKind = 'association' | 'propagation';

/** An association (forwarding: at most one per attachment) or a propagation (route learning) of an attachment with a route table. */
export interface CenLinkRecord {
  kind: CenLinkKind;
  accountId: string;
  attachmentId: string;
  routeTableId: string;
  transitRouterId: string;
  createTime: number;
  readyAt: number | null;
  goneAt: number | null;
}

/** What blocks a delete: a live resource of `kind` under `parentId` (or pointing at `refId`), except `exceptId`; or a live link. */
export type CenBlocker =
  | { kind: CenResourceKind; parentId?: string; refId?: string; exceptId?: string }
  | { link: CenLinkKind; attachmentId?: string; routeTableId?: string };

export interface CenDeleteOutcome {
  outcome: 'deleted' | 'missing' | 'busy' | 'blocked';
  /** index in the blockers of the first that holds (outcome 'blocked') */
  blocker?: number;
}

// ---- Route-change history (src/history reads it; the backends record it in the transaction of every route change) ----

export const ROUTE_CHANGE_CAUSES = ['api', 'bgp-update', 'bgp-withdraw', 'session-down', 'tunnel-down', 'detached', 'propagation', 'connection-deleted'] as const;
export type RouteChangeCause = (typeof ROUTE_CHANGE_CAUSES)[number];
export type RouteChangeType = 'Added' | 'Modified' | 'Removed';

/** Why a route changed and over which tunnel ('' when none): handed down by the writer, recorded with the change. */
export interface RouteChangeOrigin {
  cause: RouteChangeCause;
  tunnelId: string;
}

/** One recorded change of one route of a connection. */
export interface RouteChangeRecord {
  connectionId: string;
  /** per connection, from 1, without gaps, in commit order (assigned under the connection's routes-version row lock) */
  eventId: number;
  changeTime: number; // epoch ms
  changeType: RouteChangeType;
  routeEntryType: RouteEntryType;
  /** null for custom routes */
  source: BgpSource | null;
  routeDest: string;
  nextHop: string;
  old: RouteRecord | null;
  new: RouteRecord | null;
  tunnelId: string;
  cause: RouteChangeCause;
}

/** A filtered page of one connection's changes; every filter is optional. */
export interface RouteChangeQuery {
  connectionId: string;
  routeEntryType?: RouteEntryType;
  /** null: custom routes */
  source?: BgpSource | null;
  /** RouteDest inside this block: its network address in [first, last] and its prefix length ≥ minPrefix (IPv4 as unsigned 32-bit) */
  within?: { first: number; last: number; minPrefix: number };
  /** change time range, inclusive, epoch ms */
  startTime?: number;
  endTime?: number;
  afterEventId?: number;
  beforeEventId?: number;
  order: 'asc' | 'desc';
  limit: number;
}

export interface Store {
  readonly backend: string;
  close(): Promise<void>;
  /** Checks that the backend answers; throws StoreUnavailableError when it does not (health endpoint). */
  ping?(): Promise<void>;

  // identities
  upsertAccount(accountId: string, now: number): Promise<void>;
  hasAccount(accountId: string): Promise<boolean>;
  /** A counter bumped by every RAM write of the account; 0 for an unknown account. */
  getRamGeneration(accountId: string): Promise<number>;
  bumpRamGeneration(accountId: string): Promise<void>;
  upsertAccessKey(key: AccessKeyRecord, now: number): Promise<void>;
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;

  // replay protection: true when the nonce was unused (and is now recorded until expiresAt)
  useNonce(accessKeyId: string, nonce: string, expiresAt: number): Promise<boolean>;
  pruneNonces(now: number): Promise<number>;

  // read-ahead (read-ahead.ts), optional: a backend whose every read is a round trip (PostgreSQL) answers what a
  // signed read needs — nonce claim, key, RAM generation, connection, counts, first page — in one
  readAhead?(request: ReadAheadRequest): Promise<ReadAheadResult>;
  /** with readAhead: forgets a nonce it claimed for a request that then failed authentication */
  releaseNonce?(accessKeyId: string, nonce: string, expiresAt: number): Promise<void>;
  /** optional: a request has arrived whole; a backend's in-process caches must answer it with every commit made before (SQLite) */
  requestArrived?(): void;

  // idempotency (ClientToken)
  /**
   * Records a pending token; returns the existing record if the token is already known. Records created
   * before `notBefore` are replaced (the retention window has passed), and so are records still pending
   * that were created before `stalePendingBefore` (their request died — e.g. the database went away — and
   * can no longer complete).
   */
  claimClientToken(accountId: string, token: string, fingerprint: string, now: number, notBefore: number, stalePendingBefore?: number): Promise<IdempotencyRecord | undefined>;
  /**
   * Records the response of a claimed token. With `claimedAt` (the `now` of the claim), only if the record
   * is still that claim: a request whose stale claim was taken over by a retry changes nothing.
   */
  completeClientToken(accountId: string, token: string, response: { status: number; body: Record<string, unknown> }, claimedAt?: number): Promise<void>;
  /** Drops a pending token (the request failed); with `claimedAt`, only if the record is still that claim. */
  releaseClientToken(accountId: string, token: string, claimedAt?: number): Promise<void>;
  pruneClientTokens(olderThan: number): Promise<number>;

  // Writes that take `completion?: TokenCompletion` record a ClientToken's response in their own transaction
  // when they take effect (put: always; update/delete/insert: true or > 0; replace: 'ok'; gateway delete: 'deleted').

  // Region quotas (customer gateways, connections): with `maxInRegion`, the put counts the account's others of
  // its kind in the region and writes only below the figure, in one transaction holding the (account, region)
  // lock — SQLite IMMEDIATE, PostgreSQL an advisory transaction lock — so racing creates never overshoot, across
  // servers; otherwise 'limit', nothing written, the token not completed. The figure is decided above the store.

  // customer gateways
  putCustomerGateway(gateway: CustomerGatewayRecord, completion?: TokenCompletion, maxInRegion?: number): Promise<'stored' | 'limit'>;
  getCustomerGateway(accountId: string, customerGatewayId: string): Promise<CustomerGatewayRecord | undefined>;
  /** In creation order (then ID); `customerGatewayId` narrows to one. */
  listCustomerGateways(accountId: string, regionId: string, offset: number, limit: number, customerGatewayId?: string): Promise<{ total: number; items: CustomerGatewayRecord[] }>;
  /** Deletes the gateway unless a connection or tunnel uses it: 'deleted' | 'in-use' | 'missing'. */
  deleteCustomerGateway(accountId: string, customerGatewayId: string, completion?: TokenCompletion): Promise<'deleted' | 'in-use' | 'missing'>;

  // VPN connections
  /**
   * Creates or replaces a connection with its tunnels. StoreConflictError when a tunnel ID belongs to
   * another connection or a customer gateway it names does not exist (e.g. deleted concurrently).
   */
  putConnection(connection: ConnectionRecord, completion?: TokenCompletion, maxInRegion?: number): Promise<'stored' | 'limit'>;
  getConnection(accountId: string, connectionId: string): Promise<ConnectionRecord | undefined>;
  /** Looks a connection up by id alone (admin API). */
  findConnection(connectionId: string): Promise<ConnectionRecord | undefined>;
  /** In creation order (then ID); filters narrow the list. */
  listConnections(accountId: string, regionId: string, filter: ConnectionFilter, offset: number, limit: number): Promise<{ total: number; items: ConnectionRecord[] }>;
  /**
   * Applies a state change atomically, only if no change is in progress at `now` (pendingUntil ≤ now) and
   * the current stable state is one of `fromStates`. Returns false otherwise: the database, not process
   * memory, decides which of two racing writers wins.
   */
  transitionConnection(connectionId: string, fromStates: readonly string[], transition: ConnectionTransition, now: number): Promise<boolean>;
  /**
   * Replaces a connection and its tunnels only if its revision is still `expectedRevision` (nobody wrote
   * it since it was read); false otherwise, or when it is gone. Same conflicts as putConnection.
   */
  updateConnection(connection: ConnectionRecord, expectedRevision: number, completion?: TokenCompletion): Promise<boolean>;
  /** Deletes a connection with its routes; with `expectedRevision`, only if nobody wrote it since it was read. */
  deleteConnection(connectionId: string, expectedRevision?: number, completion?: TokenCompletion): Promise<boolean>;

  // Vco routes
  /** Inserts or replaces routes by their identity (see domain/routes.ts routeKey); new routes go last. */
  upsertRoutes(connectionId: string, routes: readonly KeyedRoute[]): Promise<{ inserted: number; updated: number }>;
  deleteRoutes(connectionId: string, filter: RouteFilter, guard?: RouteWriteGuard, completion?: TokenCompletion): Promise<number>;
  /** Inserts one route unless a route with its key exists; false when it exists. */
  insertRoute(connectionId: string, route: KeyedRoute, guard?: RouteWriteGuard, completion?: TokenCompletion): Promise<boolean>;
  /** Looks one route up by its identity. */
  findRoute(connectionId: string, routeEntryType: RouteEntryType, key: string): Promise<RouteRecord | undefined>;
  /** Replaces a route (found by old key) in place, keeping its position: 'ok' | 'missing' | 'exists' (new key taken). */
  replaceRoute(connectionId: string, routeEntryType: RouteEntryType, oldKey: string, route: KeyedRoute, guard?: RouteWriteGuard, completion?: TokenCompletion): Promise<'ok' | 'missing' | 'exists'>;
  countRoutes(connectionId: string): Promise<RouteCount[]>;
  /** One page in listing order (creation order; see docs/compatibility.md). */
  listRoutes(connectionId: string, routeEntryType: RouteEntryType, offset: number, limit: number): Promise<RouteRecord[]>;

  // BGP speaker (src/bgp/speaker/): loopback ports and session leases
  /**
   * The tunnel's loopback-mode BGP port: the existing assignment, or the lowest port of [firstPort, lastPort]
   * no other tunnel holds (decided atomically: two servers never get one port). StoreConflictError when the
   * range is full. Freed when the connection is deleted.
   */
  assignBgpPort(tunnelId: string, firstPort: number, lastPort: number): Promise<number>;
  getBgpPort(tunnelId: string): Promise<number | undefined>;
  /**
   * Takes or renews the lease of a tunnel's session: false when another server holds an unexpired lease of any
   * session of the same connection. When the connection had no unexpired lease, its VPN_BGP routes (left by a
   * holder that died) are dropped in the same transaction.
   */
  claimBgpSession(session: BgpSessionRecord, now: number): Promise<boolean>;
  /** Renews the lease and records the state; false (nothing written) when `session.holder` no longer holds it. */
  putBgpSessionStatus(session: BgpSessionRecord, now: number): Promise<boolean>;
  /** Drops the lease if `holder` holds it. */
  releaseBgpSession(tunnelId: string, holder: string): Promise<void>;
  /** The connection's session records (expired ones included; callers compare leaseExpiresAt), by tunnel ID. */
  listBgpSessions(connectionId: string): Promise<BgpSessionRecord[]>;
  /**
   * Writes learned routes (upserts, then deletes by route key, type bgp) only while `holder` holds an unexpired
   * lease of one of the connection's sessions; false and nothing written otherwise. `origins` (by route key) say
   * why each row changed (default: bgp-update for upserts, bgp-withdraw for deletes).
   */
  writeBgpRoutes(
    connectionId: string, holder: string, upserts: readonly KeyedRoute[], deleteKeys: readonly string[], now: number,
    origins?: ReadonlyMap<string, RouteChangeOrigin>,
  ): Promise<boolean>;
  /** IDs of the connections attached (or attaching) to a transit router, every account: the speaker's candidates. */
  listAttachedConnectionIds(): Promise<string[]>;
  /** Drops expired leases, and the VPN_BGP routes of connections left without an unexpired lease; returns those connections. */
  expireBgpSessions(now: number): Promise<string[]>;
  /**
   * Replaces the connection's propagated CLOUD routes (those written by transit-router route propagation,
   * routing/) with `routes` (all bgp/CLOUD), in one transaction: rows no longer wanted go, new ones are added,
   * changed ones replaced in place; a hand-seeded CLOUD route (upsertRoutes) with the same key is kept and
   * wins (its key is reported in `skipped`). The routes version moves on only when something changed; the
   * result carries it. With `known` — the propagated rows as a caller knows them at a routes version — and the
   * connection still at that version, the backend trusts them instead of reading every propagated row.
   * StoreConflictError when the connection is gone. The changes are recorded with `cause` (default propagation).
   */
  syncPropagatedRoutes(connectionId: string, routes: readonly KeyedRoute[], known?: PropagatedSnapshot, cause?: 'propagation' | 'detached'): Promise<PropagatedSyncResult>;
  /** The first `limit` routes of the connection of one type and source (null: custom), in listing order. */
  listRoutesOfSource(connectionId: string, routeEntryType: RouteEntryType, source: BgpSource | null, limit: number): Promise<RouteRecord[]>;

  // CEN resources (rules in products/cbn and routing/; the store keeps uniqueness, parents and blockers atomic)
  /**
   * Inserts a resource: 'exists' when a live resource of the kind has its unique key, 'no-parent' when the
   * parent is missing or being deleted.
   */
  createCenResource(resource: CenResourceRecord, completion?: TokenCompletion): Promise<'created' | 'exists' | 'no-parent'>;
  /**
   * Inserts a VPN attachment (unique key = refId = its connection) and, in the same transaction, applies
   * `transition` (unless null: the connection is attached already) to the connection from state init: 'connection-busy'
   * when that is refused (nothing changes).
   */
  createVpnAttachment(attachment: CenResourceRecord, transition: ConnectionTransition | null, now: number, completion?: TokenCompletion): Promise<'created' | 'exists' | 'no-parent' | 'connection-busy'>;
  /** The resource unless it is gone at `now` (one being deleted is returned: it shows Deleting). */
  getCenResource(accountId: string, kind: CenResourceKind, id: string, now: number): Promise<CenResourceRecord | undefined>;
  /** The live resource of the kind holding the unique key (not being deleted), any account. */
  findCenResourceByUniqueKey(kind: CenResourceKind, uniqueKey: string, now: number): Promise<CenResourceRecord | undefined>;
  /** The account's resources of the kind not gone at `now`, in creation order (then ID); filters narrow. */
  listCenResources(accountId: string, kind: CenResourceKind, filter: { parentId?: string; regionId?: string; refId?: string }, now: number): Promise<CenResourceRecord[]>;
  /** Replaces the document of a live resource (not being deleted); false otherwise. */
  updateCenResource(accountId: string, kind: CenResourceKind, id: string, doc: Record<string, unknown>, now: number, completion?: TokenCompletion): Promise<boolean>;
  /**
   * Starts deleting a resource (gone at `goneAt`) unless a blocker holds, decided in one transaction against
   * the creates: 'busy' when it is already being deleted or still being created at `now`.
   */
  deleteCenResource(accountId: string, kind: CenResourceKind, id: string, goneAt: number, now: number, blockers: readonly CenBlocker[], completion?: TokenCompletion): Promise<CenDeleteOutcome>;
  /**
   * Deletes a VPN attachment (as deleteCenResource) and, in the same transaction, applies `transition` to its
   * connection from state attached (a connection deleted meanwhile is no obstacle); with `force`, the
   * attachment's links and the static entries pointing at it go with it, otherwise they are blockers.
   * 'connection-busy' when the connection is changing.
   */
  deleteVpnAttachment(accountId: string, id: string, goneAt: number, transition: ConnectionTransition, now: number, force: boolean, completion?: TokenCompletion): Promise<CenDeleteOutcome | { outcome: 'connection-busy' }>;
  /**
   * Inserts a link: 'exists' when the same live link exists, 'associated' when (association) the attachment
   * has another live association, 'no-parent' when the attachment or the table is missing, being created or deleted.
   */
  createCenLink(link: CenLinkRecord, completion?: TokenCompletion): Promise<'created' | 'exists' | 'associated' | 'no-parent'>;
  /** Starts removing a live link (gone at `goneAt`): 'busy' when it is being created or removed at `now`. */
  deleteCenLink(accountId: string, kind: CenLinkKind, attachmentId: string, routeTableId: string, goneAt: number, now: number, completion?: TokenCompletion): Promise<'deleted' | 'missing' | 'busy'>;
  /** The account's links of the kind not gone at `now`, in creation order; filters narrow. */
  listCenLinks(accountId: string, kind: CenLinkKind, filter: { attachmentId?: string; routeTableId?: string; transitRouterId?: string }, now: number): Promise<CenLinkRecord[]>;

  /** Empties everything but the given root identity (and the replay-protection nonces, which are security state). */
  reset(keepAccountId: string, keepAccessKeyId: string): Promise<void>;

  // ---- RAM & STS ----  (records in ram-records.ts; rules, limits and validation live in src/iam and src/products/ram|sts)
  //
  // Structural writes — creating an entity or AccessKey, adding a link, deleting an entity — are each one
  // transaction under the account's RAM lock (SQLite: an IMMEDIATE transaction; PostgreSQL: a transaction-level
  // advisory lock per account), so what they check (both ends of a link exist, nothing depends on a deleted
  // entity, a count is below its limit) still holds when they write, across servers. Limits are handed down.
  /**
   * Inserts an entity while the account has fewer than `maxOfKind` entities of its kind: 'created', 'limit', or
   * 'exists' when (accountId, kind, name) or the id is taken.
   */
  createRamEntity(entity: RamEntityRecord, maxOfKind?: number): Promise<'created' | 'exists' | 'limit'>;
  getRamEntity(accountId: string, kind: RamEntityKind, name: string): Promise<RamEntityRecord | undefined>;
  getRamEntityById(accountId: string, kind: RamEntityKind, id: string): Promise<RamEntityRecord | undefined>;
  /** Entities in ascending name order (plain string comparison), names strictly after `after`; at most `limit`. */
  listRamEntities(accountId: string, kind: RamEntityKind, after: string | undefined, limit: number): Promise<RamEntityRecord[]>;
  countRamEntities(accountId: string, kind: RamEntityKind): Promise<number>;
  /**
   * Replaces name, data and updateDate of the entity (accountId, kind, id) and moves its revision on; false when
   * missing or the new name is taken. With `expectedRevision`, only if the revision is still that (nobody wrote
   * the entity since it was read): false otherwise, and the database decides which of two racing writers wins.
   */
  updateRamEntity(entity: RamEntityRecord, expectedRevision?: number): Promise<boolean>;
  /**
   * Deletes the entity only if none of `dependents` exists: 'deleted', 'missing' (gone, or with
   * `expectedRevision` written since it was read), or the first of `dependents` (in the order given) that
   * exists, as the very object given. Decided under the account's RAM lock against addRamLink and createUserAccessKey: a racing link
   * either lands first and blocks the delete, or finds the entity gone.
   */
  deleteRamEntityUnlinked(
    accountId: string, kind: RamEntityKind, id: string, dependents: readonly RamDependents[], expectedRevision?: number,
  ): Promise<'deleted' | 'missing' | RamDependents>;
  /**
   * Adds a link while both its ends exist — the entity it goes from (RAM_LINK_FROM[link.kind], by fromId) and
   * `to` when given (system policies have no entity) — and, with `limit`, while that entity has fewer such
   * links; under the account's RAM lock, so no link outlives an end deleted by deleteRamEntityUnlinked.
   * Checked in this order: 'missing-from', 'missing-to', 'exists' (the link does), 'limit'; else 'added'.
   */
  addRamLink(link: RamLinkRecord, to: RamEntityRef | undefined, limit?: RamLinkLimit): Promise<'added' | 'missing-from' | 'missing-to' | 'exists' | 'limit'>;
  removeRamLink(accountId: string, kind: RamLinkKind, fromId: string, toId: string): Promise<boolean>;
  /** Links in creation order. */
  listRamLinksFrom(accountId: string, kind: RamLinkKind, fromId: string): Promise<RamLinkRecord[]>;
  listRamLinksTo(accountId: string, kind: RamLinkKind, toId: string): Promise<RamLinkRecord[]>;
  /**
   * Inserts a new AccessKey while its user (key.accountId, key.userId) exists and has fewer than `maxPerUser`
   * keys, under the account's RAM lock: 'created', 'missing' (no such user) or 'limit'.
   */
  createUserAccessKey(key: UserAccessKeyRecord, maxPerUser: number): Promise<'created' | 'missing' | 'limit'>;
  /** Changes the status of an existing key; false when it is gone (a deleted key is never re-created). */
  setUserAccessKeyStatus(accessKeyId: string, status: UserAccessKeyRecord['status']): Promise<boolean>;
  getUserAccessKey(accessKeyId: string): Promise<UserAccessKeyRecord | undefined>;
  /** In creation order. */
  listUserAccessKeys(accountId: string, userId: string): Promise<UserAccessKeyRecord[]>;
  deleteUserAccessKey(accessKeyId: string): Promise<boolean>;
  putStsSession(session: StsSessionRecord): Promise<void>;
  getStsSession(accessKeyId: string): Promise<StsSessionRecord | undefined>;
  pruneStsSessions(expiredBefore: number): Promise<number>;

  // ---- operations (src/flow-control, src/chaos) ----
  /**
   * Adds one call to the counter of (quotaKey, windowStart) and returns the count including it; one atomic
   * statement, so servers sharing the store count together. The counter may be dropped after `expiresAt`.
   */
  countRequest(quotaKey: string, windowStart: number, expiresAt: number): Promise<number>;
  pruneRequestCounts(now: number): Promise<number>;
  /** Rules in creation order (then ID), expired ones left out. */
  listFaultRules(kind: FaultRuleRecord['kind'], now: number): Promise<FaultRuleRecord[]>;
  /** Replaces every rule of the kind with `rules` in one transaction. */
  replaceFaultRules(kind: FaultRuleRecord['kind'], rules: readonly FaultRuleRecord[]): Promise<void>;
  addFaultRules(rules: readonly FaultRuleRecord[]): Promise<void>;
  deleteFaultRules(ruleIds: readonly string[]): Promise<number>;

  // ---- state snapshots (tables in snapshot-tables.ts; document and CLI in src/snapshot) ----
  /** The database's schema version: its last applied migration (a newer vcoroute may have migrated it further than this code knows). */
  schemaVersion(): Promise<number>;
  /**
   * Reads every table of SNAPSHOT_TABLES, in that order, in one consistent view, and hands its rows to `sink` in
   * key order, in batches of at most SNAPSHOT_BATCH_ROWS (each table at least one batch, maybe empty; the next
   * batch is read once `sink` resolves). With `accountId`, only that account's rows (and no account-less table).
   */
  exportSnapshot(accountId: string | null, sink: (batch: SnapshotBatch) => Promise<void>): Promise<void>;
  /**
   * Writes the batches in one transaction and returns the rows written per table. SnapshotImportError, and
   * nothing written, when a table holds rows (identity tables marked `merge` excepted) or a row does not fit
   * the schema. SQLite: the store's connection is inside the transaction until it ends, so nothing else may use
   * the store meanwhile (the CLI imports into a store it opened for itself).
   */
  importSnapshot(batches: AsyncIterable<SnapshotBatch>): Promise<Record<string, number>>;
  // ---- route-change history (src/history) ----
  //
  // Every write that changes vco_routes rows records each changed row (Added / Modified / Removed, old and new
  // row) in its own transaction, so a rolled-back write records nothing. The cause is the writer's: API writes
  // (insert/replace/delete/upsertRoutes) 'api'; writeBgpRoutes its `origins`; claimBgpSession and
  // expireBgpSessions 'session-down'; syncPropagatedRoutes its `cause`; deleteConnection 'connection-deleted'.
  // A row rewritten with the same attributes records nothing.
  /** Turns recording on (default) or off for this store object (--route-history off). */
  setRouteChangeRecording(on: boolean): void;
  listRouteChanges(query: RouteChangeQuery): Promise<RouteChangeRecord[]>;
  /** Drops changes older than `olderThan` and all but the last `keepPerConnection` of each connection; returns how many. */
  pruneRouteChanges(olderThan: number, keepPerConnection: number): Promise<number>;
}
