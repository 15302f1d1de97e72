/**
 * `GET /_vcoroute/v1/state[?account=ID]`: the snapshot document of a running server, streamed as
 * `vcoroute state export` writes it (the admin token was checked when the request was admitted). It holds every
 * AccessKey secret, like the file. Import has no endpoint: it must run with no server on the target store.
 */
import type { ServerResponse } from 'node:http';
import { StoreUnavailableError, type Store } from '../store/store';
import { SnapshotExportError } from '../store/snapshot-tables';
import { writeSnapshot } from './document';

export const STATE_PATH = '/_vcoroute/v1/state';

/** Answers the request when it is a state export (true); false leaves it to the admin API. */
export function serveStateExport(store: Store, method: string, url: string, res: ServerResponse): boolean {
  const parsed = new URL(url, 'http://admin.invalid');
  if (parsed.pathname !== STATE_PATH || method !== 'GET') return false;
  const error = (status: number, code: string, message: string) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ error: { code, message } }));
  };
  const account = parsed.searchParams.get('account');
  if (account !== null && !/^\d{1,32}$/.test(account)) {
    error(400, 'InvalidParameter', 'account must be an account ID (digits)');
    return true;
  }
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  writeSnapshot(store, account, res).then(
    () => res.end(),
    (err: unknown) => {
      // Before the first byte: an error answer; after it: a cut connection, which import refuses as truncated.
      if (res.headersSent) res.destroy(err as Error);
      else if (err instanceof SnapshotExportError) error(409, 'SchemaTooNew', err.message);
      else if (err instanceof StoreUnavailableError) error(503, 'ServiceUnavailable', err.message);
      else error(500, 'InternalError', 'the export failed');
    },
  );
  return true;
}
