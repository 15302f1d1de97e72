/**
 * Racing RAM policy writes through the official RAM SDK against two servers on one store: the database,
 * not either server, decides between them. Concurrent CreatePolicyVersion calls all succeed with distinct
 * version IDs; SetDefaultPolicyVersion never revives a deleted version; an attach racing DeletePolicy never
 * leaves a link that a later same-name policy would inherit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type Ram from '@alicloud/ram20150501';
import * as $Ram from '@alicloud/ram20150501';
import { ROOT, startTestServer, tempDataDir, type TestServer } from '../helpers/server';
import { createPolicy, doc, outcome, ramClient } from '../helpers/ram';

const statement = (action: string) => doc({ Effect: 'Allow', Action: action, Resource: '*' });

describe('RAM policy write races across two servers on one store', () => {
  let a: TestServer;
  let b: TestServer;
  let ramA: Ram;
  let ramB: Ram;

  before(async () => {
    const dataDir = tempDataDir();
    a = await startTestServer(dataDir);
    b = await startTestServer(dataDir);
    ramA = ramClient(a, ROOT);
    ramB = ramClient(b, ROOT);
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  const versions = async (policyName: string) =>
    (await ramA.listPolicyVersions(new $Ram.ListPolicyVersionsRequest({ policyName, policyType: 'Custom' }))).body!.policyVersions!.policyVersion!;

  it('concurrent CreatePolicyVersion calls all succeed, each with its own version ID', async () => {
    await createPolicy(ramA, 'race-versions', statement('vpc:Describe*'));
    const calls = ['vpc:A*', 'vpc:B*', 'vpc:C*', 'vpc:D*'].map((action, i) =>
      (i % 2 ? ramB : ramA).createPolicyVersion(new $Ram.CreatePolicyVersionRequest({ policyName: 'race-versions', policyDocument: statement(action) })));
    const created = (await Promise.all(calls)).map((r) => r.body!.policyVersion!.versionId!);
    assert.deepEqual([...created].sort(), ['v2', 'v3', 'v4', 'v5'], 'distinct version IDs');
    const stored = await versions('race-versions');
    assert.deepEqual(stored.map((v) => v.versionId).sort(), ['v1', 'v2', 'v3', 'v4', 'v5'], 'no version lost');
    for (const [i, action] of ['vpc:A*', 'vpc:B*', 'vpc:C*', 'vpc:D*'].entries()) {
      const v = stored.find((x) => x.versionId === created[i]);
      assert.equal(v?.policyDocument, statement(action), `${created[i]} holds the document of the call that created it`);
    }
  });

  it('SetDefaultPolicyVersion racing DeletePolicyVersion: never both, never a revived version', async () => {
    for (let round = 0; round < 5; round++) {
      const name = `race-default-${round}`;
      await createPolicy(ramA, name, statement('vpc:Describe*'));
      await ramA.createPolicyVersion(new $Ram.CreatePolicyVersionRequest({ policyName: name, policyDocument: statement('vpc:*') }));
      const [deleted, setDefault] = await Promise.all([
        outcome(ramA.deletePolicyVersion(new $Ram.DeletePolicyVersionRequest({ policyName: name, versionId: 'v2' }))),
        outcome(ramB.setDefaultPolicyVersion(new $Ram.SetDefaultPolicyVersionRequest({ policyName: name, versionId: 'v2' }))),
      ]);
      const stored = await versions(name);
      const policy = (await ramA.getPolicy(new $Ram.GetPolicyRequest({ policyName: name, policyType: 'Custom' }))).body!.policy!;
      if (deleted === 'ok') {
        assert.equal(setDefault, 'EntityNotExist.Policy.Version', `round ${round}`);
        assert.deepEqual(stored.map((v) => v.versionId), ['v1']);
        assert.equal(policy.defaultVersion, 'v1');
      } else {
        assert.equal(deleted, 'DeleteConflict.Policy.Version.Default', `round ${round}`);
        assert.equal(setDefault, 'ok');
        assert.deepEqual(stored.map((v) => v.versionId), ['v1', 'v2']);
        assert.equal(policy.defaultVersion, 'v2');
      }
    }
  });

  it('AttachPolicyToUser racing DeletePolicy: a same-name policy created later is never granted', async () => {
    await ramA.createUser(new $Ram.CreateUserRequest({ userName: 'race-user' }));
    for (let round = 0; round < 5; round++) {
      const name = `race-attach-${round}`;
      await createPolicy(ramA, name, statement('vpc:Describe*'));
      const [attached, deleted] = await Promise.all([
        outcome(ramB.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ userName: 'race-user', policyType: 'Custom', policyName: name }))),
        outcome(ramA.deletePolicy(new $Ram.DeletePolicyRequest({ policyName: name }))),
      ]);
      if (attached === 'ok') {
        assert.equal(deleted, 'DeleteConflict.Policy.Attachment', `round ${round}`);
        await ramA.detachPolicyFromUser(new $Ram.DetachPolicyFromUserRequest({ userName: 'race-user', policyType: 'Custom', policyName: name }));
        await ramA.deletePolicy(new $Ram.DeletePolicyRequest({ policyName: name }));
      } else {
        assert.equal(attached, 'EntityNotExist.Policy', `round ${round}`);
        assert.equal(deleted, 'ok');
      }
      await createPolicy(ramA, name, statement('vpc:*'));
      const granted = (await ramA.listPoliciesForUser(new $Ram.ListPoliciesForUserRequest({ userName: 'race-user' }))).body!.policies!.policy!;
      assert.deepEqual(granted.map((p) => p.policyName), [], `round ${round}: the re-created policy is not attached`);
    }
  });
});
