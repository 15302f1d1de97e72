/**
 * Authentication stage of the pipeline: which signature version, is it well formed, is the time right,
 * whose key, does the signature match, is the nonce fresh. Check order follows pop-protocol.md §8.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { E, PopError, missingParameter } from '../pop/errors';
import { header, type PopRequest } from '../pop/request';
import {
  isV3Algorithm, parseV3Authorization, safeEqual, v1Signature, v1StringToSign, v3CanonicalRequest, v3Hash, v3Signature,
  v3StringToSign, type V3Authorization,
} from '../pop/signature';
import type { Principal } from '../identity/principal';
import { resolveCredential, type ResolvedCredential } from '../identity/credentials';
import type { Store } from '../store/store';

export type SignatureStyle = 'v1' | 'v3';

/** V3 when an ACS3 Authorization header is present, otherwise V1 (pop-protocol.md §3.4). */
export function signatureStyle(headers: IncomingHttpHeaders): SignatureStyle {
  const auth = header(headers, 'authorization');
  return auth !== undefined && auth.startsWith('ACS3-') ? 'v3' : 'v1';
}

/** Action and version: from x-acs-* headers for V3, from parameters for V1. */
export function actionAndVersion(style: SignatureStyle, req: PopRequest): { action: string; version: string } {
  const action = style === 'v3' ? header(req.headers, 'x-acs-action') : req.params.Action;
  const version = style === 'v3' ? header(req.headers, 'x-acs-version') : req.params.Version;
  if (!action) throw new PopError(E.MissingAction);
  if (!version) throw new PopError(E.MissingVersion);
  return { action, version };
}

/** Headers every V3 request must sign: without them the signature would not bind time, nonce, body or operation. */
const REQUIRED_V3_SIGNED_HEADERS = ['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version'];

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?Z$/;
export const NONCE = /^[\x21-\x7e]{1,128}$/;

export function parseTimestamp(text: string): number {
  const m = TIMESTAMP.exec(text);
  const ms = m ? Date.parse(text) : NaN;
  // Date.parse accepts 2024-02-30; round-tripping the date part rejects it.
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text.slice(0, 10)) {
    throw new PopError(E.InvalidTimeStampFormat);
  }
  return ms;
}

export interface AuthenticationContext {
  store: Store;
  timestampWindowMs: number;
  now: number;
}

export async function authenticate(style: SignatureStyle, req: PopRequest, ctx: AuthenticationContext): Promise<Principal> {
  return style === 'v3' ? authenticateV3(req, ctx) : authenticateV1(req, ctx);
}

/** Root key, RAM user key or STS credentials (identity/credentials.ts); inactive keys and bad tokens fail here. */
function checkWindow(ctx: AuthenticationContext, timestamp: number): void {
  if (Math.abs(ctx.now - timestamp) > ctx.timestampWindowMs) throw new PopError(E.InvalidTimeStampExpired);
}

async function consumeNonce(ctx: AuthenticationContext, key: ResolvedCredential, nonce: string, timestamp: number): Promise<void> {
  // Remember the nonce as long as a request carrying this timestamp could still be accepted.
  if (!(await ctx.store.useNonce(key.accessKeyId, nonce, timestamp + ctx.timestampWindowMs))) {
    throw new PopError(E.SignatureNonceUsed);
  }
}

async function authenticateV1(req: PopRequest, ctx: AuthenticationContext): Promise<Principal> {
  const p = req.params;
  for (const name of ['Signature', 'AccessKeyId', 'SignatureMethod', 'SignatureNonce', 'Timestamp'] as const) {
    if (p[name] === undefined || p[name] === '') throw missingParameter(name);
  }
  if (p.SignatureMethod !== 'HMAC-SHA1') throw new PopError(E.InvalidSignatureMethod);
  if (p.SignatureVersion !== undefined && p.SignatureVersion !== '1.0') throw new PopError(E.InvalidSignatureVersion);
  if (!NONCE.test(p.SignatureNonce!)) throw new PopError(E.InvalidSignatureNonce);
  const timestamp = parseTimestamp(p.Timestamp!);
  checkWindow(ctx, timestamp);
  const key = await resolveCredential(ctx.store, p.AccessKeyId!, p.SecurityToken, ctx.now);
  const stringToSign = v1StringToSign(req.method, p);
  if (!safeEqual(v1Signature(key.secret, stringToSign), p.Signature!)) {
    // As Alibaba does: the server's string to sign helps the user find the difference; it holds no secret.
    throw new PopError(E.SignatureDoesNotMatch, `${E.SignatureDoesNotMatch.message} server string to sign is:${stringToSign}`);
  }
  await consumeNonce(ctx, key, p.SignatureNonce!, timestamp);
  return key.principal;
}

