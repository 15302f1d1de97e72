/** IPv4 addresses and CIDR blocks: parsing, normalisation and overlap. Pure. */

export interface Cidr {
  network: number; // unsigned 32-bit
  prefix: number;
}

/**
 * Reads decimal digits from `start` up to `end` (exclusive) as an unsigned number no larger than `max`: 1 to 3
 * digits, no leading zero (only "0" itself). Returns -1 when the text is not that. By character codes, not
 * split/regex: every route write's history summary parses its destination (BENCHMARKS.md, round 3).
 */
function decimal(text: string, start: number, end: number, max: number): number {
  const length = end - start;
  if (length < 1 || length > 3 || (length > 1 && text.charCodeAt(start) === 48)) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value <= max ? value : -1;
}

/** A dotted quad within text[start, end): four decimal octets 0-255 without leading zeros. */
function ipv4Within(text: string, start: number, end: number): number | undefined {
  let value = 0;
  let from = start;
  for (let octet = 0; octet < 4; octet++) {
    let to = from;
    while (to < end && text.charCodeAt(to) !== 46) to++; // '.'
    if ((octet < 3) !== (to < end)) return undefined; // a dot after each of the first three octets, none after the last
    const part = decimal(text, from, to, 255);
    if (part < 0) return undefined;
    value = value * 256 + part;
    from = to + 1;
  }
  return value;
}

export function parseIpv4(text: string): number | undefined {
  return ipv4Within(text, 0, text.length);
}

export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/**
 * Parses `a.b.c.d/n`. With `normalise`, host bits are cleared (10.0.0.1/8 → 10.0.0.0/8); without it,
 * host bits make the block invalid.
 */
export function parseCidr(text: string, normalise = false): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = ipv4Within(text, 0, slash);
  const prefix = decimal(text, slash + 1, text.length, 32);
  if (address === undefined || prefix < 0) return undefined;
  const network = (address & maskOf(prefix)) >>> 0;
  if (!normalise && network !== address) return undefined;
  return { network, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIpv4(c.network)}/${c.prefix}`;
}

/** True when the two blocks share at least one address (one contains the other). */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  const mask = maskOf(prefix);
  return ((a.network & mask) >>> 0) === ((b.network & mask) >>> 0);
}

export function cidrContains(block: Cidr, address: number): boolean {
  return ((address & maskOf(block.prefix)) >>> 0) === block.network;
}
