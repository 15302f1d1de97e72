/** Hand-built BGP bytes for tests: attributes, UPDATE bodies and whole messages, independent of the encoder. */

export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

/** A whole message: marker, length, type, body. */
export function message(type: number, body: Buffer | number[]): Buffer {
  const b = Buffer.from(body);
  const head = Buffer.alloc(19, 0xff);
  head.writeUInt16BE(19 + b.length, 16);
  head[18] = type;
  return Buffer.concat([head, b]);
}

/** A path attribute; extended length when asked or when the value needs it. */
export function attr(flags: number, type: number, value: Buffer | number[], extended = false): Buffer {
  const v = Buffer.from(value);
  if (extended || v.length > 255) {
    const head = Buffer.from([flags | 0x10, type, 0, 0]);
    head.writeUInt16BE(v.length, 2);
    return Buffer.concat([head, v]);
  }
  return Buffer.concat([Buffer.from([flags, type, v.length]), v]);
}

export function u16(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => b.writeUInt16BE(v, i * 2));
  return b;
}

export function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

/** NLRI bytes for "a.b.c.d/len" prefixes. */
export function nlri(...prefixes: string[]): Buffer {
  return Buffer.concat(prefixes.map((p) => {
    const [address, len] = p.split('/') as [string, string];
    const length = Number(len);
    const octets = address.split('.').map(Number).slice(0, Math.ceil(length / 8));
    return Buffer.from([length, ...octets]);
  }));
}

/** An UPDATE body: withdrawn routes, attributes, NLRI. */
export function updateBody(withdrawn: Buffer, attributes: Buffer[], announced: Buffer): Buffer {
  const attrs = Buffer.concat(attributes);
  return Buffer.concat([u16(withdrawn.length), withdrawn, u16(attrs.length), attrs, announced]);
}

export const ORIGIN_IGP = attr(0x40, 1, [0]);
/** AS_PATH SEQUENCE with 4-octet ASNs */
export function asPath4(...asns: number[]): Buffer {
  return attr(0x40, 2, Buffer.concat([Buffer.from([2, asns.length]), u32(...asns)]));
}
export function asPath2(...asns: number[]): Buffer {
  return attr(0x40, 2, Buffer.concat([Buffer.from([2, asns.length]), u16(...asns)]));
}
export function nextHop(a: number, b: number, c: number, d: number): Buffer {
  return attr(0x40, 3, [a, b, c, d]);
}
/** The three mandatory attributes of a valid 4-octet-AS UPDATE. */
export function mandatory(): Buffer[] {
  return [ORIGIN_IGP, asPath4(65001, 12000), nextHop(169, 254, 10, 2)];
}
