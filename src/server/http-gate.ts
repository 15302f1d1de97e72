/**
 * The HTTP layer's guards, decided from the request line and headers before a byte of the body is read:
 * which Host names are served (DNS rebinding), which browser requests are refused (cross-site forms), how
 * many body bytes all requests together may hold in memory, and the listener's timeouts and connection cap.
 * The rules and limits are recorded in docs/compatibility.md ("HTTP limits, Host and Origin").
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { HttpLimits } from '../config';

// ---------- Host ----------

/** A Host header's name, lower-case (IPv6 in brackets), without the port; undefined when malformed. */
export function hostNameOf(hostHeader: string): string | undefined {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(?::\d{1,5})?$/.exec(hostHeader);
  return m ? m[1]!.toLowerCase() : undefined;
}

/** Names a browser always resolves to this machine itself, so no page can rebind them to its own server. */
function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost') || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** An address as a Host header names it: IPv4 plain (also IPv4-mapped IPv6), IPv6 in brackets. */
function addressAsHostName(address: string): string {
  const mapped = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i.exec(address);
  if (mapped) return mapped[1]!;
  return address.includes(':') ? `[${address.toLowerCase()}]` : address.toLowerCase();
}

/**
 * The listen address as a Host name to accept; none for the wildcard addresses, which name no server
 * (and which some browsers send to this machine: http://0.0.0.0 must not be a way in).
 */
export function listenHostNames(listenHost: string): string[] {
  if (listenHost === '0.0.0.0' || listenHost === '::' || listenHost === '') return [];
  return [addressAsHostName(listenHost)];
}

/**
 * Whether a request's Host names this server: a loopback name, the address the connection arrived on (an IP
 * address typed by whoever reached it there), or a name the operator allowed (exact, `*.domain`, or `*`).
 * No Host at all is HTTP/1.0 from a tool, never a browser (Node refuses HTTP/1.1 without Host).
 */
export function hostAllowed(hostHeader: string | undefined, localAddress: string | undefined, allowed: readonly string[]): boolean {
  if (hostHeader === undefined) return true;
  const name = hostNameOf(hostHeader);
  if (name === undefined) return false;
  if (isLoopbackName(name)) return true;
  if (localAddress !== undefined && name === addressAsHostName(localAddress)) return true;
  return allowed.some((a) => a === '*' || a === name || (a.startsWith('*.') && name.endsWith(a.slice(1))));
}

// ---------- browser origin ----------

/**
 * A browser request made by another page: Sec-Fetch-Site `cross-site`, or `same-site` (another port of the
 * same host is the same site, e.g. any local development server), or an Origin other than this server's own
 * (scheme, host and port of the request's Host). SDKs and command-line tools send neither header.
 */
export function isForeignBrowserRequest(headers: http.IncomingHttpHeaders, secure: boolean): boolean {
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).origin !== new URL(`${secure ? 'https' : 'http'}://${headers.host ?? ''}`).origin;
  } catch {
    return true; // `null` (sandboxed frames, file: pages) or unparseable: not this server's origin
  }
}

// ---------- bodies ----------

/** Request body bytes held in memory, summed over every request in flight. */
export class BodyBudget {
  private used = 0;

  constructor(private readonly limit: number) {}

  get available(): number {
    return this.limit - this.used;
  }

  tryTake(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used -= bytes;
  }
}

export class BodyRefused extends Error {
  constructor(readonly reason: 'too-large' | 'over-budget') {
    super(reason);
  }
}

/**
 * Reads the body up to `limit` bytes, taking each chunk from the budget; the bytes go back when the response
 * is done (the body is in use until then). Beyond the limit or the budget it rejects with BodyRefused, drops
 * what it holds, and reads no more: the caller refuses the request with `refuse`.
 */
export function readBody(req: http.IncomingMessage, res: http.ServerResponse, limit: number, budget: BodyBudget): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let held = 0;
    let refused = false;
    const stop = (reason: BodyRefused['reason']) => {
      refused = true;
      chunks.length = 0;
      budget.give(held);
      held = 0;
      req.off('data', onData);
      req.pause();
      reject(new BodyRefused(reason));
    };
    const onData = (chunk: Buffer) => {
      if (refused) return;
      if (held + chunk.length > limit) return stop('too-large');
      if (!budget.tryTake(chunk.length)) return stop('over-budget');
      held += chunk.length;
      chunks.push(chunk);
    };
    res.once('close', () => budget.give(held));
    req.on('data', onData);
    req.once('end', () => {
      if (!refused) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    req.once('error', (err) => {
      if (!refused) reject(err);
    });
  });
}

/** After a refusal, read and drop at most this much more of the body before cutting the connection. */
const MAX_DISCARDED_BYTES = 64 * 1024 * 1024;

export interface PlainResponse {
  status: number;
  contentType: string;
  body: string;
}

/**
 * Answers a request that will not be served, with `connection: close`. The rest of the body is read and
 * dropped — never held — until the request ends (or MAX_DISCARDED_BYTES, or the request timeout), so a client
 * still uploading reads the answer instead of a connection reset. A client that asked `Expect: 100-continue`
 * has sent no body and is told at once.
 */
export function refuse(req: http.IncomingMessage, res: http.ServerResponse, answer: PlainResponse, expectsContinue: boolean): void {
  res.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': Buffer.byteLength(answer.body), connection: 'close' });
  res.write(answer.body);
  if (req.complete || expectsContinue) {
    res.end();
    return;
  }
  let dropped = 0;
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > MAX_DISCARDED_BYTES) req.socket.destroy();
  });
  req.once('end', () => res.end());
  req.resume();
}

// ---------- listener ----------

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse, expectsContinue: boolean) => void;

/**
 * An HTTP server with the configured limits. Node enforces the header and request timeouts on a timer
 * (connectionsCheckingInterval, default 30 s): it runs at a fifth of the header timeout (50 ms–1 s), so a
 * connection is closed at most that late. The idle timeout closes a connection on which nothing has moved
 * for that long, unless the server is still working on its request (a slow store is not the client's fault).
 */
export function createLimitedServer(limits: HttpLimits, maxHeaderSize: number, tls: { cert: string; key: string } | undefined, handle: RequestHandler): http.Server {
  const working = new WeakSet<Socket>();
  const track = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    working.add(socket);
    const done = () => working.delete(socket);
    res.once('prefinish', done);
    res.once('close', done);
  };
  const options = {
    maxHeaderSize,
    headersTimeout: limits.headerTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(limits.headerTimeoutMs / 5))),
  };
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    track(req, res);
    handle(req, res, false);
  };
  // https.Server answers requests exactly as http.Server does (it only adds TLS underneath).
  const server = tls ? (https.createServer({ ...options, cert: tls.cert, key: tls.key }, onRequest) as unknown as http.Server) : http.createServer(options, onRequest);
  // Without this listener Node answers `100 Continue` before anyone has looked at the headers.
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    track(req, res);
    handle(req, res, true);
  });
  // Node's own keep-alive timer adds a second to the configured value (HTTP_SERVER_KEEP_ALIVE_TIMEOUT_BUFFER),
  // so it is off: the idle timeout below covers keep-alive connections too.
  server.keepAliveTimeout = 0;
  server.maxConnections = limits.maxConnections;
  server.setTimeout(limits.idleTimeoutMs, (socket: Socket) => {
    if (!working.has(socket)) socket.destroy();
  });
  return server;
}
