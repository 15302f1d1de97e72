/**
 * Business rules of customer gateways and IPsec connections for transit routers: defaults, value sets,
 * address and ASN rules, IDs, and connection states derived from stored timestamps. Pure.
 * Source: ../shared/reference/vpc-vco-api.md §3, §4, §9, §11.
 */
import { randomBytes, randomInt } from '../random';
import { cidrContains, cidrsOverlap, formatIpv4, parseCidr, type Cidr } from './cidr';
import type { ConnectionAttributes, ConnectionRecord, ConnectionTransition, IkeConfig, IpsecConfig, TunnelOptions, TunnelRecord } from '../store/store';

// ---------- IDs ----------

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** IDs look like the cloud's: prefix + 20 lowercase alphanumerics (vco-, cgw-, tun-, tr-). */
export function newResourceId(prefix: 'vco' | 'cgw' | 'tun' | 'tr'): string {
  const bytes = randomBytes(20);
  let id = `${prefix}-`;
  for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
  return id;
}

const PSK_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The generated pre-shared key: 16 random letters and digits (documented default). */
export function generatePsk(): string {
  let psk = '';
  for (let i = 0; i < 16; i++) psk += PSK_ALPHABET[randomInt(PSK_ALPHABET.length)];
  return psk;
}

// ---------- value sets and defaults ----------

export const IKE_VERSIONS = ['ikev1', 'ikev2'] as const;
export const IKE_MODES = ['main', 'aggressive'] as const;
export const ENCRYPTION_ALGORITHMS = ['aes', 'aes192', 'aes256', 'des', '3des'] as const;
export const AUTH_ALGORITHMS = ['md5', 'sha1', 'sha256', 'sha384', 'sha512'] as const;
export const IKE_PFS_GROUPS = ['group1', 'group2', 'group5', 'group14'] as const;
export const IPSEC_PFS_GROUPS = [...IKE_PFS_GROUPS, 'disabled'] as const;
export const NETWORK_TYPES = ['public', 'private'] as const;
export const TUNNEL_BANDWIDTHS = ['Standard', 'Large'] as const;
export const DEFAULT_LOCAL_ASN = 45104;
export const MAX_ASN = 4294967295;
export const MAX_LIFETIME_SECONDS = 86400;
export const DEFAULT_RESOURCE_GROUP = 'rg-default';

/** Dual-tunnel defaults (CreateVpnAttachment TunnelOptionsSpecification). */
export function defaultTunnelIke(remoteId: string, localId: string): IkeConfig {
  return { ikeVersion: 'ikev2', ikeMode: 'main', ikeEncAlg: 'aes', ikeAuthAlg: 'sha1', ikePfs: 'group2', ikeLifetime: 86400, localId, remoteId, psk: generatePsk() };
}

/** Decided: IpsecAuthAlg has no documented default for tunnels; sha1 follows IkeAuthAlg and the SDK example. */
export function defaultTunnelIpsec(): IpsecConfig {
  return { ipsecEncAlg: 'aes', ipsecAuthAlg: 'sha1', ipsecPfs: 'group2', ipsecLifetime: 86400 };
}

/** Single-tunnel JSON configs have other documented defaults: ikev1, md5, empty LocalId. */
export function defaultSingleIke(remoteId: string): IkeConfig {
  return { ikeVersion: 'ikev1', ikeMode: 'main', ikeEncAlg: 'aes', ikeAuthAlg: 'md5', ikePfs: 'group2', ikeLifetime: 86400, localId: '', remoteId, psk: generatePsk() };
}

export function defaultSingleIpsec(): IpsecConfig {
  return { ipsecEncAlg: 'aes', ipsecAuthAlg: 'md5', ipsecPfs: 'group2', ipsecLifetime: 86400 };
}

export function defaultConnectionAttributes(): ConnectionAttributes {
  return {
    name: '',
    description: '',
    localSubnet: '0.0.0.0/0',
    remoteSubnet: '0.0.0.0/0',
    networkType: 'public',
    effectImmediately: false,
    autoConfigRoute: true,
    enableTunnelsBgp: false,
    tunnelBandwidth: 'Standard',
    resourceGroupId: DEFAULT_RESOURCE_GROUP,
    tags: [],
    internetIp: '',
  };
}

export function defaultTunnelOptions(tunnelIndex: number): TunnelOptions {
  return {
    enableDpd: true,
    enableNatTraversal: true,
    role: tunnelIndex === 1 ? 'master' : 'slave',
    internetIp: '',
    zoneNo: '',
    ike: defaultTunnelIke('', ''),
    ipsec: defaultTunnelIpsec(),
    bgp: { localAsn: DEFAULT_LOCAL_ASN, tunnelCidr: '', localBgpIp: '' },
  };
}

// ---------- addresses and ASNs ----------

const FORBIDDEN_GATEWAY_BLOCKS: readonly Cidr[] = ['100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '255.0.0.0/8'].map(
  (c) => parseCidr(c)!,
);

/** Customer gateway addresses may not be in 100.64/10, 127/8, 169.254/16, 224–239 (multicast) or 255/8. */
export function isForbiddenGatewayAddress(address: number): boolean {
  return FORBIDDEN_GATEWAY_BLOCKS.some((block) => cidrContains(block, address));
}

