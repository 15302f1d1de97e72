/**
 * Signature V1 (HMAC-SHA1) and V3 (ACS3-HMAC-SHA256, ACS3-HMAC-SM3) as pure functions.
 * See ../shared/reference/pop-protocol.md §4–§6; vectors in test/unit/signature.test.ts.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { percentEncode } from './encoding';

export type Params = Record<string, string>;

// ---------- V1 ----------

export function v1CanonicalQuery(params: Params): string {
  return Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k]!)}`)
    .join('&');
}

export function v1StringToSign(method: string, params: Params): string {
  return `${method}&${percentEncode('/')}&${percentEncode(v1CanonicalQuery(params))}`;
}

export function v1Signature(secret: string, stringToSign: string): string {
  return createHmac('sha1', secret + '&').update(stringToSign, 'utf8').digest('base64');
}

// ---------- V3 ----------

export const V3_ALGORITHMS = {
  'ACS3-HMAC-SHA256': { hash: 'sha256', hmac: 'sha256' },
  'ACS3-HMAC-SM3': { hash: 'sm3', hmac: 'sm3' },
} as const;
export type V3Algorithm = keyof typeof V3_ALGORITHMS;

export function isV3Algorithm(name: string): name is V3Algorithm {
  return Object.prototype.hasOwnProperty.call(V3_ALGORITHMS, name);
}

export interface V3Authorization {
  algorithm: string;
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`; undefined when malformed. */
export function parseV3Authorization(header: string): V3Authorization | undefined {
  const space = header.indexOf(' ');
  if (space <= 0) return undefined;
  const algorithm = header.slice(0, space);
  const fields = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const [Credential, SignedHeaders, Signature] = [fields.get('Credential'), fields.get('SignedHeaders'), fields.get('Signature')];
  if (!Credential || !SignedHeaders || !Signature) return undefined;
  return { algorithm, accessKeyId: Credential, signedHeaders: SignedHeaders.split(';'), signature: Signature };
}

export function v3Hash(algorithm: V3Algorithm, data: Buffer | string): string {
  return createHash(V3_ALGORITHMS[algorithm].hash).update(data).digest('hex');
}

/**
 * Keys are percent-encoded as the V3 documentation says (the SDK leaves them raw; identical for every key it
 * sends). Raw keys would make the string ambiguous: one parameter named `A=1&B` with value `2` would sign
 * exactly like the two parameters A=1 and B=2, so a signed request could be rewritten to hide parameters.
 */
export function v3CanonicalQuery(query: Params): string {
  return Object.keys(query)
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(query[k]!)}`)
    .join('&');
}

/** Reads one header for signing: several values are sorted and joined by ',' (as the SDK does). */
function headerValue(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((v) => v.trim()).sort().join(',');
  return value.trim();
}

export function v3CanonicalRequest(
  method: string,
  path: string,
  query: Params,
  headers: Record<string, string | string[] | undefined>,
  signedHeaders: readonly string[],
  payloadHash: string,
): string | undefined {
  let canonicalHeaders = '';
  for (const name of signedHeaders) {
    // Names come from the client's SignedHeaders, and Node's header object has Object.prototype: only own
    // members are headers (`constructor` is not).
    const value = headerValue(Object.hasOwn(headers, name) ? headers[name] : undefined);
    if (value === undefined) return undefined;
    canonicalHeaders += `${name}:${value}\n`;
  }
  const canonicalUri = path.replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~');
  return [method, canonicalUri, v3CanonicalQuery(query), canonicalHeaders, signedHeaders.join(';'), payloadHash].join('\n');
}

export function v3StringToSign(algorithm: V3Algorithm, canonicalRequest: string): string {
  return `${algorithm}\n${v3Hash(algorithm, canonicalRequest)}`;
}

export function v3Signature(algorithm: V3Algorithm, secret: string, stringToSign: string): string {
  return createHmac(V3_ALGORITHMS[algorithm].hmac, secret).update(stringToSign, 'utf8').digest('hex');
}

/** Constant-time string comparison (length leaks, content does not). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
