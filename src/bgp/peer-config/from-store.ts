/**
 * `vcoroute peer-config`: reads a connection, its customer gateways and (loopback mode) its tunnels' ports
 * straight from the store the server uses, and renders the router configuration. Ports are assigned the way
 * the speaker assigns them (idempotent), so the configuration is right before the server first ran.
 */
import type { BgpSpeakerConfig } from '../speaker/config';
import { StoreConflictError, type Store } from '../../store/store';
import { gatewayAsns } from '../../products/vpc/connection-access';
import { PEER_CONFIG_FORMATS, PeerConfigError, planPeerConfig, type PeerConfigFormat, type PlanInput } from './plan';
import { renderPeerConfig } from './index';

export interface PeerConfigRequest {
  connectionId: string;
  format: string;
  /** '1' | '2' as typed */
  tunnel?: string;
  /** comma-separated prefixes */
  announce?: string;
}

function parseFormat(text: string): PeerConfigFormat {
  const format = PEER_CONFIG_FORMATS.find((f) => f === text);
  if (!format) throw new PeerConfigError(`--format must be one of ${PEER_CONFIG_FORMATS.join(', ')}, not ${text}`);
  return format;
}

function parseTunnel(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text !== '1' && text !== '2') throw new PeerConfigError(`--tunnel must be 1 or 2, not ${text}`);
  return Number(text);
}

export async function peerConfigFromStore(store: Store, bgp: BgpSpeakerConfig, request: PeerConfigRequest): Promise<string> {
  const format = parseFormat(request.format);
  if (bgp.mode === 'off') {
    throw new PeerConfigError('the BGP speaker is off: give the mode the server runs with (--bgp loopback or --bgp tunnel, or VCOROUTE_BGP)');
  }
  const connection = await store.findConnection(request.connectionId);
  if (!connection) throw new PeerConfigError(`no VPN connection ${request.connectionId} in this store (check --data / --database)`);
  const input: PlanInput = {
    connection,
    gatewayAsns: await gatewayAsns(store, connection),
    endpoint: { mode: 'tunnel', port: bgp.port },
    holdTimeSec: bgp.holdTimeSec,
    tunnelIndex: parseTunnel(request.tunnel),
    announce: request.announce?.split(','),
  };
  // Planned once in tunnel mode first: a connection that cannot peer gets its error before any port is assigned.
  let plan = planPeerConfig(input);
  if (bgp.mode === 'loopback') {
    const ports = new Map<string, number>();
    for (const s of plan.sessions) {
      try {
        ports.set(s.tunnelId, await store.assignBgpPort(s.tunnelId, bgp.loopbackFirstPort, bgp.loopbackLastPort));
      } catch (err) {
        if (err instanceof StoreConflictError) throw new PeerConfigError(`no free BGP port left in ${bgp.loopbackFirstPort}-${bgp.loopbackLastPort} for tunnel ${s.tunnelId}`);
        throw err;
      }
    }
    plan = planPeerConfig({ ...input, endpoint: { mode: 'loopback', host: bgp.loopbackHost, portOf: (id) => ports.get(id)! } });
  }
  return renderPeerConfig(format, plan);
}
