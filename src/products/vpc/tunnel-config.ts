/**
 * IKE, IPsec and tunnel-BGP settings: parsed from `TunnelOptionsSpecification.N.*` (dual-tunnel) or from the
 * JSON-string configs (single-tunnel), validated, then merged over defaults or the current values.
 * Rules: vpc-vco-api.md §4 and §11.
 */
import { illegalParam } from '../../pop/errors';
import { cidrContains, formatIpv4, parseCidr, parseIpv4 } from '../../domain/cidr';
import {
  AUTH_ALGORITHMS, ENCRYPTION_ALGORITHMS, IKE_MODES, IKE_PFS_GROUPS, IKE_VERSIONS, IPSEC_PFS_GROUPS, MAX_LIFETIME_SECONDS, parseAsn,
  tunnelCidrProblem,
} from '../../domain/vpn';
import type { IkeConfig, IpsecConfig, TunnelBgpConfig } from '../../store/store';
import { enumValue, intValue } from './vpc-params';

const IDENTIFIER = /^[^\s]{1,100}$/;
const PSK = /^[A-Za-z0-9~!`@#$%^&*()_\-+={}[\]\\|;:'",.<>/?]{1,100}$/;

function identifier(name: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (text !== '' && !IDENTIFIER.test(text)) throw illegalParam(name, `The specified ${name} is invalid. It must be at most 100 characters without spaces.`);
  return text;
}

/** Keeps only the fields that were given. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function parseIke(fields: Record<string, string>): Partial<IkeConfig> {
  const psk = fields.Psk;
  if (psk !== undefined && !PSK.test(psk)) {
    throw illegalParam('Psk', 'The specified Psk is invalid. It must be 1 to 100 characters: letters, digits and ~!`@#$%^&*()_-+={}[]\\|;:\',.<>/? without spaces.');
  }
  return defined({
    ikeVersion: enumValue('IkeVersion', fields.IkeVersion, IKE_VERSIONS),
    ikeMode: enumValue('IkeMode', fields.IkeMode, IKE_MODES),
    ikeEncAlg: enumValue('IkeEncAlg', fields.IkeEncAlg, ENCRYPTION_ALGORITHMS),
    ikeAuthAlg: enumValue('IkeAuthAlg', fields.IkeAuthAlg, AUTH_ALGORITHMS),
    ikePfs: enumValue('IkePfs', fields.IkePfs, IKE_PFS_GROUPS),
    ikeLifetime: intValue('IkeLifetime', fields.IkeLifetime, 0, MAX_LIFETIME_SECONDS),
    localId: identifier('LocalId', fields.LocalId),
    remoteId: identifier('RemoteId', fields.RemoteId),
    psk,
  });
}

export function parseIpsec(fields: Record<string, string>): Partial<IpsecConfig> {
  return defined({
    ipsecEncAlg: enumValue('IpsecEncAlg', fields.IpsecEncAlg, ENCRYPTION_ALGORITHMS),
    ipsecAuthAlg: enumValue('IpsecAuthAlg', fields.IpsecAuthAlg, AUTH_ALGORITHMS),
    ipsecPfs: enumValue('IpsecPfs', fields.IpsecPfs, IPSEC_PFS_GROUPS),
    ipsecLifetime: intValue('IpsecLifetime', fields.IpsecLifetime, 0, MAX_LIFETIME_SECONDS),
  });
}

export function parseTunnelBgp(fields: Record<string, string>): Partial<TunnelBgpConfig> {
  let localAsn: number | undefined;
  if (fields.LocalAsn !== undefined && fields.LocalAsn !== '') {
    localAsn = parseAsn(fields.LocalAsn);
    if (localAsn === undefined) throw illegalParam('LocalAsn', 'The specified LocalAsn is invalid. It must be 1 to 4294967295 or in the a.b form.');
  }
  const tunnelCidr = fields.TunnelCidr === '' ? undefined : fields.TunnelCidr;
  if (tunnelCidr !== undefined) {
    const problem = tunnelCidrProblem(tunnelCidr);
    if (problem) throw illegalParam('TunnelCidr', problem);
  }
  const localBgpIp = fields.LocalBgpIp === '' ? undefined : fields.LocalBgpIp;
  if (localBgpIp !== undefined && parseIpv4(localBgpIp) === undefined) throw illegalParam('LocalBgpIp', 'The specified LocalBgpIp is not a valid IPv4 address.');
  return defined({ localAsn, tunnelCidr, localBgpIp });
}

/**
 * After merging: LocalBgpIp must be a usable address of TunnelCidr (not its network or broadcast address).
 * Decided: without a LocalBgpIp, the first usable address of the /30 is the cloud side.
 */
export function completeTunnelBgp(bgp: TunnelBgpConfig): TunnelBgpConfig {
  if (bgp.tunnelCidr === '') {
    if (bgp.localBgpIp !== '') throw illegalParam('LocalBgpIp', 'LocalBgpIp needs a TunnelCidr.');
    return bgp;
  }
  const cidr = parseCidr(bgp.tunnelCidr)!;
  if (bgp.localBgpIp === '') return { ...bgp, localBgpIp: formatIpv4(cidr.network + 1) };
  const ip = parseIpv4(bgp.localBgpIp)!;
  if (!cidrContains(cidr, ip) || ip === cidr.network || ip === cidr.network + 3) {
    throw illegalParam('LocalBgpIp', `The specified LocalBgpIp ${bgp.localBgpIp} must be a usable address of TunnelCidr ${bgp.tunnelCidr}.`);
  }
  return bgp;
}
