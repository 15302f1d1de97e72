/**
 * ACS3-HMAC-SHA256 (signature V3) in the browser, with WebCrypto: the same canonical request as the official
 * SDKs (pop-protocol.md §6; the server's side is src/pop/signature.ts). Pure apart from crypto.subtle, so the
 * unit test (test/unit/console-signer.test.ts) runs it under Node against the reference vectors.
 */
export const ALGORITHM = 'ACS3-HMAC-SHA256';
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface SigningKey {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface RequestToSign {
  method: 'GET' | 'POST';
  /** API parameters, all sent in the query string (as the SDKs do) */
  query: Record<string, string>;
  /** lower-case names; every one is signed (host, x-acs-*) */
  headers: Record<string, string>;
  payloadHash: string;
}

const encoder = new TextEncoder();

/** RFC 3986: everything but A-Z a-z 0-9 - _ . ~ percent-encoded (space %20, * %2A). */
export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function canonicalQuery(query: Record<string, string>): string {
  return Object.keys(query)
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(query[k]!)}`)
    .join('&');
}

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function sha256Hex(text: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

async function hmacSha256Hex(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return hex(await crypto.subtle.sign('HMAC', key, encoder.encode(text)));
}

export function signedHeaderNames(headers: Record<string, string>): string[] {
  return Object.keys(headers).sort();
}

export function canonicalRequest(req: RequestToSign): string {
  const names = signedHeaderNames(req.headers);
  const canonicalHeaders = names.map((n) => `${n}:${req.headers[n]!.trim()}\n`).join('');
  return [req.method, '/', canonicalQuery(req.query), canonicalHeaders, names.join(';'), req.payloadHash].join('\n');
}

/** The Authorization header value for a request whose signed headers are all in `req.headers`. */
export async function authorization(key: SigningKey, req: RequestToSign): Promise<string> {
  const stringToSign = `${ALGORITHM}\n${await sha256Hex(canonicalRequest(req))}`;
  const signature = await hmacSha256Hex(key.accessKeySecret, stringToSign);
  return `${ALGORITHM} Credential=${key.accessKeyId},SignedHeaders=${signedHeaderNames(req.headers).join(';')},Signature=${signature}`;
}

/** `YYYY-MM-DDThh:mm:ssZ`, as the SDKs send x-acs-date. */
export function acsDate(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** 64 hex characters, as the SDKs' nonces. */
export function newNonce(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return hex(bytes.buffer);
}
