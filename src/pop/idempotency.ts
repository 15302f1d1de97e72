/**
 * ClientToken: the same token with the same parameters returns the first result; with different
 * parameters it is IdempotentParameterMismatch. One mechanism for every operation, records in the store.
 * Scope: (account, token); the fingerprint covers the action, the version and every business parameter.
 */
import { createHash } from 'node:crypto';
import { E, PopError } from './errors';
import type { Params } from './signature';
import type { Store } from '../store/store';

/** Parameters that authenticate a request rather than describe it; excluded from the fingerprint. */
const NOT_FINGERPRINTED = new Set([
  'Action', 'Version', 'Format', 'AccessKeyId', 'Signature', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce',
  'SignatureType', 'Timestamp', 'SecurityToken', 'ClientToken',
]);

const CLIENT_TOKEN = /^[\x20-\x7e]{1,64}$/;

/**
 * A token still pending after this long belongs to a request that died (no request runs this long: the
 * PostgreSQL timeouts end any at 8 s); a retry may then claim it instead of getting LastTokenProcessing.
 */
export const PENDING_TIMEOUT_MS = 60_000;

export function validateClientToken(token: string): void {
  if (!CLIENT_TOKEN.test(token)) throw new PopError(E.IllegalParamClientToken);
}

export function fingerprint(version: string, action: string, params: Params): string {
  const hash = createHash('sha256').update(`${version}\n${action}\n`);
  for (const key of Object.keys(params).sort()) {
    if (!NOT_FINGERPRINTED.has(key)) hash.update(`${key}=${params[key]}\n`);
  }
  return hash.digest('hex');
}

export interface IdempotencyOptions {
  store: Store;
  accountId: string;
  token: string;
  fingerprint: string;
  now: number;
  retentionMs: number;
}

/**
 * Runs `operation` once per token. Failures release the token so a corrected retry can run; only
 * successes are remembered.
 */
export async function runIdempotent(
  opts: IdempotencyOptions,
  operation: () => Promise<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  const { store, accountId, token } = opts;
  const existing = await store.claimClientToken(accountId, token, opts.fingerprint, opts.now, opts.now - opts.retentionMs, opts.now - PENDING_TIMEOUT_MS);
  if (existing) {
    if (existing.fingerprint !== opts.fingerprint) throw new PopError(E.IdempotentParameterMismatch);
    if (!existing.response) throw new PopError(E.LastTokenProcessing);
    return existing.response.body;
  }
  let body: Record<string, unknown>;
  try {
    body = await operation();
  } catch (err) {
    await store.releaseClientToken(accountId, token, opts.now);
    throw err;
  }
  // Only our own claim: if it went stale and a retry took the token over, the retry's record stays.
  await store.completeClientToken(accountId, token, { status: 200, body }, opts.now);
  return body;
}
