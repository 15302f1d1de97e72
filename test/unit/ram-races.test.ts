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
import type { RamEntityKind, Store } from '../../src/store/store';
import { createAccessKey, updateAccessKey } from '../../src/products/ram/access-keys';
import { deleteUser } from '../../src/products/ram/users';
import { addUserToGroup, deleteGroup } from '../../src/products/ram/groups';
import { deleteRole } from '../../src/products/ram/roles';
import { ATTACHMENT_OPERATIONS } from '../../src/products/ram/attachments';
import { createPolicy, createPolicyVersion, deletePolicy, deletePolicyVersion, setDefaultPolicyVersion } from '../../src/products/ram/policies';
import type { Operation } from '../../src/products/product';
import type { OperationContext } from '../../src/products/product';
import { PopError } from '../../src/pop/errors';

const ACCOUNT = '1000000000000009';

describe('RAM writes racing other requests', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcoroute-ram-races-'));
  const store = new SqliteStore(dir);
  /** another server's store on the same data */
  const other = new SqliteStore(dir);
  after(async () => {
    await store.close();
    await other.close();
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
    await store.createUserAccessKey({ accessKeyId: 'LTAIraceKey000000000001', accountId: ACCOUNT, userId: 'u-race', secret: 's', status: 'Inactive', createDate: 1 }, 2);
    const racing = interleaved('getUserAccessKey', () => store.deleteUserAccessKey('LTAIraceKey000000000001'));
    const input = updateAccessKey.parse({ UserName: 'alice', UserAccessKeyId: 'LTAIraceKey000000000001', Status: 'Active' });
    await assert.rejects(updateAccessKey.run(input, ctx(racing)), (err: unknown) => err instanceof PopError && err.code === 'EntityNotExist.User.AccessKey');
    assert.equal(await store.getUserAccessKey('LTAIraceKey000000000001'), undefined, 'the deleted key stays deleted (it would authenticate again)');
  });

  /** The store, except that the first getRamEntity of the entity (kind, name) runs `meanwhile` right after answering. */
  function readInterleaved(kind: RamEntityKind, name: string, meanwhile: () => Promise<unknown>): Store {
    let fired = false;
    return new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        if (prop !== 'getRamEntity') return value.bind(target);
        return async (...args: unknown[]) => {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (!fired && args[1] === kind && args[2] === name) {
            fired = true;
            await meanwhile();
          }
          return result;
        };
      },
    });
  }

  const call = (op: Operation, s: Store, params: Record<string, string>) => op.run(op.parse(params), ctx(s));
  const doc = (action: string) => JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
  const isCode = (code: string) => (err: unknown) => err instanceof PopError && err.code === code;
  const policyData = async (name: string) => (await store.getRamEntity(ACCOUNT, 'policy', name))!.data as { defaultVersion: string; versions: { versionId: string; document: string }[] };
  const attachToUser = ATTACHMENT_OPERATIONS.find((op) => op.action === 'AttachPolicyToUser')!;

  it('two CreatePolicyVersion calls racing both succeed with distinct version IDs; neither is lost', async () => {
    await store.upsertAccount(ACCOUNT, Date.now());
    await call(createPolicy, other, { PolicyName: 'pv-race', PolicyDocument: doc('vpc:Describe*') });
    let second: unknown;
    const racing = readInterleaved('policy', 'pv-race', async () => {
      second = await call(createPolicyVersion, other, { PolicyName: 'pv-race', PolicyDocument: doc('vpc:B*') });
    });
    const first = (await call(createPolicyVersion, racing, { PolicyName: 'pv-race', PolicyDocument: doc('vpc:A*') })) as { PolicyVersion: { VersionId: string } };
    const secondId = (second as { PolicyVersion: { VersionId: string } }).PolicyVersion.VersionId;
    assert.equal(secondId, 'v2', 'the request that landed in between');
    assert.equal(first.PolicyVersion.VersionId, 'v3', 'the one that lost the race re-read and took the next ID');
    const data = await policyData('pv-race');
    assert.deepEqual(data.versions.map((v) => [v.versionId, v.document]), [['v1', doc('vpc:Describe*')], ['v2', doc('vpc:B*')], ['v3', doc('vpc:A*')]]);
  });

  it('SetDefaultPolicyVersion does not bring back a version deleted between its read and its write', async () => {
    await call(createPolicy, other, { PolicyName: 'sd-race', PolicyDocument: doc('vpc:Describe*') });
    await call(createPolicyVersion, other, { PolicyName: 'sd-race', PolicyDocument: doc('vpc:*') });
    const racing = readInterleaved('policy', 'sd-race', () => call(deletePolicyVersion, other, { PolicyName: 'sd-race', VersionId: 'v2' }));
    await assert.rejects(call(setDefaultPolicyVersion, racing, { PolicyName: 'sd-race', VersionId: 'v2' }), isCode('EntityNotExist.Policy.Version'));
    const data = await policyData('sd-race');
    assert.deepEqual(data.versions.map((v) => v.versionId), ['v1']);
    assert.equal(data.defaultVersion, 'v1');
  });

  it('AttachPolicyToUser does not link a custom policy deleted between its read and its write', async () => {
    await store.createRamEntity({ accountId: ACCOUNT, kind: 'user', id: 'u-attach', name: 'attacher', createDate: 1, updateDate: 1, data: {} });
    await call(createPolicy, other, { PolicyName: 'at-race', PolicyDocument: doc('vpc:Describe*') });
    const racing = readInterleaved('policy', 'at-race', () => call(deletePolicy, other, { PolicyName: 'at-race' }));
    await assert.rejects(call(attachToUser, racing, { UserName: 'attacher', PolicyType: 'Custom', PolicyName: 'at-race' }), isCode('EntityNotExist.Policy'));
    assert.deepEqual(await store.listRamLinksFrom(ACCOUNT, 'user-policy', 'u-attach'), [], 'a later same-name CreatePolicy grants nothing');
    // system policies have no entity and attach as before
    await call(attachToUser, store, { UserName: 'attacher', PolicyType: 'System', PolicyName: 'AliyunVPCReadOnlyAccess' });
    assert.deepEqual((await store.listRamLinksFrom(ACCOUNT, 'user-policy', 'u-attach')).map((l) => l.toId), ['System:AliyunVPCReadOnlyAccess']);
  });

  it('DeletePolicy does not delete a policy attached between its read and its delete', async () => {
    await call(createPolicy, other, { PolicyName: 'dp-race', PolicyDocument: doc('vpc:Describe*') });
    const racing = readInterleaved('policy', 'dp-race', () => call(attachToUser, other, { UserName: 'attacher', PolicyType: 'Custom', PolicyName: 'dp-race' }));
    await assert.rejects(call(deletePolicy, racing, { PolicyName: 'dp-race' }), isCode('DeleteConflict.Policy.Attachment'));
    assert.ok(await store.getRamEntity(ACCOUNT, 'policy', 'dp-race'), 'the attached policy stays');
  });

  // A link or AccessKey added after its user, group or role was read — and deleted meanwhile — must not land:
  // it would outlive the entity (a role's live sessions would gain the policy; a key would still authenticate).
  const attachToRole = ATTACHMENT_OPERATIONS.find((op) => op.action === 'AttachPolicyToRole')!;
  const entity = (kind: RamEntityKind, id: string, name: string) => store.createRamEntity({ accountId: ACCOUNT, kind, id, name, createDate: 1, updateDate: 1, data: {} });
  const linked = async () => [
    ...(await store.listRamLinksFrom(ACCOUNT, 'role-policy', 'r-gone')), ...(await store.listRamLinksFrom(ACCOUNT, 'user-group', 'u-gone')),
    ...(await store.listRamLinksTo(ACCOUNT, 'user-group', 'g-gone')), ...(await store.listUserAccessKeys(ACCOUNT, 'u-gone')),
  ];
  const cases: { name: string; setup: () => Promise<unknown>; read: [RamEntityKind, string]; remove: () => Promise<unknown>; op: Operation; params: Record<string, string>; code: string }[] = [
    {
      name: 'AttachPolicyToRole after DeleteRole', setup: () => entity('role', 'r-gone', 'gone-role'), read: ['role', 'gone-role'],
      remove: () => call(deleteRole, other, { RoleName: 'gone-role' }), op: attachToRole,
      params: { RoleName: 'gone-role', PolicyType: 'System', PolicyName: 'AliyunVPCReadOnlyAccess' }, code: 'EntityNotExist.Role',
    },
    {
      name: 'AddUserToGroup after DeleteUser', setup: () => Promise.all([entity('user', 'u-gone', 'gone-user'), entity('group', 'g-kept', 'kept-group')]),
      read: ['user', 'gone-user'], remove: () => call(deleteUser, other, { UserName: 'gone-user' }), op: addUserToGroup,
      params: { UserName: 'gone-user', GroupName: 'kept-group' }, code: 'EntityNotExist.User',
    },
    {
      name: 'AddUserToGroup after DeleteGroup', setup: () => Promise.all([entity('user', 'u-kept', 'kept-user'), entity('group', 'g-gone', 'gone-group')]),
      read: ['group', 'gone-group'], remove: () => call(deleteGroup, other, { GroupName: 'gone-group' }), op: addUserToGroup,
      params: { UserName: 'kept-user', GroupName: 'gone-group' }, code: 'EntityNotExist.Group',
    },
    {
      name: 'CreateAccessKey after DeleteUser', setup: () => entity('user', 'u-gone', 'gone-user'),
      read: ['user', 'gone-user'], remove: () => call(deleteUser, other, { UserName: 'gone-user' }), op: createAccessKey,
      params: { UserName: 'gone-user' }, code: 'EntityNotExist.User',
    },
  ];
  for (const c of cases) {
    it(`${c.name} (landing between the read and the write) fails and leaves nothing behind`, async () => {
      await c.setup();
      const racing = readInterleaved(c.read[0], c.read[1], c.remove);
      await assert.rejects(call(c.op, racing, c.params), isCode(c.code));
      assert.equal(await store.getRamEntity(ACCOUNT, c.read[0], c.read[1]), undefined, 'the delete went through');
      assert.deepEqual(await linked(), [], 'no link or key of the deleted entity');
    });
  }
});
