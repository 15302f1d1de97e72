/**
 * One typed configuration: command-line flags > environment > defaults.
 */
import path from 'node:path';
import { BgpConfigError, parseBgpConfig, type BgpOptions, type BgpSpeakerConfig } from './bgp/speaker/config';

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
  /** how long a connection stays attaching/detaching/updating */
  changeDelayMs: number;
  /** attach every new VPN connection to this transit router (SDK-only test suites need no admin call) */
  autoAttachTransitRouterId: string | null;
  /** the per-tunnel BGP speaker (src/bgp/speaker/config.ts); mode off opens no ports */
  bgp: BgpSpeakerConfig;
}

export interface ServeOptions extends BgpOptions {
  host?: string;
  port?: string | number;
  data?: string;
  database?: string;
  allowDevCredentials?: boolean;
  logLevel?: string;
  changeDelayMs?: string | number;
  autoAttach?: string | boolean;
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
    changeDelayMs: parseDelay(String(options.changeDelayMs ?? env.VCOROUTE_CHANGE_DELAY_MS ?? DEFAULT_CHANGE_DELAY_MS)),
    autoAttachTransitRouterId: parseAutoAttach(options.autoAttach ?? env.VCOROUTE_AUTO_ATTACH),
    bgp: bgpConfig(options, env),
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
