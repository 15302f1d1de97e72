/**
 * One typed configuration: command-line flags > environment > defaults.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BgpConfigError, parseBgpConfig, type BgpOptions, type BgpSpeakerConfig } from './bgp/speaker/config';
import { parseThrottleSetting, QuotaConfigError, type ThrottleSetting } from './flow-control/quotas';
import { DAY_MS, DEFAULT_HISTORY_SETTINGS, type HistorySettings } from './history/retention';

/**
 * The well-known development identity, used when VCOROUTE_ACCESS_KEY_ID/SECRET are unset (like Azurite's
 * devstoreaccount1). Public by design: never use it on a network others can reach.
 */
export const DEV_ACCOUNT_ID = '1000000000000001';
export const DEV_ACCESS_KEY_ID = 'LTAIvcorouteDevKeyId0001';
export const DEV_ACCESS_KEY_SECRET = 'vcorouteDevKeySecret0000000001';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** postgres://… : state lives in PostgreSQL (shared by every server on it); undefined = embedded SQLite in dataDir */
  databaseUrl: string | undefined;
  accountId: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** true when the well-known development pair is in use */
  devCredentials: boolean;
  /** explicit opt-in to bind a non-loopback address with the development pair */
  allowDevCredentialsOnNetwork: boolean;
  /** admin API bearer token; the admin API is off when unset */
  adminToken: string | undefined;
  logLevel: string;
  /** ±window for request timestamps; nonces are remembered as long (pop-protocol.md §8) */
  timestampWindowMs: number;
  /** how long ClientToken results are kept (docs/compatibility.md) */
  clientTokenRetentionMs: number;
  /** how long a ClientToken may stay pending before a retry may take it over (its request died) */
  clientTokenPendingTimeoutMs: number;
  /** how long a connection stays attaching/detaching/updating */
  changeDelayMs: number;
  /** attach every new VPN connection to this transit router (SDK-only test suites need no admin call) */
  autoAttachTransitRouterId: string | null;
  /** the per-tunnel BGP speaker (src/bgp/speaker/config.ts); mode off opens no ports */
  bgp: BgpSpeakerConfig;
  /** API flow control: off (default), the alibaba profile, or a quota file (src/flow-control/quotas.ts) */
  throttle: ThrottleSetting;
  /** on SIGTERM/SIGINT (and close()), how long requests in flight may take to finish */
  shutdownTimeoutMs: number;
  /** makes generated IDs, RequestIds and secrets deterministic (src/random.ts); tests only */
  seed: string | undefined;
  /** HTTPS: off, a local CA made in <data>/tls (--tls), or the operator's files (--tls-cert/--tls-key) */
  tls: TlsSetting;
  /** Host header names accepted besides loopback names and the address a connection arrived on (src/server/http-gate.ts) */
  allowedHosts: string[];
  http: HttpLimits;
  /** the route-change history (src/history): recording, retention, watches */
  history: HistorySettings;
}

/** Timeouts and caps of the HTTP listener (docs/compatibility.md, "HTTP limits"). */
export interface HttpLimits {
  /** a connection must deliver a request's complete headers within this (also a fresh connection's first byte) */
  headerTimeoutMs: number;
  /** …and the whole request, body included, within this */
  requestTimeoutMs: number;
  /** a connection with no traffic and no request being answered is closed after this (keep-alive idle) */
  idleTimeoutMs: number;
  /** connections beyond this are closed at once */
  maxConnections: number;
  /** request bodies buffered at once, summed over all requests */
  maxBufferedBytes: number;
}

/** Decided (docs/compatibility.md): an API of small bodies on a developer machine or a shared test network. */
export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headerTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 10_000,
  maxConnections: 1024,
  maxBufferedBytes: 256 * 1024 * 1024,
};

