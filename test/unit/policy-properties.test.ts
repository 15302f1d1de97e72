/**
 * Property tests of the policy engine on generated policies (seeded, reproducible): wildcard matching
 * against a reference matcher, Deny dominance, order independence, monotonicity of Allow, case
 * insensitivity of actions, Action/NotAction and Resource/NotResource complements, negated operators.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePolicy, conditionContext, evaluate, type AccessRequest, type CompiledPolicy } from '../../src/iam/policy';
import { compileWildcard } from '../../src/iam/wildcard';
import { rng, type Rng } from '../helpers/random';

const RUNS = 400;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[r.int(0, xs.length - 1)]!;

/** Reference glob matcher (dynamic programming over the whole string). */
function globRef(pattern: string, text: string, ignoreCase: boolean): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const t = ignoreCase ? text.toLowerCase() : text;
  const m: boolean[][] = Array.from({ length: p.length + 1 }, () => new Array<boolean>(t.length + 1).fill(false));
  m[0]![0] = true;
  for (let i = 1; i <= p.length; i++) {
    for (let j = 0; j <= t.length; j++) {
      const c = p[i - 1];
      if (c === '*') m[i]![j] = m[i - 1]![j]! || (j > 0 && m[i]![j - 1]!);
      else if (j > 0) m[i]![j] = m[i - 1]![j - 1]! && (c === '?' || c === t[j - 1]);
    }
  }
  return m[p.length]![t.length]!;
}

const SERVICES = ['vpc', 'ram', 'sts'];
const APIS = ['DescribeVcoRouteEntries', 'CreateVcoRouteEntry', 'DeleteVpnConnection', 'CreateUser', 'AssumeRole'];
const IDS = ['vco-a1', 'vco-a2', 'vco-b1'];

