/** src/bgp/fsm.ts: the pure passive FSM over event sequences (no sockets, timers as actions). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SessionFsm, type FsmAction, type FsmEvent } from '../../src/bgp/fsm';
import type { TunnelSessionSettings } from '../../src/bgp/session-api';
import { asPath2, hex, mandatory, message, nextHop, nlri, ORIGIN_IGP, u32, updateBody } from '../helpers/bgp-wire';
import { rng } from '../helpers/random';

const SETTINGS: TunnelSessionSettings = { localAsn: 45104, routerId: '169.254.10.1', peerAsn: 65001, peerAddress: null, holdTimeSec: 90 };
const OUR_ID = 0xa9fe0a01;

function openFrom(o: { asn?: number; hold?: number; id?: number; as4?: boolean } = {}): FsmEvent {
  const asn = o.asn ?? 65001;
  const caps = o.as4 === false ? [] : [2, 6, 65, 4, ...u32(asn)];
  const b = Buffer.alloc(10);
  b[0] = 4;
  b.writeUInt16BE(asn > 0xffff ? 23456 : asn, 1);
  b.writeUInt16BE(o.hold ?? 90, 3);
  b.writeUInt32BE(o.id ?? 0x0aff0002, 5);
  b[9] = caps.length;
  return received(message(1, Buffer.concat([b, Buffer.from(caps)])));
}

function received(m: Buffer): FsmEvent {
  return { type: 'received', item: { ok: true, frame: { type: m[18]!, body: m.subarray(19) } } };
}

const KEEPALIVE = received(message(4, []));
const CONNECTED: FsmEvent = { type: 'connected', remoteAddress: '::ffff:127.0.0.2', remotePort: 40000 };

function established(settings = SETTINGS, open = openFrom()): SessionFsm {
  const fsm = new SessionFsm(settings);
  fsm.handle(CONNECTED);
  fsm.handle(open);
  fsm.handle(KEEPALIVE);
  assert.equal(fsm.state, 'Established');
  return fsm;
}

function sentNotification(actions: FsmAction[]): [number, number] | undefined {
  const send = actions.find((a) => a.type === 'send' && a.message.type === 'notification');
  return send?.type === 'send' && send.message.type === 'notification' ? [send.message.notification.code, send.message.notification.subcode] : undefined;
}

function downReason(actions: FsmAction[]) {
  const down = actions.find((a) => a.type === 'down');
  return down?.type === 'down' ? down.reason : undefined;
}

describe('passive FSM', () => {
  test('Idle → OpenSent → OpenConfirm → Established, with timers as actions', () => {
    const fsm = new SessionFsm(SETTINGS);
    assert.equal(fsm.state, 'Idle');
    assert.deepEqual(fsm.handle(CONNECTED), [
      { type: 'send', message: { type: 'open', asn: 45104, holdTimeSec: 90, bgpId: OUR_ID } },
      { type: 'start-timer', timer: 'hold', seconds: 240 },
    ]);
    assert.equal(fsm.state, 'OpenSent');
    assert.deepEqual(fsm.handle(openFrom({ hold: 180 })), [
      { type: 'start-timer', timer: 'hold', seconds: 90 },
      { type: 'send', message: { type: 'keepalive' } },
      { type: 'start-timer', timer: 'keepalive', seconds: 30 },
    ]);
    assert.equal(fsm.state, 'OpenConfirm');
    const peer = { asn: 65001, routerId: '10.255.0.2', address: '127.0.0.2', port: 40000, holdTimeSec: 90 };
    assert.deepEqual(fsm.handle(KEEPALIVE), [{ type: 'start-timer', timer: 'hold', seconds: 90 }, { type: 'established', peer }]);
    assert.equal(fsm.state, 'Established');
    assert.deepEqual(fsm.peer, peer);
    assert.equal(fsm.fourOctetAs, true);
    assert.deepEqual(fsm.handle(KEEPALIVE), [{ type: 'start-timer', timer: 'hold', seconds: 90 }]);
    assert.deepEqual(fsm.handle({ type: 'timer-expired', timer: 'keepalive' }), [
      { type: 'send', message: { type: 'keepalive' } },
      { type: 'start-timer', timer: 'keepalive', seconds: 30 },
    ]);
  });

  test('hold time is the smaller offer; keepalive a third of it; 0 means neither timer', () => {
    const fsm = new SessionFsm({ ...SETTINGS, holdTimeSec: 240 });
    fsm.handle(CONNECTED);
    const actions = fsm.handle(openFrom({ hold: 9 }));
    assert.deepEqual(actions.filter((a) => a.type === 'start-timer'), [
      { type: 'start-timer', timer: 'hold', seconds: 9 }, { type: 'start-timer', timer: 'keepalive', seconds: 3 },
    ]);
    const none = new SessionFsm(SETTINGS);
    none.handle(CONNECTED);
    assert.deepEqual(none.handle(openFrom({ hold: 0 })), [{ type: 'stop-timer', timer: 'hold' }, { type: 'send', message: { type: 'keepalive' } }]);
    assert.deepEqual(none.handle(KEEPALIVE).map((a) => a.type), ['established']);
    assert.equal(none.peer?.holdTimeSec, 0);
  });

  test('UPDATEs become update actions; End-of-RIB too; a treat-as-withdraw UPDATE withdraws', () => {
    const fsm = established();
    const actions = fsm.handle(received(message(2, updateBody(Buffer.alloc(0), mandatory(), nlri('10.1.0.0/16')))));
    const update = actions.find((a) => a.type === 'update');
    assert.ok(update?.type === 'update');
    assert.deepEqual(update.update.announced.map((r) => [r.prefix, r.attributes.asPath]), [['10.1.0.0/16', [{ type: 'sequence', asns: [65001, 12000] }]]]);
    const eor = fsm.handle(received(hex('ffffffffffffffffffffffffffffffff00170200000000')));
    assert.deepEqual(eor[1], { type: 'update', update: { announced: [], withdrawn: [], endOfRib: true } });
    const taw = fsm.handle(received(message(2, updateBody(Buffer.alloc(0), [ORIGIN_IGP], nlri('10.1.0.0/16')))));
    assert.deepEqual(taw[1], { type: 'update', update: { announced: [], withdrawn: ['10.1.0.0/16'], endOfRib: false } });
    assert.equal(fsm.state, 'Established');
  });

  test('a peer without capability 65 gets 2-octet AS_PATH decoding', () => {
    const fsm = established(SETTINGS, openFrom({ as4: false }));
    assert.equal(fsm.fourOctetAs, false);
    const actions = fsm.handle(received(message(2, updateBody(Buffer.alloc(0), [ORIGIN_IGP, asPath2(65001, 12000), nextHop(10, 0, 0, 1)], nlri('10.1.0.0/16')))));
    const update = actions.find((a) => a.type === 'update');
    assert.ok(update?.type === 'update');
    assert.deepEqual(update.update.announced[0]!.attributes.asPath, [{ type: 'sequence', asns: [65001, 12000] }]);
  });

  test('ROUTE-REFRESH for IPv4 unicast asks for a refresh; other families are ignored', () => {
    const fsm = established();
    assert.deepEqual(fsm.handle(received(message(5, [0, 1, 0, 1]))).map((a) => a.type), ['start-timer', 'refresh-requested']);
    assert.deepEqual(fsm.handle(received(message(5, [0, 2, 0, 1]))).map((a) => a.type), ['start-timer']);
  });

  test('OPEN refusals send 2/x, close and go down', () => {
    const cases: Array<[FsmEvent, [number, number]]> = [
      [openFrom({ asn: 65002 }), [2, 2]], [openFrom({ id: 0 }), [2, 3]], [openFrom({ id: OUR_ID }), [2, 3]], [openFrom({ hold: 2 }), [2, 6]],
    ];
    for (const [open, code] of cases) {
      const fsm = new SessionFsm(SETTINGS);
      fsm.handle(CONNECTED);
      const actions = fsm.handle(open);
      assert.deepEqual(sentNotification(actions), code);
      assert.deepEqual(actions.slice(-2).map((a) => a.type), ['close-connection', 'down']);
      assert.deepEqual(downReason(actions), { kind: 'notification-sent', code: code[0], subcode: code[1] });
      assert.equal(fsm.state, 'Idle');
    }
  });

  test('a connection from another address than the configured peer is refused with Cease 6/5 and no OPEN', () => {
    const fsm = new SessionFsm({ ...SETTINGS, peerAddress: '169.254.10.2' });
    const actions = fsm.handle({ type: 'connected', remoteAddress: '169.254.10.6', remotePort: 179 });
    assert.deepEqual(actions.map((a) => a.type === 'send' ? a.message.type : a.type), ['stop-timer', 'stop-timer', 'notification', 'close-connection', 'down']);
    assert.deepEqual(sentNotification(actions), [6, 5]);
    const ok = new SessionFsm({ ...SETTINGS, peerAddress: '169.254.10.2' });
    assert.equal(ok.handle({ type: 'connected', remoteAddress: '::ffff:169.254.10.2', remotePort: 179 })[0]?.type, 'send');
    assert.equal(ok.state, 'OpenSent');
  });

  test('unexpected messages are FSM errors with the RFC 6608 subcode of the state', () => {
    const update = received(message(2, updateBody(Buffer.alloc(0), [], Buffer.alloc(0))));
    const inOpenSent = new SessionFsm(SETTINGS);
    inOpenSent.handle(CONNECTED);
    assert.deepEqual(sentNotification(inOpenSent.handle(KEEPALIVE)), [5, 1]);
    const inOpenConfirm = new SessionFsm(SETTINGS);
    inOpenConfirm.handle(CONNECTED);
    inOpenConfirm.handle(openFrom());
    assert.deepEqual(sentNotification(inOpenConfirm.handle(update)), [5, 2]);
    assert.deepEqual(sentNotification(established().handle(openFrom())), [5, 3]);
  });

  test('header and UPDATE errors send their NOTIFICATION', () => {
    const fsm = established();
    const actions = fsm.handle({ type: 'received', item: { ok: false, notification: { code: 1, subcode: 1, data: Buffer.alloc(0) } } });
    assert.deepEqual(sentNotification(actions), [1, 1]);
    const bad = established();
    assert.deepEqual(sentNotification(bad.handle(received(message(2, updateBody(Buffer.alloc(0), mandatory(), Buffer.from([33])))))), [3, 10]);
  });

  test('a received NOTIFICATION ends the session without sending one, keeping the shutdown message', () => {
    const fsm = established();
    const actions = fsm.handle(received(message(3, [6, 2, 3, 0x62, 0x79, 0x65])));
    assert.equal(sentNotification(actions), undefined);
    assert.deepEqual(downReason(actions), { kind: 'notification-received', code: 6, subcode: 2, message: 'bye' });
  });

  test('hold timer expiry sends 4/0; close sends the cause\'s Cease; a closed TCP connection just goes down', () => {
    const expired = established().handle({ type: 'timer-expired', timer: 'hold' });
    assert.deepEqual(sentNotification(expired), [4, 0]);
    assert.deepEqual(downReason(expired), { kind: 'hold-timer-expired' });
    const closing = established().handle({ type: 'close', cause: 'shutdown', message: 'maintenance' });
    const send = closing.find((a) => a.type === 'send');
    assert.ok(send?.type === 'send' && send.message.type === 'notification');
    assert.deepEqual(send.message.notification, { code: 6, subcode: 2, data: Buffer.from('\x0bmaintenance') });
    assert.deepEqual(downReason(closing), { kind: 'closed-locally', cause: 'shutdown' });
    for (const [cause, subcode] of [['tunnel-down', 2], ['deconfigured', 3], ['config-change', 6], ['max-prefixes', 1], ['rejected', 5], ['lease-lost', 8]] as const) {
      assert.deepEqual(sentNotification(established().handle({ type: 'close', cause })), [6, subcode]);
    }
    const tcp = established().handle({ type: 'connection-closed' });
    assert.equal(sentNotification(tcp), undefined);
    assert.deepEqual(downReason(tcp), { kind: 'connection-closed' });
    assert.equal(sentNotification(new SessionFsm(SETTINGS).handle({ type: 'close', cause: 'shutdown' })), undefined);
  });

  test('random event sequences: down at most once and last; nothing after it; updates only when established', () => {
    const random = rng(8);
    const pool: FsmEvent[] = [
      CONNECTED, openFrom(), openFrom({ asn: 1 }), KEEPALIVE, received(message(2, updateBody(Buffer.alloc(0), mandatory(), nlri('10.0.0.0/8')))),
      received(message(5, [0, 1, 0, 1])), received(message(3, [6, 3])), { type: 'timer-expired', timer: 'hold' },
      { type: 'timer-expired', timer: 'keepalive' }, { type: 'connection-closed' }, { type: 'close', cause: 'deconfigured' }, { type: 'local-failure' },
    ];
    for (let run = 0; run < 3000; run++) {
      const fsm = new SessionFsm(SETTINGS);
      let downs = 0;
      let establishedSeen = false;
      const length = random.int(1, 8);
      for (let i = 0; i < length; i++) {
        const event = random.next() < 0.5 ? pool[[0, 1, 3][i % 3]!]! : pool[random.int(0, pool.length - 1)]!;
        const before = fsm.state;
        const actions = fsm.handle(event);
        if (downs > 0) assert.deepEqual(actions, []);
        for (const [k, a] of actions.entries()) {
          if (a.type === 'down') {
            downs++;
            assert.equal(k, actions.length - 1);
          }
          if (a.type === 'established') establishedSeen = true;
          if (a.type === 'update' || a.type === 'refresh-requested') assert.equal(before, 'Established');
        }
      }
      assert.ok(downs <= 1);
      if (establishedSeen && downs === 0) assert.equal(fsm.state, 'Established');
    }
  });
});