export interface ServeOptions extends BgpOptions {
  host?: string;
  port?: string | number;
  data?: string;
  database?: string;
  allowDevCredentials?: boolean;
  logLevel?: string;
  changeDelayMs?: string | number;
  autoAttach?: string | boolean;
  throttle?: string;
  shutdownTimeoutMs?: string | number;
  seed?: string;
  tls?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  allowedHosts?: string;
  headerTimeoutMs?: string | number;
  requestTimeoutMs?: string | number;
  idleTimeoutMs?: string | number;
  maxConnections?: string | number;
  maxBufferedMib?: string | number;
  routeHistory?: string;
  routeHistoryDays?: string | number;
  routeHistoryMaxEvents?: string | number;
  routeHistoryMaxWatchers?: string | number;
}

export class ConfigError extends Error {}

export function loadConfig(options: ServeOptions, env: NodeJS.ProcessEnv = process.env): Config {
  const host = options.host ?? env.VCOROUTE_HOST ?? '127.0.0.1';
  const portText = String(options.port ?? env.VCOROUTE_PORT ?? '8080');
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new ConfigError(`invalid port: ${portText}`);
  const keyId = env.VCOROUTE_ACCESS_KEY_ID;
  const secret = env.VCOROUTE_ACCESS_KEY_SECRET;
  if ((keyId === undefined) !== (secret === undefined)) {
    throw new ConfigError('set both VCOROUTE_ACCESS_KEY_ID and VCOROUTE_ACCESS_KEY_SECRET, or neither');
  }
  const accountId = env.VCOROUTE_ACCOUNT_ID ?? DEV_ACCOUNT_ID;
  if (!/^\d{1,32}$/.test(accountId)) throw new ConfigError('VCOROUTE_ACCOUNT_ID must be digits (Alibaba account IDs are numeric)');
  const config: Config = {
    host,
    port: Number(portText),
    dataDir: path.resolve(options.data ?? env.VCOROUTE_DATA ?? './.vcoroute'),
    databaseUrl: parseDatabaseUrl(options.database ?? env.VCOROUTE_DATABASE_URL),
    accountId,
    accessKeyId: keyId ?? DEV_ACCESS_KEY_ID,
    accessKeySecret: secret ?? DEV_ACCESS_KEY_SECRET,
    devCredentials: keyId === undefined,
    allowDevCredentialsOnNetwork: options.allowDevCredentials ?? /^(1|true|yes)$/i.test(env.VCOROUTE_ALLOW_DEV_CREDENTIALS ?? ''),
    adminToken: env.VCOROUTE_ADMIN_TOKEN || undefined,
    logLevel: options.logLevel ?? env.VCOROUTE_LOG_LEVEL ?? 'info',
    timestampWindowMs: 15 * 60 * 1000,
    clientTokenRetentionMs: 24 * 60 * 60 * 1000,
    clientTokenPendingTimeoutMs: parsePendingTimeout(env.VCOROUTE_CLIENT_TOKEN_PENDING_TIMEOUT_MS ?? String(DEFAULT_PENDING_TIMEOUT_MS)),
    changeDelayMs: parseDelay(String(options.changeDelayMs ?? env.VCOROUTE_CHANGE_DELAY_MS ?? DEFAULT_CHANGE_DELAY_MS)),
    autoAttachTransitRouterId: parseAutoAttach(options.autoAttach ?? env.VCOROUTE_AUTO_ATTACH),
    bgp: bgpConfig(options, env),
    throttle: parseThrottle(options.throttle ?? env.VCOROUTE_THROTTLE),
    tls: parseTls(options, env),
    seed: parseSeed(options.seed ?? env.VCOROUTE_SEED),
    shutdownTimeoutMs: parseShutdownTimeout(String(options.shutdownTimeoutMs ?? env.VCOROUTE_SHUTDOWN_TIMEOUT_MS ?? DEFAULT_SHUTDOWN_TIMEOUT_MS)),
    allowedHosts: parseAllowedHosts(options.allowedHosts ?? env.VCOROUTE_ALLOWED_HOSTS ?? ''),
    http: parseHttpLimits(options, env),
    history: parseHistorySettings(options, env),
  };
  if (config.devCredentials && !isLoopback(config.host) && !config.allowDevCredentialsOnNetwork) {
    throw new ConfigError(
      `refusing to listen on ${config.host} with the well-known development AccessKey: set VCOROUTE_ACCESS_KEY_ID and ` +
        'VCOROUTE_ACCESS_KEY_SECRET, or opt in with --allow-dev-credentials (VCOROUTE_ALLOW_DEV_CREDENTIALS=1)',
    );
  }
  return config;
}

