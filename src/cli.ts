/**
 * vcoroute command line. `vcoroute serve` starts the server on the embedded store, or on PostgreSQL with
 * --database (several servers may share one database).
 */
import { Command } from 'commander';
import type { Logger } from 'pino';
import { ConfigError, isLoopback, loadConfig, redactDatabaseUrl, type Config, type ServeOptions } from './config';
import { SqliteStore } from './store/sqlite/sqlite-store';
import { PostgresStore } from './store/postgres/postgres-store';
import type { Store } from './store/store';
import { createLogger, startServer } from './server/app';
import { peerConfigFromStore } from './bgp/peer-config/from-store';
import { exportState, importState, type ExportOptions } from './snapshot/state-cli';

/** The configured store: PostgreSQL (migrated under an advisory lock) or the embedded SQLite store. */
export async function openStore(config: Config, logger: Logger): Promise<Store> {
  if (config.databaseUrl === undefined) return new SqliteStore(config.dataDir);
  return PostgresStore.open({
    connectionString: config.databaseUrl,
    onBackgroundError: (err) => logger.warn({ err: err.message }, 'PostgreSQL connection error (pooled connection discarded)'),
  });
}

/** Where a browser on this machine reaches the console: the wildcard addresses name no server. */
function consoleHost(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '' || host === '::') return `127.0.0.1:${port}`;
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export async function serve(options: ServeOptions): Promise<void> {
  const config = loadConfig(options);
  const logger = createLogger(config.logLevel);
  const store = await openStore(config, logger);
  const server = await startServer(config, store, logger);
  const where = config.databaseUrl === undefined ? `sqlite, ${config.dataDir}` : `postgres, ${redactDatabaseUrl(config.databaseUrl)}`;
  const lines = [
    `vcoroute listening on ${server.protocol}://${server.endpoint} (store: ${where})`,
    '',
    'Point an Alibaba Cloud SDK at it:',
    `  endpoint: '${server.endpoint}', protocol: '${server.protocol}'`,
    `  accessKeyId: ${config.accessKeyId}${config.devCredentials ? '  (well-known development key; secret in README)' : ''}`,
    `  account: ${config.accountId}`,
    ...(isLoopback(config.host) ? [] : [`Requests must name this server by its address or a name in --allowed-hosts (now: ${config.allowedHosts.join(', ') || 'none'}).`]),
    `Console: ${server.protocol}://${consoleHost(config.host, server.port)}/console/ (sign in with ${config.devCredentials ? 'the development key above, ' : ''}an AccessKey pair or STS credentials)`,
    config.adminToken ? `Admin API: ${server.protocol}://${server.endpoint}/_vcoroute/v1 (Bearer token from VCOROUTE_ADMIN_TOKEN)` : 'Admin API: off (set VCOROUTE_ADMIN_TOKEN to enable)',
    '',
  ];
  if (server.caPath) lines.push(`HTTPS with a local CA: trust it with NODE_EXTRA_CA_CERTS=${server.caPath} (Node.js), or add it to your system's trust store`, '');
  process.stdout.write(lines.join('\n') + '\n');
  // The first signal shuts down gracefully (in-flight requests finish, the store closes, exit 0); a second one exits at once.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, graceMs: config.shutdownTimeoutMs }, 'shutting down: finishing requests in flight');
    server.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

interface PeerConfigOptions {
  format: string;
  tunnel?: string;
  announce?: string;
}

const PEER_CONFIG_SERVE_FLAGS = new Set(['--data', '--database', '--bgp', '--bgp-port', '--bgp-loopback-host', '--bgp-loopback-ports', '--bgp-hold-time', '--log-level']);

/** The store flags of `serve`, shared with `state export|import`: the same flags and environment find the same store. */
const STATE_SERVE_FLAGS = new Set(['--data', '--database', '--log-level']);

export async function printPeerConfig(connectionId: string, opts: ServeOptions & PeerConfigOptions): Promise<void> {
  const config = loadConfig(opts);
  const store = await openStore(config, createLogger(config.logLevel));
  try {
    process.stdout.write(await peerConfigFromStore(store, config.bgp, { connectionId, format: opts.format, tunnel: opts.tunnel, announce: opts.announce }));
  } finally {
    await store.close();
  }
}

export function buildProgram(): Command {
  const program = new Command('vcoroute')
    .description('Alibaba Cloud-compatible server for IPsec-VPN connection routes (VPC 2016-04-28)')
    .showHelpAfterError();
  const serveCommand = program
    .command('serve')
    .description('start the server on the embedded SQLite store (or on PostgreSQL with --database)')
    .option('--host <host>', 'address to listen on (env VCOROUTE_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on, 0 = any free port (env VCOROUTE_PORT, default 8080)')
    .option('--data <dir>', 'data directory of the embedded store (env VCOROUTE_DATA, default ./.vcoroute)')
    .option('--database <url>', 'keep state in PostgreSQL instead, shared by every server on it: postgres://user:pass@host:5432/db (env VCOROUTE_DATABASE_URL)')
    .option('--allow-dev-credentials', 'allow the well-known development AccessKey on a non-loopback address (env VCOROUTE_ALLOW_DEV_CREDENTIALS=1)')
    .option('--auto-attach [transitRouterId]', 'attach every new VPN connection to a transit router (env VCOROUTE_AUTO_ATTACH=1 or tr-…)')
    .option('--change-delay-ms <ms>', 'how long attaching/detaching/updating last; 0 = immediate (env VCOROUTE_CHANGE_DELAY_MS, default 500)')
    .option('--seed <seed>', 'deterministic IDs, RequestIds and secrets for reproducible test runs; never on a shared server (env VCOROUTE_SEED)')
    .option('--tls', 'serve HTTPS with a local CA made in <data>/tls (trust it with NODE_EXTRA_CA_CERTS=<data>/tls/ca.pem; env VCOROUTE_TLS=1)')
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (chain) … (env VCOROUTE_TLS_CERT)')
    .option('--tls-key <file>', '… and this PEM private key (env VCOROUTE_TLS_KEY)')
    .option('--shutdown-timeout-ms <ms>', 'on SIGTERM/SIGINT, how long requests in flight may take to finish (env VCOROUTE_SHUTDOWN_TIMEOUT_MS, default 10000)')
    .option('--bgp <mode>', 'per-tunnel BGP speaker: tunnel (LocalBgpIp:--bgp-port), loopback (one port per tunnel) or off (env VCOROUTE_BGP, default off)')
    .option('--bgp-port <port>', 'BGP port in tunnel mode (env VCOROUTE_BGP_PORT, default 179)')
    .option('--bgp-loopback-host <ip>', 'listen address in loopback mode (env VCOROUTE_BGP_LOOPBACK_HOST, default 127.0.0.1)')
    .option('--bgp-loopback-ports <first-last>', 'port range in loopback mode (env VCOROUTE_BGP_LOOPBACK_PORTS, default 17900-18899)')
    .option('--bgp-hold-time <seconds>', 'hold time offered to peers (env VCOROUTE_BGP_HOLD_TIME, default 30)')
    .option('--bgp-max-prefixes <n>', 'prefixes accepted per tunnel (env VCOROUTE_BGP_MAX_PREFIXES, default 50)')
    .option('--bgp-max-prefix-action <drop|cease>', 'past the limit: drop the extra prefixes, or Cease 6/1 (env VCOROUTE_BGP_MAX_PREFIX_ACTION, default drop)')
    .option('--bgp-accept-default-route', 'accept 0.0.0.0/0 from peers (env VCOROUTE_BGP_ACCEPT_DEFAULT_ROUTE=1; refused by default)')
    .option('--bgp-accept-shared-address-space', 'accept prefixes overlapping 100.64.0.0/10 (env VCOROUTE_BGP_ACCEPT_SHARED_ADDRESS_SPACE=1; refused by default)')
    .option('--throttle <mode>', 'API flow control: off, alibaba (the published per-60 s quotas) or a JSON quota file (env VCOROUTE_THROTTLE, default off)')
    .option('--quotas <file>', 'resource quotas: a JSON file of figures replacing the cloud\'s, e.g. {"customerGatewaysPerRegion": 10} (env VCOROUTE_QUOTAS; README "Quotas")')
    .option('--allowed-hosts <hosts>', 'Host header names accepted besides loopback names and the listen address, comma separated; *.domain for subdomains (env VCOROUTE_ALLOWED_HOSTS)')
    .option('--header-timeout-ms <ms>', 'close a connection that has not sent complete request headers in this time (env VCOROUTE_HEADER_TIMEOUT_MS, default 10000)')
    .option('--request-timeout-ms <ms>', 'close a connection that has not sent a complete request, body included, in this time (env VCOROUTE_REQUEST_TIMEOUT_MS, default 30000)')
    .option('--idle-timeout-ms <ms>', 'close a connection idle for this long between requests (env VCOROUTE_IDLE_TIMEOUT_MS, default 10000)')
    .option('--max-connections <n>', 'connections beyond this are closed at once (env VCOROUTE_MAX_CONNECTIONS, default 1024)')
    .option('--max-buffered-mib <mib>', 'request bodies held in memory at once, all requests together; beyond it 503 (env VCOROUTE_MAX_BUFFERED_MIB, default 256)')
    .option('--route-history <on|off>', 'record every route change of every connection (ListVcoRouteChanges; env VCOROUTE_ROUTE_HISTORY, default on)')
    .option('--route-history-days <days>', 'keep route changes this many days (env VCOROUTE_ROUTE_HISTORY_DAYS, default 7)')
    .option('--route-history-max-events <n>', 'keep at most this many route changes per connection (env VCOROUTE_ROUTE_HISTORY_MAX_EVENTS, default 100000)')
    .option('--route-history-max-watchers <n>', 'WatchVcoRouteChanges streams held at once by this server (env VCOROUTE_ROUTE_HISTORY_MAX_WATCHERS, default 64)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug (env VCOROUTE_LOG_LEVEL, default info)')
    .action(async (opts: ServeOptions) => serve(opts));
  program
    .command('policy-advice')
    .description("print the least-privilege RAM policy document that allows exactly the calls a principal made (from a running server's decision log; needs VCOROUTE_ADMIN_TOKEN)")
    .requiredOption('--principal <arn>', 'RAM user or role ARN, e.g. acs:ram::1000000000000001:user/ci (a role ARN covers its sessions)')
    .option('--endpoint <url>', 'the server (env VCOROUTE_ENDPOINT, default http://127.0.0.1:8080)')
    .option('--after <seq>', 'only decisions after this sequence number (GET /_vcoroute/v1/decisions shows them)')
    .action(async (opts: { principal: string; endpoint?: string; after?: string }) => policyAdvice(opts));
  const peer = program
    .command('peer-config')
    .description('print a router configuration (FRR, BIRD, GoBGP, ExaBGP) that peers with the BGP speaker over a connection\'s tunnels')
    .argument('<vco-id>', 'the VPN connection (vco-…)')
    .requiredOption('--format <format>', 'frr, bird, gobgp or exabgp')
    .option('--tunnel <index>', 'only tunnel 1 or 2 (default: every BGP tunnel)')
    .option('--announce <cidrs>', 'prefixes the router announces, comma-separated (default: the connection\'s RemoteSubnet, else 192.0.2.0/24)');
  // The store and BGP flags of `serve`, shared (not copied): the same flags and environment find the same store and ports.
  for (const o of serveCommand.options) if (PEER_CONFIG_SERVE_FLAGS.has(o.long ?? '')) peer.addOption(o);
  peer.action(async (connectionId: string, opts: ServeOptions & PeerConfigOptions) => printPeerConfig(connectionId, opts));
  const state = program.command('state').description('export the state to a snapshot document, or import one into an empty store (README "Snapshots")');
  const stateExport = state
    .command('export')
    .description('write the whole state (or one account) as a JSON document to stdout or --output; it holds AccessKey secrets')
    .option('--account <id>', 'only this account\'s resources and identities')
    .option('--output <file>', 'write to this file (created with mode 0600) instead of stdout');
  const stateImport = state
    .command('import')
    .description('write a snapshot into an empty store (one transaction: all of it or nothing)')
    .argument('<file>', 'the snapshot document');
  for (const command of [stateExport, stateImport]) {
    for (const o of serveCommand.options) if (STATE_SERVE_FLAGS.has(o.long ?? '')) command.addOption(o);
  }
  stateExport.action(async (opts: ExportOptions) => exportState(opts));
  stateImport.action(async (file: string, opts: ServeOptions) => importState(file, opts));
  return program;
}

async function policyAdvice(opts: { principal: string; endpoint?: string; after?: string }): Promise<void> {
  const endpoint = (opts.endpoint ?? process.env.VCOROUTE_ENDPOINT ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const token = process.env.VCOROUTE_ADMIN_TOKEN;
  if (!token) throw new ConfigError('set VCOROUTE_ADMIN_TOKEN to the server\'s admin token');
  const query = new URLSearchParams({ principal: opts.principal, ...(opts.after ? { after: opts.after } : {}) });
  const res = await fetch(`${endpoint}/_vcoroute/v1/policy-advice?${query}`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { policy?: unknown; decisions?: number; fitsRamLimit?: boolean; error?: { message: string } };
  if (res.status !== 200) throw new Error(`${res.status}: ${body.error?.message ?? 'the server refused'}`);
  if (body.decisions === 0) process.stderr.write(`vcoroute: no calls recorded for ${opts.principal} on this server\n`);
  if (body.fitsRamLimit === false) process.stderr.write('vcoroute: the document is longer than RAM allows (6,144 characters): replace exact ARNs with wildcards where you see fit\n');
  process.stdout.write(`${JSON.stringify(body.policy, null, 2)}\n`);
}

export function main(argv: string[]): void {
  buildProgram()
    .parseAsync(argv)
    .catch((err: unknown) => {
      process.stderr.write(`vcoroute: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}

if (require.main === module) main(process.argv);
