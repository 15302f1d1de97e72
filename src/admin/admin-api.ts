/**
 * The admin API under /_vcoroute: health, OpenAPI document, and (with VCOROUTE_ADMIN_TOKEN set) seeding of
 * state the cloud API cannot create. JSON in, JSON out; errors are `{ "error": { "code", "message" } }`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { safeEqual } from '../pop/signature';
import { StoreConflictError, StoreUnavailableError, type ConnectionRecord, type Store } from '../store/store';
import { AdminError, badRequest, notFound } from './admin-errors';
import { createAccount } from './accounts';
import { forgetPolicyCache } from '../iam/effective';
import { adminConnectionView, handleLifecycle } from './connection-lifecycle';
import { OPENAPI_DOCUMENT } from './openapi';
import { BGP_VIEW_PATH, handleBgpView } from './bgp-view';
import type { ConnectionBgpView } from '../bgp/speaker';
import { handleChaos } from '../chaos/chaos-admin';
import { handlePolicyAdvice } from '../policy-advice/advice-admin';
import type { DecisionLog } from '../policy-advice/decision-log';
import type { FaultInjector } from '../chaos/fault-injector';
import { propagateFromConnection } from '../routing';
import { parseConnectionPayload, parseRouteFilter, parseRoutesPayload } from './seed-validation';
import type { RouteChangeFeed } from '../history';
import type { StreamedBody } from '../pop/render';
import { handleRouteChanges } from './route-changes-admin';

export interface AdminDependencies {
  store: Store;
  adminToken: string | undefined;
  rootAccountId: string;
  rootAccessKeyId: string;
  /** how long attaching/detaching last (config.changeDelayMs) */
  changeDelayMs: number;
  /** the BGP view of a connection (the speaker's, src/bgp/speaker) */
  describeBgp: (c: ConnectionRecord, now: number) => Promise<ConnectionBgpView>;
  faultInjector: FaultInjector;
  decisionLog: DecisionLog;
  /** route-change watches (GET /_vcoroute/v1/route-changes/watch) */
  routeChanges?: RouteChangeFeed;
}

export interface AdminRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface AdminResponse {
  status: number;
  body: unknown;
  /** a body written over time (the route-change watch) instead of `body` */
  stream?: StreamedBody;
}

export const ADMIN_PREFIX = '/_vcoroute';

const CONNECTION_PATH = /^\/_vcoroute\/v1\/vpn-connections\/([^/]+)(\/routes)?$/;

const ROUTES_PATH = /^\/_vcoroute\/v1\/vpn-connections\/[^/]+\/routes$/;
/** Route seeding carries up to 200,000 routes; every other admin body is a small JSON object. */
export const ADMIN_SEED_BODY_LIMIT = 128 * 1024 * 1024;
export const ADMIN_BODY_LIMIT = 64 * 1024;

/** Liveness, readiness and the OpenAPI document: no token, no body. */
const PUBLIC_PATHS = new Set([`${ADMIN_PREFIX}/health`, `${ADMIN_PREFIX}/ready`, `${ADMIN_PREFIX}/openapi.json`]);
function isPublic(method: string, path: string): boolean {
  return method === 'GET' && PUBLIC_PATHS.has(path);
}

function checkToken(adminToken: string | undefined, headers: IncomingHttpHeaders): void {
  if (adminToken === undefined) {
    throw new AdminError(404, 'AdminApiDisabled', 'The admin API is off: start the server with VCOROUTE_ADMIN_TOKEN set.');
  }
  const auth = headers.authorization ?? '';
  if (!auth.startsWith('Bearer ') || !safeEqual(auth.slice(7), adminToken)) {
    throw new AdminError(401, 'Unauthorized', 'Send Authorization: Bearer <VCOROUTE_ADMIN_TOKEN>.');
  }
}

/**
 * Decided from the request line and headers alone, before a byte of the body is read: that the admin API is
 * on and the token matches (else AdminError 404 / 401), and the largest body the endpoint accepts.
 */
export function admitAdminRequest(adminToken: string | undefined, method: string, url: string, headers: IncomingHttpHeaders): number {
  const path = new URL(url, 'http://admin.invalid').pathname;
  if (isPublic(method, path)) return ADMIN_BODY_LIMIT;
  checkToken(adminToken, headers);
  return method === 'POST' && ROUTES_PATH.test(path) ? ADMIN_SEED_BODY_LIMIT : ADMIN_BODY_LIMIT;
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw badRequest('a JSON body is required');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('the body is not valid JSON');
  }
}

