/**
 * The HTTP listener (node:http): mounts the admin API under /_vcoroute and the POP pipeline everywhere
 * else. Owns the store's lifetime, the root identity and periodic housekeeping.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { ADMIN_PREFIX, createAdminHandler } from '../admin/admin-api';
import type { Config } from '../config';
import { OperationTable } from '../operations';
import { E, PopError } from '../pop/errors';
import { JSON_CONTENT_TYPE, newRequestId, renderError } from '../pop/render';
import type { Store } from '../store/store';
import { createPopPipeline } from './pipeline';
import { isVpnWrite, startBgpSpeaker } from '../bgp/speaker';

/** POP requests are small; admin seeding may carry up to 200,000 routes. */
const MAX_POP_BODY = 1024 * 1024;
const MAX_ADMIN_BODY = 128 * 1024 * 1024;
const MAX_HEADER_SIZE = 64 * 1024;
const HOUSEKEEPING_INTERVAL_MS = 60_000;
/** Expired STS sessions are kept a day, so their tokens still answer InvalidSecurityToken.Expired. */
const STS_SESSION_RETENTION_MS = 24 * 60 * 60 * 1000;

export interface RunningServer {
  /** host:port, what an SDK's `endpoint` takes */
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

class BodyTooLarge extends Error {}

/** After refusing a too-large body, read and drop this much more before closing (a "lingering close"). */
const MAX_DISCARDED_BYTES = 64 * 1024 * 1024;

/**
 * Reads the request body up to `limit` bytes. Beyond it, the caller answers at once (connection: close)
 * while the rest of the body is read and dropped, so the client can finish sending and read the answer
 * instead of seeing its connection reset mid-upload; a client that sends far more is cut off.
 */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = Number(req.headers['content-length'] ?? 0) > limit;
    if (refused) reject(new BodyTooLarge());
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (refused) {
        if (size > limit + MAX_DISCARDED_BYTES) req.destroy();
        return;
      }
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function createLogger(level: string): Logger {
  // Secrets never reach the log: requests are logged by id, never by headers or parameters.
  return pino({ level, redact: ['headers.authorization', '*.accessKeySecret', '*.secret'] }, pino.destination(2));
}

export async function startServer(config: Config, store: Store, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  // The root identity always exists and always matches the configuration.
  const now = Date.now();
  await store.upsertAccount(config.accountId, now);
  await store.upsertAccessKey({ accessKeyId: config.accessKeyId, accountId: config.accountId, secret: config.accessKeySecret, status: 'Active' }, now);

  // Before the HTTP listener: the admin API describes its tunnels; closed again if the listener fails.
  const bgp = await startBgpSpeaker(config.bgp, store, logger.child({ component: 'bgp' }));
  const pop = createPopPipeline({
    store,
    operations: new OperationTable(),
    logger,
    timestampWindowMs: config.timestampWindowMs,
    clientTokenRetentionMs: config.clientTokenRetentionMs,
    settings: { changeDelayMs: config.changeDelayMs, autoAttachTransitRouterId: config.autoAttachTransitRouterId, bgpSpeaker: config.bgp.mode !== 'off' },
  });
  const admin = createAdminHandler({ store, adminToken: config.adminToken, rootAccountId: config.accountId, rootAccessKeyId: config.accessKeyId, changeDelayMs: config.changeDelayMs,
    describeBgp: (c, now) => bgp.describe(c, now) });

  // RAM puts whole policy documents (up to 6,144 characters, tripled by percent-encoding) in the query string:
  // Node's default 16 KiB header limit would refuse them with an empty 431.
  const server = http.createServer({ maxHeaderSize: MAX_HEADER_SIZE }, (req, res) => {
    const url = req.url ?? '/';
    const isAdmin = url === ADMIN_PREFIX || url.startsWith(`${ADMIN_PREFIX}/`);
    const send = (status: number, contentType: string, body: string) => {
      res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    readBody(req, isAdmin ? MAX_ADMIN_BODY : MAX_POP_BODY)
      .then(async (body) => {
        const request = { method: req.method ?? 'GET', url, headers: req.headers, body, remoteAddress: req.socket.remoteAddress, secure: 'encrypted' in req.socket };
        if (isAdmin) {
          const out = await admin(request);
          send(out.status, JSON_CONTENT_TYPE, JSON.stringify(out.body));
          if (request.method !== 'GET' && out.status < 300) bgp.changed();
        } else {
          const out = await pop(request);
          send(out.status, out.contentType, out.body);
          if (out.status === 200 && isVpnWrite(request)) bgp.changed();
        }
      })
      .catch((err: unknown) => {
        if (res.headersSent) return;
        if (err instanceof BodyTooLarge) {
          res.setHeader('connection', 'close');
          if (isAdmin) send(413, JSON_CONTENT_TYPE, JSON.stringify({ error: { code: 'PayloadTooLarge', message: 'The body is too large.' } }));
          else { const r = renderError(new PopError(E.RequestTooLarge), newRequestId(), 'localhost', 'Pop', 'JSON'); send(r.status, r.contentType, r.body); }
          return;
        }
        logger.error({ err }, 'unexpected error outside the pipeline');
        const r = renderError(new PopError(E.InternalError), newRequestId(), 'localhost', 'Pop', 'JSON');
        send(r.status, r.contentType, r.body);
      });
  });
  server.keepAliveTimeout = 65_000;

  const housekeeping = setInterval(() => {
    const t = Date.now();
    Promise.all([store.pruneNonces(t), store.pruneClientTokens(t - config.clientTokenRetentionMs), store.pruneStsSessions(t - STS_SESSION_RETENTION_MS)]).catch((err: unknown) =>
      logger.warn({ err }, 'housekeeping failed'),
    );
  }, HOUSEKEEPING_INTERVAL_MS);
  housekeeping.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  }).catch(async (err: unknown) => {
    clearInterval(housekeeping);
    await bgp.close();
    throw err;
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    endpoint: `${hostForUrl}:${port}`,
    port,
    close: async () => {
      clearInterval(housekeeping);
      await bgp.close(); // Cease to every peer; their routes leave the store
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.close();
    },
  };
}
