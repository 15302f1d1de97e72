/**
 * Recording a ClientToken's response inside the transaction of the write that produced it (PostgreSQL side of
 * Store's TokenCompletion). The UPDATE matches only the request's own pending claim; when a retry took the claim
 * over, nothing matches and the whole write rolls back.
 */
import { ClientTokenLostError, type TokenCompletion } from '../store';
import type { Sql } from './db';

/** A `beforeCommit` step for PgDatabase.tx: records the response when `tookEffect(result)`. */
export function completeTokenStep<T>(completion: TokenCompletion | undefined, tookEffect: (result: T) => boolean): ((sql: Sql, result: T) => Promise<void>) | undefined {
  if (!completion) return undefined;
  return async (sql, result) => {
    if (!tookEffect(result)) return;
    const own = await sql.query(
      `UPDATE client_tokens SET response_status = $1, response_body = $2
       WHERE account_id = $3 AND client_token = $4 AND created_at = $5 AND response_status IS NULL`,
      [completion.response.status, JSON.stringify(completion.response.body), completion.accountId, completion.token, completion.claimedAt],
    );
    if (own.rowCount !== 1) throw new ClientTokenLostError();
  };
}