/** ASN as a number: 1–4294967295, or the two-segment form a.b = a×65536+b. */
export function parseAsn(text: string): number | undefined {
  let value: number;
  if (/^\d{1,10}$/.test(text)) value = Number(text);
  else {
    const m = /^(\d{1,5})\.(\d{1,5})$/.exec(text);
    if (!m || Number(m[1]) > 65535 || Number(m[2]) > 65535) return undefined;
    value = Number(m[1]) * 65536 + Number(m[2]);
  }
  return value >= 1 && value <= MAX_ASN ? value : undefined;
}

const RESERVED_TUNNEL_CIDRS: readonly Cidr[] = [
  '169.254.0.0/30', '169.254.1.0/30', '169.254.2.0/30', '169.254.3.0/30', '169.254.4.0/30', '169.254.5.0/30', '169.254.6.0/30',
  '169.254.169.252/30',
].map((c) => parseCidr(c)!);
const LINK_LOCAL = parseCidr('169.254.0.0/16')!;

/** A tunnel BGP CIDR is a /30 inside 169.254.0.0/16, outside the reserved blocks. */
export function tunnelCidrProblem(text: string): string | undefined {
  const cidr = parseCidr(text);
  if (!cidr || cidr.prefix !== 30) return 'TunnelCidr must be a /30 CIDR block such as 169.254.10.0/30.';
  if (!cidrsOverlap(cidr, LINK_LOCAL)) return 'TunnelCidr must be within 169.254.0.0/16.';
  if (RESERVED_TUNNEL_CIDRS.some((r) => cidrsOverlap(r, cidr))) return `TunnelCidr ${text} is reserved.`;
  return undefined;
}

/** Decided: the peer (customer side) BGP address is the other usable address of the /30. */
export function peerBgpIp(tunnelCidr: string, localBgpIp: string): string {
  const cidr = parseCidr(tunnelCidr);
  if (!cidr) return '';
  const first = cidr.network + 1;
  const second = cidr.network + 2;
  return formatIpv4(formatIpv4(first) === localBgpIp ? second : first);
}

// ---------- states (derived from stored timestamps, never from timers) ----------

/** The state a connection shows at `now`: the pending state until its deadline, then the stable state. */
export function effectiveState(c: Pick<ConnectionRecord, 'state' | 'pendingState' | 'pendingUntil'>, now: number): string {
  return c.pendingState !== null && c.pendingUntil !== null && now < c.pendingUntil ? c.pendingState : c.state;
}

/** True while a change is in progress; a second change is refused (VpnConnection.Configuring). */
export function isChanging(c: ConnectionRecord, now: number): boolean {
  return c.pendingUntil !== null && now < c.pendingUntil;
}

/** States in which a connection counts as attached to its transit router. */
export const ATTACHED_STATES: ReadonlySet<string> = new Set(['attached', 'updating']);

/**
 * Decided: tunnels negotiate only while the connection is attached; before that they report phase 1 not
 * established. Once attached they report their stored status (default ipsec_sa_established, settable
 * through the admin API).
 */
export function reportedTunnelStatus(c: ConnectionRecord, t: TunnelRecord, now: number): string {
  return ATTACHED_STATES.has(effectiveState(c, now)) ? t.status : 'ike_sa_not_established';
}

/** A connection as the admin API seeds it: given identity, state and tunnels, documented defaults for the rest. */
export function seededConnection(seed: {
  connectionId: string;
  accountId: string;
  regionId: string;
  state: string;
  transitRouterId: string | null;
  createTime: number;
  tunnels: { tunnelId: string; status: string }[];
}): ConnectionRecord {
  return {
    connectionId: seed.connectionId,
    accountId: seed.accountId,
    regionId: seed.regionId,
    state: seed.state,
    pendingState: null,
    pendingUntil: null,
    transitRouterId: seed.transitRouterId,
    customerGatewayId: null,
    createTime: seed.createTime,
    tunnels: seed.tunnels.map((t, i) => ({
      tunnelId: t.tunnelId,
      tunnelIndex: i + 1,
      status: t.status,
      customerGatewayId: null,
      options: defaultTunnelOptions(i + 1),
    })),
    attributes: defaultConnectionAttributes(),
  };
}

// ---------- transitions ----------

/** Attach to a transit router: `attaching` for `delayMs`, then `attached`. Allowed from `init`. */
export function attachTransition(transitRouterId: string, now: number, delayMs: number): ConnectionTransition {
  return { state: 'attached', pendingState: delayMs > 0 ? 'attaching' : null, pendingUntil: delayMs > 0 ? now + delayMs : null, transitRouterId };
}

/** Detach: `detaching` for `delayMs`, then `init`, attached to nothing. Allowed from `attached`. */
export function detachTransition(now: number, delayMs: number): ConnectionTransition {
  return { state: 'init', pendingState: delayMs > 0 ? 'detaching' : null, pendingUntil: delayMs > 0 ? now + delayMs : null, transitRouterId: null };
}

/** A configuration or route change of an attached connection: `updating` for `delayMs`, then `attached`. */
export function updateTransition(now: number, delayMs: number): ConnectionTransition {
  return { state: 'attached', pendingState: delayMs > 0 ? 'updating' : null, pendingUntil: delayMs > 0 ? now + delayMs : null };
}