/** Decided: a change takes 0.5 s by default — long enough to observe `updating`, short enough that nobody waits. */
export const DEFAULT_CHANGE_DELAY_MS = 500;
/** The transit router new connections attach to with --auto-attach and no ID. */
export const DEFAULT_TRANSIT_ROUTER_ID = 'tr-vcoroutedefault00001';

function bgpConfig(options: BgpOptions, env: NodeJS.ProcessEnv): BgpSpeakerConfig {
  try {
    return parseBgpConfig(options, env);
  } catch (err) {
    throw err instanceof BgpConfigError ? new ConfigError(err.message) : err;
  }
}

/**
 * A pending ClientToken older than this belongs to a request that died (no request runs this long: the PostgreSQL
 * timeouts end any at 8 s); a retry may then take it over instead of getting LastTokenProcessing.
 */
export const DEFAULT_PENDING_TIMEOUT_MS = 60_000;

function parsePendingTimeout(text: string): number {
  // Below 10 s a slow but live request could be taken over (its write is then rolled back: safe, but a needless failure).
  if (!/^\d{1,9}$/.test(text) || Number(text) < 100) throw new ConfigError(`invalid VCOROUTE_CLIENT_TOKEN_PENDING_TIMEOUT_MS (milliseconds, ≥ 100): ${text}`);
  return Number(text);
}

/** Decided: 10 s — every request finishes far sooner (the PostgreSQL timeouts end any at 8 s). */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

export type TlsSetting = { mode: 'off' } | { mode: 'local' } | { mode: 'files'; certPath: string; keyPath: string };

function parseTls(options: ServeOptions, env: NodeJS.ProcessEnv): TlsSetting {
  const certPath = options.tlsCert ?? (env.VCOROUTE_TLS_CERT || undefined);
  const keyPath = options.tlsKey ?? (env.VCOROUTE_TLS_KEY || undefined);
  if ((certPath === undefined) !== (keyPath === undefined)) throw new ConfigError('give both --tls-cert and --tls-key (VCOROUTE_TLS_CERT, VCOROUTE_TLS_KEY), or neither');
  if (certPath !== undefined && keyPath !== undefined) {
    for (const file of [certPath, keyPath]) if (!fs.existsSync(file)) throw new ConfigError(`TLS file not found: ${file}`);
    return { mode: 'files', certPath: path.resolve(certPath), keyPath: path.resolve(keyPath) };
  }
  return options.tls === true || /^(1|true|yes)$/i.test(env.VCOROUTE_TLS ?? '') ? { mode: 'local' } : { mode: 'off' };
}

function parseSeed(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[\x21-\x7e]{1,128}$/.test(value)) throw new ConfigError('--seed must be 1 to 128 printable ASCII characters');
  return value;
}

function parseShutdownTimeout(text: string): number {
  if (!/^\d{1,7}$/.test(text)) throw new ConfigError(`invalid shutdown timeout (milliseconds, 0–9999999): ${text}`);
  return Number(text);
}

function parseThrottle(value: string | undefined): ThrottleSetting {
  try {
    return parseThrottleSetting(value);
  } catch (err) {
    if (err instanceof QuotaConfigError) throw new ConfigError(err.message);
    throw err;
  }
}

function parseDelay(text: string): number {
  if (!/^\d{1,7}$/.test(text)) throw new ConfigError(`invalid change delay (milliseconds, 0–9999999): ${text}`);
  return Number(text);
}

function parseAutoAttach(value: string | boolean | undefined): string | null {
  if (value === undefined || value === false || value === '' || /^(0|false|no)$/i.test(String(value))) return null;
  if (value === true || /^(1|true|yes)$/i.test(String(value))) return DEFAULT_TRANSIT_ROUTER_ID;
  if (!/^tr-[0-9a-z]{1,64}$/.test(value)) throw new ConfigError(`invalid transit router ID for auto-attach: ${value}`);
  return value;
}

