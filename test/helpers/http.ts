/**
 * Raw HTTP for tests (node:http, so methods, paths, headers and chunking are exactly what the test says),
 * our own V1/V3 signing built on src/pop/signature.ts, and the "no response was a 5xx" bookkeeping that
 * every raw call and every SDK call (test/helpers/clients.ts) goes through.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { percentEncode } from '../../src/pop/encoding';
import {
  v1Signature, v1StringToSign, v3CanonicalRequest, v3Hash, v3Signature, v3StringToSign, type Params, type V3Algorithm,
} from '../../src/pop/signature';
import { DEV_ACCESS_KEY_ID, DEV_ACCESS_KEY_SECRET } from '../../src/config';

// ---------- no 5xx, ever ----------

const ROOT = { accessKeyId: DEV_ACCESS_KEY_ID, accessKeySecret: DEV_ACCESS_KEY_SECRET };

const serverErrors: string[] = [];
let responsesSeen = 0;

/** Every response status a test sees goes through here; a 5xx fails the calling test at once and is remembered. */
export function noteStatus(status: number | undefined, what: string): void {
  responsesSeen++;
  if (status !== undefined && status >= 500) {
    serverErrors.push(`${status} ${what}`);
    assert.fail(`the server answered ${status} to ${what}`);
  }
}

/** For a final test in each file: something was checked, and nothing was a 5xx (even if a test swallowed it). */
export function assertNoServerErrors(): void {
  assert.ok(responsesSeen > 0, 'no response was checked');
  assert.deepEqual(serverErrors, []);
}

// ---------- raw requests ----------

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** the body parsed as JSON (throws if it is not JSON) */
  json: any;
}

export interface RawRequest {
  method?: string;
  /** path and query exactly as sent, e.g. `/?Action=…` */
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** send the body with transfer-encoding: chunked (no content-length), in two writes */
  chunked?: boolean;
}

export function send(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
  const headers: Record<string, string> = { ...req.headers };
  if (body !== undefined) {
    if (req.chunked) headers['transfer-encoding'] = 'chunked';
    else headers['content-length'] = String(body.length);
  }
  return new Promise((resolve, reject) => {
    const r = http.request(
      { host: url.hostname, port: url.port, method: req.method ?? 'GET', path: req.path ?? '/', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          try {
            noteStatus(status, `${req.method ?? 'GET'} ${req.path ?? '/'}`);
          } catch (err) {
            reject(err);
            return;
          }
          resolve({
            status,
            headers: res.headers,
            text,
            get json() {
              return JSON.parse(text);
            },
          });
        });
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    if (body !== undefined && req.chunked) {
      const half = Math.floor(body.length / 2);
      r.write(body.subarray(0, half));
      r.write(body.subarray(half));
    } else if (body !== undefined) {
      r.write(body);
    }
    r.end();
  });
}

// ---------- signing ----------

/** `YYYY-MM-DDThh:mm:ssZ`, as the SDKs send it (no milliseconds). */
export function timestamp(at: number = Date.now()): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function nonce(): string {
  return randomUUID();
}

