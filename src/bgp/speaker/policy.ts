/**
 * Import policy for prefixes a customer router announces, like the cloud's (bgp.md §4): no default route, nothing
 * inside or covering 100.64.0.0/10, at most N prefixes per tunnel. Pure; each rule is a setting
 * (config.ts) and recorded in docs/compatibility.md ("BGP").
 */
import { cidrsOverlap, parseCidr, type Cidr } from '../../domain/cidr';

export interface PrefixPolicy {
  rejectDefaultRoute: boolean;
  rejectSharedAddressSpace: boolean;
}

const SHARED_ADDRESS_SPACE: Cidr = parseCidr('100.64.0.0/10')!;

/** Why a prefix is refused, or undefined when it is accepted. */
export function refusal(prefix: string, policy: PrefixPolicy): 'default-route' | 'shared-address-space' | 'invalid' | undefined {
  const cidr = parseCidr(prefix);
  if (!cidr) return 'invalid';
  if (policy.rejectDefaultRoute && cidr.prefix === 0) return 'default-route';
  if (policy.rejectSharedAddressSpace && cidr.prefix > 0 && cidrsOverlap(cidr, SHARED_ADDRESS_SPACE)) return 'shared-address-space';
  return undefined;
}
