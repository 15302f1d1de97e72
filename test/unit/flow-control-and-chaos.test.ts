/** Pure parts of flow control (quota table, windows, configuration) and of fault injection (rules, matching). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALIBABA_PROFILE, limitFor, parseThrottleSetting, QuotaConfigError, quotaWindow } from '../../src/flow-control/quotas';
import { delayFor, parseEffects, parseFaults, pickFault, RuleError } from '../../src/chaos/fault-rules';

describe('flow-control quotas', () => {
  test('the alibaba profile has the published figures and the decided defaults', () => {
    assert.equal(limitFor(ALIBABA_PROFILE, 'DescribeVcoRouteEntries'), 600);
    assert.equal(limitFor(ALIBABA_PROFILE, 'DeleteVcoRouteEntry'), 60);
    assert.equal(limitFor(ALIBABA_PROFILE, 'ModifyVcoRouteEntryWeight'), 120);
    assert.equal(limitFor(ALIBABA_PROFILE, 'DownloadVpnConnectionConfig'), 30);
    assert.equal(limitFor(ALIBABA_PROFILE, 'ListUsers'), 600, 'an unlisted read');
    assert.equal(limitFor(ALIBABA_PROFILE, 'CreateUser'), 60, 'an unlisted write');
    assert.equal(limitFor(ALIBABA_PROFILE, 'toString'), 60, 'prototype names are ordinary action names');
    assert.equal(ALIBABA_PROFILE.windowMs, 60_000);
  });

  test('fixed windows and the retry-after value', () => {
    assert.deepEqual(quotaWindow(120_000, 60_000), { start: 120_000, retryAfterMs: 60_000 });
    assert.deepEqual(quotaWindow(179_999, 60_000), { start: 120_000, retryAfterMs: 1 });
    assert.deepEqual(quotaWindow(1_500, 1_000), { start: 1_000, retryAfterMs: 500 });
  });

  test('settings: off, alibaba, a file that overrides; bad files are refused with a clear message', () => {
    assert.deepEqual(parseThrottleSetting(undefined), { mode: 'off' });
    assert.deepEqual(parseThrottleSetting('off'), { mode: 'off' });
    assert.equal(parseThrottleSetting('alibaba').mode, 'on');
    const file = (doc: unknown) => () => JSON.stringify(doc);
    const custom = parseThrottleSetting('q.json', file({ limits: { DescribeVcoRouteEntries: 5 }, windowSeconds: 2 }));
    assert.ok(custom.mode === 'on');
    assert.equal(limitFor(custom.table, 'DescribeVcoRouteEntries'), 5);
    assert.equal(limitFor(custom.table, 'DeleteVcoRouteEntry'), 60, 'the profile still applies to the rest');
    assert.equal(custom.table.windowMs, 2000);
    const none = parseThrottleSetting('q.json', file({ profile: 'none', limits: { CreateUser: 0 } }));
    assert.ok(none.mode === 'on');
    assert.equal(limitFor(none.table, 'DescribeVcoRouteEntries'), undefined, 'profile none: unlisted actions are unlimited');
    assert.equal(limitFor(none.table, 'CreateUser'), 0);
    for (const bad of [{ limits: { X: -1 } }, { limits: { 'bad name': 1 } }, { nope: 1 }, [], { windowSeconds: 0 }, { profile: 'aws' }]) {
      assert.throws(() => parseThrottleSetting('q.json', file(bad)), QuotaConfigError, JSON.stringify(bad));
    }
    assert.throws(() => parseThrottleSetting('q.json', () => 'not json'), /not off, alibaba or a readable JSON file/);
  });
});

describe('fault-injection rules', () => {
  const call = { service: 'vpc', region: 'cn-hangzhou', operation: 'CreateVcoRouteEntry' };

  test('LocalStack-shaped faults: every field optional, defaults 503 ServiceUnavailable and probability 1', () => {
    assert.deepEqual(parseFaults({}), [{ service: undefined, region: undefined, operation: undefined, probability: 1, error: { statusCode: 503, code: 'ServiceUnavailable' } }]);
    const [rule] = parseFaults([{ service: 'VPC', operation: 'CreateVcoRouteEntry', probability: 0.5, error: { statusCode: 400, code: 'Throttling.User' }, expiresInSeconds: 30 }]);
    assert.equal(rule!.service, 'vpc');
    assert.equal(rule!.expiresInSeconds, 30);
    assert.deepEqual(rule!.error, { statusCode: 400, code: 'Throttling.User' });
  });

  test('invalid rules are refused with the field named', () => {
    const cases: unknown[] = [
      { probability: 2 }, { error: { statusCode: 200 } }, { error: { code: 'a b' } }, { operation: 'x/y' }, { unknown: 1 },
      { error: { statusCode: 500, extra: 1 } }, 'text', [null], { expiresInSeconds: 0 }, Array.from({ length: 101 }, () => ({})),
    ];
    for (const body of cases) assert.throws(() => parseFaults(body), RuleError, JSON.stringify(body).slice(0, 80));
    assert.throws(() => parseEffects({ operation: 'X' }), /latency is required/);
    assert.throws(() => parseEffects({ latency: 60_001 }), RuleError);
  });

  test('matching: absent fields match all; the first fault that fires wins; probability decides', () => {
    const rules = parseFaults([{ operation: 'DescribeVcoRouteEntries' }, { service: 'vpc', region: 'cn-hangzhou', error: { code: 'A' } }, { error: { code: 'B' } }]);
    assert.equal(pickFault(rules, call, () => 0)?.error.code, 'A');
    assert.equal(pickFault(rules, { ...call, region: 'cn-beijing' }, () => 0)?.error.code, 'B');
    const half = parseFaults({ probability: 0.5 });
    assert.equal(pickFault(half, call, () => 0.49)?.error.code, 'ServiceUnavailable');
    assert.equal(pickFault(half, call, () => 0.5), undefined);
    assert.equal(pickFault(parseFaults({ probability: 0 }), call, () => 0), undefined);
  });

  test('latency with jitter adds up over matching effects', () => {
    const effects = parseEffects([{ latency: 100, jitter: 50 }, { operation: 'CreateVcoRouteEntry', latency: 20 }, { operation: 'Other', latency: 999 }]);
    assert.equal(delayFor(effects, call, () => 0), 120);
    assert.equal(delayFor(effects, call, () => 0.5), 145);
  });
});
