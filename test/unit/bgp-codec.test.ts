/** src/bgp/codec: golden vectors (bgp.md §6), header and OPEN errors, RFC 7606 outcomes, AS4_PATH, packing, fuzzing. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mergeAs4Path } from '../../src/bgp/codec/as-path';
import { checkHeader } from '../../src/bgp/codec/header';
import { ceaseNotification, decodeNotification, encodeNotification, shutdownMessageOf } from '../../src/bgp/codec/notification';
import { checkOpen, decodeOpen, encodeOpen } from '../../src/bgp/codec/open';
import { decodeRouteRefresh, encodeRouteRefresh } from '../../src/bgp/codec/route-refresh';
import { decodeUpdate, type UpdateDecode, type UpdateDecodeContext } from '../../src/bgp/codec/update-decode';
import { encodeEndOfRib, encodeUpdates } from '../../src/bgp/codec/update-encode';
import type { AnnouncedRoute, PathAttributes } from '../../src/bgp/session-api';
import { StreamDecoder } from '../../src/bgp/stream-decoder';
import {
  ORIGIN_IGP, asPath2, asPath4, attr, hex, mandatory, message, nextHop, nlri, u16, u32, updateBody,
} from '../helpers/bgp-wire';
import { rng } from '../helpers/random';

const GOLDEN = {
  open: hex('ffffffffffffffffffffffffffffffff00310104fde9005a0aff0004140206010400010001020641040000fde902020600'),
  eor: hex('ffffffffffffffffffffffffffffffff00170200000000'),
  update: hex('ffffffffffffffffffffffffffffffff005302000000384001010040021402020000fde900002ee001020000fc000000fc01400304a9fe0a02c00804ffffffe6c0200c0000fde90000000100000001180a1e02'),
  withdraw: hex('ffffffffffffffffffffffffffffffff001b020004180a1e020000'),
};
const FOUR: UpdateDecodeContext = { fourOctetAs: true, ebgp: true };
const TWO: UpdateDecodeContext = { fourOctetAs: false, ebgp: true };

function body(msg: Buffer): Buffer {
  return msg.subarray(19);
}

function decoded(result: UpdateDecode) {
  assert.ok(result.ok, `expected a decoded UPDATE, got NOTIFICATION ${JSON.stringify(!result.ok && result.notification)}`);
  return result;
}

function resetWith(result: UpdateDecode, code: number, subcode: number): void {
  assert.equal(result.ok, false, 'expected a session reset');
  if (!result.ok) assert.deepEqual([result.notification.code, result.notification.subcode], [code, subcode]);
}

describe('golden messages (bgp.md §6, captured from ExaBGP)', () => {
  test('OPEN: version 4, AS 65001, hold 90, ID 10.255.0.4, one capability per parameter', () => {
    const header = checkHeader(GOLDEN.open, 0);
    assert.deepEqual(header, { ok: true, type: 1, length: 49 });
    const result = decodeOpen(body(GOLDEN.open));
    assert.ok(result.ok);
    assert.deepEqual(result.open, {
      version: 4, myAs: 65001, holdTimeSec: 90, bgpId: 0x0aff0004, asn: 65001,
      capabilities: { codes: [1, 65, 6], families: [0x0101], routeRefresh: false, fourOctetAsn: 65001 },
    });
  });

  test('EOR decodes as End-of-RIB and is exactly what we send', () => {
    const result = decoded(decodeUpdate(body(GOLDEN.eor), FOUR));
    assert.deepEqual(result.update, { announced: [], withdrawn: [], endOfRib: true });
    assert.deepEqual(encodeEndOfRib(), GOLDEN.eor);
  });

  test('UPDATE for 10.30.2.0/24 decodes to the documented attributes and re-encodes byte for byte', () => {
    const result = decoded(decodeUpdate(body(GOLDEN.update), FOUR));
    const attributes: PathAttributes = {
      origin: 0,
      asPath: [{ type: 'sequence', asns: [65001, 12000] }, { type: 'set', asns: [64512, 64513] }],
      nextHop: '169.254.10.2',
      communities: [0xffffffe6],
      largeCommunities: [[65001, 1, 1]],
    };
    assert.deepEqual(result.update, { announced: [{ prefix: '10.30.2.0/24', attributes }], withdrawn: [], endOfRib: false });
    assert.equal(result.treatAsWithdraw, undefined);
    assert.deepEqual(result.discarded, []);
    assert.deepEqual(encodeUpdates(result.update.announced, [], { fourOctetAs: true, ibgp: false }), [GOLDEN.update]);
  });

  test('WITHDRAW of 10.30.2.0/24 decodes and re-encodes byte for byte', () => {
    const result = decoded(decodeUpdate(body(GOLDEN.withdraw), FOUR));
    assert.deepEqual(result.update, { announced: [], withdrawn: ['10.30.2.0/24'], endOfRib: false });
    assert.deepEqual(encodeUpdates([], ['10.30.2.0/24'], { fourOctetAs: true, ibgp: false }), [GOLDEN.withdraw]);
  });
});

describe('message header (RFC 4271 §6.1)', () => {
  const keepalive = message(4, []);

  test('a bad marker is 1/1 Connection Not Synchronized', () => {
    const bad = Buffer.from(keepalive);
    bad[7] = 0xfe;
    assert.deepEqual(checkHeader(bad, 0), { ok: false, notification: { code: 1, subcode: 1, data: Buffer.alloc(0) } });
  });

  test('lengths outside 19-4096 or wrong for the type are 1/2 with the length field as data', () => {
    const cases: Array<[number, number]> = [[18, 4], [0, 2], [4097, 2], [20, 4], [28, 1], [22, 2], [20, 3], [24, 5], [22, 5]];
    for (const [length, type] of cases) {
      const m = Buffer.alloc(19, 0xff);
      m.writeUInt16BE(length, 16);
      m[18] = type;
      assert.deepEqual(checkHeader(m, 0), { ok: false, notification: { code: 1, subcode: 2, data: u16(length) } }, `length ${length} type ${type}`);
    }
  });

  test('an unknown type is 1/3 with the type as data', () => {
    for (const type of [0, 6, 9, 255]) {
      const m = Buffer.from(keepalive);
      m[18] = type;
      assert.deepEqual(checkHeader(m, 0), { ok: false, notification: { code: 1, subcode: 3, data: Buffer.from([type]) } });
    }
  });

  test('valid minimum and maximum lengths pass', () => {
    assert.deepEqual(checkHeader(keepalive, 0), { ok: true, type: 4, length: 19 });
    const big = message(2, Buffer.alloc(4096 - 19));
    assert.deepEqual(checkHeader(big, 0), { ok: true, type: 2, length: 4096 });
  });
});

describe('OPEN', () => {
  const expect = { peerAsn: 65001, ourBgpId: 0xa9fe0a01 };
  function openBody(o: { version?: number; myAs?: number; hold?: number; id?: number; params?: Buffer }): Buffer {
    const params = o.params ?? Buffer.from([2, 6, 65, 4, ...u32(65001)]);
    const b = Buffer.alloc(10);
    b[0] = o.version ?? 4;
    b.writeUInt16BE(o.myAs ?? 65001, 1);
    b.writeUInt16BE(o.hold ?? 90, 3);
    b.writeUInt32BE(o.id ?? 0x0aff0002, 5);
    b[9] = params.length;
    return Buffer.concat([b, params]);
  }
  function openCheck(b: Buffer): [number, number] | 'ok' {
    const r = decodeOpen(b);
    if (!r.ok) return [r.notification.code, r.notification.subcode];
    const n = checkOpen(r.open, expect);
    return n === undefined ? 'ok' : [n.code, n.subcode];
  }

  test('version other than 4 is 2/1 with the version we support as data', () => {
    const r = decodeOpen(openBody({ version: 3 }));
    assert.ok(!r.ok);
    assert.deepEqual(r.notification, { code: 2, subcode: 1, data: u16(4) });
  });

  test('peer AS, BGP identifier and hold time checks', () => {
    assert.equal(openCheck(openBody({})), 'ok');
    assert.deepEqual(openCheck(openBody({ params: Buffer.from([2, 6, 65, 4, ...u32(65002)]) })), [2, 2]);
    assert.deepEqual(openCheck(openBody({ myAs: 65002, params: Buffer.alloc(0) })), [2, 2]);
    assert.deepEqual(openCheck(openBody({ id: 0 })), [2, 3]);
    assert.deepEqual(openCheck(openBody({ id: 0xa9fe0a01 })), [2, 3]);
    assert.deepEqual(openCheck(openBody({ hold: 1 })), [2, 6]);
    assert.deepEqual(openCheck(openBody({ hold: 2 })), [2, 6]);
    assert.equal(openCheck(openBody({ hold: 0 })), 'ok');
    assert.equal(openCheck(openBody({ hold: 3 })), 'ok');
  });

  test('a 4-octet ASN comes from capability 65 behind AS_TRANS; a 2-octet peer is judged by My AS', () => {
    const r = decodeOpen(openBody({ myAs: 23456, params: Buffer.from([2, 6, 65, 4, ...u32(4200000001)]) }));
    assert.ok(r.ok);
    assert.equal(r.open.asn, 4200000001);
    assert.equal(checkOpen(r.open, { ...expect, peerAsn: 4200000001 }), undefined);
    assert.equal(openCheck(openBody({ params: Buffer.alloc(0) })), 'ok');
  });

  test('many capabilities per parameter, unknown ones ignored (FRR style)', () => {
    const caps = Buffer.from([1, 4, 0, 1, 0, 1, 128, 0, 2, 0, 70, 0, 65, 4, ...u32(65001), 6, 0, 69, 4, 0, 1, 1, 1, 64, 2, 0, 120]);
    const r = decodeOpen(openBody({ params: Buffer.concat([Buffer.from([2, caps.length]), caps]) }));
    assert.ok(r.ok);
    assert.deepEqual(r.open.capabilities, { codes: [1, 128, 2, 70, 65, 6, 69, 64], families: [0x0101], routeRefresh: true, fourOctetAsn: 65001 });
  });

  test('inconsistent parameter lengths are 2/0; parameters other than capabilities 2/4', () => {
    const b = openBody({});
    b[9] = 9; // says 9, carries 8
    assert.deepEqual(openCheck(b), [2, 0]);
    assert.deepEqual(openCheck(openBody({ params: Buffer.from([2, 6, 65, 9, 0, 0, 0, 0]) })), [2, 0]);
    assert.deepEqual(openCheck(openBody({ params: Buffer.from([2]) })), [2, 0]);
    assert.deepEqual(openCheck(openBody({ params: Buffer.from([1, 2, 0, 0]) })), [2, 4]);
  });

  test('our OPEN offers MP IPv4/unicast, Route Refresh and 4-octet AS, AS_TRANS above 65535', () => {
    for (const asn of [45104, 4200000000]) {
      const m = encodeOpen({ asn, holdTimeSec: 90, bgpId: 0xa9fe0a01 });
      assert.deepEqual(checkHeader(m, 0), { ok: true, type: 1, length: m.length });
      const r = decodeOpen(body(m));
      assert.ok(r.ok);
      assert.deepEqual(r.open, {
        version: 4, myAs: asn > 65535 ? 23456 : asn, holdTimeSec: 90, bgpId: 0xa9fe0a01, asn,
        capabilities: { codes: [1, 2, 65], families: [0x0101], routeRefresh: true, fourOctetAsn: asn },
      });
    }
  });
});

describe('UPDATE errors (RFC 7606, bgp.md §3.7)', () => {
  const prefixes = nlri('10.1.0.0/16', '10.2.3.0/24');
  function taw(attributes: Buffer[], reason: RegExp, ctx = FOUR): void {
    const r = decoded(decodeUpdate(updateBody(nlri('10.9.0.0/16'), attributes, prefixes), ctx));
    assert.match(r.treatAsWithdraw ?? '', reason);
    assert.deepEqual(r.update, { announced: [], withdrawn: ['10.9.0.0/16', '10.1.0.0/16', '10.2.3.0/24'], endOfRib: false });
  }
  function discard(attributes: Buffer[], type: number, ctx = FOUR) {
    const r = decoded(decodeUpdate(updateBody(Buffer.alloc(0), attributes, prefixes), ctx));
    assert.equal(r.treatAsWithdraw, undefined);
    assert.deepEqual(r.discarded, [type]);
    assert.deepEqual(r.update.announced.map((a) => a.prefix), ['10.1.0.0/16', '10.2.3.0/24']);
    return r;
  }
  const [origin, path, hop] = mandatory() as [Buffer, Buffer, Buffer];

  test('treat-as-withdraw: missing ORIGIN, AS_PATH or NEXT_HOP while NLRI are present', () => {
    taw([path, hop], /missing ORIGIN/);
    taw([origin, hop], /missing AS_PATH/);
    taw([origin, path], /missing NEXT_HOP/);
  });

  test('no NLRI: missing attributes do not matter (withdraw-only UPDATE with attributes)', () => {
    const r = decoded(decodeUpdate(updateBody(nlri('10.9.0.0/16'), [origin], Buffer.alloc(0)), FOUR));
    assert.equal(r.treatAsWithdraw, undefined);
    assert.deepEqual(r.update, { announced: [], withdrawn: ['10.9.0.0/16'], endOfRib: false });
  });

  test('treat-as-withdraw: malformed or bad-value ORIGIN', () => {
    taw([attr(0x40, 1, [0, 0]), path, hop], /ORIGIN/);
    taw([attr(0x40, 1, [3]), path, hop], /ORIGIN/);
    taw([attr(0x40, 1, []), path, hop], /ORIGIN/);
  });

  test('treat-as-withdraw: malformed AS_PATH (bad segment type, empty segment, overrun, ASN size)', () => {
    taw([origin, attr(0x40, 2, [5, 1, ...u32(65001)]), hop], /AS_PATH/);
    taw([origin, attr(0x40, 2, [2, 0]), hop], /AS_PATH/);
    taw([origin, attr(0x40, 2, [2, 2, ...u32(65001)]), hop], /AS_PATH/);
    taw([origin, attr(0x40, 2, [2, 1, 0xfd, 0xe9, 0]), hop], /AS_PATH/);
    taw([origin, attr(0x40, 2, [2, 3, ...u16(65001, 1)]), hop], /AS_PATH/, TWO);
  });

  test('treat-as-withdraw: malformed NEXT_HOP and MED', () => {
    taw([origin, path, attr(0x40, 3, [1, 2, 3])], /NEXT_HOP/);
    taw([origin, path, attr(0x40, 3, [1, 2, 3, 4, 5])], /NEXT_HOP/);
    taw([origin, path, hop, attr(0x80, 4, [0, 0, 1])], /MULTI_EXIT_DISC/);
  });

  test('treat-as-withdraw: COMMUNITIES not a non-zero multiple of 4, LARGE_COMMUNITY not of 12', () => {
    taw([origin, path, hop, attr(0xc0, 8, [0xff, 0xff, 0xff, 0xe6, 1])], /COMMUNITIES/);
    taw([origin, path, hop, attr(0xc0, 8, [])], /COMMUNITIES/);
    taw([origin, path, hop, attr(0xc0, 32, Buffer.alloc(13))], /LARGE_COMMUNITY/);
    taw([origin, path, hop, attr(0xc0, 32, Buffer.alloc(0))], /LARGE_COMMUNITY/);
  });

  test('treat-as-withdraw: wrong optional/transitive flags', () => {
    taw([attr(0xc0, 1, [0]), path, hop], /ORIGIN/);
    taw([origin, attr(0x80, 2, [2, 1, ...u32(65001)]), hop], /AS_PATH/);
    taw([origin, path, attr(0xc0, 3, [1, 2, 3, 4])], /NEXT_HOP/);
    taw([origin, path, hop, attr(0x40, 8, [0, 1, 0, 2])], /COMMUNITIES/);
  });

  test('treat-as-withdraw: an attribute overrunning the attribute block (RFC 7606 §4: NLRI still locatable)', () => {
    const overrun = Buffer.from([0xc0, 8, 8, 0xff, 0xff]);
    taw([origin, path, hop, overrun], /overruns/);
    taw([origin, path, hop, Buffer.from([0x40, 1])], /truncated attribute header/);
    taw([origin, path, hop, Buffer.from([0x50, 1, 0])], /truncated attribute header/);
  });

  test('attribute discard: malformed ATOMIC_AGGREGATE, AGGREGATOR, AS4_PATH; LOCAL_PREF from eBGP', () => {
    discard([origin, path, hop, attr(0x40, 6, [1])], 6);
    discard([origin, path, hop, attr(0xc0, 7, [0, 0, 1, 1, 2])], 7);
    const r = discard([origin, asPath2(65001, 12000), hop, attr(0xc0, 17, [3, 1, ...u32(65001)])], 17, TWO);
    assert.deepEqual(r.update.announced[0]!.attributes.asPath, [{ type: 'sequence', asns: [65001, 12000] }]);
    const lp = discard([origin, path, hop, attr(0x40, 5, u32(200))], 5);
    assert.equal(lp.update.announced[0]!.attributes.localPref, undefined);
    const ibgp = decoded(decodeUpdate(updateBody(Buffer.alloc(0), [origin, path, hop, attr(0x40, 5, u32(200))], prefixes), { fourOctetAs: true, ebgp: false }));
    assert.equal(ibgp.update.announced[0]!.attributes.localPref, 200);
  });

  test('valid optional attributes are kept: MED, well-formed AGGREGATOR, ATOMIC_AGGREGATE, unknown optional', () => {
    const r = decoded(decodeUpdate(updateBody(Buffer.alloc(0), [
      origin, path, hop, attr(0x80, 4, u32(10)), attr(0x40, 6, []), attr(0xc0, 7, [...u32(65001), 10, 0, 0, 1]), attr(0xc0, 99, [1, 2, 3]),
    ], prefixes), FOUR));
    assert.deepEqual(r.discarded, []);
    assert.equal(r.update.announced[0]!.attributes.med, 10);
  });

  test('duplicate attributes: the first is kept; duplicate MP_REACH_NLRI resets 3/1', () => {
    const r = decoded(decodeUpdate(updateBody(Buffer.alloc(0), [origin, attr(0x40, 1, [2]), path, hop, attr(0x40, 1, [9])], prefixes), FOUR));
    assert.equal(r.update.announced[0]!.attributes.origin, 0);
    const mp = attr(0x80, 14, [0, 2, 1, 0]);
    resetWith(decodeUpdate(updateBody(Buffer.alloc(0), [origin, path, hop, mp, mp], prefixes), FOUR), 3, 1);
  });

  test('session reset: lengths that cannot be delimited (3/1), bad NLRI (3/10), unknown well-known attribute (3/2)', () => {
    const ok = updateBody(Buffer.alloc(0), mandatory(), prefixes);
    const longAttrs = Buffer.from(ok);
    longAttrs.writeUInt16BE(ok.readUInt16BE(2) + 20, 2);
    resetWith(decodeUpdate(longAttrs, FOUR), 3, 1);
    const longWithdrawn = Buffer.from(ok);
    longWithdrawn.writeUInt16BE(500, 0);
    resetWith(decodeUpdate(longWithdrawn, FOUR), 3, 1);
    resetWith(decodeUpdate(updateBody(Buffer.alloc(0), mandatory(), Buffer.from([33, 10, 0, 0, 0, 0])), FOUR), 3, 10);
    resetWith(decodeUpdate(updateBody(Buffer.alloc(0), mandatory(), Buffer.from([24, 10, 0])), FOUR), 3, 10);
    resetWith(decodeUpdate(updateBody(Buffer.from([24, 10, 0]), [], Buffer.alloc(0)), FOUR), 3, 10);
    const unknown = attr(0x40, 99, [1, 2]);
    const r = decodeUpdate(updateBody(Buffer.alloc(0), [...mandatory(), unknown], prefixes), FOUR);
    resetWith(r, 3, 2);
    assert.deepEqual(!r.ok && r.notification.data, unknown);
  });

  test('trailing host bits in NLRI are cleared; /0 and /32 decode', () => {
    const r = decoded(decodeUpdate(updateBody(Buffer.alloc(0), mandatory(), Buffer.from([20, 10, 1, 0xff, 0, 32, 1, 2, 3, 4])), FOUR));
    assert.deepEqual(r.update.announced.map((a) => a.prefix), ['10.1.240.0/20', '0.0.0.0/0', '1.2.3.4/32']);
  });
});

describe('4-octet AS (RFC 6793)', () => {
  test('AS4_PATH from a 2-octet peer replaces the AS_TRANS tail', () => {
    const r = decoded(decodeUpdate(updateBody(Buffer.alloc(0), [
      ORIGIN_IGP, asPath2(65001, 23456, 23456), nextHop(10, 0, 0, 1), attr(0xc0, 17, [2, 2, ...u32(4200000000, 4200000001)]),
    ], nlri('10.0.0.0/8')), TWO));
    assert.deepEqual(r.update.announced[0]!.attributes.asPath, [{ type: 'sequence', asns: [65001, 4200000000, 4200000001] }]);
  });

  test('merge rules: sets count 1, a longer AS4_PATH is ignored', () => {
    assert.deepEqual(mergeAs4Path(
      [{ type: 'sequence', asns: [100, 23456] }, { type: 'set', asns: [200, 300] }],
      [{ type: 'sequence', asns: [4200000000] }, { type: 'set', asns: [200, 300] }],
    ), [{ type: 'sequence', asns: [100, 4200000000] }, { type: 'set', asns: [200, 300] }]);
    assert.deepEqual(mergeAs4Path([{ type: 'sequence', asns: [23456] }], [{ type: 'sequence', asns: [1, 2] }]), [{ type: 'sequence', asns: [23456] }]);
    assert.deepEqual(mergeAs4Path(
      [{ type: 'confed-sequence', asns: [1] }, { type: 'sequence', asns: [23456, 5] }],
      [{ type: 'sequence', asns: [4200000000, 5] }],
    ), [{ type: 'confed-sequence', asns: [1] }, { type: 'sequence', asns: [4200000000, 5] }]);
  });

  test('a 4-octet peer\'s AS4_PATH is ignored', () => {
    const r = decoded(decodeUpdate(updateBody(Buffer.alloc(0), [
      ORIGIN_IGP, asPath4(65001), nextHop(10, 0, 0, 1), attr(0xc0, 17, [2, 1, ...u32(4200000000)]),
    ], nlri('10.0.0.0/8')), FOUR));
    assert.deepEqual(r.update.announced[0]!.attributes.asPath, [{ type: 'sequence', asns: [65001] }]);
  });

  test('to a 2-octet peer we send AS_TRANS plus AS4_PATH, and that decodes back to the 4-octet path', () => {
    const attributes: PathAttributes = {
      origin: 0, asPath: [{ type: 'sequence', asns: [4200000000, 12000] }], nextHop: '169.254.10.1', communities: [], largeCommunities: [],
    };
    const [m] = encodeUpdates([{ prefix: '172.16.0.0/16', attributes }], [], { fourOctetAs: false, ibgp: false });
    assert.ok(m!.includes(Buffer.from([0x40, 2, 6, 2, 2, 0x5b, 0xa0, 0x2e, 0xe0])), 'AS_PATH [23456 12000]');
    const r = decoded(decodeUpdate(body(m!), TWO));
    assert.deepEqual(r.update.announced, [{ prefix: '172.16.0.0/16', attributes }]);
    const [plain] = encodeUpdates([{ prefix: '172.16.0.0/16', attributes: { ...attributes, asPath: [{ type: 'sequence', asns: [45104] }] } }], [], { fourOctetAs: false, ibgp: false });
    assert.ok(!plain!.includes(Buffer.from([0xc0, 17])), 'no AS4_PATH when every ASN fits 2 octets');
  });
});

describe('UPDATE building', () => {
  const shared: PathAttributes = {
    origin: 0, asPath: [{ type: 'sequence', asns: [45104] }], nextHop: '169.254.10.1', communities: [0xffffffe6], largeCommunities: [],
  };
  function allDecoded(messages: Buffer[]) {
    return messages.map((m) => {
      assert.ok(m.length <= 4096, `message of ${m.length} bytes`);
      assert.deepEqual(checkHeader(m, 0), { ok: true, type: 2, length: m.length });
      return decoded(decodeUpdate(body(m), FOUR)).update;
    });
  }

  test('routes sharing an attributes object are packed up to 4096 bytes; groups stay apart', () => {
    const routes: AnnouncedRoute[] = [];
    for (let i = 0; i < 2000; i++) routes.push({ prefix: `10.${i >> 8}.${i & 255}.0/24`, attributes: shared });
    const other = { ...shared, med: 5 };
    routes.push({ prefix: '192.168.0.0/16', attributes: other });
    const messages = encodeUpdates(routes, [], { fourOctetAs: true, ibgp: false });
    const updates = allDecoded(messages);
    const attrLength = 4 + 3 + 6 + 3 + 4 + 3 + 4;
    assert.equal(messages.length, Math.ceil(2000 / Math.floor((4096 - 23 - attrLength) / 4)) + 1);
    const announced = updates.flatMap((u) => u.announced);
    assert.deepEqual(announced.map((a) => a.prefix), routes.map((r) => r.prefix));
    assert.deepEqual(announced[0]!.attributes, shared);
    assert.deepEqual(announced[2000]!.attributes, other);
  });

  test('withdrawals are packed and come before announcements', () => {
    const withdrawn = Array.from({ length: 3000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
    const messages = encodeUpdates([{ prefix: '10.0.0.0/24', attributes: shared }], withdrawn, { fourOctetAs: true, ibgp: false });
    const updates = allDecoded(messages);
    assert.equal(messages.length, Math.ceil(3000 / Math.floor((4096 - 23) / 4)) + 1);
    assert.deepEqual(updates.flatMap((u) => u.withdrawn), withdrawn);
    assert.deepEqual(updates[updates.length - 1]!.announced.map((a) => a.prefix), ['10.0.0.0/24']);
  });

  test('a malformed prefix or next hop from the caller is refused', () => {
    assert.throws(() => encodeUpdates([], ['10.0.0.1/24'], { fourOctetAs: true, ibgp: false }), RangeError);
    assert.throws(() => encodeUpdates([{ prefix: '10.0.0.0/24', attributes: { ...shared, nextHop: 'x' } }], [], { fourOctetAs: true, ibgp: false }), RangeError);
  });
});

describe('NOTIFICATION and ROUTE-REFRESH', () => {
  test('Cease 6/2 carries the shutdown communication, cut at 128 bytes on a character boundary', () => {
    const n = ceaseNotification(2, 'server stopping');
    assert.deepEqual(n.data, Buffer.concat([Buffer.from([15]), Buffer.from('server stopping')]));
    const roundTrip = decodeNotification(body(encodeNotification(n)));
    assert.equal(shutdownMessageOf(roundTrip), 'server stopping');
    const long = ceaseNotification(2, 'é'.repeat(100));
    assert.equal(long.data[0], 128);
    assert.equal(shutdownMessageOf(long), 'é'.repeat(64));
    const odd = ceaseNotification(2, 'a' + 'é'.repeat(100));
    assert.equal(odd.data[0], 127);
    assert.deepEqual(ceaseNotification(3, 'ignored').data, Buffer.alloc(0));
    assert.equal(shutdownMessageOf({ code: 6, subcode: 2, data: Buffer.from([5, 0x61]) }), undefined);
    assert.equal(shutdownMessageOf({ code: 6, subcode: 2, data: Buffer.from([1, 0xff]) }), undefined);
  });

  test('ROUTE-REFRESH round trip', () => {
    const m = encodeRouteRefresh({ afi: 1, safi: 1 });
    assert.deepEqual(m, message(5, [0, 1, 0, 1]));
    assert.deepEqual(decodeRouteRefresh(body(m)), { afi: 1, safi: 1 });
  });
});

describe('fuzzing: no input makes the codec throw', () => {
  test('random and mutated UPDATE bodies give an update or a 3/x NOTIFICATION', () => {
    const random = rng(7606);
    const seeds = [body(GOLDEN.update), body(GOLDEN.withdraw), updateBody(Buffer.alloc(0), [...mandatory(), attr(0xc0, 17, [2, 1, 0, 0, 0, 1])], nlri('10.0.0.0/8'))];
    for (let i = 0; i < 30000; i++) {
      let input: Buffer;
      if (i % 3 === 0) {
        input = Buffer.alloc(random.int(0, 80));
        for (let j = 0; j < input.length; j++) input[j] = random.int(0, 255);
      } else {
        input = Buffer.from(seeds[i % seeds.length]!);
        for (let flips = random.int(1, 4); flips > 0; flips--) input[random.int(0, input.length - 1)] = random.int(0, 255);
      }
      for (const ctx of [FOUR, TWO]) {
        const r = decodeUpdate(input, ctx);
        if (!r.ok) assert.equal(r.notification.code, 3);
      }
    }
  });

  test('random OPEN bodies and random streams never throw', () => {
    const random = rng(4271);
    for (let i = 0; i < 20000; i++) {
      const b = Buffer.alloc(random.int(10, 60));
      for (let j = 0; j < b.length; j++) b[j] = random.int(0, 255);
      if (i % 2 === 0) b[0] = 4;
      const r = decodeOpen(b);
      if (!r.ok) assert.equal(r.notification.code, 2);
    }
    for (let i = 0; i < 2000; i++) {
      const decoder = new StreamDecoder();
      const stream = Buffer.alloc(random.int(0, 200), 0xff);
      for (let j = 16; j < stream.length; j++) if (random.next() < 0.3) stream[j] = random.int(0, 255);
      decoder.push(stream);
      for (let k = 0; k < 50 && decoder.next() !== undefined; k++) { /* drain */ }
    }
  });
});
