/** src/bgp/session.ts over real loopback sockets, driven by a raw client that writes crafted bytes. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { decodeNotification, shutdownMessageOf } from '../../src/bgp/codec/notification';
import { decodeOpen } from '../../src/bgp/codec/open';
import { decodeUpdate } from '../../src/bgp/codec/update-decode';
import type { AnnouncedRoute, PathAttributes, TunnelSessionSettings } from '../../src/bgp/session-api';
import type { Frame } from '../../src/bgp/stream-decoder';
import { RawPeer, startHarness, waitFor, type Harness, type HarnessOptions } from '../helpers/bgp-harness';
import { ORIGIN_IGP, mandatory, message, nlri, u32, updateBody } from '../helpers/bgp-wire';

const SETTINGS: TunnelSessionSettings = { localAsn: 45104, routerId: '169.254.10.1', peerAsn: 65001, peerAddress: null, holdTimeSec: 90 };

function openMessage(o: { asn?: number; hold?: number } = {}): Buffer {
  const asn = o.asn ?? 65001;
  const b = Buffer.alloc(10);
  b[0] = 4;
  b.writeUInt16BE(asn, 1);
  b.writeUInt16BE(o.hold ?? 90, 3);
  b.writeUInt32BE(0x0aff0002, 5);
  const caps = Buffer.from([2, 12, 1, 4, 0, 1, 0, 1, 65, 4, ...u32(asn)]);
  b[9] = caps.length;
  return message(1, Buffer.concat([b, caps]));
}
const KEEPALIVE = message(4, []);

function notificationOf(frame: Frame): [number, number] {
  assert.equal(frame.type, 3, `expected a NOTIFICATION, got type ${frame.type}`);
  return [frame.body[0]!, frame.body[1]!];
}

const harnesses: Harness[] = [];
const peers: RawPeer[] = [];
after(async () => {
  for (const p of peers) p.destroy();
  for (const h of harnesses) await h.stop();
});

async function setup(settings = SETTINGS, options: HarnessOptions = {}) {
  const harness = await startHarness(settings, options);
  harnesses.push(harness);
  const peer = await RawPeer.connect(harness.port);
  peers.push(peer);
  return { harness, peer };
}

async function establish(settings = SETTINGS, options: HarnessOptions = {}, hold = 90) {
  const { harness, peer } = await setup(settings, options);
  const open = await peer.next();
  assert.equal(open.type, 1);
  peer.send(openMessage({ hold }));
  assert.equal((await peer.next()).type, 4);
  peer.send(KEEPALIVE);
  await harness.until((s) => s.established.length === 1, 5000, 'Established');
  return { harness, peer, session: harness.sessions[0]! };
}

describe('session over a socket', () => {
  test('handshake, received routes, ROUTE-REFRESH, advertised routes and End-of-RIB', async () => {
    const { harness, peer } = await setup();
    const open = await peer.next();
    const decoded = decodeOpen(open.body);
    assert.ok(decoded.ok);
    assert.deepEqual([decoded.open.asn, decoded.open.holdTimeSec, decoded.open.capabilities.codes], [45104, 90, [1, 2, 65]]);
    peer.send(Buffer.concat([openMessage({ hold: 180 }), KEEPALIVE]));
    await harness.until((s) => s.established.length === 1);
    const session = harness.sessions[0]!;
    assert.equal(session.state, 'Established');
    assert.deepEqual(harness.seen.established[0], { asn: 65001, routerId: '10.255.0.2', address: '127.0.0.2', port: peer.socket.localPort, holdTimeSec: 90 });

    peer.send(message(2, updateBody(Buffer.alloc(0), mandatory(), nlri('10.10.1.0/24', '192.168.100.0/22'))));
    peer.send(message(5, [0, 1, 0, 1]));
    await harness.until((s) => s.updates.length === 1 && s.refreshes === 1);
    assert.deepEqual(harness.seen.updates[0]!.announced.map((r) => r.prefix), ['10.10.1.0/24', '192.168.100.0/22']);

    const attributes: PathAttributes = {
      origin: 0, asPath: [{ type: 'sequence', asns: [45104] }], nextHop: '169.254.10.1', communities: [0xffffffe6], largeCommunities: [[45104, 1, 2]],
    };
    await session.advertise([{ prefix: '172.16.0.0/16', attributes }], ['172.17.0.0/16']);
    await session.sendEndOfRib();
    const withdraw = decodeUpdate((await peer.nextNonKeepalive()).body, { fourOctetAs: true, ebgp: true });
    const announce = decodeUpdate((await peer.nextNonKeepalive()).body, { fourOctetAs: true, ebgp: true });
    const eor = decodeUpdate((await peer.nextNonKeepalive()).body, { fourOctetAs: true, ebgp: true });
    assert.ok(withdraw.ok && announce.ok && eor.ok);
    assert.deepEqual(withdraw.update.withdrawn, ['172.17.0.0/16']);
    assert.deepEqual(announce.update.announced, [{ prefix: '172.16.0.0/16', attributes }]);
    assert.equal(eor.update.endOfRib, true);
  });

  test('a bad marker is answered with NOTIFICATION 1/1 and the connection closes', async () => {
    const { harness, peer } = await establish();
    const bad = Buffer.from(KEEPALIVE);
    bad[0] = 0;
    peer.send(bad);
    assert.deepEqual(notificationOf(await peer.nextNonKeepalive()), [1, 1]);
    await peer.waitClosed();
    await harness.until((s) => s.downs.length === 1);
    assert.deepEqual(harness.seen.downs, [{ kind: 'notification-sent', code: 1, subcode: 1 }]);
  });

  test('a length over 4096 is 1/2 and an unknown type 1/3, even before the OPEN', async () => {
    const { peer } = await setup();
    await peer.next();
    const big = Buffer.alloc(19, 0xff);
    big.writeUInt16BE(5000, 16);
    big[18] = 2;
    peer.send(big);
    const n = await peer.next();
    assert.deepEqual(notificationOf(n), [1, 2]);
    assert.deepEqual(n.body.subarray(2), Buffer.from([0x13, 0x88]));
    const { peer: second } = await setup();
    await second.next();
    const typed = Buffer.from(KEEPALIVE);
    typed[18] = 7;
    second.send(typed);
    assert.deepEqual(notificationOf(await second.next()), [1, 3]);
  });

  test('a truncated frame followed by a close is session loss without a NOTIFICATION', async () => {
    const { harness, peer } = await establish();
    peer.send(message(2, updateBody(Buffer.alloc(0), mandatory(), nlri('10.0.0.0/8'))).subarray(0, 30));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(harness.seen.downs.length, 0);
    peer.socket.end();
    await harness.until((s) => s.downs.length === 1);
    assert.deepEqual(harness.seen.downs, [{ kind: 'connection-closed' }]);
    assert.equal(harness.seen.updates.length, 0);
  });

  test('RFC 7606 treat-as-withdraw keeps the session; a bad NLRI length resets it with 3/10', async () => {
    const { harness, peer } = await establish();
    peer.send(message(2, updateBody(nlri('10.5.0.0/16'), [ORIGIN_IGP], nlri('10.6.0.0/16'))));
    peer.send(message(2, updateBody(Buffer.alloc(0), [...mandatory(), Buffer.from([0xc0, 8, 3, 1, 2, 3])], nlri('10.7.0.0/16'))));
    await harness.until((s) => s.updates.length === 2);
    assert.deepEqual(harness.seen.updates.map((u) => [u.announced.length, u.withdrawn]), [[0, ['10.5.0.0/16', '10.6.0.0/16']], [0, ['10.7.0.0/16']]]);
    assert.equal(harness.sessions[0]!.state, 'Established');
    peer.send(message(2, updateBody(Buffer.alloc(0), mandatory(), Buffer.from([40, 10, 0, 0, 0, 0]))));
    assert.deepEqual(notificationOf(await peer.nextNonKeepalive()), [3, 10]);
    await harness.until((s) => s.downs.length === 1);
    assert.deepEqual(harness.seen.downs, [{ kind: 'notification-sent', code: 3, subcode: 10 }]);
  });

  test('an UPDATE whose attribute lengths overrun the message resets with 3/1', async () => {
    const { peer } = await establish();
    const body = updateBody(Buffer.alloc(0), mandatory(), nlri('10.0.0.0/8'));
    body.writeUInt16BE(200, 2);
    peer.send(message(2, body));
    assert.deepEqual(notificationOf(await peer.nextNonKeepalive()), [3, 1]);
  });

  test('OPEN from the wrong AS is refused with 2/2', async () => {
    const { harness, peer } = await setup();
    await peer.next();
    peer.send(openMessage({ asn: 65009 }));
    assert.deepEqual(notificationOf(await peer.next()), [2, 2]);
    await peer.waitClosed();
    await harness.until((s) => s.downs.length === 1);
  });

  test('a connection from an unexpected address gets Cease 6/5 at once, without an OPEN', async () => {
    const { harness, peer } = await setup({ ...SETTINGS, peerAddress: '127.0.0.9' });
    assert.deepEqual(notificationOf(await peer.next()), [6, 5]);
    await peer.waitClosed();
    await harness.until((s) => s.downs.length === 1);
    assert.deepEqual(harness.seen.downs, [{ kind: 'notification-sent', code: 6, subcode: 5 }]);
    const accepted = await setup({ ...SETTINGS, peerAddress: '127.0.0.2' });
    assert.equal((await accepted.peer.next()).type, 1);
  });

  test('close(shutdown) sends Cease 6/2 with the message; down fires once', async () => {
    const { harness, peer, session } = await establish();
    await session.close('shutdown', 'vcoroute stopping');
    const n = await peer.nextNonKeepalive();
    assert.deepEqual(notificationOf(n), [6, 2]);
    assert.equal(shutdownMessageOf(decodeNotification(n.body)), 'vcoroute stopping');
    await peer.waitClosed();
    await session.close('deconfigured');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(harness.seen.downs, [{ kind: 'closed-locally', cause: 'shutdown' }]);
    assert.equal(session.state, 'Idle');
    await session.advertise([], ['10.0.0.0/8']); // resolves without sending
  });

  test('a received NOTIFICATION is reported with its shutdown message', async () => {
    const { harness, peer } = await establish();
    peer.send(message(3, [6, 2, 4, 0x62, 0x79, 0x65, 0x21]));
    await harness.until((s) => s.downs.length === 1);
    assert.deepEqual(harness.seen.downs, [{ kind: 'notification-received', code: 6, subcode: 2, message: 'bye!' }]);
    await peer.waitClosed();
  });

  test('the hold timer expires with 4/0 when the peer falls silent', async () => {
    const { harness, peer } = await establish({ ...SETTINGS, holdTimeSec: 3 }, {}, 3);
    const n = await peer.nextNonKeepalive(6000);
    assert.deepEqual(notificationOf(n), [4, 0]);
    await harness.until((s) => s.downs.length === 1);
    assert.deepEqual(harness.seen.downs, [{ kind: 'hold-timer-expired' }]);
  });

  test('reading pauses while observer.update is pending (back-pressure)', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const { harness, peer } = await establish(SETTINGS, { onUpdate: (u) => (u.announced[0]?.prefix === '10.1.0.0/16' ? gate : undefined) });
    peer.send(message(2, updateBody(Buffer.alloc(0), mandatory(), nlri('10.1.0.0/16'))));
    peer.send(message(2, updateBody(Buffer.alloc(0), mandatory(), nlri('10.2.0.0/16'))));
    await harness.until((s) => s.updates.length === 1);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(harness.seen.updates.length, 1, 'the second UPDATE must wait for the first to be stored');
    release();
    await harness.until((s) => s.updates.length === 2);
  });

  test('a rejected observer.update ends the session with Cease 6/8', async () => {
    const { harness, peer } = await establish(SETTINGS, { onUpdate: () => Promise.reject(new Error('store down')) });
    peer.send(message(2, updateBody(Buffer.alloc(0), mandatory(), nlri('10.1.0.0/16'))));
    assert.deepEqual(notificationOf(await peer.nextNonKeepalive()), [6, 8]);
    await harness.until((s) => s.downs.length === 1);
  });

  test('advertise waits for the socket to drain when the peer reads slowly', async () => {
    const { peer, session } = await establish();
    const attributes: PathAttributes = { origin: 0, asPath: [{ type: 'sequence', asns: [45104] }], nextHop: '169.254.10.1', communities: [], largeCommunities: [] };
    const batch = (n: number): AnnouncedRoute[] =>
      Array.from({ length: 100000 }, (_, i) => ({ prefix: `${10 + n}.${(i >> 8) & 255}.${i & 255}.0/24`, attributes }));
    peer.socket.pause();
    // Fill the kernel buffers batch by batch until advertise() has to wait for 'drain'.
    let blocked: Promise<void> | undefined;
    let sent = 0;
    for (let n = 0; n < 60 && blocked === undefined; n++) {
      let done = false;
      const advertised = session.advertise(batch(n), []).then(() => { done = true; });
      sent += 100000;
      await new Promise((r) => setTimeout(r, 150));
      if (!done) blocked = advertised;
    }
    assert.ok(blocked !== undefined, 'advertise must wait while the peer does not read');
    peer.socket.resume();
    await blocked;
    const routes = { length: sent };
    let received = 0;
    await waitFor(() => {
      for (;;) {
        const frame = (peer as unknown as { frames: Frame[] }).frames.shift();
        if (frame === undefined) return received === routes.length;
        if (frame.type !== 2) continue;
        const u = decodeUpdate(frame.body, { fourOctetAs: true, ebgp: true });
        if (u.ok) received += u.update.announced.length;
      }
    }, 10000, 'all routes at the peer');
  });
});
