/**
 * The RAM API (2015-05-01) through @alicloud/ram20150501: users, AccessKeys, policies and versions,
 * groups, roles, with the model types the SDK casts to, and every RAM error family.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as $Ram from '@alicloud/ram20150501';
import { ROOT, startTestServer, type TestServer } from '../helpers/server';
import { createPolicy, doc, ramClient, sdkError } from '../helpers/ram';

const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const READ_VPC = doc({ Effect: 'Allow', Action: 'vpc:Describe*', Resource: '*' });

describe('RAM identities through the official SDK', () => {
  let server: TestServer;
  let ram: ReturnType<typeof ramClient>;

  before(async () => {
    server = await startTestServer();
    ram = ramClient(server, ROOT);
  });
  after(() => server.close());

  it('users: create, get, list with Marker paging, update, delete', async () => {
    const created = (await ram.createUser(new $Ram.CreateUserRequest({ userName: 'u1', displayName: 'User One', comments: 'first', email: 'u1@example.com' }))).body!.user!;
    assert.match(created.userId!, /^\d{16}$/);
    assert.equal(created.displayName, 'User One');
    assert.match(created.createDate!, DATE);
    for (const name of ['u2', 'u3']) await ram.createUser(new $Ram.CreateUserRequest({ userName: name }));
    const got = (await ram.getUser(new $Ram.GetUserRequest({ userName: 'u1' }))).body!.user!;
    assert.equal(got.userId, created.userId);
    assert.equal(got.email, 'u1@example.com');
    const page1 = (await ram.listUsers(new $Ram.ListUsersRequest({ maxItems: 2 }))).body!;
    assert.equal(page1.isTruncated, true);
    assert.deepEqual(page1.users!.user!.map((u) => u.userName), ['u1', 'u2']);
    const page2 = (await ram.listUsers(new $Ram.ListUsersRequest({ maxItems: 2, marker: page1.marker }))).body!;
    assert.equal(page2.isTruncated, false);
    assert.equal(page2.marker, undefined);
    assert.deepEqual(page2.users!.user!.map((u) => u.userName), ['u3']);
    const updated = (await ram.updateUser(new $Ram.UpdateUserRequest({ userName: 'u3', newUserName: 'u3-renamed', newComments: 'moved' }))).body!.user!;
    assert.equal(updated.userName, 'u3-renamed');
    await sdkError(ram.getUser(new $Ram.GetUserRequest({ userName: 'u3' })), 'EntityNotExist.User', 404);
    await sdkError(ram.updateUser(new $Ram.UpdateUserRequest({ userName: 'u2', newUserName: 'u1' })), 'EntityAlreadyExists.User', 409);
    await ram.deleteUser(new $Ram.DeleteUserRequest({ userName: 'u3-renamed' }));
    await sdkError(ram.deleteUser(new $Ram.DeleteUserRequest({ userName: 'u3-renamed' })), 'EntityNotExist.User', 404);
  });

  it('user errors: EntityAlreadyExists, InvalidParameter.*, MissingUserName', async () => {
    await sdkError(ram.createUser(new $Ram.CreateUserRequest({ userName: 'u1' })), 'EntityAlreadyExists.User', 409);
    await sdkError(ram.createUser(new $Ram.CreateUserRequest({ userName: 'bad name!' })), 'InvalidParameter.UserName.InvalidChars', 400);
    await sdkError(ram.createUser(new $Ram.CreateUserRequest({ userName: 'x'.repeat(65) })), 'InvalidParameter.UserName.Length', 400);
    await sdkError(ram.createUser(new $Ram.CreateUserRequest({ userName: 'ok', displayName: 'd'.repeat(129) })), 'InvalidParameter.DisplayName.Length', 400);
    await sdkError(ram.createUser(new $Ram.CreateUserRequest({})), 'MissingUserName', 400);
    await sdkError(ram.listUsers(new $Ram.ListUsersRequest({ maxItems: 1001 })), 'InvalidParameter.MaxItems', 400);
    await sdkError(ram.listUsers(new $Ram.ListUsersRequest({ marker: '!!' })), 'InvalidParameter.Marker', 400);
  });

  it('access keys: at most 2 per user, secrets only at creation, DeleteConflict while keys exist', async () => {
    await ram.createUser(new $Ram.CreateUserRequest({ userName: 'keyed' }));
    const k1 = (await ram.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: 'keyed' }))).body!.accessKey!;
    assert.match(k1.accessKeyId!, /^LTAI\w{20}$/);
    assert.equal(k1.status, 'Active');
    assert.ok(k1.accessKeySecret!.length >= 30);
    await ram.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: 'keyed' }));
    await sdkError(ram.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: 'keyed' })), 'LimitExceeded.User.AccessKey', 409);
    const listed = (await ram.listAccessKeys(new $Ram.ListAccessKeysRequest({ userName: 'keyed' }))).body!.accessKeys!.accessKey!;
    assert.equal(listed.length, 2);
    assert.ok(listed.every((k) => (k as any).accessKeySecret === undefined), 'no secrets in lists');
    await sdkError(ram.deleteUser(new $Ram.DeleteUserRequest({ userName: 'keyed' })), 'DeleteConflict.User.AccessKey', 409);
    await sdkError(ram.updateAccessKey(new $Ram.UpdateAccessKeyRequest({ userName: 'keyed', userAccessKeyId: k1.accessKeyId, status: 'Paused' })),
      'InvalidParameter.Status', 400);
    await sdkError(ram.deleteAccessKey(new $Ram.DeleteAccessKeyRequest({ userName: 'u1', userAccessKeyId: k1.accessKeyId })), 'EntityNotExist.User.AccessKey', 404);
    await sdkError(ram.createAccessKey(new $Ram.CreateAccessKeyRequest({})), 'MissingUserName', 400);
    for (const k of listed) await ram.deleteAccessKey(new $Ram.DeleteAccessKeyRequest({ userName: 'keyed', userAccessKeyId: k.accessKeyId }));
    await ram.deleteUser(new $Ram.DeleteUserRequest({ userName: 'keyed' }));
  });

  it('policies: create, get (JSON types), versions (limit 5, default switch), list, delete rules', async () => {
    const created = (await ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName: 'ReadVpc', policyDocument: READ_VPC, description: 'reads' }))).body!.policy!;
    assert.deepEqual([created.policyType, created.defaultVersion], ['Custom', 'v1']);
    await sdkError(ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName: 'ReadVpc', policyDocument: READ_VPC })), 'EntityAlreadyExists.Policy', 409);
    await sdkError(ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName: 'Bad_Name', policyDocument: READ_VPC })), 'InvalidParameter.PolicyName.InvalidChars', 400);
    await sdkError(ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName: 'Big', policyDocument: ' '.repeat(6145) })), 'InvalidParameter.PolicyDocument.Length', 400);
    // 6,144 characters is allowed, even when percent-encoding triples the query string
    const padded = READ_VPC.slice(0, -1) + ' '.repeat(6144 - READ_VPC.length) + '}';
    await ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName: 'Padded', policyDocument: padded }));
    await ram.deletePolicy(new $Ram.DeletePolicyRequest({ policyName: 'Padded' }));
    for (const bad of ['not json', '{"Version":"2","Statement":[]}', doc({ Effect: 'Allow', Action: 'vpc:*' }), doc({ Effect: 'Allow', Action: 'vpc:*', Resource: '*', Condition: { Sometimes: { k: 'v' } } })]) {
      await sdkError(ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName: 'Broken', policyDocument: bad })), 'MalformedPolicyDocument', 400);
    }
    await ram.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ userName: 'u1', policyType: 'Custom', policyName: 'ReadVpc' }));
    const got = (await ram.getPolicy(new $Ram.GetPolicyRequest({ policyName: 'ReadVpc', policyType: 'Custom' }))).body!;
    assert.equal(got.policy!.attachmentCount, 1);
    assert.equal(got.defaultPolicyVersion!.isDefaultVersion, true);
    assert.equal(got.defaultPolicyVersion!.policyDocument, READ_VPC);
    const system = (await ram.getPolicy(new $Ram.GetPolicyRequest({ policyName: 'AliyunVPCReadOnlyAccess', policyType: 'System' }))).body!;
    assert.equal(system.policy!.policyType, 'System');
    await sdkError(ram.getPolicy(new $Ram.GetPolicyRequest({ policyName: 'AliyunVPCReadOnlyAccess', policyType: 'Custom' })), 'EntityNotExist.Policy', 404);
    await sdkError(ram.getPolicy(new $Ram.GetPolicyRequest({ policyName: 'ReadVpc', policyType: 'Other' })), 'InvalidParameter.PolicyType', 400);

    for (let i = 2; i <= 5; i++) await ram.createPolicyVersion(new $Ram.CreatePolicyVersionRequest({ policyName: 'ReadVpc', policyDocument: READ_VPC }));
    await sdkError(ram.createPolicyVersion(new $Ram.CreatePolicyVersionRequest({ policyName: 'ReadVpc', policyDocument: READ_VPC })), 'LimitExceeded.Policy.Version', 409);
    const rotated = (await ram.createPolicyVersion(new $Ram.CreatePolicyVersionRequest({
      policyName: 'ReadVpc', policyDocument: READ_VPC, rotateStrategy: 'DeleteOldestNonDefaultVersionWhenLimitExceeded', setAsDefault: true,
    }))).body!.policyVersion!;
    assert.equal(rotated.versionId, 'v6');
    const versions = (await ram.listPolicyVersions(new $Ram.ListPolicyVersionsRequest({ policyName: 'ReadVpc', policyType: 'Custom' }))).body!.policyVersions!.policyVersion!;
    assert.deepEqual(versions.map((v) => v.versionId), ['v1', 'v3', 'v4', 'v5', 'v6']);
    assert.deepEqual(versions.map((v) => v.isDefaultVersion), [false, false, false, false, true]);
    await sdkError(ram.deletePolicyVersion(new $Ram.DeletePolicyVersionRequest({ policyName: 'ReadVpc', versionId: 'v6' })), 'DeleteConflict.Policy.Version.Default', 409);
    await ram.deletePolicyVersion(new $Ram.DeletePolicyVersionRequest({ policyName: 'ReadVpc', versionId: 'v1' }));
    await sdkError(ram.getPolicyVersion(new $Ram.GetPolicyVersionRequest({ policyName: 'ReadVpc', policyType: 'Custom', versionId: 'v1' })), 'EntityNotExist.Policy.Version', 404);

    const listed = (await ram.listPolicies(new $Ram.ListPoliciesRequest({ policyType: 'Custom' }))).body!;
    assert.deepEqual(listed.policies!.policy!.map((p) => p.policyName), ['ReadVpc']);
    const all = (await ram.listPolicies(new $Ram.ListPoliciesRequest({ maxItems: 3 }))).body!;
    assert.equal(all.isTruncated, true);
    assert.ok(all.policies!.policy!.every((p) => p.policyType === 'System'));
    const rest = (await ram.listPolicies(new $Ram.ListPoliciesRequest({ maxItems: 100, marker: all.marker }))).body!;
    assert.equal(rest.policies!.policy!.at(-1)!.policyName, 'ReadVpc');

    await sdkError(ram.deletePolicy(new $Ram.DeletePolicyRequest({ policyName: 'ReadVpc' })), 'DeleteConflict.Policy.Attachment', 409);
    await sdkError(ram.deleteUser(new $Ram.DeleteUserRequest({ userName: 'u1' })), 'DeleteConflict.User.Policy', 409);
    await ram.detachPolicyFromUser(new $Ram.DetachPolicyFromUserRequest({ userName: 'u1', policyType: 'Custom', policyName: 'ReadVpc' }));
    await sdkError(ram.detachPolicyFromUser(new $Ram.DetachPolicyFromUserRequest({ userName: 'u1', policyType: 'Custom', policyName: 'ReadVpc' })), 'EntityNotExist.User.Policy', 404);
    await sdkError(ram.deletePolicy(new $Ram.DeletePolicyRequest({ policyName: 'ReadVpc' })), 'DeleteConflict.Policy.Version', 409);
    await ram.deletePolicy(new $Ram.DeletePolicyRequest({ policyName: 'ReadVpc', cascadingDelete: true }));
    await sdkError(ram.getPolicy(new $Ram.GetPolicyRequest({ policyName: 'ReadVpc', policyType: 'Custom' })), 'EntityNotExist.Policy', 404);
  });

  it('attachments: duplicates, unknown policies, per-user limits, ListPoliciesForUser', async () => {
    const attach = (policyName: string, policyType = 'Custom') => ram.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ userName: 'u2', policyType, policyName }));
    await attach('AliyunVPCReadOnlyAccess', 'System');
    await sdkError(attach('AliyunVPCReadOnlyAccess', 'System'), 'EntityAlreadyExists.User.Policy', 409);
    await sdkError(attach('NoSuchPolicy'), 'EntityNotExist.Policy', 404);
    for (let i = 0; i < 10; i++) {
      await createPolicy(ram, `P${i}`, READ_VPC);
      await attach(`P${i}`);
    }
    await createPolicy(ram, 'P10', READ_VPC);
    await sdkError(attach('P10'), 'LimitExceeded.Policy.Attachment', 409);
    const policies = (await ram.listPoliciesForUser(new $Ram.ListPoliciesForUserRequest({ userName: 'u2' }))).body!.policies!.policy!;
    assert.equal(policies.length, 11);
    assert.deepEqual([policies[0]!.policyName, policies[0]!.policyType], ['AliyunVPCReadOnlyAccess', 'System']);
    assert.match(policies[0]!.attachDate!, DATE);
  });

  it('groups: membership, DeleteConflict both ways, ListGroupsForUser / ListUsersForGroup', async () => {
    const g = (await ram.createGroup(new $Ram.CreateGroupRequest({ groupName: 'ops', comments: 'operators' }))).body!.group!;
    assert.match(g.groupId!, /^g-/);
    await sdkError(ram.createGroup(new $Ram.CreateGroupRequest({ groupName: 'ops' })), 'EntityAlreadyExists.Group', 409);
    await ram.addUserToGroup(new $Ram.AddUserToGroupRequest({ groupName: 'ops', userName: 'u1' }));
    await sdkError(ram.addUserToGroup(new $Ram.AddUserToGroupRequest({ groupName: 'ops', userName: 'u1' })), 'EntityAlreadyExists.User.Group', 409);
    await sdkError(ram.addUserToGroup(new $Ram.AddUserToGroupRequest({ groupName: 'nope', userName: 'u1' })), 'EntityNotExist.Group', 404);
    await ram.attachPolicyToGroup(new $Ram.AttachPolicyToGroupRequest({ groupName: 'ops', policyType: 'System', policyName: 'AliyunVPCFullAccess' }));
    const groups = (await ram.listGroupsForUser(new $Ram.ListGroupsForUserRequest({ userName: 'u1' }))).body!.groups!.group!;
    assert.deepEqual(groups.map((x) => x.groupName), ['ops']);
    const users = (await ram.listUsersForGroup(new $Ram.ListUsersForGroupRequest({ groupName: 'ops' }))).body!.users!.user!;
    assert.deepEqual(users.map((x) => x.userName), ['u1']);
    assert.deepEqual((await ram.listPoliciesForGroup(new $Ram.ListPoliciesForGroupRequest({ groupName: 'ops' }))).body!.policies!.policy!.map((p) => p.policyName), ['AliyunVPCFullAccess']);
    await sdkError(ram.deleteUser(new $Ram.DeleteUserRequest({ userName: 'u1' })), 'DeleteConflict.User.Group', 409);
    await sdkError(ram.deleteGroup(new $Ram.DeleteGroupRequest({ groupName: 'ops' })), 'DeleteConflict.Group.User', 409);
    await ram.removeUserFromGroup(new $Ram.RemoveUserFromGroupRequest({ groupName: 'ops', userName: 'u1' }));
    await sdkError(ram.removeUserFromGroup(new $Ram.RemoveUserFromGroupRequest({ groupName: 'ops', userName: 'u1' })), 'EntityNotExist.User.Group', 404);
    await sdkError(ram.deleteGroup(new $Ram.DeleteGroupRequest({ groupName: 'ops' })), 'DeleteConflict.Group.Policy', 409);
    await ram.detachPolicyFromGroup(new $Ram.DetachPolicyFromGroupRequest({ groupName: 'ops', policyType: 'System', policyName: 'AliyunVPCFullAccess' }));
    await ram.deleteGroup(new $Ram.DeleteGroupRequest({ groupName: 'ops' }));
    assert.equal((await ram.listGroups(new $Ram.ListGroupsRequest({}))).body!.groups!.group!.length, 0);
  });

  it('roles: trust policy validation, get, list, DeleteConflict.Role.Policy', async () => {
    const trust = doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ROOT.accountId}:root`] } });
    const r = (await ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'Deployer', assumeRolePolicyDocument: trust, maxSessionDuration: 7200 }))).body!.role!;
    assert.equal(r.maxSessionDuration, 7200);
    assert.match(r.roleId!, /^\d{16}$/);
    await sdkError(ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'Deployer', assumeRolePolicyDocument: trust })), 'EntityAlreadyExists.Role', 409);
    await sdkError(ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'NoPrincipal', assumeRolePolicyDocument: doc({ Effect: 'Allow', Action: 'sts:AssumeRole' }) })),
      'MalformedPolicyDocument', 400);
    await sdkError(ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'Long', assumeRolePolicyDocument: trust, maxSessionDuration: 43201 })), 'InvalidParameter.MaxSessionDuration', 400);
    const got = (await ram.getRole(new $Ram.GetRoleRequest({ roleName: 'Deployer' }))).body!.role!;
    assert.equal(got.assumeRolePolicyDocument, trust);
    assert.deepEqual((await ram.listRoles(new $Ram.ListRolesRequest({}))).body!.roles!.role!.map((x) => x.roleName), ['Deployer']);
    await ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ roleName: 'Deployer', policyType: 'System', policyName: 'AliyunVPCFullAccess' }));
    await sdkError(ram.deleteRole(new $Ram.DeleteRoleRequest({ roleName: 'Deployer' })), 'DeleteConflict.Role.Policy', 409);
    await ram.detachPolicyFromRole(new $Ram.DetachPolicyFromRoleRequest({ roleName: 'Deployer', policyType: 'System', policyName: 'AliyunVPCFullAccess' }));
    await ram.deleteRole(new $Ram.DeleteRoleRequest({ roleName: 'Deployer' }));
    await sdkError(ram.getRole(new $Ram.GetRoleRequest({ roleName: 'Deployer' })), 'EntityNotExist.Role', 404);
  });
});