function parseHttpLimits(options: ServeOptions, env: NodeJS.ProcessEnv): HttpLimits {
  const d = DEFAULT_HTTP_LIMITS;
  const limits: HttpLimits = {
    headerTimeoutMs: parseCount('header timeout (ms)', options.headerTimeoutMs ?? env.VCOROUTE_HEADER_TIMEOUT_MS, d.headerTimeoutMs, 100, 3_600_000),
    requestTimeoutMs: parseCount('request timeout (ms)', options.requestTimeoutMs ?? env.VCOROUTE_REQUEST_TIMEOUT_MS, d.requestTimeoutMs, 100, 3_600_000),
    idleTimeoutMs: parseCount('idle timeout (ms)', options.idleTimeoutMs ?? env.VCOROUTE_IDLE_TIMEOUT_MS, d.idleTimeoutMs, 100, 3_600_000),
    maxConnections: parseCount('connection cap', options.maxConnections ?? env.VCOROUTE_MAX_CONNECTIONS, d.maxConnections, 1, 1_000_000),
    maxBufferedBytes:
      parseCount('buffered-bytes cap (MiB)', options.maxBufferedMib ?? env.VCOROUTE_MAX_BUFFERED_MIB, d.maxBufferedBytes / 1024 / 1024, 1, 64 * 1024) * 1024 * 1024,
  };
  // Node refuses a header timeout above the request timeout; say so in our words.
  if (limits.headerTimeoutMs > limits.requestTimeoutMs) throw new ConfigError('the header timeout must not exceed the request timeout');
  return limits;
}

function parseHistorySettings(options: ServeOptions, env: NodeJS.ProcessEnv): HistorySettings {
  const d = DEFAULT_HISTORY_SETTINGS;
  const mode = String(options.routeHistory ?? env.VCOROUTE_ROUTE_HISTORY ?? 'on').toLowerCase();
  if (mode !== 'on' && mode !== 'off') throw new ConfigError(`invalid --route-history (on or off): ${mode}`);
  return {
    record: mode === 'on',
    maxAgeMs: parseCount('route-history retention (days)', options.routeHistoryDays ?? env.VCOROUTE_ROUTE_HISTORY_DAYS, d.maxAgeMs / DAY_MS, 1, 3650) * DAY_MS,
    maxEventsPerConnection: parseCount('route-history events per connection', options.routeHistoryMaxEvents ?? env.VCOROUTE_ROUTE_HISTORY_MAX_EVENTS,
      d.maxEventsPerConnection, 1, 100_000_000),
    maxWatchers: parseCount('route-history watchers', options.routeHistoryMaxWatchers ?? env.VCOROUTE_ROUTE_HISTORY_MAX_WATCHERS, d.maxWatchers, 1, 100_000),
  };
}

function parseCount(what: string, value: string | number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const text = String(value);
  if (!/^\d{1,10}$/.test(text) || Number(text) < min || Number(text) > max) throw new ConfigError(`invalid ${what} (an integer from ${min} to ${max}): ${text}`);
  return Number(text);
}

/**
 * --allowed-hosts: comma-separated names (`api.test`), wildcard subdomains (`*.test.internal`), IPv4
 * addresses, bracketed IPv6 addresses (`[fd00::1]`), or `*` (any Host: turns the DNS-rebinding guard off).
 */
function parseAllowedHosts(text: string): string[] {
  const hosts = text.split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
  for (const h of hosts) {
    if (h === '*' || /^(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(h) || /^\[[0-9a-f:.]+\]$/.test(h)) continue;
    throw new ConfigError(`invalid allowed host (a name, *.domain, an IP address, [IPv6] or *; no port): ${h}`);
  }
  return hosts;
}

function parseDatabaseUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^postgres(ql)?:\/\/\S+$/.test(value)) throw new ConfigError('--database / VCOROUTE_DATABASE_URL must be a postgres://… URL');
  return value;
}

/** The URL without its password, for logs and the start banner. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]+):[^@]*@/, '$1:***@');
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