/** `k=v&…` with the signature encoder (what pop-core sends). */
export function encodeParams(params: Params): string {
  return Object.keys(params)
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k]!)}`)
    .join('&');
}

export interface V1Options {
  method?: string;
  accessKeyId?: string;
  secret?: string;
  /** common parameters to override (or remove, with undefined) before signing */
  common?: Record<string, string | undefined>;
}

/** A complete V1 parameter set for VPC 2016-04-28, signed. */
export function signV1(business: Params, opts: V1Options = {}): Params {
  const params: Params = {
    Action: 'DescribeVcoRouteEntries',
    Version: '2016-04-28',
    Format: 'JSON',
    AccessKeyId: opts.accessKeyId ?? ROOT.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: nonce(),
    Timestamp: timestamp(),
    ...business,
  };
  for (const [k, v] of Object.entries(opts.common ?? {})) {
    if (v === undefined) delete params[k];
    else params[k] = v;
  }
  params.Signature = v1Signature(opts.secret ?? ROOT.accessKeySecret, v1StringToSign(opts.method ?? 'GET', params));
  return params;
}

/** V1 over GET: every parameter in the query string. */
export function v1Get(baseUrl: string, business: Params, opts: V1Options = {}): Promise<RawResponse> {
  return send(baseUrl, { method: 'GET', path: `/?${encodeParams(signV1(business, { ...opts, method: 'GET' }))}` });
}

/** V1 over POST: every parameter in a form body (pop-core's POST). */
export function v1Post(baseUrl: string, business: Params, opts: V1Options = {}): Promise<RawResponse> {
  return send(baseUrl, {
    method: 'POST',
    path: '/',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: encodeParams(signV1(business, { ...opts, method: 'POST' })),
  });
}

export interface V3Options {
  host: string;
  /** POST (the SDKs') unless GET: the query in the canonical request either way */
  method?: 'GET' | 'POST';
  query?: Params;
  body?: string;
  contentType?: string;
  action?: string;
  version?: string;
  algorithm?: V3Algorithm;
  accessKeyId?: string;
  secret?: string;
  date?: string;
  nonce?: string;
  /** overrides the x-acs-content-sha256 header (the signature still covers it) */
  payloadHash?: string;
  /** names to leave out of SignedHeaders (they are still sent) */
  unsigned?: string[];
  /** extra headers, signed if x-acs-* */
  headers?: Record<string, string>;
}

export interface V3Request {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** A V3-signed request as the default SDK client builds it (POST /, parameters in the query). */
export function signV3(o: V3Options): V3Request {
  const algorithm = o.algorithm ?? 'ACS3-HMAC-SHA256';
  const query = o.query ?? {};
  const body = o.body === undefined ? Buffer.alloc(0) : Buffer.from(o.body, 'utf8');
  const payloadHash = o.payloadHash ?? v3Hash(algorithm, body);
  const headers: Record<string, string> = {
    host: o.host,
    'x-acs-action': o.action ?? 'DescribeVcoRouteEntries',
    'x-acs-version': o.version ?? '2016-04-28',
    'x-acs-date': o.date ?? timestamp(),
    'x-acs-signature-nonce': o.nonce ?? nonce(),
    'x-acs-content-sha256': payloadHash,
    ...(o.contentType === undefined ? {} : { 'content-type': o.contentType }),
    ...o.headers,
  };
  const signed = Object.keys(headers)
    .filter((h) => h === 'host' || h === 'content-type' || h.startsWith('x-acs-'))
    .filter((h) => !(o.unsigned ?? []).includes(h))
    .sort();
  const method = o.method ?? 'POST';
  const canonical = v3CanonicalRequest(method, '/', query, headers, signed, payloadHash)!;
  const signature = v3Signature(algorithm, o.secret ?? ROOT.accessKeySecret, v3StringToSign(algorithm, canonical));
  headers.authorization = `${algorithm} Credential=${o.accessKeyId ?? ROOT.accessKeyId},SignedHeaders=${signed.join(';')},Signature=${signature}`;
  const qs = Object.keys(query).map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(query[k]!)}`).join('&');
  return { method, path: qs === '' ? '/' : `/?${qs}`, headers, body: o.body };
}

export function v3Send(baseUrl: string, o: Omit<V3Options, 'host'> & { chunked?: boolean }): Promise<RawResponse> {
  const host = new URL(baseUrl).host;
  const r = signV3({ ...o, host });
  return send(baseUrl, { ...r, chunked: o.chunked });
}

/** Checks the common shape of a JSON error body and returns it. */
export function expectJsonError(res: RawResponse, status: number, code: string): Record<string, any> {
  assert.equal(res.status, status, `status of ${code}: ${res.text}`);
  assert.equal(res.headers['content-type'], 'application/json;charset=utf-8');
  const body = res.json;
  assert.equal(body.Code, code, res.text);
  assert.match(body.RequestId, /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
  assert.equal(typeof body.HostId, 'string');
  assert.ok(body.HostId.length > 0);
  assert.equal(typeof body.Message, 'string');
  assert.ok(body.Message.length > 0);
  assert.ok(body.Recommend.startsWith(`https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}&product=`), body.Recommend);
  assert.ok(body.Recommend.endsWith(`&requestId=${body.RequestId}`), body.Recommend);
  return body;
}
