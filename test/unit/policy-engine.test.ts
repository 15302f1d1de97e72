/** Vector tests of the RAM policy engine (src/iam/policy.ts, conditions.ts, wildcard.ts): ram.md §1–§4. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePolicy, conditionContext, evaluate, evaluateTrust, PolicySyntaxError, type Decision } from '../../src/iam/policy';

const ARN = 'acs:vpc:cn-hangzhou:1000000000000001:vpnconnection/vco-abc';
const ctx = (values: Record<string, string | undefined> = {}) => conditionContext(values);
const policy = (...statements: unknown[]) => compilePolicy(JSON.stringify({ Version: '1', Statement: statements }));
const decide = (statements: unknown[], action = 'vpc:DescribeVcoRouteEntries', resource = ARN, context = ctx()): Decision =>
  evaluate([policy(...statements)], { action, resource, context });
const allow = (extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Action: 'vpc:DescribeVcoRouteEntries', Resource: '*', ...extra });

describe('policy grammar', () => {
  const bad: [string, string][] = [
    ['not json', 'not valid JSON'],
    ['[]', 'JSON object'],
    ['{"Version":"2","Statement":[]}', 'Version'],
    ['{"Version":"1"}', 'Statement'],
    ['{"Version":"1","Statement":[]}', 'Statement'],
    ['{"Version":"1","Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}', 'Effect'],
    ['{"Version":"1","Statement":[{"Effect":"Allow","Resource":"*"}]}', 'Action or NotAction'],
    ['{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","NotAction":"*","Resource":"*"}]}', 'exclusive'],
    ['{"Version":"1","Statement":[{"Effect":"Allow","Action":"*"}]}', 'Resource or NotResource'],
    ['{"Version":"1","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}', 'non-empty'],
    ['{"Version":"1","Statement":[{"Effect":"Allow","Action":"DescribeX","Resource":"*"}]}', 'not an action'],
    ['{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"vpc/x"}]}', 'not a resource'],
    ['{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Extra":1}]}', 'unknown element'],
    ['{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Principal":"*"}]}', 'trust policies'],
    ['{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Maybe":{"a":"b"}}}]}', 'unknown condition operator'],
    ['{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"a":"x"}}}]}', 'not a valid number'],
    ['{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateLessThan":{"acs:CurrentTime":"tomorrow"}}}]}', 'not a valid date'],
    ['{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":"10.0.0.0/33"}}}]}', 'IP address'],
    ['{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"acs:SecureTransport":"yes"}}}]}', 'true or false'],
  ];
  for (const [text, reason] of bad) {
    it(`rejects ${text.slice(0, 70)}`, () => {
      assert.throws(() => compilePolicy(text), (err: unknown) => err instanceof PolicySyntaxError && err.message.includes(reason));
    });
  }

  it('accepts the documented forms: string or array values, Sid, a single statement object', () => {
    compilePolicy('{"Version":"1","Statement":{"Sid":"one","Effect":"Deny","NotAction":["ecs:*"],"NotResource":"acs:ecs:*:*:instance/*"}}');
    compilePolicy(JSON.stringify({ Version: '1', Statement: [allow({ Action: ['vpc:Describe*', 'vpc:Get?ser'] })] }));
  });

  it('trust policies need a Principal and may omit Resource', () => {
    const trust = '{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":"acs:ram::123:root"}}]}';
    compilePolicy(trust, 'trust');
    assert.throws(() => compilePolicy(trust.replace(',"Principal":{"RAM":"acs:ram::123:root"}', ''), 'trust'), PolicySyntaxError);
    assert.throws(() => compilePolicy(trust.replace('"RAM"', '"Alien"'), 'trust'), PolicySyntaxError);
  });
});

describe('evaluation', () => {
  it('implicit deny by default; an Allow allows; a Deny wins in any order', () => {
    assert.equal(evaluate([], { action: 'vpc:DescribeVcoRouteEntries', resource: ARN, context: ctx() }), 'ImplicitDeny');
    assert.equal(decide([allow()]), 'Allow');
    const deny = { Effect: 'Deny', Action: 'vpc:*', Resource: ARN };
    assert.equal(decide([allow(), deny]), 'ExplicitDeny');
    assert.equal(decide([deny, allow()]), 'ExplicitDeny');
    assert.equal(evaluate([policy(allow()), policy(deny)], { action: 'vpc:DescribeVcoRouteEntries', resource: ARN, context: ctx() }), 'ExplicitDeny');
  });

  it('actions match case-insensitively with * and ?; resources case-sensitively', () => {
    assert.equal(decide([allow({ Action: 'VPC:describevcorouteentries' })]), 'Allow');
    assert.equal(decide([allow({ Action: 'vpc:Describe*' })]), 'Allow');
    assert.equal(decide([allow({ Action: 'vpc:DescribeVcoRouteEntrie?' })]), 'Allow');
    assert.equal(decide([allow({ Action: 'vpc:DescribeVcoRouteEntrie??' })]), 'ImplicitDeny');
    assert.equal(decide([allow({ Action: 'vpc:Create*' })]), 'ImplicitDeny');
    assert.equal(decide([allow({ Action: 'ecs:*' })]), 'ImplicitDeny');
    assert.equal(decide([allow({ Action: '*' })]), 'Allow');
    assert.equal(decide([allow({ Resource: 'acs:vpc:*:*:vpnconnection/*' })]), 'Allow');
    assert.equal(decide([allow({ Resource: 'acs:vpc:cn-hangzhou:*:vpnconnection/vco-ab?' })]), 'Allow');
    assert.equal(decide([allow({ Resource: 'acs:vpc:cn-hangzhou:*:vpnconnection/VCO-ABC' })]), 'ImplicitDeny');
    assert.equal(decide([allow({ Resource: 'acs:vpc:cn-shanghai:*:*' })]), 'ImplicitDeny');
    assert.equal(decide([allow({ Resource: 'acs:*' })]), 'Allow', '* spans : and /');
    assert.equal(decide([allow({ Resource: 'acs:vpc:*:*:vpnconnection/vco-a.c' })]), 'ImplicitDeny', '. is literal');
  });

  it('NotAction and NotResource match everything else', () => {
    assert.equal(decide([{ Effect: 'Allow', NotAction: 'vpc:Delete*', Resource: '*' }]), 'Allow');
    assert.equal(decide([{ Effect: 'Allow', NotAction: 'vpc:Describe*', Resource: '*' }]), 'ImplicitDeny');
    assert.equal(decide([{ Effect: 'Allow', Action: '*', NotResource: 'acs:vpc:*:*:vpnconnection/vco-other' }]), 'Allow');
    assert.equal(decide([{ Effect: 'Allow', Action: '*', NotResource: ARN }]), 'ImplicitDeny');
    assert.equal(decide([allow({ Action: '*' }), { Effect: 'Deny', NotAction: 'vpc:Describe*', Resource: '*' }]), 'Allow');
    assert.equal(decide([allow({ Action: '*' }), { Effect: 'Deny', NotAction: 'vpc:Describe*', Resource: '*' }], 'vpc:DeleteVpnConnection'), 'ExplicitDeny');
  });
});

describe('conditions', () => {
  const cond = (condition: unknown, values: Record<string, string | undefined>) => decide([allow({ Condition: condition })], undefined, undefined, ctx(values));
  const yes = (condition: unknown, values: Record<string, string | undefined>) => assert.equal(cond(condition, values), 'Allow', JSON.stringify([condition, values]));
  const no = (condition: unknown, values: Record<string, string | undefined>) => assert.equal(cond(condition, values), 'ImplicitDeny', JSON.stringify([condition, values]));

  it('string operators', () => {
    yes({ StringEquals: { 'vpc:Tag': ['a', 'b'] } }, { 'vpc:Tag': 'b' });
    no({ StringEquals: { 'vpc:Tag': 'a' } }, { 'vpc:Tag': 'A' });
    yes({ StringEqualsIgnoreCase: { 'vpc:Tag': 'a' } }, { 'vpc:Tag': 'A' });
    yes({ StringNotEquals: { 'vpc:Tag': ['a', 'b'] } }, { 'vpc:Tag': 'c' });
    no({ StringNotEquals: { 'vpc:Tag': ['a', 'b'] } }, { 'vpc:Tag': 'a' });
    no({ StringNotEqualsIgnoreCase: { 'vpc:Tag': 'a' } }, { 'vpc:Tag': 'A' });
    yes({ StringLike: { 'vpc:Tag': 'pre*-?' } }, { 'vpc:Tag': 'prefix-1' });
    no({ StringLike: { 'vpc:Tag': 'pre*-?' } }, { 'vpc:Tag': 'prefix-12' });
    yes({ StringNotLike: { 'vpc:Tag': 'pre*' } }, { 'vpc:Tag': 'other' });
    yes({ StringEquals: { 'VPC:TAG': 'a' } }, { 'vpc:tag': 'a' }); // keys are case-insensitive
  });

  it('numeric, date and bool operators', () => {
    yes({ NumericLessThan: { 'x:N': '10' } }, { 'x:N': '9.5' });
    no({ NumericLessThan: { 'x:N': '10' } }, { 'x:N': '10' });
    yes({ NumericLessThanEquals: { 'x:N': '10' } }, { 'x:N': '10' });
    yes({ NumericGreaterThan: { 'x:N': '-1' } }, { 'x:N': '0' });
    yes({ NumericGreaterThanEquals: { 'x:N': 3 } }, { 'x:N': '3' });
    yes({ NumericEquals: { 'x:N': ['1', '2'] } }, { 'x:N': '2' });
    yes({ NumericNotEquals: { 'x:N': '1' } }, { 'x:N': '2' });
    no({ NumericEquals: { 'x:N': '1' } }, { 'x:N': 'one' });
    const now = '2024-06-01T12:00:00Z';
    yes({ DateLessThan: { 'acs:CurrentTime': '2024-12-31T23:59:59Z' } }, { 'acs:CurrentTime': now });
    no({ DateGreaterThan: { 'acs:CurrentTime': '2024-12-31T23:59:59Z' } }, { 'acs:CurrentTime': now });
    yes({ DateGreaterThanEquals: { 'acs:CurrentTime': '2024-06-01T12:00:00Z' } }, { 'acs:CurrentTime': now });
    yes({ DateEquals: { 'acs:CurrentTime': '2024-06-01T20:00:00+08:00' } }, { 'acs:CurrentTime': now });
    yes({ DateNotEquals: { 'acs:CurrentTime': '2024-06-02' } }, { 'acs:CurrentTime': now });
    yes({ DateLessThanEquals: { 'acs:CurrentTime': '1717243200' } }, { 'acs:CurrentTime': now }); // epoch seconds
    yes({ Bool: { 'acs:SecureTransport': 'true' } }, { 'acs:SecureTransport': 'true' });
    no({ Bool: { 'acs:SecureTransport': true } }, { 'acs:SecureTransport': 'false' });
    no({ Bool: { 'acs:MFAPresent': 'true' } }, { 'acs:MFAPresent': 'false' });
  });

  it('IP operators: addresses, CIDR blocks, IPv6, IPv4-mapped peers', () => {
    const ips = { IpAddress: { 'acs:SourceIp': ['192.168.0.0/16', '172.16.215.218'] } };
    yes(ips, { 'acs:SourceIp': '192.168.3.4' });
    yes(ips, { 'acs:SourceIp': '172.16.215.218' });
    no(ips, { 'acs:SourceIp': '172.16.215.219' });
    no(ips, { 'acs:SourceIp': 'garbage' });
    yes({ NotIpAddress: { 'acs:SourceIp': '10.0.0.0/8' } }, { 'acs:SourceIp': '11.0.0.1' });
    no({ NotIpAddress: { 'acs:SourceIp': '10.0.0.0/8' } }, { 'acs:SourceIp': '10.9.9.9' });
    yes({ IpAddress: { 'acs:SourceIp': '2001:db8::/32' } }, { 'acs:SourceIp': '2001:db8::1' });
    yes({ IpAddress: { 'acs:SourceIp': '127.0.0.1' } }, { 'acs:SourceIp': '::ffff:127.0.0.1' });
  });

  it('absent keys: false for positive operators, true for negated ones and …IfExists; Null tests presence', () => {
    no({ StringEquals: { 'vpc:Tag': 'a' } }, {});
    yes({ StringNotEquals: { 'vpc:Tag': 'a' } }, {});
    yes({ StringEqualsIfExists: { 'vpc:Tag': 'a' } }, {});
    no({ StringEqualsIfExists: { 'vpc:Tag': 'a' } }, { 'vpc:Tag': 'b' });
    yes({ IpAddressIfExists: { 'acs:SourceIp': '10.0.0.0/8' } }, {});
    yes({ Null: { 'vpc:Tag': 'true' } }, {});
    no({ Null: { 'vpc:Tag': 'true' } }, { 'vpc:Tag': 'x' });
    yes({ 'ForAllValues:StringEquals': { 'vpc:Tag': 'a' } }, {});
    no({ 'ForAnyValue:StringEquals': { 'vpc:Tag': 'a' } }, {});
  });

  it('operators AND, keys AND, values OR', () => {
    const both = { StringEquals: { 'a:k': 'x', 'b:k': ['y', 'z'] }, Bool: { 'acs:SecureTransport': 'true' } };
    yes(both, { 'a:k': 'x', 'b:k': 'z', 'acs:SecureTransport': 'true' });
    no(both, { 'a:k': 'x', 'b:k': 'z', 'acs:SecureTransport': 'false' });
    no(both, { 'a:k': 'x', 'b:k': 'w', 'acs:SecureTransport': 'true' });
  });

  it('a conditional Deny denies only when its condition holds', () => {
    const statements = [allow(), { Effect: 'Deny', Action: '*', Resource: '*', Condition: { NotIpAddress: { 'acs:SourceIp': '10.0.0.0/8' } } }];
    assert.equal(decide(statements, undefined, undefined, ctx({ 'acs:SourceIp': '10.1.1.1' })), 'Allow');
    assert.equal(decide(statements, undefined, undefined, ctx({ 'acs:SourceIp': '8.8.8.8' })), 'ExplicitDeny');
  });
});

describe('trust policies', () => {
  const trust = (principal: unknown, extra: Record<string, unknown> = {}) =>
    compilePolicy(JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: principal, ...extra }] }), 'trust');
  const caller = new Map([['RAM', ['acs:ram::123:root', '123', 'acs:ram::123:user/alice']]]);

  it('match the account root, the bare account ID, the exact user, or *', () => {
    assert.equal(evaluateTrust(trust({ RAM: 'acs:ram::123:root' }), caller, ctx()), 'Allow');
    assert.equal(evaluateTrust(trust({ RAM: ['123'] }), caller, ctx()), 'Allow');
    assert.equal(evaluateTrust(trust({ RAM: 'acs:ram::123:user/alice' }), caller, ctx()), 'Allow');
    assert.equal(evaluateTrust(trust({ RAM: 'acs:ram::123:user/bob' }), caller, ctx()), 'ImplicitDeny');
    assert.equal(evaluateTrust(trust({ RAM: 'acs:ram::456:root' }), caller, ctx()), 'ImplicitDeny');
    assert.equal(evaluateTrust(trust({ Service: 'ecs.aliyuncs.com' }), caller, ctx()), 'ImplicitDeny');
    assert.equal(evaluateTrust(trust('*'), caller, ctx()), 'Allow');
  });

  it('a wildcard of another principal type ({"Service": "*"}, {"Federated": "*"}) never matches a RAM caller', () => {
    assert.equal(evaluateTrust(trust({ Service: '*' }), caller, ctx()), 'ImplicitDeny');
    assert.equal(evaluateTrust(trust({ Federated: ['*'] }), caller, ctx()), 'ImplicitDeny');
    assert.equal(evaluateTrust(trust({ Service: '*', RAM: 'acs:ram::123:root' }), caller, ctx()), 'Allow');
    assert.equal(evaluateTrust(trust({ RAM: '*' }), caller, ctx()), 'Allow');
  });

  it('honour conditions (sts:ExternalId) and the action', () => {
    const withId = trust({ RAM: '123' }, { Condition: { StringEquals: { 'sts:ExternalId': 'abc' } } });
    assert.equal(evaluateTrust(withId, caller, ctx({ 'sts:ExternalId': 'abc' })), 'Allow');
    assert.equal(evaluateTrust(withId, caller, ctx()), 'ImplicitDeny');
    assert.equal(evaluateTrust(trust({ RAM: '123' }, { Action: 'sts:Other' }), caller, ctx()), 'ImplicitDeny');
  });
});