function randomCase(r: Rng, s: string): string {
  return [...s].map((c) => (r.next() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('');
}

function randomRequest(r: Rng): AccessRequest {
  return {
    action: `${pick(r, SERVICES)}:${pick(r, APIS)}`,
    resource: `acs:vpc:${pick(r, ['cn-hangzhou', 'cn-shanghai'])}:1000000000000001:vpnconnection/${pick(r, IDS)}`,
    context: conditionContext({ 'acs:SourceIp': pick(r, ['10.0.0.1', '192.168.1.1', '8.8.8.8']), 'x:Tag': pick(r, ['red', 'blue']) }),
  };
}

function actionPattern(r: Rng): string {
  const roll = r.next();
  if (roll < 0.1) return '*';
  const service = pick(r, SERVICES);
  if (roll < 0.3) return `${service}:*`;
  const api = pick(r, APIS);
  if (roll < 0.5) return `${service}:${api.slice(0, r.int(1, api.length))}*`;
  if (roll < 0.6) return `${service}:${api.slice(0, -1)}?`;
  return `${service}:${api}`;
}

function resourcePattern(r: Rng): string {
  const roll = r.next();
  if (roll < 0.2) return '*';
  if (roll < 0.5) return `acs:vpc:*:*:vpnconnection/${pick(r, ['vco-a*', 'vco-?1', '*'])}`;
  return `acs:vpc:${pick(r, ['cn-hangzhou', 'cn-shanghai', '*'])}:1000000000000001:vpnconnection/${pick(r, IDS)}`;
}

function randomStatement(r: Rng): Record<string, unknown> {
  const st: Record<string, unknown> = { Effect: r.next() < 0.3 ? 'Deny' : 'Allow' };
  const actions = Array.from({ length: r.int(1, 3) }, () => actionPattern(r));
  st[r.next() < 0.2 ? 'NotAction' : 'Action'] = actions.length === 1 ? actions[0] : actions;
  st[r.next() < 0.15 ? 'NotResource' : 'Resource'] = resourcePattern(r);
  if (r.next() < 0.3) {
    st.Condition = r.next() < 0.5
      ? { [pick(r, ['IpAddress', 'NotIpAddress'])]: { 'acs:SourceIp': pick(r, ['10.0.0.0/8', '192.168.0.0/16']) } }
      : { [pick(r, ['StringEquals', 'StringNotEquals', 'StringLike'])]: { 'x:Tag': pick(r, ['red', 'b*', 'green']) } };
  }
  return st;
}

const toPolicy = (statements: unknown[]): CompiledPolicy => compilePolicy(JSON.stringify({ Version: '1', Statement: statements }));
const randomStatements = (r: Rng) => Array.from({ length: r.int(1, 6) }, () => randomStatement(r));

function shuffle<T>(r: Rng, xs: T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('policy engine properties', () => {
  it('wildcards agree with a reference glob matcher (anchored, * spans everything, ? one character)', () => {
    const r = rng(1);
    const alphabet = ['a', 'b', ':', '/', 'A'];
    for (let i = 0; i < 2000; i++) {
      const pattern = Array.from({ length: r.int(0, 6) }, () => pick(r, [...alphabet, '*', '?'])).join('');
      const text = Array.from({ length: r.int(0, 6) }, () => pick(r, alphabet)).join('');
      for (const ignoreCase of [false, true]) {
        assert.equal(compileWildcard(pattern, ignoreCase)(text), globRef(pattern, text, ignoreCase), `${pattern} ~ ${text} (ignoreCase ${ignoreCase})`);
      }
    }
  });

  it('matching takes linear time on hostile text: a RegionId of 200,000 ":" against acs:vpc:*:*:…', () => {
    // RegionId and VpnConnectionId reach resource ARNs unvalidated; a backtracking matcher took minutes here.
    const match = compileWildcard('acs:vpc:*:*:vpnconnection/vco-abc', false);
    const text = `acs:vpc:${':'.repeat(200_000)}:1000000000000001:vpnconnection/vco-xyz`;
    const started = process.hrtime.bigint();
    assert.equal(match(text), false);
    assert.equal(match(text.replace(/vco-xyz$/, 'vco-abc')), true);
    assert.equal(compileWildcard('ACS:VPC:*:*:VPNCONNECTION/VCO-ABC', true)(text), false);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 1000, `took ${ms} ms`);
  });

  it('matching cost is bounded on adversarial patterns: a 2 KB pattern against a 100 KB ARN stays in milliseconds', () => {
    // Issue 14 finding 3: backtracking to the last `*` cost text × pattern (about 1 s per match here).
    const text = `acs:vpc:cn-hangzhou:1000000000000001:vpnconnection/${'a'.repeat(100_000)}`;
    const hostile = [
      `acs:*${'a'.repeat(2000)}b`,
      `acs:*${'a'.repeat(2000)}b*`,
      `acs:*${'a?'.repeat(1000)}b*`,
      `acs:${'*a'.repeat(1000)}*b`,
      `*${'?'.repeat(2000)}b`,
    ];
    for (const pattern of hostile) {
      for (const ignoreCase of [false, true]) {
        const match = compileWildcard(pattern, ignoreCase);
        const started = process.hrtime.bigint();
        assert.equal(match(text), false);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        assert.ok(ms < 150, `${pattern.slice(0, 20)}… (ignoreCase ${ignoreCase}) took ${ms} ms`);
      }
    }
    assert.equal(compileWildcard(`acs:*${'a?'.repeat(1000)}*`, false)(text), true);
    assert.equal(compileWildcard(`acs:*${'a'.repeat(2000)}`, false)(text), true);
  });

  it('wildcards agree with the reference on longer patterns with several stars and ? runs', () => {
    const r = rng(2);
    const alphabet = ['a', 'b', 'c'];
    for (let i = 0; i < 3000; i++) {
      const pattern = Array.from({ length: r.int(0, 14) }, () => pick(r, [...alphabet, '*', '?', '*'])).join('');
      const text = Array.from({ length: r.int(0, 16) }, () => pick(r, alphabet)).join('');
      assert.equal(compileWildcard(pattern, false)(text), globRef(pattern, text, false), `${pattern} ~ ${text}`);
    }
    // Shift-And over more than one 32-bit word
    const long = `${'ab?'.repeat(30)}c`;
    assert.equal(compileWildcard(`x*${long}*`, false)(`x${'abz'.repeat(40)}c${'abz'.repeat(30)}cy`), true);
    assert.equal(compileWildcard(`x*${long}*`, false)(`x${'abz'.repeat(29)}c`), false);
  });

  it('a Deny naming the exact request always wins; a non-matching Deny changes nothing', () => {
    const r = rng(2);
    for (let i = 0; i < RUNS; i++) {
      const statements = randomStatements(r);
      const req = randomRequest(r);
      const before = evaluate([toPolicy(statements)], req);
      const exactDeny = { Effect: 'Deny', Action: req.action, Resource: req.resource };
      assert.equal(evaluate([toPolicy([...statements, exactDeny])], req), 'ExplicitDeny');
      const otherDeny = { Effect: 'Deny', Action: 'ecs:*', Resource: '*' };
      assert.equal(evaluate([toPolicy([...statements, otherDeny])], req), before);
    }
  });

  it('the decision does not depend on statement or policy order, nor on how statements are split into policies', () => {
    const r = rng(3);
    for (let i = 0; i < RUNS; i++) {
      const statements = randomStatements(r);
      const req = randomRequest(r);
      const expected = evaluate([toPolicy(statements)], req);
      assert.equal(evaluate([toPolicy(shuffle(r, statements))], req), expected);
      assert.equal(evaluate(shuffle(r, statements.map((s) => toPolicy([s]))), req), expected);
    }
  });

  it('adding an Allow never removes access and never lifts an explicit deny', () => {
    const r = rng(4);
    for (let i = 0; i < RUNS; i++) {
      const statements = randomStatements(r);
      const req = randomRequest(r);
      const before = evaluate([toPolicy(statements)], req);
      const after = evaluate([toPolicy([...statements, { ...randomStatement(r), Effect: 'Allow' }])], req);
      if (before === 'Allow') assert.equal(after, 'Allow');
      if (before === 'ExplicitDeny') assert.equal(after, 'ExplicitDeny');
    }
  });

  it('action names match regardless of case', () => {
    const r = rng(5);
    for (let i = 0; i < RUNS; i++) {
      const statements = randomStatements(r);
      const req = randomRequest(r);
      assert.equal(evaluate([toPolicy(statements)], { ...req, action: randomCase(r, req.action) }), evaluate([toPolicy(statements)], req));
    }
  });

  it('Action/NotAction and Resource/NotResource are complements for an unconditional Allow', () => {
    const r = rng(6);
    for (let i = 0; i < RUNS; i++) {
      const req = randomRequest(r);
      const actions = Array.from({ length: r.int(1, 3) }, () => actionPattern(r));
      const a = evaluate([toPolicy([{ Effect: 'Allow', Action: actions, Resource: '*' }])], req) === 'Allow';
      const na = evaluate([toPolicy([{ Effect: 'Allow', NotAction: actions, Resource: '*' }])], req) === 'Allow';
      assert.notEqual(a, na, `${JSON.stringify(actions)} vs ${req.action}`);
      const resource = resourcePattern(r);
      const rs = evaluate([toPolicy([{ Effect: 'Allow', Action: '*', Resource: resource }])], req) === 'Allow';
      const nrs = evaluate([toPolicy([{ Effect: 'Allow', Action: '*', NotResource: resource }])], req) === 'Allow';
      assert.notEqual(rs, nrs, `${resource} vs ${req.resource}`);
    }
  });

  it('negated condition operators are complements of the positive ones when the key is present', () => {
    const r = rng(7);
    const pairs = [['StringEquals', 'StringNotEquals'], ['StringLike', 'StringNotLike'], ['IpAddress', 'NotIpAddress'], ['NumericEquals', 'NumericNotEquals']];
    for (let i = 0; i < RUNS; i++) {
      const [pos, neg] = pick(r, pairs);
      const ip = pos === 'IpAddress';
      const num = pos === 'NumericEquals';
      const key = ip ? 'acs:SourceIp' : 'x:K';
      const values = Array.from({ length: r.int(1, 3) }, () => (ip ? pick(r, ['10.0.0.0/8', '10.1.2.3', '192.168.0.0/24']) : num ? String(r.int(0, 3)) : pick(r, ['a', 'b*', '?', 'ab'])));
      const actual = ip ? pick(r, ['10.1.2.3', '192.168.0.9', '8.8.8.8']) : num ? String(r.int(0, 3)) : pick(r, ['a', 'b', 'ab', 'ba']);
      const req = { action: 'vpc:X', resource: 'acs:vpc:r:1:x', context: conditionContext({ [key]: actual }) };
      const run = (op: string) => evaluate([toPolicy([{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { [op]: { [key]: values } } }])], req) === 'Allow';
      assert.notEqual(run(pos!), run(neg!), `${pos}/${neg} ${JSON.stringify(values)} vs ${actual}`);
    }
  });
});
