/**
 * Role chaining through the official SDKs (issue 14, finding 8): a role session calling AssumeRole gets at
 * most 1 hour whatever the role's MaxSessionDuration, and a chain stops once the RAM user that started it is
 * deleted — even through sessions chained from sessions, and even if a new user takes the same name.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as $Ram from '@alicloud/ram20150501';
import * as $Sts from '@alicloud/sts20150401';
import { assertNoServerErrors } from '../helpers/http';
import { ROOT, startTestServer, type TestServer } from '../helpers/server';
import { assumeRole, doc, ramClient, sdkError, stsClient, userWithKey, type Creds } from '../helpers/ram';

const TRUST_ACCOUNT = doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ROOT.accountId}:root`] } });
const HOUR = 3600;

describe('STS role chaining', () => {
  let server: TestServer;
  let ram: ReturnType<typeof ramClient>;
  let origin: Creds;
  const roleArn = (name: string) => `acs:ram::${ROOT.accountId}:role/${name}`;
  /** Seconds from now until an AssumeRole Expiration. */
  const lifetime = (expiration: string) => (Date.parse(expiration) - Date.now()) / 1000;
  const chain = (creds: Creds, session: string, durationSeconds?: number) =>
    assumeRole(stsClient(server, creds), roleArn('Chained'), session, durationSeconds === undefined ? {} : { durationSeconds });

  before(async () => {
    server = await startTestServer();
    ram = ramClient(server, ROOT);
    // A 12-hour role that may itself assume roles: the chain the red-team review renewed forever.
    await ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'Chained', assumeRolePolicyDocument: TRUST_ACCOUNT, maxSessionDuration: 43200 }));
    await ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ roleName: 'Chained', policyType: 'System', policyName: 'AliyunSTSAssumeRoleAccess' }));
    origin = await userWithKey(ram, 'chain-origin', [{ type: 'System', name: 'AliyunSTSAssumeRoleAccess' }]);
  });
  after(() => server.close());

  it('a RAM user gets what the role allows; a role session asking for more than 1 hour is refused', async () => {
    const direct = await chain(origin, 'direct', 43200);
    assert.ok(lifetime(direct.expiration) > 43190, 'a RAM user may use the whole MaxSessionDuration');

    const short = await chain(origin, 'short', 900);
    assert.ok(lifetime(short.expiration) <= 900);
    for (const d of [43200, HOUR + 1]) {
      const err = await sdkError(stsClient(server, short).assumeRole(new $Sts.AssumeRoleRequest({
        roleArn: roleArn('Chained'), roleSessionName: 'renewed', durationSeconds: d,
      })), 'InvalidParameter.DurationSeconds', 400);
      assert.match(err.message, /role chaining/);
    }
    await sdkError(stsClient(server, short).assumeRole(new $Sts.AssumeRoleRequest({
      roleArn: roleArn('Chained'), roleSessionName: 'too-short', durationSeconds: 899,
    })), 'InvalidParameter.DurationSeconds', 400);

    const hour = await chain(short, 'hour', HOUR);
    assert.ok(lifetime(hour.expiration) > HOUR - 10 && lifetime(hour.expiration) <= HOUR);
    const byDefault = await chain(hour, 'default');
    assert.ok(lifetime(byDefault.expiration) <= HOUR, 'the default stays within the cap');
    const me = (await stsClient(server, byDefault).getCallerIdentity()).body!;
    assert.equal(me.arn, `acs:ram::${ROOT.accountId}:role/chained/default`);
  });

  it('once the originating user is deleted, no session of its chain can assume a role again', async () => {
    const first = await chain(origin, 'first', 900);
    const second = await chain(first, 'second', HOUR);
    const third = await chain(second, 'third', 900);

    // Delete the user that started the chain (its key and attachment first, as RAM requires).
    await ram.deleteAccessKey(new $Ram.DeleteAccessKeyRequest({ userName: 'chain-origin', userAccessKeyId: origin.accessKeyId }));
    await ram.detachPolicyFromUser(new $Ram.DetachPolicyFromUserRequest({ userName: 'chain-origin', policyType: 'System', policyName: 'AliyunSTSAssumeRoleAccess' }));
    await ram.deleteUser(new $Ram.DeleteUserRequest({ userName: 'chain-origin' }));

    for (const [name, creds] of [['first', first], ['second', second], ['third', third]] as const) {
      const err = await sdkError(stsClient(server, creds).assumeRole(new $Sts.AssumeRoleRequest({
        roleArn: roleArn('Chained'), roleSessionName: `after-${name}`, durationSeconds: 900,
      })), 'NoPermission', 403);
      assert.match(err.message, /role chain/);
      // The sessions themselves stay valid until they expire, as temporary credentials do in the cloud.
      assert.equal((await stsClient(server, creds).getCallerIdentity()).body!.arn, `acs:ram::${ROOT.accountId}:role/chained/${name}`);
    }

    // A new user with the same name is another identity: the old chain stays stopped.
    await userWithKey(ram, 'chain-origin', [{ type: 'System', name: 'AliyunSTSAssumeRoleAccess' }]);
    await sdkError(stsClient(server, second).assumeRole(new $Sts.AssumeRoleRequest({
      roleArn: roleArn('Chained'), roleSessionName: 'same-name', durationSeconds: 900,
    })), 'NoPermission', 403);
  });

  it('no response was a server error', () => assertNoServerErrors());
});
