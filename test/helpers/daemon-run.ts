/**
 * Runs a routing daemon on a configuration rendered by `vcoroute peer-config`, unchanged, with the speaker
 * tests' daemon helpers (speaker-daemons.ts): BIRD, FRR bgpd (without zebra, no listening socket: `-p 0` as
 * the configuration's comment says), GoBGP (announcing with the command its configuration's comment names),
 * ExaBGP (the file alone: no API processes added). Call stopPeerDaemons() in `after`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PeerConfigFormat } from '../../src/bgp/peer-config';
import { eventually, startProcess, stopProcess } from './bgp-daemons';
import { randomHighPort, startBird, startFrr, startGoBgp, stopAllDaemons, tempRunDir } from './speaker-daemons';

export interface RunningDaemon {
  /** the daemon's own view of its sessions, for failure messages */
  status(): Promise<string>;
  stop(): Promise<void>;
}

const exabgps = new Set<() => Promise<void>>();

/** Stops every daemon still running (call it in `after`: a failed test leaves nothing behind). */
export async function stopPeerDaemons(): Promise<void> {
  for (const stop of [...exabgps]) await stop();
  await stopAllDaemons();
}

export async function runDaemon(format: PeerConfigFormat, config: string, announce: readonly string[]): Promise<RunningDaemon> {
  switch (format) {
    case 'bird': {
      const bird = await startBird(config);
      return { status: () => bird.birdc('show', 'protocols'), stop: bird.stop };
    }
    case 'frr': {
      const frr = await startFrr(config, '127.0.0.1', 0);
      return { status: () => frr.vtysh('show bgp summary'), stop: frr.stop };
    }
    case 'gobgp': {
      const gobgp = await startGoBgp(config, randomHighPort());
      // gobgpd takes a moment to open its API
      for (const prefix of announce) await eventually(async () => (await gobgp.gobgp('global', 'rib', 'add', '-a', 'ipv4', prefix), true), 15_000, 'gobgpd\'s API');
      return { status: () => gobgp.gobgp('neighbor'), stop: gobgp.stop };
    }
    case 'exabgp': {
      const dir = tempRunDir('exabgp');
      const file = path.join(dir, 'exabgp.conf');
      const log = path.join(dir, 'exabgp.log');
      fs.writeFileSync(file, config);
      const child = startProcess('exabgp', [file], dir, { 'exabgp.daemon.user': 'root', 'exabgp.log.destination': log, 'exabgp.tcp.bind': '', 'exabgp.api.cli': 'false' });
      const stop = async () => {
        exabgps.delete(stop);
        await stopProcess(child);
      };
      exabgps.add(stop);
      return { status: async () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').slice(-20).join('\n') : ''), stop };
    }
  }
}
