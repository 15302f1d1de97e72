/**
 * Decode rate of the BGP session layer (bgp.md §7 target: ≥ 500k prefixes/s or ≥ 250k UPDATEs/s on one
 * core). Builds two streams in memory and runs them through the same path a session uses — stream
 * decoder, then the FSM's UPDATE handling — in chunks of 64 KB:
 *   - "one prefix per UPDATE": BIRD's worst case with per-route attributes (AS path changing every 8 routes);
 *   - "packed": ~1,000 prefixes per UPDATE sharing one attribute set.
 *
 *   node --import tsx bench/bgp-codec.ts [--prefixes 1000000] [--rounds 3]
 */
import { parseArgs } from 'node:util';
import { encodeUpdates } from '../src/bgp/codec/update-encode';
import { SessionFsm, type FsmEvent } from '../src/bgp/fsm';
import type { AnnouncedRoute, PathAttributes } from '../src/bgp/session-api';
import { StreamDecoder } from '../src/bgp/stream-decoder';

const { values } = parseArgs({ options: { prefixes: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '3' } } });
const PREFIXES = Number(values.prefixes);
const ROUNDS = Number(values.rounds);
const CHUNK = 65536;

function prefixOf(i: number): string {
  return `${10 + (i >>> 16)}.${(i >>> 8) & 255}.${i & 255}.0/24`;
}

function attributesFor(group: number): PathAttributes {
  return {
    origin: 0, asPath: [{ type: 'sequence', asns: [65001, 12000 + group] }], nextHop: '127.0.0.2',
    communities: [(65535 << 16 | 65510) >>> 0], largeCommunities: [],
  };
}

function onePerUpdate(): Buffer {
  const messages: Buffer[] = [];
  for (let i = 0; i < PREFIXES; i++) {
    // a new attributes object per route: one UPDATE each, as BIRD sent them
    messages.push(...encodeUpdates([{ prefix: prefixOf(i), attributes: attributesFor(i >> 3) }], [], { fourOctetAs: true, ibgp: false }));
  }
  return Buffer.concat(messages);
}

function packed(): Buffer {
  const attributes = attributesFor(0);
  const routes: AnnouncedRoute[] = [];
  for (let i = 0; i < PREFIXES; i++) routes.push({ prefix: prefixOf(i), attributes });
  return Buffer.concat(encodeUpdates(routes, [], { fourOctetAs: true, ibgp: false }));
}

/** An FSM brought to Established by a scripted peer, as a session would be. */
function establishedFsm(): SessionFsm {
  const fsm = new SessionFsm({ localAsn: 45104, routerId: '169.254.10.1', peerAsn: 65001, peerAddress: null, holdTimeSec: 90 });
  fsm.handle({ type: 'connected', remoteAddress: '127.0.0.2', remotePort: 40000 });
  const open = Buffer.from('04fde9005a0aff000208020641040000fde9', 'hex');
  fsm.handle({ type: 'received', item: { ok: true, frame: { type: 1, body: open } } });
  fsm.handle({ type: 'received', item: { ok: true, frame: { type: 4, body: Buffer.alloc(0) } } });
  if (fsm.state !== 'Established') throw new Error(`bench FSM not established: ${fsm.state}`);
  return fsm;
}

function measure(name: string, stream: Buffer): void {
  for (let round = 1; round <= ROUNDS; round++) {
    const fsm = establishedFsm();
    const decoder = new StreamDecoder();
    let updates = 0;
    let prefixes = 0;
    const started = process.cpuUsage();
    const wall = process.hrtime.bigint();
    for (let p = 0; p < stream.length; p += CHUNK) {
      decoder.push(stream.subarray(p, p + CHUNK));
      for (let item = decoder.next(); item !== undefined; item = decoder.next()) {
        const event: FsmEvent = { type: 'received', item };
        for (const action of fsm.handle(event)) {
          if (action.type === 'update') {
            updates++;
            prefixes += action.update.announced.length;
          }
        }
      }
    }
    const cpu = process.cpuUsage(started);
    const cpuSec = (cpu.user + cpu.system) / 1e6;
    const wallSec = Number(process.hrtime.bigint() - wall) / 1e9;
    if (prefixes !== PREFIXES) throw new Error(`decoded ${prefixes} prefixes, expected ${PREFIXES}`);
    console.log(`${name.padEnd(22)} round ${round}: ${updates.toLocaleString('en')} UPDATEs, ${(stream.length / 1e6).toFixed(1)} MB, `
      + `CPU ${cpuSec.toFixed(2)} s (wall ${wallSec.toFixed(2)} s): ${Math.round(prefixes / cpuSec).toLocaleString('en')} prefixes/s, `
      + `${Math.round(updates / cpuSec).toLocaleString('en')} UPDATEs/s`);
  }
}

console.log(`BGP decode rate, ${PREFIXES.toLocaleString('en')} /24 prefixes, Node ${process.version}`);
measure('one prefix per UPDATE', onePerUpdate());
measure('packed', packed());
