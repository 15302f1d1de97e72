/**
 * The POP request pipeline, top to bottom:
 *   parse → dispatch (version, action) → authenticate → validate → authorize → idempotency → operation → render
 * (a streaming operation asked for text/event-stream answers with its stream instead of idempotency → render).
 * Every failure is a PopError from the catalogue, rendered in the format the client asked for; anything
 * else is a bug, logged and answered with InternalError.
 */
import type { Logger } from 'pino';
import { E, PopError } from '../pop/errors';
import { fingerprint, runIdempotent, validateClientToken } from '../pop/idempotency';
import { guessFormat, header, parsePopRequest, type ResponseFormat } from '../pop/request';
import { bodyObject, newRequestId, renderError, renderSuccess, type RenderedResponse, type SuccessBody } from '../pop/render';
import { authorize } from '../identity/authorize';
import type { OperationTable } from '../operations';
import type { OperationSettings, Product } from '../products/product';
import { ClientTokenLostError, StoreUnavailableError, type Store } from '../store/store';
import { actionAndVersion, authenticate, signatureStyle } from './authenticate';
import { readAheadFor } from './read-ahead-request';
import type { IncomingHttpHeaders } from 'node:http';
import { principalArn } from '../identity/principal';
import type { FlowControl } from '../flow-control/flow-control';
import type { FaultInjector } from '../chaos/fault-injector';
import type { RequestOutcome } from '../metrics/metrics';
import type { DecisionLog } from '../policy-advice/decision-log';
import type { RouteChangeFeed } from '../history';

export interface PipelineDependencies {
  store: Store;
  operations: OperationTable;
  logger: Logger;
  timestampWindowMs: number;
  clientTokenRetentionMs: number;
  clientTokenPendingTimeoutMs: number;
  settings: OperationSettings;
  /** per (region, API, account) quotas; undefined = off */
  flowControl?: FlowControl;
  /** chaos rules; undefined = none */
  faultInjector?: FaultInjector;
  /** told about every answered request (metrics, the request log line) */
  onOutcome?: (outcome: RequestOutcome) => void;
  /** every authorization decision (policy advice) */
  decisionLog?: DecisionLog;
  /** route-change watches (WatchVcoRouteChanges) */
  routeChanges?: RouteChangeFeed;
}

export interface PopHttpRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** TCP peer address (acs:SourceIp) */
  remoteAddress?: string;
  /** true over TLS (acs:SecureTransport) */
  secure?: boolean;
}

export type PopHandler = (request: PopHttpRequest) => Promise<RenderedResponse>;

