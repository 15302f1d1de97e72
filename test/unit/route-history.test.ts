/**
 * The pure core of the route-change history (src/history): parameter parsing, CIDR containment, paging
 * cursors, event shaping, the SSE frame, retention arithmetic, and what a changed row records.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  blockRange, decodeNextToken, encodeNextToken, HistoryParamError, pageQuery, parseFilter, parseIsoTime, parseListRequest, parseResumePoint,
} from '../../src/history/filter';
import { routeAttributes, routeChangeEvent, sseFrame } from '../../src/history/events';
import { DAY_MS, retentionCut } from '../../src/history/retention';
import { upsertChange } from '../../src/store/route-change-rows';
import { parseCidr } from '../../src/domain/cidr';
import type { RouteChangeRecord, RouteRecord } from '../../src/store/store';

const bad = (fn: () => unknown, param: string) =>
  assert.throws(fn, (err: unknown) => err instanceof HistoryParamError && err.param === param, `${param} refused`);

describe('filter parameters', () => {
  test('types and sources (CUSTOM = custom routes, null in the store)', () => {
    assert.deepEqual(parseFilter({}), {});
    assert.deepEqual(parseFilter({ RouteEntryType: 'bgp', Source: 'VPN_BGP' }), { routeEntryType: 'bgp', source: 'VPN_BGP' });
    assert.deepEqual(parseFilter({ Source: 'CUSTOM', RouteEntryType: '' }), { source: null });
    assert.deepEqual(parseFilter({ Source: 'CLOUD' }), { source: 'CLOUD' });
    bad(() => parseFilter({ RouteEntryType: 'BGP' }), 'RouteEntryType');
    bad(() => parseFilter({ Source: 'custom' }), 'Source');
  });

  test('DestinationCidrBlock: an IPv4 block (host bits cleared), and the range it covers', () => {
    const vectors: [string, { first: number; last: number; minPrefix: number }][] = [
      ['10.0.0.0/8', { first: 0x0a000000, last: 0x0affffff, minPrefix: 8 }],
      ['10.1.2.3/16', { first: 0x0a010000, last: 0x0a01ffff, minPrefix: 16 }],
      ['0.0.0.0/0', { first: 0, last: 0xffffffff, minPrefix: 0 }],
      ['192.168.1.7/32', { first: 0xc0a80107, last: 0xc0a80107, minPrefix: 32 }],
      ['255.255.255.0/24', { first: 0xffffff00, last: 0xffffffff, minPrefix: 24 }],
    ];
    for (const [text, range] of vectors) assert.deepEqual(blockRange(parseFilter({ DestinationCidrBlock: text }).within!), range, text);
    for (const text of ['10.0.0.0', '10.0.0.0/33', '10.0.0/8', '256.0.0.0/8', 'fd00::/8', '10.0.0.0/-1']) bad(() => parseFilter({ DestinationCidrBlock: text }), 'DestinationCidrBlock');
  });

  test('containment as the store applies it: network in the range and a prefix at least as long', () => {
    const contained = (block: string, dest: string) => {
      const r = blockRange(parseCidr(block)!);
      const d = parseCidr(dest)!;
      return d.network >= r.first && d.network <= r.last && d.prefix >= r.minPrefix;
    };
    assert.equal(contained('10.0.0.0/16', '10.0.0.0/16'), true);
    assert.equal(contained('10.0.0.0/16', '10.0.255.0/24'), true);
    assert.equal(contained('10.0.0.0/16', '10.0.0.0/8'), false);
    assert.equal(contained('10.0.0.0/16', '10.1.0.0/24'), false);
    assert.equal(contained('0.0.0.0/0', '0.0.0.0/0'), true);
    assert.equal(contained('10.0.0.0/8', '0.0.0.0/0'), false);
  });

  test('times: ISO 8601 UTC with or without milliseconds, real dates only, StartTime ≤ EndTime', () => {
    assert.equal(parseIsoTime('2026-11-27T16:10:03Z'), Date.UTC(2026, 10, 27, 16, 10, 3));
    assert.equal(parseIsoTime('2026-11-27T16:10:03.123Z'), Date.UTC(2026, 10, 27, 16, 10, 3, 123));
    for (const t of ['2026-02-30T00:00:00Z', '2026-11-27 16:10:03Z', '2026-11-27T16:10:03', '2026-11-27T16:10:03+08:00', '2026-11-27T25:00:00Z', '2026-11-27T16:10:03.12Z']) {
      assert.equal(parseIsoTime(t), undefined, t);
    }
    assert.deepEqual(parseFilter({ StartTime: '2026-01-01T00:00:00Z', EndTime: '2026-01-01T00:00:00Z' }), { startTime: Date.UTC(2026, 0, 1), endTime: Date.UTC(2026, 0, 1) });
    bad(() => parseFilter({ StartTime: '2026-01-02T00:00:00Z', EndTime: '2026-01-01T00:00:00Z' }), 'EndTime');
    bad(() => parseFilter({ StartTime: 'yesterday' }), 'StartTime');
  });
});

describe('paging and resume', () => {
  test('MaxResults 1..100 (default 20); AfterEventId an integer', () => {
    assert.equal(parseListRequest({}).maxResults, 20);
    assert.equal(parseListRequest({ MaxResults: '100' }).maxResults, 100);
    for (const m of ['0', '101', '1.5', '-1', 'x']) bad(() => parseListRequest({ MaxResults: m }), 'MaxResults');
    assert.equal(parseListRequest({ AfterEventId: '0' }).afterEventId, 0);
    bad(() => parseListRequest({ AfterEventId: '-3' }), 'AfterEventId');
  });

  test('NextToken round-trips and refuses anything else', () => {
    for (const id of [0, 1, 42, 999_999_999_999]) assert.equal(decodeNextToken(encodeNextToken(id)), id);
    for (const t of ['', 'abc', encodeNextToken(5).slice(1), Buffer.from('rc1.-1').toString('base64url'), Buffer.from('rc2.5').toString('base64url'), 'a'.repeat(41)]) {
      assert.throws(() => decodeNextToken(t), HistoryParamError, t);
    }
  });

  test('page queries: newest first below the cursor; ascending after AfterEventId (or the cursor past it); one extra row', () => {
    assert.deepEqual(pageQuery('vco-a', parseListRequest({ MaxResults: '2' })), { connectionId: 'vco-a', order: 'desc', limit: 3 });
    assert.deepEqual(pageQuery('vco-a', parseListRequest({ NextToken: encodeNextToken(9) })), { connectionId: 'vco-a', order: 'desc', limit: 21, beforeEventId: 9 });
    assert.deepEqual(pageQuery('vco-a', parseListRequest({ AfterEventId: '4' })), { connectionId: 'vco-a', order: 'asc', limit: 21, afterEventId: 4 });
    assert.deepEqual(pageQuery('vco-a', parseListRequest({ AfterEventId: '4', NextToken: encodeNextToken(30) })).afterEventId, 30);
    assert.deepEqual(pageQuery('vco-a', parseListRequest({ Source: 'CUSTOM', DestinationCidrBlock: '10.0.0.0/8' })), {
      connectionId: 'vco-a', order: 'desc', limit: 21, source: null, within: { first: 0x0a000000, last: 0x0affffff, minPrefix: 8 },
    });
  });

  test('resume point: the Last-Event-ID header wins over LastEventId; none means live only', () => {
    assert.equal(parseResumePoint({}, undefined), undefined);
    assert.equal(parseResumePoint({ LastEventId: '7' }, undefined), 7);
    assert.equal(parseResumePoint({ LastEventId: '7' }, '9'), 9);
    assert.equal(parseResumePoint({}, ''), undefined);
    bad(() => parseResumePoint({}, 'abc'), 'Last-Event-ID');
    bad(() => parseResumePoint({ LastEventId: '1e3' }, undefined), 'LastEventId');
  });
});

const CUSTOM: RouteRecord = { routeEntryType: 'custom', routeDest: '10.0.0.0/24', nextHop: 'vco-a', weight: 100, source: null, asPath: null, community: null,
  nextHopTunnelIds: null, createTime: 1_700_000_000_000 };
const LEARNED: RouteRecord = { routeEntryType: 'bgp', routeDest: '172.16.0.0/16', nextHop: 'vco-a', weight: 100, source: 'VPN_BGP', asPath: [65001, 4200000000],
  community: '65000:1', nextHopTunnelIds: ['tun-1', 'tun-2'], createTime: 1_700_000_000_000 };

describe('events', () => {
  test('attributes as DescribeVcoRouteEntries shows them', () => {
    assert.deepEqual(routeAttributes(CUSTOM), { Weight: 100, State: 'published', CreateTime: 1_700_000_000_000 });
    assert.deepEqual(routeAttributes(LEARNED), { Weight: 100, State: 'Active', CreateTime: 1_700_000_000_000, AsPath: '[65001,4200000000]', Community: '65000:1',
      Source: 'VPN_BGP', NextHopTunnelIdList: ['tun-1', 'tun-2'] });
  });

  test('an event: string EventId, ISO time with milliseconds, CUSTOM source for custom routes', () => {
    const record: RouteChangeRecord = { connectionId: 'vco-a', eventId: 42, changeTime: Date.UTC(2026, 10, 27, 16, 10, 3, 5), changeType: 'Removed',
      routeEntryType: 'custom', source: null, routeDest: '10.0.0.0/24', nextHop: 'vco-a', old: CUSTOM, new: null, tunnelId: '', cause: 'connection-deleted' };
    const event = routeChangeEvent(record);
    assert.deepEqual(event, { EventId: '42', ChangeTime: '2026-11-27T16:10:03.005Z', VpnConnectionId: 'vco-a', ChangeType: 'Removed', RouteEntryType: 'custom',
      Source: 'CUSTOM', RouteDest: '10.0.0.0/24', NextHop: 'vco-a', Old: { Weight: 100, State: 'published', CreateTime: 1_700_000_000_000 }, New: null,
      TunnelId: '', Cause: 'connection-deleted' });
    const frame = sseFrame({ ...event, NextHop: 'line\nbreak' });
    assert.match(frame, /^id: 42\nevent: route-change\ndata: \{.*\}\n\n$/);
    assert.equal(frame.split('\n').length, 5, 'one data line whatever the content');
    assert.equal(JSON.parse(frame.split('\n')[2]!.slice(6)).NextHop, 'line\nbreak');
  });

  test('what an upsert records: Added, Modified, or nothing for the same attributes (creation time aside)', () => {
    const api = { cause: 'api', tunnelId: '' } as const;
    assert.deepEqual(upsertChange(undefined, CUSTOM, api), { changeType: 'Added', old: null, new: CUSTOM, origin: api });
    assert.equal(upsertChange(CUSTOM, { ...CUSTOM, createTime: 5 }, api), undefined);
    assert.equal(upsertChange(LEARNED, { ...LEARNED, asPath: [65001, 4200000000] }, api), undefined);
    assert.equal(upsertChange(CUSTOM, { ...CUSTOM, weight: 0 }, api)?.changeType, 'Modified');
    assert.equal(upsertChange(LEARNED, { ...LEARNED, nextHopTunnelIds: ['tun-2'] }, api)?.changeType, 'Modified');
    assert.equal(upsertChange(LEARNED, { ...LEARNED, community: '' }, api)?.changeType, 'Modified');
  });
});

describe('retention', () => {
  test('the cut-off is the age bound before now; the count is per connection', () => {
    assert.deepEqual(retentionCut(10 * DAY_MS, { maxAgeMs: 7 * DAY_MS, maxEventsPerConnection: 100 }), { olderThan: 3 * DAY_MS, keep: 100 });
    assert.deepEqual(retentionCut(0, { maxAgeMs: DAY_MS, maxEventsPerConnection: 1 }), { olderThan: -DAY_MS, keep: 1 });
  });
});

describe('configuration', () => {
  test('--route-history on|off, days, events per connection, watchers: flags over environment over defaults', () => {
    const { loadConfig, ConfigError } = require('../../src/config') as typeof import('../../src/config');
    const base = { host: '127.0.0.1', port: 0, data: '/tmp/x' };
    assert.deepEqual(loadConfig(base, {}).history, { record: true, maxAgeMs: 7 * DAY_MS, maxEventsPerConnection: 100_000, maxWatchers: 64 });
    assert.deepEqual(loadConfig({ ...base, routeHistory: 'off', routeHistoryDays: '1', routeHistoryMaxEvents: 10 }, { VCOROUTE_ROUTE_HISTORY_DAYS: '30',
      VCOROUTE_ROUTE_HISTORY_MAX_WATCHERS: '3' }).history, { record: false, maxAgeMs: DAY_MS, maxEventsPerConnection: 10, maxWatchers: 3 });
    assert.equal(loadConfig(base, { VCOROUTE_ROUTE_HISTORY: 'OFF' }).history.record, false);
    assert.throws(() => loadConfig({ ...base, routeHistory: 'maybe' }, {}), ConfigError);
    assert.throws(() => loadConfig({ ...base, routeHistoryDays: '0' }, {}), ConfigError);
    assert.throws(() => loadConfig({ ...base, routeHistoryMaxEvents: '1.5' }, {}), ConfigError);
  });
});

describe('reads filtered by destination block (two steps)', () => {
  test('the same page as one query, for dense, sparse and absent blocks, any cursor', async () => {
    const { readRouteChanges: twoSteps, RECENT_WINDOW } = await import('../../src/store/route-change-rows');
    // event i changes 10.(i % 7 === 0 ? 1 : 2).x.x; every 5,000th also 10.3.0.0/24 (sparse)
    const total = RECENT_WINDOW * 2 + 5000;
    const events = Array.from({ length: total }, (_, k) => {
      const id = k + 1;
      const net = id % 5000 === 0 ? 0x0a030000 : id % 7 === 0 ? 0x0a010000 : 0x0a020000;
      return { id, net };
    });
    const calls: boolean[] = [];
    const select = (q: import('../../src/store/store').RouteChangeQuery, byEventId: boolean) => {
      calls.push(byEventId);
      const rows = events.filter((e) => (q.within === undefined || (e.net >= q.within.first && e.net <= q.within.last))
        && (q.afterEventId === undefined || e.id > q.afterEventId) && (q.beforeEventId === undefined || e.id < q.beforeEventId));
      if (q.order === 'desc') rows.reverse();
      return rows.slice(0, q.limit).map((e) => e.id);
    };
    const blocks = { dense: { first: 0x0a010000, last: 0x0a01ffff, minPrefix: 16 }, sparse: { first: 0x0a030000, last: 0x0a0300ff, minPrefix: 24 },
      none: { first: 0x0b000000, last: 0x0bffffff, minPrefix: 8 } };
    for (const [name, within] of Object.entries(blocks)) {
      for (const beforeEventId of [undefined, total - 10, RECENT_WINDOW + 3, 100]) {
        for (const afterEventId of [undefined, 0, RECENT_WINDOW * 2]) {
          const q = { connectionId: 'vco-a', order: 'desc' as const, limit: 21, within, beforeEventId, afterEventId };
          calls.length = 0;
          const got = await twoSteps(q, select, () => total);
          const oneQuery = select(q, false);
          assert.deepEqual(got, oneQuery, `${name} before ${beforeEventId} after ${afterEventId}`);
          assert.equal(calls[0], true, 'the newest changes first, in event order');
        }
      }
    }
    // ascending reads and reads without a block are one query
    calls.length = 0;
    await twoSteps({ connectionId: 'vco-a', order: 'asc', limit: 5, within: blocks.dense }, select, () => total);
    await twoSteps({ connectionId: 'vco-a', order: 'desc', limit: 5 }, select, () => total);
    assert.deepEqual(calls, [false, false]);
  });
});
