/**
 * BGP fault rules (src/chaos/bgp-fault-rules.ts): validation, matching, the drop/flap schedule and delays as
 * vectors; the bounded in-order delay queue; one log line and one count per injected fault (speaker/faults.ts).
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import pino from 'pino';
import {
  dropTimes, dueDrop, matchesSession, nextDropAt, parseBgpFaults, refusingRule, updateDelay, type LiveBgpFaultRule,
} from '../../src/chaos/bgp-fault-rules';
import { RuleError } from '../../src/chaos/fault-rules';
import { DelayQueue } from '../../src/bgp/speaker/delay-queue';
import { SpeakerFaults, type BgpFaultKind } from '../../src/bgp/speaker/faults';
import type { BgpFaultSource } from '../../src/chaos/bgp-fault-source';

const T0 = 1_000_000;
const S1 = { connectionId: 'vco-a', tunnelId: 'tun-1' };
const S2 = { connectionId: 'vco-a', tunnelId: 'tun-2' };
const OTHER = { connectionId: 'vco-b', tunnelId: 'tun-9' };
const live = (rule: object, createdAt = T0, expiresAt: number | null = null): LiveBgpFaultRule =>
  ({ id: 'r1', createdAt, expiresAt, ...parseBgpFaults(rule)[0]! }) as LiveBgpFaultRule;

describe('BGP fault rules: parsing', () => {
  test('valid rules, with defaults', () => {
    assert.deepEqual(parseBgpFaults([
      { action: 'drop' },
      { action: 'drop', tunnelId: 'tun-1', downSeconds: 0, expiresInSeconds: 60 },
      { action: 'flap', vpnConnectionId: 'vco-a', count: 3, intervalSeconds: 10 },
      { action: 'delay', latency: 500 },
      { action: 'delay', direction: 'both', latency: 0, jitter: 100 },
    ]), [
      { action: 'drop' },
      { action: 'drop', tunnelId: 'tun-1', downSeconds: 0, expiresInSeconds: 60 },
      { action: 'flap', vpnConnectionId: 'vco-a', count: 3, intervalSeconds: 10, downSeconds: 0 },
      { action: 'delay', direction: 'out', latency: 500, jitter: 0 },
      { action: 'delay', direction: 'both', latency: 0, jitter: 100 },
    ]);
    assert.deepEqual(parseBgpFaults({ action: 'drop' }), [{ action: 'drop' }], 'one object is a list of one');
  });

  const invalid: Array<[unknown, RegExp]> = [
    [{}, /action must be drop, flap or delay/],
    ['drop', /must be a JSON object/],
    [{ action: 'drop', count: 2 }, /unknown field "count" for action drop/],
    [{ action: 'delay', latency: 10, downSeconds: 1 }, /unknown field "downSeconds"/],
    [{ action: 'drop', probability: 0.5 }, /unknown field "probability"/],
    [{ action: 'drop', tunnelId: 'a b' }, /tunnelId/],
    [{ action: 'drop', vpnConnectionId: 7 }, /vpnConnectionId/],
    [{ action: 'drop', downSeconds: -1 }, /downSeconds must be an integer from 0 to 86400/],
    [{ action: 'flap', intervalSeconds: 5 }, /count is required/],
    [{ action: 'flap', count: 101, intervalSeconds: 5 }, /count must be an integer from 1 to 100/],
    [{ action: 'flap', count: 2, intervalSeconds: 0 }, /intervalSeconds must be an integer from 1 to 3600/],
    [{ action: 'flap', count: 2, intervalSeconds: 5, downSeconds: 5 }, /downSeconds must be an integer from 0 to 4/],
    [{ action: 'delay' }, /latency is required/],
    [{ action: 'delay', latency: 1.5 }, /latency must be an integer/],
    [{ action: 'delay', latency: 60_001 }, /latency must be an integer from 0 to 60000/],
    [{ action: 'delay', latency: 1, direction: 'sideways' }, /direction must be out, in or both/],
    [{ action: 'drop', expiresInSeconds: 0 }, /expiresInSeconds/],
  ];
  for (const [body, message] of invalid) {
    test(`rejects ${JSON.stringify(body)}`, () => assert.throws(() => parseBgpFaults(body), (err: unknown) => err instanceof RuleError && message.test(err.message)));
  }

  test('at most 100 rules per request', () => {
    assert.throws(() => parseBgpFaults(Array.from({ length: 101 }, () => ({ action: 'drop' }))), /at most 100/);
  });
});

describe('BGP fault rules: matching and schedule', () => {
  test('scope: absent fields match everything', () => {
    assert.equal(matchesSession({ action: 'drop' }, OTHER), true);
    assert.equal(matchesSession({ action: 'drop', vpnConnectionId: 'vco-a' }, S2), true);
    assert.equal(matchesSession({ action: 'drop', vpnConnectionId: 'vco-a' }, OTHER), false);
    assert.equal(matchesSession({ action: 'drop', tunnelId: 'tun-1' }, S2), false);
    assert.equal(matchesSession({ action: 'drop', vpnConnectionId: 'vco-b', tunnelId: 'tun-1' }, S1), false);
  });

  test('flap times: count drops intervalSeconds apart from the creation time', () => {
    assert.deepEqual(dropTimes(live({ action: 'flap', count: 3, intervalSeconds: 10 })), [T0, T0 + 10_000, T0 + 20_000]);
    assert.deepEqual(dropTimes(live({ action: 'drop' })), [T0]);
    assert.deepEqual(dropTimes(live({ action: 'delay', latency: 1 })), []);
  });

  test('drop (until the rule ends): older sessions dropped, new ones refused, nothing after expiry', () => {
    const rules = [live({ action: 'drop', tunnelId: 'tun-1' }, T0, T0 + 60_000)];
    assert.equal(dueDrop(rules, S1, T0 - 5000, T0 - 1), undefined, 'not before the rule exists');
    assert.equal(dueDrop(rules, S1, T0 - 5000, T0)?.id, 'r1');
    assert.equal(dueDrop(rules, S2, T0 - 5000, T0), undefined, 'other tunnel');
    assert.equal(dueDrop(rules, S1, T0 + 500, T0 + 1000)?.id, 'r1', 'accepted before this server saw the rule');
    assert.equal(refusingRule(rules, S1, T0 + 30_000)?.id, 'r1');
    assert.equal(refusingRule(rules, S1, T0 + 60_000), undefined, 'expired');
    assert.equal(dueDrop(rules, S1, T0 - 5000, T0 + 60_000), undefined, 'expired');
  });

  test('drop with downSeconds: refused for that long, then a new session stays', () => {
    const rules = [live({ action: 'drop', downSeconds: 5 })];
    assert.equal(refusingRule(rules, S1, T0 + 4999)?.id, 'r1');
    assert.equal(refusingRule(rules, S1, T0 + 5000), undefined);
    assert.equal(dueDrop(rules, S1, T0 + 5000, T0 + 9000), undefined, 'a session after the down window is kept');
    const once = [live({ action: 'drop', downSeconds: 0 })];
    assert.equal(refusingRule(once, S1, T0), undefined);
    assert.equal(dueDrop(once, S1, T0 - 1, T0 + 100)?.id, 'r1');
    assert.equal(dueDrop(once, S1, T0, T0 + 100), undefined, 'a session started at or after the drop is a new one');
  });

  test('flap: each drop closes the session then up; the last one ends it; next drop time', () => {
    const rules = [live({ action: 'flap', count: 3, intervalSeconds: 10 })];
    assert.equal(dueDrop(rules, S1, T0 - 1, T0)?.id, 'r1', 'first drop at once');
    assert.equal(dueDrop(rules, S1, T0 + 2000, T0 + 9999), undefined, 'the reconnected session lives until the next drop');
    assert.equal(dueDrop(rules, S1, T0 + 2000, T0 + 10_000)?.id, 'r1');
    assert.equal(dueDrop(rules, S1, T0 + 12_000, T0 + 20_000)?.id, 'r1');
    assert.equal(dueDrop(rules, S1, T0 + 22_000, T0 + 500_000), undefined, 'three drops, no fourth');
    assert.equal(refusingRule(rules, S1, T0 + 10_000), undefined, 'no down window by default');
    assert.equal(nextDropAt(rules, T0), T0 + 10_000);
    assert.equal(nextDropAt(rules, T0 + 10_000), T0 + 20_000);
    assert.equal(nextDropAt(rules, T0 + 20_000), Infinity);
    assert.equal(nextDropAt([live({ action: 'flap', count: 3, intervalSeconds: 10 }, T0, T0 + 15_000)], T0 + 10_000), Infinity, 'expires before');
    const windowed = [live({ action: 'flap', count: 2, intervalSeconds: 10, downSeconds: 3 })];
    assert.equal(refusingRule(windowed, S1, T0 + 12_999)?.id, 'r1');
    assert.equal(refusingRule(windowed, S1, T0 + 13_000), undefined);
  });

  test('delay: per direction, summed over matching rules with jitter, capped at 60 s', () => {
    const rules = [
      live({ action: 'delay', direction: 'out', latency: 100, jitter: 50 }),
      live({ action: 'delay', direction: 'both', tunnelId: 'tun-1', latency: 1000 }),
      live({ action: 'delay', direction: 'in', latency: 60_000 }),
    ];
    const half = () => 0.5;
    assert.equal(updateDelay(rules, S1, 'out', T0, half).delayMs, 1125);
    assert.equal(updateDelay(rules, S2, 'out', T0, half).delayMs, 125);
    assert.equal(updateDelay(rules, S1, 'in', T0, half).delayMs, 60_000, 'capped');
    assert.deepEqual(updateDelay([], S1, 'out', T0, half), { delayMs: 0 });
    assert.deepEqual(updateDelay([live({ action: 'drop' })], S1, 'out', T0, half), { delayMs: 0 }, 'only delay rules');
    assert.equal(updateDelay([live({ action: 'delay', latency: 100 }, T0, T0 + 1)], S1, 'out', T0 + 1, half).delayMs, 0, 'expired');
  });
});

describe('delay queue', () => {
  test('applies in arrival order, not before due, even when a later item is due sooner', async () => {
    const applied: Array<[string, number]> = [];
    const q = new DelayQueue<string>((item) => void applied.push([item, Date.now()]), (err) => assert.fail(String(err)));
    const t = Date.now();
    q.push('a', t + 80);
    q.push('b', t);
    q.push('c', t + 100);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(applied.map(([i]) => i), ['a', 'b', 'c']);
    assert.ok(applied[0]![1] >= t + 80 && applied[1]![1] >= t + 80 && applied[2]![1] >= t + 100);
  });

  test('whenBelow waits for room; clear drops the rest and releases waiters', async () => {
    const applied: number[] = [];
    const q = new DelayQueue<number>(async (n) => void applied.push(n), (err) => assert.fail(String(err)));
    const t = Date.now();
    for (let i = 0; i < 5; i++) q.push(i, t + 50);
    assert.equal(q.size, 5);
    let released = false;
    const wait = q.whenBelow(3).then(() => (released = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(released, false);
    await Promise.all([wait, new Promise((resolve) => setTimeout(resolve, 100))]); // the queue's own timers do not hold the process
    assert.ok(q.size < 3);
    const q2 = new DelayQueue<number>((n) => void applied.push(100 + n), (err) => assert.fail(String(err)));
    q2.push(1, Date.now() + 50);
    const w2 = q2.whenBelow(1);
    q2.clear();
    await w2;
    q2.push(2, Date.now());
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.ok(!applied.some((n) => n >= 100), 'nothing applied after clear');
  });
});

describe('speaker faults: one log line and one count per injected fault', () => {
  test('drop, refuse and delay are logged with rule and tunnel, and counted by kind', () => {
    const lines: any[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } }));
    const counted: BgpFaultKind[] = [];
    const now = Date.now();
    const rules = [live({ action: 'drop', tunnelId: 'tun-1' }, now - 1000), live({ action: 'delay', latency: 10 }, now - 1000)];
    const source = { current: () => rules } as unknown as BgpFaultSource;
    const faults = new SpeakerFaults({ source, count: (k) => counted.push(k), random: () => 0 }, logger);
    assert.equal(faults.drop(S1, now - 5000, now)?.id, 'r1');
    assert.equal(faults.drop(S2, now - 5000, now), undefined);
    assert.equal(faults.refusal(S1, now)?.id, 'r1');
    assert.equal(faults.delay(S2, 'out', now), 10);
    assert.equal(faults.delay(S2, 'in', now), 0, 'the delay rule is out only');
    assert.deepEqual(counted, ['drop', 'refuse', 'delay-out']);
    assert.deepEqual(lines.map((l) => [l.msg, l.fault, l.ruleId, l.connectionId, l.tunnelId, l.delayMs]), [
      ['BGP fault injected: drop', 'drop', 'r1', 'vco-a', 'tun-1', undefined],
      ['BGP fault injected: refuse', 'refuse', 'r1', 'vco-a', 'tun-1', undefined],
      ['BGP fault injected: delay-out', 'delay-out', 'r1', 'vco-a', 'tun-2', 10],
    ]);
  });
});
