/**
 * Deleting a RAM user, group or role while another server links something to it, through the official RAM
 * SDK against two server processes on one store (two processes, so that the requests really overlap on SQLite
 * too; in one process SQLite calls never interleave): the store decides, so exactly one of the two succeeds and no
 * membership, attachment or AccessKey ever outlives its user, group or role (a dangling attachment would
 * grant the policy to the role's existing sessions and make DeletePolicy fail forever). Concurrent creates
 * never overshoot the RAM limits. Run on PostgreSQL with VCOROUTE_TEST_BACKEND=postgres.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import type Ram from '@alicloud/ram20150501';
import * as $Ram from '@alicloud/ram20150501';
import { CLOUD_QUOTAS } from '../../src/quotas/resource-quotas';
import type { Store } from '../../src/store/store';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { PostgresStore } from '../../src/store/postgres/postgres-store';
import { TEST_PG_OPTIONS, createTestDatabase, sdkTestBackend, type TestDatabase } from '../helpers/backends';
import { ROOT, tempDataDir } from '../helpers/server';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { createPolicy, doc, outcome, ramClient } from '../helpers/ram';

/** Races per pair of operations: on the old code 10 in 40 went wrong on SQLite, 39 in 40 on PostgreSQL. */
const ROUNDS = 40;

