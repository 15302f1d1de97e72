/**
 * Two data centres through one transit router, end to end (issue 10, item 4): two BIRD routers, each peering with
 * its own connection, both connections attached to one transit router through the CEN API and propagating into
 * its route table. Each router's RIB shows the other's prefix with AS path `45104 <other router's AS>`; stopping
 * one router withdraws its prefix from the other. Loopback mode, on VCOROUTE_TEST_BACKEND.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as $Vpc from '@alicloud/vpc20160428';
import { CbnClient } from '../helpers/cbn-client';
import { attachRouted, cenWithRouter } from '../helpers/cen-fixtures';
import { REGION, useLoopbackServer, waitFor } from '../helpers/bgp-scenario';
import { hasCommand, randomHighPort, startBird, type Bird } from '../helpers/speaker-daemons';
import type { VpcClient } from '../helpers/vpc-client';

/** A dual-tunnel BGP connection whose customer gateways have `asn`. */
async function connection(vpc: VpcClient, asn: number, block: number): Promise<string> {
  const gw = await vpc.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: REGION, ipAddress: `203.0.113.${block}`, asn: String(asn) }));
  const tunnel = (index: number) => new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecification({
    customerGatewayId: gw.body!.customerGatewayId!, tunnelIndex: index,
    tunnelBgpConfig: new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecificationTunnelBgpConfig({ tunnelCidr: `169.254.${block + index}.0/30` }),
  });
  const created = await vpc.createVpnAttachment(new $Vpc.CreateVpnAttachmentRequest({
    regionId: REGION, localSubnet: '0.0.0.0/0', remoteSubnet: '0.0.0.0/0', enableTunnelsBgp: true, tunnelOptionsSpecification: [tunnel(1), tunnel(2)],
  }));
  return created.body!.vpnConnectionId!;
}

function birdConf(asn: number, localAddress: string, localPort: number, speakerPort: number, prefix: string): string {
  return `router id ${localAddress.replace(/^127\./, '10.')};
protocol device { }
protocol static dc { ipv4; route ${prefix} blackhole; }
protocol bgp tunnel1 {
  local ${localAddress} port ${localPort} as ${asn}; neighbor 127.0.0.1 port ${speakerPort} as 45104;
  multihop; connect delay time 1; connect retry time 2;
  ipv4 { import all; export where proto = "dc"; };
}
`;
}

describe('two routers through one transit router', { skip: !hasCommand('bird') && 'bird2 is not installed' }, () => {
  const suite = useLoopbackServer({ VCOROUTE_AUTO_ATTACH: '0' });
  const routers: Bird[] = [];

  test('each router learns the other data centre\'s prefix through the transit router; a stopped router\'s prefix is withdrawn', async () => {
    const vpc = suite.client;
    const cen = new CbnClient(suite.server.endpoint);
    const a = await connection(vpc, 65001, 40);
    const b = await connection(vpc, 65002, 50);
    const tr = await cenWithRouter(cen, 'dcs');
    for (const id of [a, b]) await attachRouted(cen, tr.transitRouterId, tr.systemTableId, id);

    const portOf = async (id: string) => (await waitFor(`${id} listening`, () => suite.server.admin('GET', `/_vcoroute/v1/vpn-connections/${id}/bgp`),
      (r) => r.body.tunnels?.[0]?.listen?.port > 0, 15_000)).body.tunnels[0].listen.port as number;
    const [portA, portB] = [await portOf(a), await portOf(b)];
    routers.push(await startBird(birdConf(65001, '127.0.0.2', randomHighPort(), portA, '10.1.0.0/24')));
    routers.push(await startBird(birdConf(65002, '127.0.0.4', randomHighPort(), portB, '10.2.0.0/24')));
    const [birdA, birdB] = routers as [Bird, Bird];

    // birdc exits non-zero for "Network not found": that is an empty answer here
    const route = (bird: Bird, prefix: string) => bird.birdc('show', 'route', 'for', prefix, 'all').catch((err: { stdout?: string }) => String(err.stdout ?? ''));
    const outB = await waitFor('router B learns 10.1.0.0/24', () => route(birdB, '10.1.0.0/24'), (o) => o.includes('10.1.0.0/24'), 30_000, 250);
    assert.match(outB, /BGP\.as_path: 45104 65001/);
    const outA = await waitFor('router A learns 10.2.0.0/24', () => route(birdA, '10.2.0.0/24'), (o) => o.includes('10.2.0.0/24'), 30_000, 250);
    assert.match(outA, /BGP\.as_path: 45104 65002/);
    assert.doesNotMatch(await route(birdA, '10.1.0.0/24'), /BGP\.as_path: 45104/, 'a router never gets its own prefix back from the cloud');

    const cloudOfB = await vpc.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: b, routeEntryType: 'bgp', pageSize: 50 }));
    const cloud = cloudOfB.body!.vcoRouteEntries!.filter((e) => e.source === 'CLOUD').map((e) => e.routeDest);
    assert.deepEqual(cloud, ['10.1.0.0/24'], 'the SDK lists what the router learned');

    await birdA.stop();
    await waitFor('router B loses 10.1.0.0/24', () => route(birdB, '10.1.0.0/24'), (o) => !o.includes('45104 65001'), 20_000, 250);
  });
});
