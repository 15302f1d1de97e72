/** Connections and plans for the peer-config tests: a dual-tunnel BGP connection as CreateVpnAttachment stores it. */
import { seededConnection } from '../../src/domain/vpn';
import { planPeerConfig, type PlanInput, type SpeakerEndpoint } from '../../src/bgp/peer-config';
import type { ConnectionRecord } from '../../src/store/store';

export const GATEWAY_ID = 'cgw-peerconfigtest000001';

export function bgpConnection(): ConnectionRecord {
  const c = seededConnection({
    connectionId: 'vco-peerconfigtest000001',
    accountId: '1000000000000001',
    regionId: 'cn-hangzhou',
    state: 'attached',
    transitRouterId: 'tr-peerconfigtest0000001',
    createTime: 1_700_000_000_000,
    tunnels: [
      { tunnelId: 'tun-peerconfigtest000001', status: 'ipsec_sa_established' },
      { tunnelId: 'tun-peerconfigtest000002', status: 'ipsec_sa_established' },
    ],
  });
  c.attributes.enableTunnelsBgp = true;
  c.attributes.localSubnet = '172.16.0.0/16';
  c.attributes.remoteSubnet = '10.10.0.0/16';
  c.tunnels.forEach((t, i) => {
    t.customerGatewayId = GATEWAY_ID;
    t.options.bgp = { localAsn: 45104, tunnelCidr: `169.254.${i + 1}0.0/30`, localBgpIp: `169.254.${i + 1}0.1` };
  });
  return c;
}

export function loopback(host = '127.0.0.1'): SpeakerEndpoint {
  return { mode: 'loopback', host, portOf: (id) => (id.endsWith('1') ? 17901 : 17902) };
}
export const LOOPBACK = loopback();
export const TUNNEL: SpeakerEndpoint = { mode: 'tunnel', port: 179 };

export function plan(endpoint: SpeakerEndpoint, extra: Partial<PlanInput> = {}) {
  return planPeerConfig({ connection: bgpConnection(), gatewayAsns: new Map([[GATEWAY_ID, 65001]]), endpoint, holdTimeSec: 90, ...extra });
}
