/**
 * RAM read-modify-write operations against a store where another request lands between the read and the
 * write (what two servers on one PostgreSQL, or two interleaved requests, can do): the later write must not
 * undo the earlier one.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { Store } from '../../src/store/store';
import { updateAccessKey } from '../../src/products/ram/access-keys';
import type { OperationContext } from '../../src/products/product';
import { PopError } from '../../src/pop/errors';

const ACCOUNT = '1000000000000009';

describe('RAM writes racing other requests', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcoroute-ram-races-'));
  const store = new SqliteStore(dir);
  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The store, except that `method` runs `meanwhile` right after answering (another request landing there). */
  function interleaved(method: keyof Store, meanwhile: () => Promise<unknown>): Store {
    return new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        if (prop !== method) return value.bind(target);
        return async (...args: unknown[]) => {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          await meanwhile();
          return result;
        };
      },
    });
  }

  const ctx = (s: Store): OperationContext => ({
    store: s, principal: { kind: 'root', accountId: ACCOUNT, accessKeyId: 'LTAIroot' }, requestId: 'R', now: Date.now(),
    settings: { changeDelayMs: 0, autoAttachTransitRouterId: null },
  });

  it('UpdateAccessKey does not bring back a key deleted between its read and its write', async () => {
    await store.upsertAccount(ACCOUNT, Date.now());
    await store.createRamEntity({ accountId: ACCOUNT, kind: 'user', id: 'u-race', name: 'alice', createDate: 1, updateDate: 1, data: {} });
    await store.putUserAccessKey({ accessKeyId: 'LTAIraceKey000000000001', accountId: ACCOUNT, userId: 'u-race', secret: 's', status: 'Inactive', createDate: 1 });
    const racing = interleaved('getUserAccessKey', () => store.deleteUserAccessKey('LTAIraceKey000000000001'));
    const input = updateAccessKey.parse({ UserName: 'alice', UserAccessKeyId: 'LTAIraceKey000000000001', Status: 'Active' });
    await assert.rejects(updateAccessKey.run(input, ctx(racing)), (err: unknown) => err instanceof PopError && err.code === 'EntityNotExist.User.AccessKey');
    assert.equal(await store.getUserAccessKey('LTAIraceKey000000000001'), undefined, 'the deleted key stays deleted (it would authenticate again)');
  });
});
