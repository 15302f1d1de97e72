/**
 * Names Object.prototype answers to (`toString`, `constructor`, `__proto__`, …) sent by clients (issue 14,
 * finding 7): as condition operators in CreatePolicy, CreatePolicyVersion, CreateRole, UpdateRole and an
 * AssumeRole session policy they get the documented policy-syntax error, as condition keys they are ordinary
 * keys, and as query, form or signed-header names they never make a 5xx. The server keeps working throughout.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as $Ram from '@alicloud/ram20150501';
import * as $Sts from '@alicloud/sts20150401';
import { assertNoServerErrors, encodeParams, expectJsonError, send, signV3, v1Get, v1Post, v3Send } from '../helpers/http';
import { ROOT, startTestServer, type TestServer } from '../helpers/server';
import { createPolicy, doc, PROTOTYPE_NAMES, ramClient, sdkError, stsClient, userWithKey, type Creds } from '../helpers/ram';

const TRUST_ACCOUNT = doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ROOT.accountId}:root`] } });
const STS_QUERY = { Action: 'GetCallerIdentity', Version: '2015-04-01' };
/** Parameters named after Object.prototype members, as own members (a literal `__proto__:` would set the prototype). */
const prototypeParams = (): Record<string, string> => Object.fromEntries(PROTOTYPE_NAMES.map((n) => [n, `v-${n}`]));

