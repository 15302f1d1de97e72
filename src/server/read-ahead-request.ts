/**
 * The pipeline's side of read-ahead (store/read-ahead.ts): when the store offers it and the operation says
 * what it will read, the reads of authentication (key, nonce), authorization (RAM generation) and the
 * operation go to the store as one request before authentication starts. Only for requests that look
 * well formed (key, nonce, timestamp inside the window): anything else takes the ordinary path, whose
 * checks answer it with the right error.
 */
import { header, type PopRequest } from '../pop/request';
import { parseV3Authorization } from '../pop/signature';
import type { Operation } from '../products/product';
import { readAheadView, type RequestStoreView } from '../store/read-ahead';
import type { Store } from '../store/store';
import { NONCE, parseTimestamp, type SignatureStyle } from './authenticate';

export async function readAheadFor(
  store: Store, style: SignatureStyle, req: PopRequest, operation: Operation, now: number, timestampWindowMs: number,
): Promise<RequestStoreView | undefined> {
  if (!store.readAhead || !operation.readAhead) return undefined;
  const hint = operation.readAhead(req.params);
  if (!hint) return undefined;
  const accessKeyId = style === 'v3' ? parseV3Authorization(header(req.headers, 'authorization') ?? '')?.accessKeyId : req.params.AccessKeyId;
  const nonce = style === 'v3' ? header(req.headers, 'x-acs-signature-nonce') : req.params.SignatureNonce;
  const date = style === 'v3' ? header(req.headers, 'x-acs-date') : req.params.Timestamp;
  if (!accessKeyId || nonce === undefined || !NONCE.test(nonce) || date === undefined) return undefined;
  let timestamp: number;
  try {
    timestamp = parseTimestamp(date);
  } catch {
    return undefined;
  }
  if (Math.abs(now - timestamp) > timestampWindowMs) return undefined;
  // The same expiry authentication gives Store.useNonce, so the view recognises the claim as this request's.
  const q = { ...hint, accessKeyId, nonce, nonceExpiresAt: timestamp + timestampWindowMs };
  return readAheadView(store, q, await store.readAhead(q));
}