export function createAdminHandler(deps: AdminDependencies): (req: AdminRequest) => Promise<AdminResponse> {
  const { store } = deps;

  async function route(req: AdminRequest): Promise<AdminResponse> {
    const url = new URL(req.url, 'http://admin.invalid');
    const path = url.pathname;
    // Liveness: the process answers (no store call, so an orchestrator never restarts a server for a database outage).
    if (path === `${ADMIN_PREFIX}/health` && req.method === 'GET') return { status: 200, body: { status: 'ok', store: store.backend } };
    // Readiness: the store answers (migrations ran when it opened, before the server listened).
    if (path === `${ADMIN_PREFIX}/ready` && req.method === 'GET') {
      try {
        await store.ping?.();
      } catch (err) {
        if (!(err instanceof StoreUnavailableError)) throw err;
        return { status: 503, body: { status: 'unavailable', store: store.backend, reason: err.message } };
      }
      return { status: 200, body: { status: 'ready', store: store.backend } };
    }
    if (path === `${ADMIN_PREFIX}/openapi.json` && req.method === 'GET') return { status: 200, body: OPENAPI_DOCUMENT };

    checkToken(deps.adminToken, req.headers);
    const now = Date.now();

    if (path === `${ADMIN_PREFIX}/v1/reset` && req.method === 'POST') {
      await store.reset(deps.rootAccountId, deps.rootAccessKeyId);
      await store.bumpRamGeneration(deps.rootAccountId); // other servers' policy caches
      forgetPolicyCache(store);
      return { status: 200, body: { reset: true } };
    }

    if (path === `${ADMIN_PREFIX}/v1/accounts` && req.method === 'POST') {
      return { status: 201, body: await createAccount(store, now) };
    }

    const lifecycle = await handleLifecycle({ store, changeDelayMs: deps.changeDelayMs, now }, req.method, path, req.body);
    if (lifecycle) return lifecycle;

    const advice = await handlePolicyAdvice(deps.decisionLog, req.method, url);
    if (advice) return advice;

    const history = await handleRouteChanges(store, deps.routeChanges, req.method, url, req.headers);
    if (history) return history;

    const bgp = BGP_VIEW_PATH.exec(path);
    if (bgp) return handleBgpView(store, deps.describeBgp, req.method, decodeURIComponent(bgp[1]!), now);
    const chaos = await handleChaos({ store, injector: deps.faultInjector }, req.method, path, () => (req.body.length === 0 ? undefined : parseJson(req.body)), now);
    if (chaos) return chaos;

    const m = CONNECTION_PATH.exec(path);
    if (m) {
      const connectionId = decodeURIComponent(m[1]!);
      if (!m[2]) {
        if (req.method === 'PUT') {
          const existing = await store.findConnection(connectionId);
          // Replacing keeps the creation time unless the payload sets one.
          const record = parseConnectionPayload(connectionId, parseJson(req.body), {
            accountId: deps.rootAccountId,
            createTime: existing?.createTime ?? now,
          });
          if (!(await store.hasAccount(record.accountId))) throw badRequest(`account ${record.accountId} does not exist`);
          if (existing && existing.accountId !== record.accountId) {
            throw new AdminError(409, 'Conflict', `${connectionId} belongs to another account; delete it first`);
          }
          try {
            await store.putConnection(record);
          } catch (err) {
            if (err instanceof StoreConflictError) throw new AdminError(409, 'Conflict', `a tunnel ID of ${connectionId} is already used: ${err.message}`);
            throw err;
          }
          // A replaced connection may have another BGP switch or LocalAsn: its CLOUD routes follow.
          await propagateFromConnection(store, connectionId, now, 'all');
          return { status: existing ? 200 : 201, body: adminConnectionView(record, now) };
        }
        if (req.method === 'GET') {
          const c = await store.findConnection(connectionId);
          if (!c) throw notFound(`${connectionId} does not exist`);
          return { status: 200, body: adminConnectionView(c, now) };
        }
        if (req.method === 'DELETE') {
          if (!(await store.deleteConnection(connectionId))) throw notFound(`${connectionId} does not exist`);
          await propagateFromConnection(store, connectionId, now); // its routes left the transit router's tables
          return { status: 200, body: { deleted: true } };
        }
      } else {
        const c = await store.findConnection(connectionId);
        if (!c) throw notFound(`${connectionId} does not exist`);
        if (req.method === 'POST') {
          const routes = parseRoutesPayload(c, parseJson(req.body), now);
          let result;
          try {
            result = await store.upsertRoutes(connectionId, routes);
          } catch (err) {
            if (err instanceof StoreConflictError) throw notFound(`${connectionId} does not exist`); // deleted meanwhile
            throw err;
          }
          await propagateFromConnection(store, connectionId, now);
          return { status: 200, body: result };
        }
        if (req.method === 'DELETE') {
          const deleted = await store.deleteRoutes(connectionId, parseRouteFilter(url.searchParams));
          if (deleted > 0) await propagateFromConnection(store, connectionId, now);
          return { status: 200, body: { deleted } };
        }
      }
      throw new AdminError(405, 'MethodNotAllowed', `${req.method} is not supported on ${path}`);
    }
    throw notFound(`no admin endpoint ${req.method} ${path}; see ${ADMIN_PREFIX}/openapi.json`);
  }

  return async (req) => {
    try {
      return await route(req);
    } catch (err) {
      if (err instanceof AdminError) return { status: err.status, body: { error: { code: err.code, message: err.message } } };
      if (err instanceof StoreUnavailableError) return { status: 503, body: { error: { code: 'ServiceUnavailable', message: err.message } } };
      // decodeURIComponent of a path segment with a malformed %-escape: the client's mistake, not a 500.
      if (err instanceof URIError) return { status: 400, body: { error: { code: 'InvalidRequest', message: 'the path has malformed percent-encoding' } } };
      throw err;
    }
  };
}
