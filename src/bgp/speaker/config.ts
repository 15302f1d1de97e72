/**
 * The BGP speaker's settings (`vcoroute serve --bgp …`, VCOROUTE_BGP_*). Every default here is a decision
 * recorded in docs/compatibility.md ("BGP").
 */
import { parseIpv4 } from '../../domain/cidr';

export type BgpMode = 'off' | 'tunnel' | 'loopback';
export type MaxPrefixAction = 'drop' | 'cease';

export interface BgpSpeakerConfig {
  /** off: no BGP ports at all; tunnel: LocalBgpIp:port when the address exists; loopback: one port per tunnel on loopbackHost */
  mode: BgpMode;
  /** tunnel mode's port */
  port: number;
  loopbackHost: string;
  loopbackFirstPort: number;
  loopbackLastPort: number;
  /** hold time offered in our OPEN (the session negotiates min(ours, theirs)) */
  holdTimeSec: number;
  /** accepted prefixes per tunnel */
  maxPrefixes: number;
  /** past maxPrefixes: drop the extra prefixes (keep the session) or close it with Cease 6/1 */
  maxPrefixAction: MaxPrefixAction;
  /** refuse 0.0.0.0/0 from a peer */
  rejectDefaultRoute: boolean;
  /** refuse prefixes inside or covering 100.64.0.0/10 */
  rejectSharedAddressSpace: boolean;
}

export interface BgpOptions {
  bgp?: string;
  bgpPort?: string | number;
  bgpLoopbackHost?: string;
  bgpLoopbackPorts?: string;
  bgpHoldTime?: string | number;
  bgpMaxPrefixes?: string | number;
  bgpMaxPrefixAction?: string;
  bgpAcceptDefaultRoute?: boolean | string;
  bgpAcceptSharedAddressSpace?: boolean | string;
}

/**
 * Decided (Alibaba does not publish its timers): hold time 30 s (keepalive 10 s), the values of other
 * clouds' VPN BGP sessions; peers offering more (BIRD 240, FRR/ExaBGP 180, GoBGP 90) negotiate down to it.
 */
export const DEFAULT_HOLD_TIME_SEC = 30;
/** Documented: a VPN-gateway BGP route table accepts 50 routes from a peer by default. */
export const DEFAULT_MAX_PREFIXES = 50;
export const DEFAULT_LOOPBACK_PORTS = '17900-18899';

export class BgpConfigError extends Error {}

const truthy = (v: boolean | string | undefined) => v === true || /^(1|true|yes)$/i.test(String(v ?? ''));

function integer(text: string, what: string, min: number, max: number): number {
  if (!/^\d{1,10}$/.test(text) || Number(text) < min || Number(text) > max) throw new BgpConfigError(`invalid ${what}: ${text} (${min}–${max})`);
  return Number(text);
}

export function parseBgpConfig(o: BgpOptions, env: NodeJS.ProcessEnv): BgpSpeakerConfig {
  const mode = String(o.bgp ?? env.VCOROUTE_BGP ?? 'off');
  if (mode !== 'off' && mode !== 'tunnel' && mode !== 'loopback') throw new BgpConfigError(`--bgp must be tunnel, loopback or off, not ${mode}`);
  const loopbackHost = o.bgpLoopbackHost ?? env.VCOROUTE_BGP_LOOPBACK_HOST ?? '127.0.0.1';
  if (parseIpv4(loopbackHost) === undefined) throw new BgpConfigError(`the BGP loopback address must be an IPv4 address: ${loopbackHost}`);
  const range = String(o.bgpLoopbackPorts ?? env.VCOROUTE_BGP_LOOPBACK_PORTS ?? DEFAULT_LOOPBACK_PORTS);
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(range);
  const first = m ? integer(m[1]!, 'first BGP loopback port', 1, 65535) : NaN;
  const last = m ? integer(m[2]!, 'last BGP loopback port', 1, 65535) : NaN;
  if (!m || first > last) throw new BgpConfigError(`the BGP loopback port range must be FIRST-LAST, e.g. ${DEFAULT_LOOPBACK_PORTS}: ${range}`);
  const holdTimeSec = integer(String(o.bgpHoldTime ?? env.VCOROUTE_BGP_HOLD_TIME ?? DEFAULT_HOLD_TIME_SEC), 'BGP hold time', 0, 65535);
  if (holdTimeSec === 1 || holdTimeSec === 2) throw new BgpConfigError('the BGP hold time must be 0 or at least 3 seconds (RFC 4271)');
  const action = String(o.bgpMaxPrefixAction ?? env.VCOROUTE_BGP_MAX_PREFIX_ACTION ?? 'drop');
  if (action !== 'drop' && action !== 'cease') throw new BgpConfigError(`the max-prefix action must be drop or cease, not ${action}`);
  return {
    mode,
    port: integer(String(o.bgpPort ?? env.VCOROUTE_BGP_PORT ?? 179), 'BGP port', 1, 65535),
    loopbackHost,
    loopbackFirstPort: first,
    loopbackLastPort: last,
    holdTimeSec,
    maxPrefixes: integer(String(o.bgpMaxPrefixes ?? env.VCOROUTE_BGP_MAX_PREFIXES ?? DEFAULT_MAX_PREFIXES), 'BGP max prefixes', 1, 100_000_000),
    maxPrefixAction: action,
    rejectDefaultRoute: !truthy(o.bgpAcceptDefaultRoute ?? env.VCOROUTE_BGP_ACCEPT_DEFAULT_ROUTE),
    rejectSharedAddressSpace: !truthy(o.bgpAcceptSharedAddressSpace ?? env.VCOROUTE_BGP_ACCEPT_SHARED_ADDRESS_SPACE),
  };
}
