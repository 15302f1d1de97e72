/**
 * The BGP speaker's entry point: started and stopped by server/app.ts, nothing else. Mode off starts
 * nothing (no ports); the admin view still shows the configured tunnels and sessions other servers run.
 */
import type { Logger } from 'pino';
import type { ConnectionRecord, Store } from '../../store/store';
import { acceptTunnelSession } from '../session';
import type { BgpSpeakerConfig } from './config';
import type { BgpFaultHooks } from './faults';
import { BgpSpeaker, type BgpStats } from './speaker';
import { describeTunnels, type TunnelBgpView } from './view';

export type { TunnelBgpView } from './view';
export { isVpnWrite } from './change-hints';
export type { BgpFaultHooks, BgpFaultKind } from './faults';

export interface ConnectionBgpView {
  connectionId: string;
  mode: BgpSpeakerConfig['mode'];
  tunnels: TunnelBgpView[];
}

export interface RunningBgpSpeaker {
  /** a change was made through this server: reconcile listeners, sessions and CLOUD export now */
  changed(): void;
  describe(c: ConnectionRecord, now: number): Promise<ConnectionBgpView>;
  /** sessions by state and prefix counts of this server (metrics) */
  stats(): BgpStats;
  close(): Promise<void>;
}

/** `faults`: BGP fault injection (src/chaos/bgp-fault-rules.ts) on this server's sessions. */
export async function startBgpSpeaker(config: BgpSpeakerConfig, store: Store, logger: Logger, faults?: BgpFaultHooks): Promise<RunningBgpSpeaker> {
  if (config.mode === 'off') {
    return {
      changed: () => undefined,
      stats: () => ({ sessions: {}, received: 0, accepted: 0, advertised: 0 }),
      describe: async (c, now) => ({ connectionId: c.connectionId, mode: 'off', tunnels: await describeTunnels(store, c, now, () => undefined) }),
      close: async () => undefined,
    };
  }
  const speaker = new BgpSpeaker(config, store, logger, acceptTunnelSession, faults);
  await speaker.start();
  return {
    changed: () => speaker.hint(),
    stats: () => speaker.stats(),
    describe: async (c, now) => ({ connectionId: c.connectionId, ...(await speaker.describe(c, now)) }),
    close: () => speaker.close(),
  };
}
