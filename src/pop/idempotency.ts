/**
 * ClientToken: the same token with the same parameters returns the first result; with different
 * parameters it is IdempotentParameterMismatch. One mechanism for every operation, records in the store.
 * Scope: (account, token); the fingerprint covers the action, the version and every business parameter.
 */
import { createHash } from 'node:crypto';
import { E, PopError } from './errors';
import type { Params } from './signature';
import type { Store, TokenCompletion } from '../store/store';

/** Parameters that authenticate a request rather than describe it; excluded from the fingerprint. */
const NOT_FINGERPRINTED = new Set([
  'Action', 'Version', 'Format', 'AccessKeyId', 'Signature', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce',
  'SignatureType', 'Timestamp', 'SecurityToken', 'ClientToken',
]);

const CLIENT_TOKEN = /^[\x20-\x7e]{1,64}$/;

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
  /** a pending claim older than this may be taken over by a retry (config.clientTokenPendingTimeoutMs) */
  pendingTimeoutMs: number;
}

/**
 * A claimed token, handed to the operation: a write operation passes `completion(body)` to the store write
 * that commits it, so the response is recorded in that write's transaction (exactly once, even if the
 * process dies right after). Operations that write nothing leave it unused; the pipeline records them.
 */
export class ClaimedClientToken {
  private used = false;
  constructor(private readonly accountId: string, private readonly token: string, private readonly claimedAt: number) {}

  completion(body: Record<string, unknown>): TokenCompletion {
    this.used = true;
    return { accountId: this.accountId, token: this.token, claimedAt: this.claimedAt, response: { status: 200, body } };
  }

  /** whether an operation's write took (and so recorded) the response */
  get recordedByWrite(): boolean {
    return this.used;
  }
}

/**
 * Runs `operation` once per token. Failures release the token so a corrected retry can run; only
 * successes are remembered.
 */
export async function runIdempotent(
  opts: IdempotencyOptions,
  operation: (claim: ClaimedClientToken) => Promise<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  const { store, accountId, token } = opts;
  const existing = await store.claimClientToken(accountId, token, opts.fingerprint, opts.now, opts.now - opts.retentionMs, opts.now - opts.pendingTimeoutMs);
  if (existing) {
    if (existing.fingerprint !== opts.fingerprint) throw new PopError(E.IdempotentParameterMismatch);
    if (!existing.response) throw new PopError(E.LastTokenProcessing);
    return existing.response.body;
  }
  const claim = new ClaimedClientToken(accountId, token, opts.now);
  let body: Record<string, unknown>;
  try {
    body = await operation(claim);
  } catch (err) {
    // Only a pending claim of ours is dropped: a response a write already recorded stays.
    await store.releaseClientToken(accountId, token, opts.now);
    throw err;
  }
  // Only our own claim: if it went stale and a retry took the token over, the retry's record stays.
  if (!claim.recordedByWrite) await store.completeClientToken(accountId, token, { status: 200, body }, opts.now);
  return body;
}