export function createPopPipeline(deps: PipelineDependencies): PopHandler {
  const { store, operations, logger } = deps;

  /** Answers one request and reports it (metrics, the request log line) through deps.onOutcome. */
  return async function handlePop(http: PopHttpRequest): Promise<RenderedResponse> {
    const started = performance.now();
    const outcome: RequestOutcome = { requestId: newRequestId(), product: 'Pop', action: 'unknown', status: 0, code: '', latencyMs: 0 };
    const response = await answer(http, outcome);
    outcome.status = response.status;
    outcome.latencyMs = performance.now() - started;
    deps.onOutcome?.(outcome);
    return response;
  };

  async function answer(http: PopHttpRequest, outcome: RequestOutcome): Promise<RenderedResponse> {
    const { requestId } = outcome;
    const now = Date.now();
    let format: ResponseFormat | undefined;
    let product: Product | undefined;
    try {
      // parse
      if (http.method !== 'GET' && http.method !== 'POST') throw new PopError(E.UnsupportedHTTPMethod);
      const req = parsePopRequest(http.method, http.url, http.headers, http.body);
      format = req.format;
      if (req.path !== '/') throw new PopError(E.InvalidApiNotFound);

      // dispatch
      const style = signatureStyle(req.headers);
      const { action, version } = actionAndVersion(style, req);
      product = operations.product(version);
      if (!product) throw new PopError(E.InvalidVersion);
      const operation = operations.find(version, action);
      if (!operation) throw new PopError(E.InvalidApiNotFound);
      outcome.product = product.name;
      outcome.action = action;

      // read ahead (PostgreSQL: the reads of the stages below in one round trip), then authenticate
      const view = await readAheadFor(store, style, req, operation, now, deps.timestampWindowMs);
      const requestStore = view?.store ?? store;
      let principal;
      try {
        principal = await authenticate(style, req, { store: requestStore, timestampWindowMs: deps.timestampWindowMs, now });
      } catch (err) {
        await view?.releaseUnusedNonce().catch(() => undefined); // the nonce stays used: safe, only not reusable
        throw err;
      }
      outcome.caller = principalArn(principal);

      // flow control and injected faults, as the cloud's gateway applies them: per (region, API, account)
      const regionId = typeof req.params.RegionId === 'string' ? req.params.RegionId : '';
      if (deps.flowControl) {
        outcome.throttled = true;
        await deps.flowControl.admit(principal.accountId, regionId, action, now);
        outcome.throttled = false;
      }
      if (deps.faultInjector) {
        const chaos = await deps.faultInjector.apply({ service: product.ramService, region: regionId, operation: action }, now);
        if (chaos.injected.length > 0) outcome.injected = chaos.injected;
        if (chaos.error) throw chaos.error;
      }

      // validate, then authorize on the validated request (the resource ARN needs its parameters)
      const input = operation.parse(req.params);
      await authorize(principal, operation, input, { store: requestStore, now, sourceIp: http.remoteAddress, secureTransport: http.secure === true, decisions: deps.decisionLog });

      // idempotency → operation
      const ctx = { store: requestStore, principal, requestId, now, settings: deps.settings, sourceIp: http.remoteAddress, secureTransport: http.secure === true,
        routeChanges: deps.routeChanges };

      // a stream starts here: the request's outcome is this 200, its events follow (server/event-streams.ts)
      if (operation.stream && acceptsEventStream(http.headers)) {
        const stream = await operation.stream(input, { ...ctx, lastEventId: header(http.headers, 'last-event-id') });
        return { status: 200, contentType: stream.contentType, body: '', stream };
      }
      const token = operation.clientToken ? req.params.ClientToken : undefined;
      let body: SuccessBody;
      if (token !== undefined && token !== '') {
        validateClientToken(token);
        body = await runIdempotent(
          { store, accountId: principal.accountId, token, fingerprint: fingerprint(version, action, req.params), now, retentionMs: deps.clientTokenRetentionMs,
            pendingTimeoutMs: deps.clientTokenPendingTimeoutMs },
          async (clientToken) => bodyObject(await operation.run(input, { ...ctx, clientToken })), // ClientToken records hold the body as an object
        );
      } else {
        body = await operation.run(input, ctx);
      }

      // render
      return renderSuccess(action, requestId, body, format);
    } catch (err) {
      const error = asPopError(err, requestId, logger);
      outcome.code = error.code;
      const host = product?.host ?? hostIdFromHeaders(http.headers);
      // A request that failed before its parameters were parsed still gets its error in the format it asked for.
      format ??= guessFormat(http.url.includes('?') ? http.url.slice(http.url.indexOf('?') + 1) : '');
      return renderError(error, requestId, host, product?.name ?? 'Pop', format);
    }
  }
}

/** The client asked for Server-Sent Events (Accept: text/event-stream). */
function acceptsEventStream(headers: IncomingHttpHeaders): boolean {
  return /(^|,)\s*text\/event-stream\s*(;|,|$)/i.test(headers.accept ?? '');
}

function asPopError(err: unknown, requestId: string, logger: Logger): PopError {
  if (err instanceof PopError) return err;
  if (err instanceof StoreUnavailableError) return storeUnavailable(err, requestId, logger);
  // A retry took this request's ClientToken over while it ran; its write was rolled back, the retry's stands.
  if (err instanceof ClientTokenLostError) return new PopError(E.LastTokenProcessing);
  return internalError(err, requestId, logger);
}

function internalError(err: unknown, requestId: string, logger: Logger): PopError {
  logger.error({ err, requestId }, 'unexpected error while handling a request');
  return new PopError(E.InternalError);
}

/** The store cannot be reached (e.g. PostgreSQL down): transient, 503; service resumes when it answers again. */
function storeUnavailable(err: StoreUnavailableError, requestId: string, logger: Logger): PopError {
  logger.warn({ requestId, reason: err.message }, 'store unavailable');
  return new PopError(E.ServiceUnavailable);
}

/** Before the product is known, HostId echoes the host the client addressed (sanitised). */
function hostIdFromHeaders(headers: IncomingHttpHeaders): string {
  const host = headers.host ?? '';
  return /^[A-Za-z0-9.:\-[\]]{1,255}$/.test(host) ? host : 'localhost';
}
