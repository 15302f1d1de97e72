/** IPv4 addresses and CIDR blocks: parsing, normalisation and overlap. Pure. */

export interface Cidr {
  network: number; // unsigned 32-bit
  prefix: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const p of parts) {
    if (!OCTET.test(p)) return undefined;
    value = value * 256 + Number(p);
  }
  return value;
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
  const address = parseIpv4(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (address === undefined || !/^(3[0-2]|[12]?\d)$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
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
