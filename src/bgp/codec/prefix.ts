/** IPv4 NLRI (RFC 4271 §4.3): length in bits, then the fewest octets holding it. */
import { parseCidr } from '../../domain/cidr';
import type { Prefix } from '../session-api';

export function ipv4Text(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`;
}

export function prefixText(network: number, length: number): Prefix {
  return `${network >>> 24}.${(network >>> 16) & 255}.${(network >>> 8) & 255}.${network & 255}/${length}`;
}

/**
 * Reads the prefixes in [start, end) into `out` as "a.b.c.d/len". Bits past the length are cleared
 * (RFC 4271: trailing bits are irrelevant). False when a length exceeds 32 or a prefix is truncated:
 * the field is malformed and RFC 7606 §5.3 resets the session.
 */
export function readNlri(buf: Buffer, start: number, end: number, out: Prefix[]): boolean {
  let p = start;
  while (p < end) {
    const length = buf[p]!;
    if (length > 32) return false;
    const octets = (length + 7) >>> 3;
    if (p + 1 + octets > end) return false;
    let network = 0;
    for (let i = 0; i < 4; i++) network = (network << 8) | (i < octets ? buf[p + 1 + i]! : 0);
    network = length === 0 ? 0 : (network & (0xffffffff << (32 - length))) >>> 0;
    out.push(prefixText(network, length));
    p += 1 + octets;
  }
  return true;
}

/** Encoded size of a prefix of `length` bits. */
export function nlriSize(length: number): number {
  return 1 + ((length + 7) >>> 3);
}

export interface ParsedPrefix {
  network: number;
  length: number;
}

/** Prefixes handed to advertise() come from our own store: a malformed one is a programming error. */
export function parsePrefixOrThrow(text: Prefix): ParsedPrefix {
  const cidr = parseCidr(text, false);
  if (cidr === undefined) throw new RangeError(`not an IPv4 prefix with host bits clear: ${JSON.stringify(text)}`);
  return { network: cidr.network, length: cidr.prefix };
}

export function writeNlri(buf: Buffer, offset: number, prefix: ParsedPrefix): number {
  buf[offset] = prefix.length;
  const octets = (prefix.length + 7) >>> 3;
  for (let i = 0; i < octets; i++) buf[offset + 1 + i] = (prefix.network >>> (24 - 8 * i)) & 255;
  return offset + 1 + octets;
}
