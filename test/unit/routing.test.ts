/** Vectors for the pure routing core (src/routing/core.ts): selection in a table and the CLOUD routes an attachment receives. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cloudRoutesFor, computeTable, MAX_ECMP_PATHS, type AttachmentInput, type SourceRoute, type StaticEntryInput } from '../../src/routing/core';

const T = 'vtb-1';
const custom = (dest: string, weight = 100): SourceRoute => ({ dest, origin: 'custom', weight, asPath: [], community: null });
const bgp = (dest: string, asPath: number[], community: string | null = null): SourceRoute => ({ dest, origin: 'bgp', weight: 100, asPath, community });

function attachment(id: string, routes: SourceRoute[], extra: Partial<AttachmentInput> = {}): AttachmentInput {
  return { attachmentId: id, connectionId: `vco-${id}`, autoPublish: true, bgpEnabled: true, localAsn: 45104, associatedTableId: T, propagatesTo: [T], routes, ...extra };
}

const summary = (entries: ReturnType<typeof computeTable>) => entries.map((e) => `${e.dest} ${e.type} ${e.originAttachmentId ?? '-'} ${e.status}`);

describe('computeTable', () => {
  test('only attachments propagating into the table contribute; listing order is prefix, static first, attachment', () => {
    const entries = computeTable(T, [], [
      attachment('b', [custom('10.2.0.0/16'), custom('10.1.0.0/24')]),
      attachment('a', [custom('10.1.0.0/24')]),
      attachment('c', [custom('10.3.0.0/16')], { propagatesTo: ['vtb-other'] }),
    ]);
    assert.deepEqual(summary(entries), ['10.1.0.0/24 Propagated a Active', '10.1.0.0/24 Propagated b Active', '10.2.0.0/16 Propagated b Active']);
  });

  test('a static entry (blackhole or attachment) wins; the propagated ones become Candidate', () => {
    const statics: StaticEntryInput[] = [
      { entryId: 'rte-1', tableId: T, dest: '10.1.0.0/24', nextHopAttachmentId: null },
      { entryId: 'rte-2', tableId: T, dest: '10.2.0.0/16', nextHopAttachmentId: 'b' },
      { entryId: 'rte-3', tableId: 'vtb-other', dest: '10.9.0.0/16', nextHopAttachmentId: null },
    ];
    const entries = computeTable(T, statics, [attachment('a', [custom('10.1.0.0/24'), custom('10.2.0.0/16')])]);
    assert.deepEqual(summary(entries), [
      '10.1.0.0/24 Static - Active', '10.1.0.0/24 Propagated a Candidate', '10.2.0.0/16 Static b Active', '10.2.0.0/16 Propagated a Candidate',
    ]);
    assert.equal(entries[0]!.originRouteType, 'BlackHole');
    assert.equal(entries[2]!.originRouteType, 'static');
  });

  test('higher weight, then shorter AS path win; a Weight-0 loser is Standby', () => {
    const entries = computeTable(T, [], [
      attachment('a', [custom('10.1.0.0/24', 0), bgp('10.2.0.0/24', [65001, 65002])]),
      attachment('b', [custom('10.1.0.0/24', 100), bgp('10.2.0.0/24', [65003])]),
    ]);
    assert.deepEqual(summary(entries), [
      '10.1.0.0/24 Propagated a Standby', '10.1.0.0/24 Propagated b Active', '10.2.0.0/24 Propagated a Candidate', '10.2.0.0/24 Propagated b Active',
    ]);
  });

  test('per attachment, a destination route beats a BGP route of the same prefix', () => {
    const entries = computeTable(T, [], [attachment('a', [bgp('10.1.0.0/24', [65001]), custom('10.1.0.0/24')])]);
    assert.deepEqual(entries.map((e) => [e.dest, e.originRouteType]), [['10.1.0.0/24', 'Custom']]);
  });

  test(`equal-cost paths: at most ${MAX_ECMP_PATHS} Active, lowest attachment IDs first`, () => {
    const many = Array.from({ length: MAX_ECMP_PATHS + 2 }, (_, i) => attachment(`a${String(i).padStart(2, '0')}`, [custom('10.1.0.0/24')]));
    const entries = computeTable(T, [], many);
    assert.equal(entries.filter((e) => e.status === 'Active').length, MAX_ECMP_PATHS);
    assert.deepEqual(entries.filter((e) => e.status === 'Candidate').map((e) => e.originAttachmentId), ['a16', 'a17']);
  });
});

describe('cloudRoutesFor', () => {
  const a = attachment('a', [custom('10.1.0.0/24'), bgp('10.2.0.0/24', [65001], '65001:7')]);
  const b = attachment('b', [custom('10.3.0.0/24')], { localAsn: 64512 });

  test('the associated table minus its own routes (split horizon), AS path starting with its local ASN, communities passed on', () => {
    const table = computeTable(T, [], [a, b]);
    assert.deepEqual(cloudRoutesFor(b, table), [
      { dest: '10.1.0.0/24', asPath: [64512], community: null },
      { dest: '10.2.0.0/24', asPath: [64512, 65001], community: '65001:7' },
    ]);
    assert.deepEqual(cloudRoutesFor(a, table), [{ dest: '10.3.0.0/24', asPath: [45104], community: null }]);
  });

  test('nothing without association, AutoPublishRouteEnabled or BGP; blackholes and non-Active entries are not exported', () => {
    const table = computeTable(T, [{ entryId: 'rte-1', tableId: T, dest: '10.1.0.0/24', nextHopAttachmentId: null }], [a, b]);
    assert.deepEqual(cloudRoutesFor(b, table).map((r) => r.dest), ['10.2.0.0/24']);
    assert.deepEqual(cloudRoutesFor({ ...b, associatedTableId: null }, table), []);
    assert.deepEqual(cloudRoutesFor({ ...b, autoPublish: false }, table), []);
    assert.deepEqual(cloudRoutesFor({ ...b, bgpEnabled: false }, table), []);
  });

  test('an ECMP prefix reaching this attachment and another is exported once, through the other', () => {
    const c = attachment('c', [custom('10.1.0.0/24')]);
    const table = computeTable(T, [], [a, c]);
    assert.deepEqual(cloudRoutesFor(a, table).map((r) => r.dest), ['10.1.0.0/24']);
    assert.deepEqual(cloudRoutesFor(b, table).map((r) => r.dest), ['10.1.0.0/24', '10.2.0.0/24']);
  });
});
