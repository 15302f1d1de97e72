/**
 * Client-side signing for the load generator, as the official SDKs do it (pop-protocol.md §3–§6), reusing
 * the server's pure signature functions. Every request gets a fresh nonce; the same code signs for every
 * target, so the client's cost is the same against vcoroute and against the ceiling server.
 */
import { randomBytes } from 'node:crypto';
import { percentEncode } from '../src/pop/encoding';
import { v1Signature, v1StringToSign, v3CanonicalRequest, v3Hash, v3Signature, v3StringToSign, type Params } from '../src/pop/signature';

export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
}

export interface SignedRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
}

const EMPTY_SHA256 = v3Hash('ACS3-HMAC-SHA256', Buffer.alloc(0));

/** Unique nonces: a random prefix per generator, then a counter (64 characters, like the V3 SDK's). */
export class NonceSource {
  private readonly prefix = randomBytes(12).toString('hex');
  private n = 0;

  next(length = 64): string {
    const counter = (this.n++).toString(16);
    return this.prefix + counter.padStart(length - this.prefix.length, '0');
  }
}

/** `YYYY-MM-DDThh:mm:ssZ`, the SDKs' timestamp (no milliseconds). */
export function timestamp(now = Date.now()): string {
  return new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function wireQuery(params: Params): string {
  return Object.keys(params)
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(params[k]!)}`)
    .join('&');
}

/** What `@alicloud/vpc20160428` sends by default: V3 ACS3-HMAC-SHA256, POST, parameters in the query, no body. */
export function signV3(
  creds: Credentials, host: string, action: string, version: string, query: Params, nonce: string, date: string,
): SignedRequest {
  const headers: Record<string, string> = {
    host,
    'x-acs-action': action,
    'x-acs-content-sha256': EMPTY_SHA256,
    'x-acs-credentials-provider': 'static_ak',
    'x-acs-date': date,
    'x-acs-signature-nonce': nonce,
    'x-acs-version': version,
  };
  const signedHeaders = Object.keys(headers); // already sorted, all lower case
  const canonical = v3CanonicalRequest('POST', '/', query, headers, signedHeaders, EMPTY_SHA256)!;
  const signature = v3Signature('ACS3-HMAC-SHA256', creds.accessKeySecret, v3StringToSign('ACS3-HMAC-SHA256', canonical));
  headers.authorization = `ACS3-HMAC-SHA256 Credential=${creds.accessKeyId},SignedHeaders=${signedHeaders.join(';')},Signature=${signature}`;
  headers.accept = 'application/json';
  headers['user-agent'] = 'AlibabaCloud (linux; x64) Node.js/v20 Core/1.0.1 TeaDSL/2 vcoroute-bench';
  headers['content-length'] = '0';
  return { method: 'POST', path: `/?${wireQuery(query)}`, headers };
}

/** What `@alicloud/pop-core` RPCClient sends by default: V1 HMAC-SHA1 over GET, sorted RFC 3986 query. */
export function signV1Get(
  creds: Credentials, host: string, action: string, version: string, business: Params, nonce: string, date: string,
): SignedRequest {
  const params: Params = {
    ...business,
    Action: action,
    Format: 'JSON',
    Version: version,
    Timestamp: date,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: nonce,
    AccessKeyId: creds.accessKeyId,
  };
  const signature = v1Signature(creds.accessKeySecret, v1StringToSign('GET', params));
  const query = Object.keys(params)
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k]!)}`)
    .join('&');
  return {
    method: 'GET',
    path: `/?${query}&Signature=${percentEncode(signature)}`,
    headers: {
      host,
      'x-sdk-client': 'Node.js(v20)/@alicloud/pop-core/1.8.0',
      'user-agent': 'AlibabaCloud (linux; x64) Node.js/v20 Core/1.8.0 vcoroute-bench',
      'x-acs-action': action,
      'x-acs-version': version,
    },
  };
}
