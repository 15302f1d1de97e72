/**
 * The pure core of the route-change history (src/history): parameter parsing, CIDR containment, paging
 * cursors, event shaping, the SSE frame, retention arithmetic, what a changed row records, and the batched
 * storage both SQL backends share (lines, sealed rows, the reader and pruning, against an in-memory table).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  blockRange, decodeNextToken, encodeNextToken, HistoryParamError, pageQuery, parseFilter, parseIsoTime, parseListRequest, parseResumePoint,
} from '../../src/history/filter';
import { routeAttributes, routeChangeEvent, sseFrame } from '../../src/history/events';
import { DAY_MS, retentionCut } from '../../src/history/retention';
import {
  BATCH_MAX_CHANGES, type BatchRow, batchRows, type SealedRow, type BatchWindow, encodeChange, fitsTail, linesOf, type PendingRouteChange, pruneBatches, readBatches, reencode, TAIL_MAX_CHANGES, writeTime,
  type TailRow, trimLines, upsertChange,
} from '../../src/store/route-change-batches';
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

const rowOf = (summary: (string | number)[], changes: string): BatchRow => {
  const [connection_id, last_event_id, first_event_id, time_min, time_max, sources, dest_min, dest_max] = summary;
  return { connection_id, last_event_id, first_event_id, time_min, time_max, sources, dest_min, dest_max, changes } as BatchRow;
};

/**
 * An in-memory vco_route_change_batches with the semantics of batchSelect's SQL (summaries and key order), and a
 * tail: the reader and pruning run against it exactly as against the backends.
 */
class MemoryHistory {
  rows: BatchRow[] = [];
  open: TailRow = { last: 0, count: 0, text: '' };

  tail(): TailRow {
    return this.open;
  }

  /** Records like a backend: appended to the tail when it fits, else the tail and the write sealed. */
  record(changes: PendingRouteChange[], time: number): void {
    const encoded = changes.map((c) => encodeChange('vco-m', c, writeTime(time)));
    const text = encoded.map((c) => c.line).join('');
    const last = this.open.last + changes.length;
    if (fitsTail(this.open.count, this.open.text.length, changes.length, text.length)) {
      this.open = { last, count: this.open.count + changes.length, text: this.open.text + text };
      return;
    }
    const sealed = [...linesOf(this.open.text).map(reencode), ...encoded];
    for (const { summary, changes: text } of batchRows('vco-m', last - sealed.length + 1, sealed)) this.rows.push(rowOf(summary, text));
    this.open = { last, count: 0, text: '' };
  }

  batches(w: BatchWindow): BatchRow[] {
    const n = (v: number | string) => Number(v);
    let rows = this.rows.filter((r) => (w.order === 'asc' ? n(r.last_event_id) > w.after! && n(r.first_event_id) <= w.high
      : n(r.last_event_id) < w.before! + BATCH_MAX_CHANGES && n(r.first_event_id) < w.before! && n(r.last_event_id) >= w.low)
      && (r.sources & w.sources) !== 0 && (w.startTime === undefined || n(r.time_max) >= w.startTime) && (w.endTime === undefined || n(r.time_min) <= w.endTime)
      && (w.destFirst === undefined || (n(r.dest_max) >= w.destFirst && n(r.dest_min) <= w.destLast!)));
    rows = rows.sort((a, b) => n(a.last_event_id) - n(b.last_event_id));
    if (w.order === 'desc') rows.reverse();
    return rows.slice(0, w.limit);
  }
}