function parseAuthorization(req: PopRequest): V3Authorization & { algorithm: 'ACS3-HMAC-SHA256' | 'ACS3-HMAC-SM3' } {
  const auth = parseV3Authorization(header(req.headers, 'authorization') ?? '');
  if (!auth) throw new PopError(E.IncompleteSignature);
  if (!isV3Algorithm(auth.algorithm)) {
    throw new PopError(E.InvalidSignatureMethod, `${E.InvalidSignatureMethod.message} Supported: ACS3-HMAC-SHA256, ACS3-HMAC-SM3.`);
  }
  const signed = auth.signedHeaders;
  for (let i = 0; i < signed.length; i++) {
    if (signed[i] !== signed[i]!.toLowerCase() || (i > 0 && signed[i - 1]! >= signed[i]!)) {
      throw new PopError(E.IncompleteSignature, `${E.IncompleteSignature.message} SignedHeaders must be lower case, sorted and unique.`);
    }
  }
  for (const name of REQUIRED_V3_SIGNED_HEADERS) {
    if (!signed.includes(name)) {
      throw new PopError(E.IncompleteSignature, `${E.IncompleteSignature.message} The header "${name}" must be signed.`);
    }
    if (header(req.headers, name) === undefined) {
      throw new PopError(E.IncompleteSignature, `${E.IncompleteSignature.message} The signed header "${name}" is missing.`);
    }
  }
  // The body hash binds the body's bytes; only a signed content-type binds whether they are read as parameters
  // (a form body). Unsigned, it could be removed or changed to hide body parameters (e.g. DryRun) from the operation.
  if (req.body.length > 0 && !signed.includes('content-type')) {
    throw new PopError(E.IncompleteSignature, `${E.IncompleteSignature.message} The header "content-type" must be signed when there is a body.`);
  }
  return auth as V3Authorization & { algorithm: 'ACS3-HMAC-SHA256' | 'ACS3-HMAC-SM3' };
}

async function authenticateV3(req: PopRequest, ctx: AuthenticationContext): Promise<Principal> {
  const auth = parseAuthorization(req);
  const nonce = header(req.headers, 'x-acs-signature-nonce')!;
  if (!NONCE.test(nonce)) throw new PopError(E.InvalidSignatureNonce);
  const timestamp = parseTimestamp(header(req.headers, 'x-acs-date')!);
  checkWindow(ctx, timestamp);
  const key = await resolveCredential(ctx.store, auth.accessKeyId, header(req.headers, 'x-acs-security-token'), ctx.now);
  const payloadHash = header(req.headers, 'x-acs-content-sha256')!;
  if (!safeEqual(v3Hash(auth.algorithm, req.body), payloadHash)) {
    throw new PopError(E.SignatureDoesNotMatch, `${E.SignatureDoesNotMatch.message} The x-acs-content-sha256 header does not match the request body.`);
  }
  const canonical = v3CanonicalRequest(req.method, req.path, req.query, req.headers, auth.signedHeaders, payloadHash);
  if (canonical === undefined) throw new PopError(E.IncompleteSignature);
  const expected = v3Signature(auth.algorithm, key.secret, v3StringToSign(auth.algorithm, canonical));
  if (!safeEqual(expected, auth.signature)) {
    throw new PopError(E.SignatureDoesNotMatch, `${E.SignatureDoesNotMatch.message} server canonical request is:${canonical}`);
  }
  await consumeNonce(ctx, key, nonce, timestamp);
  return key.principal;
}
