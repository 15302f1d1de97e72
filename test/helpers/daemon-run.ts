/**
 * Runs a routing daemon on a configuration rendered by `vcoroute peer-config`, unchanged, optionally inside
 * a network namespace: BIRD (speaker-daemons.ts), FRR bgpd (no zebra; no listening socket in loopback mode,
 * `-p 0` as the configuration's comment says), GoBGP (announcing with the command its configuration's comment
 * names), ExaBGP (the file alone: no API processes added). Call stopPeerDaemons() in `after`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PeerConfigFormat } from '../../src/bgp/peer-config';
import { command, eventually, startProcess, stopProcess } from './bgp-daemons';
import { randomHighPort, startBird, stopAllDaemons, tempRunDir } from './speaker-daemons';

export interface RunningDaemon {
  /** the daemon's own view of its sessions, for failure messages */
  status(): Promise<string>;
  stop(): Promise<void>;
}

const running = new Set<() => Promise<void>>();

/** Stops every daemon still running (call it in `after`: a failed test leaves nothing behind). */
export async function stopPeerDaemons(): Promise<void> {
  for (const stop of [...running]) await stop();
  await stopAllDaemons();
}

export async function runDaemon(format: PeerConfigFormat, config: string, announce: readonly string[], netns?: string): Promise<RunningDaemon> {
  if (format === 'bird') {
    const bird = await startBird(config, netns);
    return { status: () => bird.birdc('show', 'protocols'), stop: bird.stop };
  }
  const dir = tempRunDir(format);
  fs.chmodSync(dir, 0o777);
  const file = path.join(dir, format === 'gobgp' ? 'gobgpd.toml' : `${format}.conf`);
  fs.writeFileSync(file, config);
  const inNetns = (cmd: string, args: string[]): [string, string[]] => (netns ? ['ip', ['netns', 'exec', netns, cmd, ...args]] : [cmd, args]);
  const start = (cmd: string, args: string[], env?: NodeJS.ProcessEnv) => {
    const child = startProcess(...inNetns(cmd, args), dir, env);
    const stop = async () => {
      running.delete(stop);
      await stopProcess(child);
    };
    running.add(stop);
    return stop;
  };
  switch (format) {
    case 'frr': {
      const stop = start('/usr/lib/frr/bgpd', ['-Z', '-S', '-p', '0', '-f', file, '-i', path.join(dir, 'bgpd.pid'), '--vty_socket', dir, '-P', '0']);
      return { status: () => command('vtysh', ['--vty_socket', dir, '-d', 'bgpd', '-c', 'show bgp summary']), stop };
    }
    case 'gobgp': {
      const api = String(randomHighPort());
      const stop = start('gobgpd', ['-f', file, '--api-hosts', `127.0.0.1:${api}`, '-p', '--pprof-disable']);
      const gobgp = (...args: string[]) => command(...inNetns('gobgp', ['-u', '127.0.0.1', '-p', api, ...args]));
      // gobgpd takes a moment to open its API
      for (const prefix of announce) await eventually(async () => (await gobgp('global', 'rib', 'add', '-a', 'ipv4', prefix), true), 15_000, 'gobgpd\'s API');
      return { status: () => gobgp('neighbor'), stop };
    }
    case 'exabgp': {
      const log = path.join(dir, 'exabgp.log');
      const stop = start('exabgp', [file], { 'exabgp.daemon.user': 'root', 'exabgp.log.destination': log, 'exabgp.tcp.bind': '', 'exabgp.api.cli': 'false' });
      return { status: async () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').slice(-20).join('\n') : ''), stop };
    }
  }
}
