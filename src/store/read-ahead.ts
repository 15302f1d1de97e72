/**
 * Read-ahead: everything a signed read request must know before it can answer, asked of the store in ONE
 * round trip when the backend offers it (PostgreSQL: Store.readAhead, one statement), then handed to the
 * pipeline's layers (authentication, authorization, the operation) through a per-request view of the store
 * that answers those reads from the result and passes every other call to the real store.
 *
 * The guarantees stay those of the separate reads, because the statement runs after the request arrived and
 * reads one snapshot: a revoked key or a changed policy (RAM generation) committed before the request is
 * seen; the nonce is claimed by the same INSERT … ON CONFLICT as Store.useNonce (refused on every server
 * after one use); the page and its counts are read in the snapshot of the routes version that keys the
 * rendered-page cache. One difference, decided: the nonce is claimed before the signature is checked, so a
 * request that then fails authentication gives it back (`releaseUnusedNonce`, one more round trip on that
 * failure path only).
 */
import type { RamEntityKind, RamEntityRecord, StsSessionRecord, UserAccessKeyRecord } from './ram-records';
import type { AccessKeyRecord, ConnectionRecord, RouteCount, RouteEntryType, RouteRecord, Store } from './store';

/** What an operation can say about its reads before authentication (from raw parameters; never trusted for more). */
export interface ReadAheadHint {
  connectionId: string;
  routeEntryType: RouteEntryType;
  /** the first page (offset 0) is read ahead; deeper pages are read by the operation when not cached */
  firstPageSize?: number;
}

export interface ReadAheadRequest extends ReadAheadHint {
  accessKeyId: string;
  nonce: string;
  /** Store.useNonce's expiresAt */
  nonceExpiresAt: number;
}

export interface ReadAheadResult {
  /** Store.useNonce's answer for the request's nonce */
  nonceFresh: boolean;
  accessKey?: AccessKeyRecord;
  userAccessKey?: UserAccessKeyRecord;
  /** the RAM user that userAccessKey belongs to */
  user?: RamEntityRecord;
  stsSession?: StsSessionRecord;
  /** the RAM generation of the key's account */
  ramGeneration?: { accountId: string; generation: number };
  /** the connection (any account: the view checks the account as Store.getConnection does) */
  connection?: ConnectionRecord;
  counts?: RouteCount[];
  /** the first page (hint.firstPageSize routes of hint.routeEntryType) */
  firstPage?: RouteRecord[];
}

/** The object caches are keyed by (rendered pages, policy sets): the real store behind a request's view. */
const VIEW_OF = Symbol('read-ahead view of');
export function cacheOwner(store: Store): Store {
  return (store as { [VIEW_OF]?: Store })[VIEW_OF] ?? store;
}

export interface RequestStoreView {
  store: Store;
  /** gives the nonce back if it was claimed here but authentication never got as far as using it */
  releaseUnusedNonce(): Promise<void>;
}

/** A view of `store` answering this request's reads from `r`; every other call (and every other argument) goes to `store`. */
export function readAheadView(store: Store, q: ReadAheadRequest, r: ReadAheadResult): RequestStoreView {
  let nonceUsed = false;
  const view = Object.create(store) as Store;
  const own = (name: string, value: unknown) => Object.defineProperty(view, name, { value });
  Object.defineProperty(view, VIEW_OF, { value: cacheOwner(store) });
  own('useNonce', (accessKeyId: string, nonce: string, expiresAt: number) => {
    if (nonceUsed || accessKeyId !== q.accessKeyId || nonce !== q.nonce || expiresAt !== q.nonceExpiresAt) return store.useNonce(accessKeyId, nonce, expiresAt);
    nonceUsed = true;
    return Promise.resolve(r.nonceFresh);
  });
  own('getAccessKey', (id: string) => (id === q.accessKeyId ? Promise.resolve(r.accessKey) : store.getAccessKey(id)));
  own('getUserAccessKey', (id: string) => (id === q.accessKeyId ? Promise.resolve(r.userAccessKey) : store.getUserAccessKey(id)));
  own('getStsSession', (id: string) => (id === q.accessKeyId ? Promise.resolve(r.stsSession) : store.getStsSession(id)));
  own('getRamEntityById', (accountId: string, kind: RamEntityKind, id: string) =>
    r.user && kind === 'user' && accountId === r.user.accountId && id === r.user.id ? Promise.resolve(r.user) : store.getRamEntityById(accountId, kind, id));
  own('getRamGeneration', (accountId: string) =>
    r.ramGeneration?.accountId === accountId ? Promise.resolve(r.ramGeneration.generation) : store.getRamGeneration(accountId));
  own('getConnection', (accountId: string, id: string) => {
    if (id !== q.connectionId) return store.getConnection(accountId, id);
    return Promise.resolve(r.connection && r.connection.accountId === accountId ? r.connection : undefined);
  });
  own('countRoutes', (id: string) => (id === q.connectionId && r.counts ? Promise.resolve(r.counts) : store.countRoutes(id)));
  own('listRoutes', (id: string, type: RouteEntryType, offset: number, limit: number) =>
    id === q.connectionId && type === q.routeEntryType && offset === 0 && limit === q.firstPageSize && r.firstPage
      ? Promise.resolve(r.firstPage) : store.listRoutes(id, type, offset, limit));
  return {
    store: view,
    releaseUnusedNonce: async () => {
      if (!nonceUsed && r.nonceFresh) await store.releaseNonce?.(q.accessKeyId, q.nonce, q.nonceExpiresAt);
    },
  };
}
