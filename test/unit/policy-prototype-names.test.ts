/**
 * Names that live on Object.prototype (`toString`, `constructor`, `__proto__`, …) in every position of a
 * policy document (issue 14, finding 7): each is either refused with a PolicySyntaxError (the documented
 * policy-syntax error at the API) or treated as an ordinary name — never a TypeError (a 500 at the API).
 * Also the POP signature helpers that index by client-supplied names.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePolicy, conditionContext, evaluate, evaluateTrust, PolicySyntaxError, type PolicyKind } from '../../src/iam/policy';
import { parseV3Authorization, v3CanonicalRequest } from '../../src/pop/signature';
import { PROTOTYPE_NAMES } from '../helpers/ram';

const ARN = 'acs:vpc:cn-hangzhou:1000000000000001:vpnconnection/vco-abc';
const ACTION = 'vpc:DescribeVcoRouteEntries';
/** JSON text with `name` as an own member wherever it is used as a computed key (JSON.stringify keeps `__proto__`). */
const text = (doc: unknown) => JSON.stringify(doc);
const identity = (statement: Record<string, unknown>) => text({ Version: '1', Statement: [{ Effect: 'Allow', Action: ACTION, Resource: '*', ...statement }] });
const trust = (statement: Record<string, unknown>) => text({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: 'acs:ram::1:root' }, ...statement }] });

function refused(doc: string, kind: PolicyKind, reason: string): void {
  assert.throws(() => compilePolicy(doc, kind), (err: unknown) => {
    assert.ok(err instanceof PolicySyntaxError, `a PolicySyntaxError, not ${String(err)}`);
    assert.ok(err.message.includes(reason), `"${err.message}" mentions "${reason}"`);
    return true;
  });
}

describe('policy documents naming Object.prototype members', () => {
  for (const name of PROTOTYPE_NAMES) {
    describe(name, () => {
      it('as a condition operator (plain, IfExists, ForAnyValue:, ForAllValues:) → unknown operator', () => {
        for (const op of [name, `${name}IfExists`, `ForAnyValue:${name}`, `ForAllValues:${name}`]) {
          refused(identity({ Condition: { [op]: { 'acs:SourceIp': '10.0.0.1' } } }), 'identity', 'unknown condition operator');
          refused(trust({ Condition: { [op]: { 'sts:ExternalId': 'abc' } } }), 'trust', 'unknown condition operator');
        }
      });

      it('as a condition key: an ordinary key, absent unless the request carries it', () => {
        for (const op of ['StringEquals', 'StringLike', 'Null', 'ForAllValues:StringEquals']) {
          const value = op === 'Null' ? 'false' : 'x';
          const policy = compilePolicy(identity({ Condition: { [op]: { [name]: value } } }));
          const absent = op === 'ForAllValues:StringEquals' ? 'Allow' : 'ImplicitDeny'; // ForAllValues holds vacuously
          assert.equal(evaluate([policy], { action: ACTION, resource: ARN, context: conditionContext({}) }), absent, op);
          assert.equal(evaluate([policy], { action: ACTION, resource: ARN, context: conditionContext({ [name]: 'x' }) }), 'Allow', op);
        }
      });

      it('as a condition value: an ordinary string', () => {
        const policy = compilePolicy(identity({ Condition: { StringEquals: { 'acs:key': name } } }));
        assert.equal(evaluate([policy], { action: ACTION, resource: ARN, context: conditionContext({ 'acs:key': name }) }), 'Allow');
        assert.equal(evaluate([policy], { action: ACTION, resource: ARN, context: conditionContext({ 'acs:key': 'other' }) }), 'ImplicitDeny');
        refused(identity({ Condition: { NumericEquals: { 'acs:key': name } } }), 'identity', 'not a valid number');
        refused(identity({ Condition: { Bool: { 'acs:key': name } } }), 'identity', 'true or false');
      });

      it('as a statement element, a document element, or the only member of Condition', () => {
        refused(identity({ [name]: 'x' }), 'identity', 'unknown element');
        refused(trust({ [name]: 'x' }), 'trust', 'unknown element');
        refused(text({ Version: '1', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }], [name]: {} }), 'identity', 'unknown element');
        refused(identity({ Condition: { [name]: {} } }), 'identity', 'must map condition keys');
        refused(identity({ Condition: { StringEquals: { [name]: { [name]: 'x' } } } }), 'identity', 'must be strings');
      });

      it('as Effect, Version, Action, Resource, Principal type → refused; as a service action or principal value → ordinary', () => {
        refused(text({ Version: '1', Statement: [{ Effect: name, Action: '*', Resource: '*' }] }), 'identity', 'Effect');
        refused(text({ Version: name, Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }), 'identity', 'Version');
        refused(identity({ Action: name }), 'identity', 'not an action');
        refused(identity({ Resource: name }), 'identity', 'not a resource');
        refused(trust({ Principal: { [name]: 'x' } }), 'trust', 'unknown principal type');

        const action = compilePolicy(identity({ Action: `vpc:${name}` }));
        assert.equal(evaluate([action], { action: `vpc:${name}`, resource: ARN, context: conditionContext({}) }), 'Allow');
        assert.equal(evaluate([action], { action: ACTION, resource: ARN, context: conditionContext({}) }), 'ImplicitDeny');
        const principal = compilePolicy(trust({ Principal: { RAM: name } }), 'trust');
        assert.equal(evaluateTrust(principal, new Map([['RAM', [name]]]), conditionContext({})), 'Allow');
        assert.equal(evaluateTrust(principal, new Map([['RAM', ['acs:ram::1:root']]]), conditionContext({})), 'ImplicitDeny');
      });
    });
  }

  it('a literal "__proto__" member in the JSON text is an unknown element, not a prototype', () => {
    refused('{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","__proto__":{"Principal":"*"}}]}', 'identity', 'unknown element');
    refused('{"Version":"1","__proto__":{"Statement":[]},"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', 'identity', 'unknown element');
    // Inherited members never count as present: a trust statement still needs its own Principal.
    refused('{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","__proto__":{"Principal":"*"}}]}', 'trust', 'unknown element');
  });
});

describe('POP signature helpers and client-supplied names', () => {
  it('a signed header named after an Object.prototype member is missing, not a function', () => {
    const headers: Record<string, string> = { host: 'localhost' }; // a plain object, as Node's req.headers is
    for (const name of PROTOTYPE_NAMES) {
      assert.equal(v3CanonicalRequest('POST', '/', {}, headers, [name, 'host'], 'hash'), undefined, name);
    }
  });

  it('Authorization fields named after Object.prototype members are ignored', () => {
    for (const name of PROTOTYPE_NAMES) {
      assert.equal(parseV3Authorization(`ACS3-HMAC-SHA256 ${name}=x,Signature=s`), undefined, name);
      assert.deepEqual(parseV3Authorization(`ACS3-HMAC-SHA256 ${name}=x,Credential=AK,SignedHeaders=host,Signature=s`), {
        algorithm: 'ACS3-HMAC-SHA256', accessKeyId: 'AK', signedHeaders: ['host'], signature: 's',
      });
    }
  });
});
