/**
 * The storage interface: asynchronous and backend-neutral. Business rules live above it (domain/,
 * products/); a backend only stores, indexes and counts. Every backend runs test/contract/store.test.ts.
 */

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

export interface TunnelRecord {
  tunnelId: string;
  tunnelIndex: number; // 1 or 2
  status: string; // IKE/IPsec negotiation status, e.g. ipsec_sa_established
}

export interface ConnectionRecord {
  connectionId: string;
  accountId: string;
  regionId: string;
  state: string;
  transitRouterId: string | null;
  createTime: number; // epoch ms
  tunnels: TunnelRecord[]; // empty = single-tunnel, two = dual-tunnel
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

export interface RouteFilter {
  routeEntryType?: RouteEntryType;
  routeDest?: string;
  source?: BgpSource;
}

export interface IdempotencyRecord {
  fingerprint: string;
  /** undefined while the first request is still running */
  response?: { status: number; body: Record<string, unknown> };
  createdAt: number;
}

export interface Store {
  readonly backend: string;
  close(): Promise<void>;

  // identities
  upsertAccount(accountId: string, now: number): Promise<void>;
  hasAccount(accountId: string): Promise<boolean>;
  upsertAccessKey(key: AccessKeyRecord, now: number): Promise<void>;
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;

  // replay protection: true when the nonce was unused (and is now recorded until expiresAt)
  useNonce(accessKeyId: string, nonce: string, expiresAt: number): Promise<boolean>;
  pruneNonces(now: number): Promise<number>;

  // idempotency (ClientToken)
  /**
   * Records a pending token; returns the existing record if the token is already known and younger than
   * `notBefore` (older records are replaced: the retention window has passed).
   */
  claimClientToken(accountId: string, token: string, fingerprint: string, now: number, notBefore: number): Promise<IdempotencyRecord | undefined>;
  completeClientToken(accountId: string, token: string, response: { status: number; body: Record<string, unknown> }): Promise<void>;
  releaseClientToken(accountId: string, token: string): Promise<void>;
  pruneClientTokens(olderThan: number): Promise<number>;

  // VPN connections
  putConnection(connection: ConnectionRecord): Promise<void>;
  getConnection(accountId: string, connectionId: string): Promise<ConnectionRecord | undefined>;
  /** Looks a connection up by id alone (admin API). */
  findConnection(connectionId: string): Promise<ConnectionRecord | undefined>;
  deleteConnection(connectionId: string): Promise<boolean>;

  // Vco routes
  /** Inserts or replaces routes by their identity (see domain/routes.ts routeKey); new routes go last. */
  upsertRoutes(connectionId: string, routes: readonly KeyedRoute[]): Promise<{ inserted: number; updated: number }>;
  deleteRoutes(connectionId: string, filter: RouteFilter): Promise<number>;
  countRoutes(connectionId: string): Promise<RouteCount[]>;
  /** One page in listing order (creation order; see docs/compatibility.md). */
  listRoutes(connectionId: string, routeEntryType: RouteEntryType, offset: number, limit: number): Promise<RouteRecord[]>;

  /** Empties everything but the given root identity (and the replay-protection nonces, which are security state). */
  reset(keepAccountId: string, keepAccessKeyId: string): Promise<void>;
}