describe('batched storage (route-change-batches.ts)', () => {
  const route = (i: number): RouteRecord => {
    const kind = i % 3;
    return { routeEntryType: kind === 0 ? 'custom' : 'bgp', routeDest: `10.${(i * 7) % 5}.${i % 256}.0/24`, nextHop: 'vco-m', weight: 100,
      source: kind === 0 ? null : kind === 1 ? 'VPN_BGP' : 'CLOUD', asPath: kind === 0 ? null : [65001, i], community: kind === 0 ? null : '',
      nextHopTunnelIds: kind === 1 ? ['tun-1'] : null, createTime: i };
  };
  /** writes of 1, 2, 5, 40 and 600 changes, in turn: tails, seals, rows of BATCH_MAX_CHANGES */
  const build = () => {
    const h = new MemoryHistory();
    const all: RouteChangeRecord[] = [];
    let i = 0;
    for (let w = 0; w < 60; w++) {
      const size = [1, 2, 5, 40, 600][w % 5]!;
      const changes: PendingRouteChange[] = [];
      for (let k = 0; k < size; k++, i++) changes.push({ changeType: i % 4 === 3 ? 'Removed' : 'Added', old: i % 4 === 3 ? route(i) : null, new: i % 4 === 3 ? null : route(i),
        origin: { cause: i % 2 ? 'bgp-update' : 'api', tunnelId: i % 2 ? 'tun-1' : '' } });
      const time = 1_000 + w * 10;
      h.record(changes, time);
      for (const c of changes) {
        const r = (c.new ?? c.old)!;
        all.push({ connectionId: 'vco-m', eventId: all.length + 1, changeTime: time, changeType: c.changeType, routeEntryType: r.routeEntryType, source: r.source,
          routeDest: r.routeDest, nextHop: r.nextHop, old: c.old, new: c.new, tunnelId: c.origin.tunnelId, cause: c.origin.cause });
      }
    }
    return { h, all };
  };

  test('lines round-trip every field; the tail holds small writes, large ones are sealed in rows of at most BATCH_MAX_CHANGES', async () => {
    const { h, all } = build();
    assert.ok(h.rows.length > 0 && h.rows.every((r) => Number(r.last_event_id) - Number(r.first_event_id) + 1 === linesOf(r.changes).length));
    assert.ok(h.rows.every((r) => linesOf(r.changes).length <= BATCH_MAX_CHANGES));
    assert.ok(h.open.count <= TAIL_MAX_CHANGES);
    const got = await readBatches({ connectionId: 'vco-m', order: 'asc', limit: 100_000 }, h);
    assert.deepEqual(got, all);
  });

  test('every filter, order, cursor and limit gives what filtering all changes gives', async () => {
    const { h, all } = build();
    const last = all.length;
    const queries: Omit<import('../../src/store/store').RouteChangeQuery, 'connectionId' | 'order' | 'limit'>[] = [
      {}, { source: null }, { source: 'CLOUD' }, { routeEntryType: 'bgp' }, { within: { first: 0x0a010000, last: 0x0a01ffff, minPrefix: 16 } },
      { within: { first: 0x0a030500, last: 0x0a0305ff, minPrefix: 24 }, source: 'VPN_BGP' }, { within: { first: 0x0b000000, last: 0x0bffffff, minPrefix: 8 } },
      { startTime: 1_200, endTime: 1_300 }, { afterEventId: last - 7 }, { beforeEventId: 300 }, { afterEventId: 100, beforeEventId: 2_000, source: null },
      { beforeEventId: last - 3 }, { afterEventId: last },
    ];
    for (const base of queries) {
      for (const order of ['asc', 'desc'] as const) {
        for (const limit of [1, 21, 5_000]) {
          const q = { connectionId: 'vco-m', order, limit, ...base };
          let expected = all.filter((c) => (q.source === undefined || c.source === q.source) && (q.routeEntryType === undefined || c.routeEntryType === q.routeEntryType)
            && (q.startTime === undefined || c.changeTime >= q.startTime) && (q.endTime === undefined || c.changeTime <= q.endTime)
            && (q.afterEventId === undefined || c.eventId > q.afterEventId) && (q.beforeEventId === undefined || c.eventId < q.beforeEventId)
            && (q.within === undefined || (() => {
              const cidr = parseCidr(c.routeDest, true)!;
              return cidr.network >= q.within!.first && cidr.network <= q.within!.last && cidr.prefix >= q.within!.minPrefix;
            })()));
          if (order === 'desc') expected = expected.reverse();
          assert.deepEqual((await readBatches(q, h)).map((c) => c.eventId), expected.slice(0, limit).map((c) => c.eventId), JSON.stringify(q));
        }
      }
    }
  });

  test('a tail sealed between the reader\'s two reads loses and repeats nothing', async () => {
    for (const order of ['asc', 'desc'] as const) {
      const { h } = build();
      h.record([{ changeType: 'Added', old: null, new: route(1), origin: { cause: 'api', tunnelId: '' } }], 5_000);
      const before = await readBatches({ connectionId: 'vco-m', order: 'asc', limit: 100_000 }, h);
      assert.ok(h.open.count > 0);
      const sealing = {
        tail: () => {
          const t = { ...h.open };
          h.record(Array.from({ length: 300 }, (_, k) => ({ changeType: 'Added' as const, old: null, new: route(k), origin: { cause: 'api' as const, tunnelId: '' } })), 6_000);
          assert.equal(h.open.count, 0, 'sealed');
          return t;
        },
        batches: (w: BatchWindow) => h.batches(w),
      };
      const got = await readBatches({ connectionId: 'vco-m', order, limit: 100_000 }, sealing);
      assert.deepEqual(got.map((c) => c.eventId).sort((a, b) => a - b), before.map((c) => c.eventId));
    }
  });

  test('pruning: whole rows, the row across the cut trimmed, then the tail; IDs never reused', async () => {
    const { h, all } = build();
    const ops = {
      counters: (): [string, number][] => [['vco-m', h.open.last]],
      dropThrough: (_c: string, id: number) => {
        const gone = h.rows.filter((r) => Number(r.last_event_id) <= id);
        h.rows = h.rows.filter((r) => Number(r.last_event_id) > id);
        return gone.reduce((a, r) => a + Number(r.last_event_id) - Number(r.first_event_id) + 1, 0);
      },
      oldest: () => [...h.rows].sort((a, b) => Number(a.last_event_id) - Number(b.last_event_id)).slice(0, 500),
      lines: (_c: string, id: number) => h.rows.find((x) => Number(x.last_event_id) === id)!.changes,
      rewrite: ({ summary, changes }: SealedRow) => {
        const i = h.rows.findIndex((x) => Number(x.last_event_id) === summary[1]);
        h.rows[i] = rowOf(summary, changes);
      },
      anyBatch: () => h.rows.length > 0,
      tail: () => h.open,
      setTail: (_c: string, last: number, text: string, count: number) => {
        if (h.open.last !== last) return false;
        h.open = { last, count, text };
        return true;
      },
    };
    const ids = async () => (await readBatches({ connectionId: 'vco-m', order: 'asc', limit: 100_000 }, h)).map((c) => c.eventId);
    // keep the last 1,000: one row is cut through (rows hold up to 256 changes)
    assert.equal(await pruneBatches(ops, 0, 1_000), all.length - 1_000);
    assert.deepEqual(await ids(), all.slice(-1_000).map((c) => c.eventId));
    // by age: writes before time 1,500 (w < 50) go
    const young = all.filter((c) => c.changeTime >= 1_500 && c.eventId > all.length - 1_000);
    assert.equal(await pruneBatches(ops, 1_500, 100_000), 1_000 - young.length);
    assert.deepEqual(await ids(), young.map((c) => c.eventId));
    assert.equal(await pruneBatches(ops, 10_000, 100_000), young.length);
    assert.deepEqual(await ids(), []);
    h.record([{ changeType: 'Added', old: null, new: route(1), origin: { cause: 'api', tunnelId: '' } }], 20_000);
    assert.deepEqual(await ids(), [all.length + 1]);
    assert.deepEqual(trimLines('', 1, { keepAfter: 0, olderThan: 0 }), { kept: [], firstKept: 1, dropped: 0 });
  });
});
