/**
 * The user story of the BGP tests through the official SDK: a customer gateway with Asn=65001 and a
 * dual-tunnel connection with EnableTunnelsBgp, attached at once (server options auto-attach, change delay 0),
 * then what DescribeVcoRouteEntries lists.
 */
import { after, before } from 'node:test';
import * as $Vpc from '@alicloud/vpc20160428';
import { startTestServer, type TestServer } from './server';
import { stopAllDaemons } from './speaker-daemons';
import { vpcClient, type VpcClient } from './vpc-client';

export const REGION = 'cn-hangzhou';

/** Server environment: loopback BGP on a random port range (parallel runs do not collide), attach at once. */
export function loopbackServerEnv(): Record<string, string> {
  const first = 20000 + Math.floor(Math.random() * 900) * 10;
  return { VCOROUTE_BGP: 'loopback', VCOROUTE_BGP_LOOPBACK_PORTS: `${first}-${first + 9}`, VCOROUTE_AUTO_ATTACH: '1', VCOROUTE_CHANGE_DELAY_MS: '0' };
}

/**
 * Registers the suite's hooks: a loopback-mode server (and its SDK client) before, every daemon stopped and
 * the server closed after — also when a test failed.
 */
export function useLoopbackServer(env: Record<string, string> = {}): { readonly server: TestServer; readonly client: VpcClient } {
  const suite = {} as { server: TestServer; client: VpcClient };
  before(async () => {
    suite.server = await startTestServer(undefined, { ...loopbackServerEnv(), ...env });
    suite.client = vpcClient(suite.server);
  });
  after(async () => {
    await stopAllDaemons();
    await suite.server?.close();
  });
  return suite;
}

export interface BgpConnection {
  connectionId: string;
  tunnelIds: [string, string];
}

export async function createBgpConnection(client: VpcClient, cidrs: [string, string] = ['169.254.10.0/30', '169.254.20.0/30']): Promise<BgpConnection> {
  const gw = await client.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: REGION, ipAddress: '203.0.113.10', asn: '65001' }));
  const cgw = gw.body!.customerGatewayId!;
  const tunnel = (index: number, cidr: string) => new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecification({
    customerGatewayId: cgw, tunnelIndex: index,
    tunnelBgpConfig: new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecificationTunnelBgpConfig({ tunnelCidr: cidr }),
  });
  const created = await client.createVpnAttachment(new $Vpc.CreateVpnAttachmentRequest({
    regionId: REGION, localSubnet: '0.0.0.0/0', remoteSubnet: '0.0.0.0/0', name: 'bgp', enableTunnelsBgp: true,
    tunnelOptionsSpecification: [tunnel(1, cidrs[0]), tunnel(2, cidrs[1])],
  }));
  const connectionId = created.body!.vpnConnectionId!;
  const conn = await client.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: connectionId }));
  const ids = conn.body!.tunnelOptionsSpecification!.tunnelOptions!.map((t) => t.tunnelId!);
  return { connectionId, tunnelIds: [ids[0]!, ids[1]!] };
}

export interface ListedBgpRoute {
  routeDest: string;
  source: string;
  asPath: string;
  community: string;
  state: string;
  nextHopTunnelIds: string[];
  createTime: number;
}

/** Every RouteEntryType=bgp row of the connection (all pages), and VpnRouteCounts. */
export async function listBgpRoutes(client: VpcClient, connectionId: string): Promise<{ routes: ListedBgpRoute[]; counts: Record<string, number> }> {
  const routes: ListedBgpRoute[] = [];
  let counts: Record<string, number> | undefined;
  for (let page = 1; ; page++) {
    const res = await client.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({
      regionId: REGION, vpnConnectionId: connectionId, routeEntryType: 'bgp', pageNumber: page, pageSize: 50,
    }));
    const b = res.body!;
    for (const r of b.vcoRouteEntries ?? []) {
      routes.push({
        routeDest: r.routeDest!, source: r.source!, asPath: r.asPath!, community: r.community!, state: r.state!,
        nextHopTunnelIds: (r.nextHopTunnelIdList ?? []).map(String), createTime: r.createTime!,
      });
    }
    counts = Object.fromEntries((b.vpnRouteCounts ?? []).map((c) => [`${c.routeEntryType}/${c.source ?? ''}`, c.routeCount!]));
    if ((b.vcoRouteEntries ?? []).length < 50) break;
  }
  return { routes, counts: counts ?? {} };
}

export async function learned(client: VpcClient, connectionId: string): Promise<ListedBgpRoute[]> {
  return (await listBgpRoutes(client, connectionId)).routes.filter((r) => r.source === 'VPN_BGP').sort((a, b) => a.routeDest.localeCompare(b.routeDest));
}

/** vcoroute_bgp_faults_injected_total{kind} of one server (0 before the first such fault). */
export async function bgpFaultCount(baseUrl: string, kind: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const m = new RegExp(`^vcoroute_bgp_faults_injected_total\\{kind="${kind}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** Polls `probe` until `ok` holds (returns the last value) or the time is up (throws with the last value). */
export async function waitFor<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await probe();
    if (ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last, null, 1)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