const statement = doc({ Effect: 'Allow', Action: 'vpc:Describe*', Resource: '*' });
const trust = doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ROOT.accountId}:root`] } });

interface RacePair {
  /** creates the entity of round i */
  create(i: number): Promise<unknown>;
  /** deletes it (on server A) */
  remove(i: number): Promise<unknown>;
  /** links something to it (on server B) */
  link(i: number): Promise<unknown>;
  /** undoes the link after it won, so the entity can be deleted */
  unlink(i: number): Promise<unknown>;
  /** the delete's error when the link landed first */
  conflict: string;
  /** the link's error when the delete landed first */
  missing: string;
}

describe('RAM deletes racing links, and limited creates, across two servers on one store', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  let ramA: Ram;
  let ramB: Ram;
  /** the same store, opened by the test to fill it and count */
  let store: Store;
  let database: TestDatabase | undefined;

  before(async () => {
    let args: string[];
    if (sdkTestBackend() === 'postgres') {
      database = await createTestDatabase();
      args = ['--database', database.url];
    } else {
      args = ['--data', tempDataDir()];
    }
    [a, b] = await Promise.all([startServerProcess(args), startServerProcess(args)]);
    ramA = ramClient(a, ROOT);
    ramB = ramClient(b, ROOT);
    store = database ? await PostgresStore.open({ connectionString: database.url, ...TEST_PG_OPTIONS }) : new SqliteStore(args[1]!);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await store?.close();
    await database?.drop();
  });

  /** ROUNDS races of pair.remove against pair.link: never both, never neither. */
  async function race(t: TestContext, pair: RacePair): Promise<void> {
    let linkWon = 0;
    for (let i = 0; i < ROUNDS; i++) {
      await pair.create(i);
      const [removed, linked] = await Promise.all([outcome(pair.remove(i)), outcome(pair.link(i))]);
      if (linked === 'ok') {
        linkWon++;
        assert.equal(removed, pair.conflict, `round ${i}: the link landed, so the delete must be refused`);
        await pair.unlink(i);
        await pair.remove(i);
      } else {
        assert.equal(linked, pair.missing, `round ${i}`);
        assert.equal(removed, 'ok', `round ${i}`);
      }
    }
    t.diagnostic(`the link won ${linkWon} of ${ROUNDS} races, the delete the others`);
  }

  /** Attaching (on server B) and detaching (on server A) a custom policy. */
  const custom = (policyName: string) => ({ policyType: 'Custom', policyName });
  const attachToRole = (roleName: string, policy: string) => ramB.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ roleName, ...custom(policy) }));
  const detachFromRole = (roleName: string, policy: string) => ramA.detachPolicyFromRole(new $Ram.DetachPolicyFromRoleRequest({ roleName, ...custom(policy) }));
  const attachToUser = (userName: string, policy: string) => ramB.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ userName, ...custom(policy) }));
  const detachFromUser = (userName: string, policy: string) => ramA.detachPolicyFromUser(new $Ram.DetachPolicyFromUserRequest({ userName, ...custom(policy) }));
  const attachToGroup = (groupName: string, policy: string) => ramB.attachPolicyToGroup(new $Ram.AttachPolicyToGroupRequest({ groupName, ...custom(policy) }));
  const detachFromGroup = (groupName: string, policy: string) => ramA.detachPolicyFromGroup(new $Ram.DetachPolicyFromGroupRequest({ groupName, ...custom(policy) }));

  it('DeleteRole ∥ AttachPolicyToRole: never a policy attached to a deleted role; the policy stays deletable', async (t) => {
    await createPolicy(ramA, 'race-role-policy', statement);
    const role = (i: number) => `race-role-${i}`;
    await race(t, {
      create: (i) => ramA.createRole(new $Ram.CreateRoleRequest({ roleName: role(i), assumeRolePolicyDocument: trust })),
      remove: (i) => ramA.deleteRole(new $Ram.DeleteRoleRequest({ roleName: role(i) })),
      link: (i) => attachToRole(role(i), 'race-role-policy'),
      unlink: (i) => detachFromRole(role(i), 'race-role-policy'),
      conflict: 'DeleteConflict.Role.Policy',
      missing: 'EntityNotExist.Role',
    });
    await ramA.deletePolicy(new $Ram.DeletePolicyRequest({ policyName: 'race-role-policy' }));
  });

  it('DeleteUser ∥ AttachPolicyToUser', async (t) => {
    await createPolicy(ramA, 'race-user-policy', statement);
    const user = (i: number) => `race-attached-user-${i}`;
    await race(t, {
      create: (i) => ramA.createUser(new $Ram.CreateUserRequest({ userName: user(i) })),
      remove: (i) => ramA.deleteUser(new $Ram.DeleteUserRequest({ userName: user(i) })),
      link: (i) => attachToUser(user(i), 'race-user-policy'),
      unlink: (i) => detachFromUser(user(i), 'race-user-policy'),
      conflict: 'DeleteConflict.User.Policy',
      missing: 'EntityNotExist.User',
    });
    await ramA.deletePolicy(new $Ram.DeletePolicyRequest({ policyName: 'race-user-policy' }));
  });

  it('DeleteUser ∥ AddUserToGroup: never a member that does not exist; the group stays deletable', async (t) => {
    await ramA.createGroup(new $Ram.CreateGroupRequest({ groupName: 'race-group-of-users' }));
    const user = (i: number) => `race-member-${i}`;
    await race(t, {
      create: (i) => ramA.createUser(new $Ram.CreateUserRequest({ userName: user(i) })),
      remove: (i) => ramA.deleteUser(new $Ram.DeleteUserRequest({ userName: user(i) })),
      link: (i) => ramB.addUserToGroup(new $Ram.AddUserToGroupRequest({ userName: user(i), groupName: 'race-group-of-users' })),
      unlink: (i) => ramA.removeUserFromGroup(new $Ram.RemoveUserFromGroupRequest({ userName: user(i), groupName: 'race-group-of-users' })),
      conflict: 'DeleteConflict.User.Group',
      missing: 'EntityNotExist.User',
    });
    await ramA.deleteGroup(new $Ram.DeleteGroupRequest({ groupName: 'race-group-of-users' }));
  });

  it('DeleteUser ∥ CreateAccessKey: never an AccessKey of a deleted user', async (t) => {
    const user = (i: number) => `race-key-user-${i}`;
    await race(t, {
      create: (i) => ramA.createUser(new $Ram.CreateUserRequest({ userName: user(i) })),
      remove: (i) => ramA.deleteUser(new $Ram.DeleteUserRequest({ userName: user(i) })),
      link: (i) => ramB.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: user(i) })),
      async unlink(i) {
        const keys = (await ramA.listAccessKeys(new $Ram.ListAccessKeysRequest({ userName: user(i) }))).body!.accessKeys!.accessKey!;
        for (const k of keys) await ramA.deleteAccessKey(new $Ram.DeleteAccessKeyRequest({ userName: user(i), userAccessKeyId: k.accessKeyId }));
      },
      conflict: 'DeleteConflict.User.AccessKey',
      missing: 'EntityNotExist.User',
    });
    // the store holds no key whose user is gone (such a key would still authenticate)
    for (let i = 0; i < ROUNDS; i++) assert.equal(await store.getRamEntity(ROOT.accountId, 'user', user(i)), undefined);
  });

  it('DeleteGroup ∥ AttachPolicyToGroup', async (t) => {
    await createPolicy(ramA, 'race-group-policy', statement);
    const group = (i: number) => `race-attached-group-${i}`;
    await race(t, {
      create: (i) => ramA.createGroup(new $Ram.CreateGroupRequest({ groupName: group(i) })),
      remove: (i) => ramA.deleteGroup(new $Ram.DeleteGroupRequest({ groupName: group(i) })),
      link: (i) => attachToGroup(group(i), 'race-group-policy'),
      unlink: (i) => detachFromGroup(group(i), 'race-group-policy'),
      conflict: 'DeleteConflict.Group.Policy',
      missing: 'EntityNotExist.Group',
    });
    await ramA.deletePolicy(new $Ram.DeletePolicyRequest({ policyName: 'race-group-policy' }));
  });

  it('DeleteGroup ∥ AddUserToGroup: never a membership in a deleted group; the user stays deletable', async (t) => {
    await ramA.createUser(new $Ram.CreateUserRequest({ userName: 'race-joiner' }));
    const group = (i: number) => `race-joined-group-${i}`;
    await race(t, {
      create: (i) => ramA.createGroup(new $Ram.CreateGroupRequest({ groupName: group(i) })),
      remove: (i) => ramA.deleteGroup(new $Ram.DeleteGroupRequest({ groupName: group(i) })),
      link: (i) => ramB.addUserToGroup(new $Ram.AddUserToGroupRequest({ userName: 'race-joiner', groupName: group(i) })),
      unlink: (i) => ramA.removeUserFromGroup(new $Ram.RemoveUserFromGroupRequest({ userName: 'race-joiner', groupName: group(i) })),
      conflict: 'DeleteConflict.Group.User',
      missing: 'EntityNotExist.Group',
    });
    await ramA.deleteUser(new $Ram.DeleteUserRequest({ userName: 'race-joiner' }));
  });

  it(`concurrent CreateUser calls never overshoot the limit of ${CLOUD_QUOTAS.ramUsersPerAccount} users`, async () => {
    // Fill the account to 4 below the limit directly in the store (1,000 SDK calls would only be slower).
    const room = 4;
    const existing = await store.countRamEntities(ROOT.accountId, 'user');
    for (let i = existing; i < CLOUD_QUOTAS.ramUsersPerAccount - room; i++) {
      await store.createRamEntity({ accountId: ROOT.accountId, kind: 'user', id: `filler-${i}`, name: `filler-${i}`, createDate: 1, updateDate: 1, data: {} });
    }
    for (let round = 0; round < 10; round++) {
      const names = Array.from({ length: 12 }, (_, i) => `late-${round}-${i}`);
      const outcomes = await Promise.all(names.map((userName, i) => outcome((i % 2 ? ramB : ramA).createUser(new $Ram.CreateUserRequest({ userName })))));
      assert.equal(await store.countRamEntities(ROOT.accountId, 'user'), CLOUD_QUOTAS.ramUsersPerAccount, `round ${round}: ${outcomes.join()}`);
      assert.equal(outcomes.filter((o) => o === 'ok').length, room, `round ${round}`);
      assert.equal(outcomes.filter((o) => o === 'LimitExceeded.User').length, names.length - room, `round ${round}`);
      for (const [i, userName] of names.entries()) {
        if (outcomes[i] === 'ok') await ramA.deleteUser(new $Ram.DeleteUserRequest({ userName }));
      }
    }
  });

  it(`concurrent CreateAccessKey calls never give a user more than ${CLOUD_QUOTAS.accessKeysPerUser} keys`, async () => {
    await ramA.createUser(new $Ram.CreateUserRequest({ userName: 'race-key-holder' }));
    const list = async () => (await ramA.listAccessKeys(new $Ram.ListAccessKeysRequest({ userName: 'race-key-holder' }))).body!.accessKeys!.accessKey!;
    for (let round = 0; round < 10; round++) {
      const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) =>
        outcome((i % 2 ? ramB : ramA).createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: 'race-key-holder' })))));
      assert.equal(outcomes.filter((o) => o === 'ok').length, CLOUD_QUOTAS.accessKeysPerUser, `round ${round}: ${outcomes.join()}`);
      assert.ok(outcomes.every((o) => o === 'ok' || o === 'LimitExceeded.User.AccessKey'), outcomes.join());
      const keys = await list();
      assert.equal(keys.length, CLOUD_QUOTAS.accessKeysPerUser, `round ${round}`);
      for (const k of keys) await ramA.deleteAccessKey(new $Ram.DeleteAccessKeyRequest({ userName: 'race-key-holder', userAccessKeyId: k.accessKeyId }));
    }
  });

  it(`concurrent AttachPolicyToUser calls never attach more than ${CLOUD_QUOTAS.customPoliciesPerPrincipal} custom policies`, async () => {
    const policies = Array.from({ length: CLOUD_QUOTAS.customPoliciesPerPrincipal + 3 }, (_, i) => `race-many-${i}`);
    for (const name of policies) await createPolicy(ramA, name, statement);
    await ramA.createUser(new $Ram.CreateUserRequest({ userName: 'race-collector' }));
    for (let round = 0; round < 5; round++) {
      const outcomes = await Promise.all(policies.map((policyName, i) =>
        outcome((i % 2 ? ramB : ramA).attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ userName: 'race-collector', ...custom(policyName) })))));
      assert.equal(outcomes.filter((o) => o === 'ok').length, CLOUD_QUOTAS.customPoliciesPerPrincipal, `round ${round}: ${outcomes.join()}`);
      assert.ok(outcomes.every((o) => o === 'ok' || o === 'LimitExceeded.Policy.Attachment'), outcomes.join());
      for (const [i, policyName] of policies.entries()) {
        if (outcomes[i] === 'ok') await detachFromUser('race-collector', policyName);
      }
    }
  });
});