describe('Object.prototype names from clients', () => {
  let server: TestServer;
  let ram: ReturnType<typeof ramClient>;
  let operator: Creds;
  const roleArn = (name: string) => `acs:ram::${ROOT.accountId}:role/${name}`;
  const conditioned = (operator: string, key = 'acs:SourceIp', value = '127.0.0.1') =>
    doc({ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*', Condition: { [operator]: { [key]: value } } });
  const trustWith = (operator: string) =>
    doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ROOT.accountId}:root`] }, Condition: { [operator]: { 'sts:ExternalId': 'x' } } });

  before(async () => {
    server = await startTestServer();
    ram = ramClient(server, ROOT);
    await ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'Target', assumeRolePolicyDocument: TRUST_ACCOUNT }));
    await createPolicy(ram, 'Base', conditioned('IpAddress'));
    operator = await userWithKey(ram, 'operator', [{ type: 'System', name: 'AliyunSTSAssumeRoleAccess' }]);
  });
  after(() => server.close());

  it('as condition operators: CreatePolicy, CreatePolicyVersion, CreateRole and UpdateRole answer MalformedPolicyDocument', async () => {
    for (const name of PROTOTYPE_NAMES) {
      for (const operator of [name, `${name}IfExists`, `ForAnyValue:${name}`]) {
        const err = await sdkError(ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName: 'Bad', policyDocument: conditioned(operator) })), 'MalformedPolicyDocument', 400);
        assert.match(err.message, /unknown condition operator/);
        await sdkError(ram.createPolicyVersion(new $Ram.CreatePolicyVersionRequest({ policyName: 'Base', policyDocument: conditioned(operator) })), 'MalformedPolicyDocument', 400);
        await sdkError(ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'BadTrust', assumeRolePolicyDocument: trustWith(operator) })), 'MalformedPolicyDocument', 400);
        await sdkError(ram.updateRole(new $Ram.UpdateRoleRequest({ roleName: 'Target', newAssumeRolePolicyDocument: trustWith(operator) })), 'MalformedPolicyDocument', 400);
      }
    }
    // Nothing was created or changed, and the server still works.
    await sdkError(ram.getPolicy(new $Ram.GetPolicyRequest({ policyName: 'Bad', policyType: 'Custom' })), 'EntityNotExist.Policy', 404);
    await sdkError(ram.getRole(new $Ram.GetRoleRequest({ roleName: 'BadTrust' })), 'EntityNotExist.Role', 404);
    assert.equal((await ram.getRole(new $Ram.GetRoleRequest({ roleName: 'Target' }))).body!.role!.assumeRolePolicyDocument, TRUST_ACCOUNT);
    assert.equal((await ram.listPolicyVersions(new $Ram.ListPolicyVersionsRequest({ policyName: 'Base', policyType: 'Custom' }))).body!.policyVersions!.policyVersion!.length, 1);
  });

  it('as condition operators in an AssumeRole session policy: InvalidParameter.PolicyGrammar', async () => {
    const sts = stsClient(server, operator);
    for (const name of PROTOTYPE_NAMES) {
      await sdkError(sts.assumeRole(new $Sts.AssumeRoleRequest({ roleArn: roleArn('Target'), roleSessionName: 'proto', policy: conditioned(name) })),
        'InvalidParameter.PolicyGrammar', 400);
    }
    const ok = await sts.assumeRole(new $Sts.AssumeRoleRequest({ roleArn: roleArn('Target'), roleSessionName: 'fine', policy: conditioned('IpAddress') }));
    assert.match(ok.body!.credentials!.accessKeyId!, /^STS\./);
  });

  it('as condition keys: ordinary keys that the request does not carry', async () => {
    for (const name of PROTOTYPE_NAMES) {
      await createPolicy(ram, `Key-${name.replace(/_/g, '')}`, conditioned('Null', name, 'true'));
    }
    const user = await userWithKey(ram, 'keyed');
    await ram.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ userName: 'keyed', policyType: 'Custom', policyName: 'Key-constructor' }));
    // Null: true holds because no request carries a `constructor` key: the policy allows the call.
    assert.equal((await stsClient(server, user).getCallerIdentity()).body!.identityType, 'RAMUser');
  });

  it('as parameter names: V1 query and form, V3 query: ignored like any unknown parameter', async () => {
    const base = server.baseUrl;
    const params = { ...STS_QUERY, ...prototypeParams() };
    for (const res of [await v1Get(base, params), await v1Post(base, params), await v3Send(base, { query: prototypeParams(), action: 'GetCallerIdentity', version: '2015-04-01' })]) {
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json.AccountId, ROOT.accountId);
    }
    // Unsigned, repeated, or naming the action or version: the usual 4xx.
    const names = PROTOTYPE_NAMES.map((n) => `${encodeURIComponent(n)}=1`).join('&');
    assert.ok((await send(base, { path: `/?${names}` })).status < 500);
    expectJsonError(await send(base, { path: `/?__proto__=1&__proto__=2&${encodeParams(STS_QUERY)}` }), 400, 'InvalidParameter');
    for (const name of PROTOTYPE_NAMES) {
      expectJsonError(await v1Get(base, { ...STS_QUERY, Action: name }), 404, 'InvalidApi.NotFound');
      expectJsonError(await v1Get(base, { ...STS_QUERY, Version: name }), 400, 'InvalidVersion');
      assert.equal((await v1Get(base, { ...STS_QUERY, Format: name })).status, 200, 'an unknown Format answers JSON');
    }
  });

  it('as V3 signed header and Authorization field names: IncompleteSignature, not a crash', async () => {
    const base = server.baseUrl;
    const host = new URL(base).host;
    for (const name of PROTOTYPE_NAMES) {
      const r = signV3({ host, query: {}, action: 'GetCallerIdentity', version: '2015-04-01' });
      const header = r.headers.authorization!;
      const signed = /SignedHeaders=([^,]+)/.exec(header)![1]!;
      const withName = [name.toLowerCase(), ...signed.split(';')].sort().join(';');
      const forged = { ...r.headers, authorization: header.replace(`SignedHeaders=${signed}`, `SignedHeaders=${withName}`) };
      // `constructor` and `__proto__` are lower case, as SignedHeaders must be: Node's header object inherits them.
      expectJsonError(await send(base, { ...r, headers: forged }), 400, 'IncompleteSignature');
      // An unknown Authorization field is ignored: the same request, otherwise intact, is accepted.
      const extraField = { ...r.headers, authorization: header.replace('Signature=', `${name}=x,Signature=`) };
      const res = await send(base, { ...r, headers: extraField });
      assert.equal(res.status, 200, res.text);
    }
  });

  it('no response was a server error', () => assertNoServerErrors());
});
