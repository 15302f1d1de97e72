/**
 * The whole lifecycle through the official @alicloud/vpc20160428 client: customer gateways → dual-tunnel
 * attachment (TunnelOptionsSpecification in a chunked form body) → attach → Vco routes → list → modify →
 * delete; plus asynchronous states and idempotency.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as $Vpc from '@alicloud/vpc20160428';
import { assertNoServerErrors } from '../helpers/http';
import { startTestServer, type TestServer } from '../helpers/server';
import { expectSdkError, vpcClient, type VpcClient } from '../helpers/vpc-client';

const REGION = 'cn-hangzhou';

async function createGateway(client: VpcClient, ip: string, asn?: string): Promise<string> {
  const res = await client.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: REGION, ipAddress: ip, asn, name: `cgw ${ip}` }));
  return res.body!.customerGatewayId!;
}

function dualTunnelRequest(cgw1: string, cgw2: string, extra: Record<string, unknown> = {}) {
  return new $Vpc.CreateVpnAttachmentRequest({
    regionId: REGION,
    localSubnet: '0.0.0.0/0',
    remoteSubnet: '0.0.0.0/0',
    name: 'to-idc',
    enableTunnelsBgp: true,
    tunnelOptionsSpecification: [
      new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecification({
        customerGatewayId: cgw1,
        tunnelIndex: 1,
        tunnelBgpConfig: new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecificationTunnelBgpConfig({ tunnelCidr: '169.254.11.0/30', localBgpIp: '169.254.11.1' }),
        tunnelIkeConfig: new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecificationTunnelIkeConfig({ psk: 'a b'.replace(' ', '') + '!x', ikeVersion: 'ikev1' }),
      }),
      new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecification({
        customerGatewayId: cgw2,
        tunnelIndex: 2,
        tunnelBgpConfig: new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecificationTunnelBgpConfig({ tunnelCidr: '169.254.12.0/30' }),
      }),
    ],
    ...extra,
  });
}

describe('VPN lifecycle through the official SDK (change delay 0)', () => {
  let server: TestServer;
  let client: VpcClient;

  before(async () => {
    server = await startTestServer(undefined, { VCOROUTE_CHANGE_DELAY_MS: '0' });
    client = vpcClient(server);
  });
  after(async () => server.close());

  test('scenario: gateways → dual-tunnel attachment → attach → three routes → list → modify weight → delete one → list', async () => {
    const cgw1 = await createGateway(client, '203.0.113.10', '65001');
    const cgw2 = await createGateway(client, '203.0.113.11', '65002');
    assert.match(cgw1, /^cgw-[0-9a-z]{20}$/);

    const created = await client.createVpnAttachment(dualTunnelRequest(cgw1, cgw2));
    const id = created.body!.vpnConnectionId!;
    assert.match(id, /^vco-[0-9a-z]{20}$/);
    assert.equal(created.body!.success, true);
    assert.equal(created.body!.code, '200');
    assert.equal(typeof created.body!.createTime, 'number');

    let conn = (await client.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: id }))).body!;
    assert.equal(conn.state, 'init');
    assert.equal(conn.attachType, 'NO_ASSOCIATED');
    const tunnels = conn.tunnelOptionsSpecification!.tunnelOptions!;
    assert.equal(tunnels.length, 2);
    assert.equal(tunnels[0]!.tunnelIndex, 1);
    assert.equal(tunnels[0]!.tunnelBgpConfig!.tunnelCidr, '169.254.11.0/30');
    assert.equal(tunnels[0]!.tunnelBgpConfig!.localBgpIp, '169.254.11.1');
    assert.equal(tunnels[0]!.tunnelBgpConfig!.peerBgpIp, '169.254.11.2');
    assert.equal(tunnels[0]!.tunnelBgpConfig!.localAsn, '45104');
    assert.equal(tunnels[0]!.tunnelBgpConfig!.peerAsn, '65001');
    assert.equal(tunnels[1]!.tunnelBgpConfig!.localBgpIp, '169.254.12.1', 'first usable address by default');
    assert.equal(tunnels[0]!.tunnelIkeConfig!.ikeVersion, 'ikev1');
    assert.equal(tunnels[1]!.tunnelIkeConfig!.ikeVersion, 'ikev2', 'documented default');
    assert.match(tunnels[1]!.tunnelIkeConfig!.psk!, /^[A-Za-z0-9]{16}$/, 'generated 16-character PSK');
    assert.equal(tunnels[1]!.tunnelIkeConfig!.remoteId, '203.0.113.11', 'RemoteId defaults to the gateway IP');
    assert.equal(tunnels[0]!.enableDpd, 'true');
    assert.equal(tunnels[0]!.status, 'ike_sa_not_established', 'no negotiation before attachment');

    // Routes need an attached connection.
    await expectSdkError(client.createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({
      regionId: REGION, vpnConnectionId: id, routeDest: '192.168.1.0/24', nextHop: id, weight: 100,
    })), 'Vco.StatusNotSupport', 400);
    await expectSdkError(client.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: id })),
      'Vco.StatusNotSupport', 400);

    const attach = await server.admin('POST', `/_vcoroute/v1/vpn-connections/${id}/attach`, { transitRouterId: 'tr-abc123' });
    assert.equal(attach.status, 200);
    conn = (await client.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: id }))).body!;
    assert.equal(conn.state, 'attached');
    assert.equal(conn.transitRouterId, 'tr-abc123');
    assert.equal(conn.attachType, 'CEN');
    assert.equal(conn.tunnelOptionsSpecification!.tunnelOptions![0]!.status, 'ipsec_sa_established');

    const attachments = (await client.describeVpnAttachments(new $Vpc.DescribeVpnAttachmentsRequest({ regionId: REGION }))).body!;
    assert.equal(attachments.totalCount, 1);
    assert.equal(attachments.vpnAttachments![0]!.instanceId, id);
    assert.equal(attachments.vpnAttachments![0]!.crossAccountAuthorized, false);

    for (const [dest, weight] of [['192.168.1.0/24', 100], ['192.168.2.0/24', 0], ['10.8.0.0/16', 100]] as const) {
      const r = await client.createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({
        regionId: REGION, vpnConnectionId: id, routeDest: dest, nextHop: id, weight, description: `route ${dest}`,
      }));
      assert.equal(r.body!.state, 'published');
      assert.equal(r.body!.weight, weight);
      assert.equal(r.body!.overlayMode, 'Ipsec');
    }
    let list = (await client.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: id }))).body!;
    assert.equal(list.totalCount, 3);
    assert.deepEqual(list.vcoRouteEntries!.map((r) => [r.routeDest, r.weight]), [['192.168.1.0/24', 100], ['192.168.2.0/24', 0], ['10.8.0.0/16', 100]]);
    assert.deepEqual(list.vcoRouteEntries![0]!.nextHopTunnelIdList, tunnels.map((t) => t.tunnelId));

    await client.modifyVcoRouteEntryWeight(new $Vpc.ModifyVcoRouteEntryWeightRequest({
      regionId: REGION, vpnConnectionId: id, routeDest: '192.168.2.0/24', nextHop: id, weight: 0, newWeight: 100,
    }));
    await client.deleteVcoRouteEntry(new $Vpc.DeleteVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: id, routeDest: '192.168.1.0/24', nextHop: id, weight: 100 }));
    list = (await client.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: id }))).body!;
    assert.deepEqual(list.vcoRouteEntries!.map((r) => [r.routeDest, r.weight]), [['192.168.2.0/24', 100], ['10.8.0.0/16', 100]]);

    // Teardown: a gateway in use cannot go; an attached connection must be detached first.
    await expectSdkError(client.deleteCustomerGateway(new $Vpc.DeleteCustomerGatewayRequest({ regionId: REGION, customerGatewayId: cgw1 })),
      'DependencyViolation.VpnConnection', 400);
    await expectSdkError(client.deleteVpnAttachment(new $Vpc.DeleteVpnAttachmentRequest({ regionId: REGION, vpnConnectionId: id })), 'Vco.StatusNotSupport', 400);
    assert.equal((await server.admin('POST', `/_vcoroute/v1/vpn-connections/${id}/detach`)).status, 200);
    const deleted = await client.deleteVpnAttachment(new $Vpc.DeleteVpnAttachmentRequest({ regionId: REGION, vpnConnectionId: id }));
    assert.equal(deleted.body!.success, true);
    await client.deleteCustomerGateway(new $Vpc.DeleteCustomerGatewayRequest({ regionId: REGION, customerGatewayId: cgw1 }));
    await expectSdkError(client.describeCustomerGateway(new $Vpc.DescribeCustomerGatewayRequest({ regionId: REGION, customerGatewayId: cgw1 })),
      'InvalidCustomerGatewayInstanceId.NotFound', 404);
  });

  test('customer gateways: rules and views', async () => {
    for (const ip of ['100.64.0.1', '127.0.0.1', '169.254.1.1', '224.0.0.5', '239.1.1.1', '255.1.2.3', '300.1.1.1', 'abc']) {
      await expectSdkError(client.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: REGION, ipAddress: ip })), 'IllegalParam.IpAddress', 400);
    }
    for (const asn of ['0', '45104', '4294967296', '1.65536', 'x']) {
      await expectSdkError(client.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: REGION, ipAddress: '198.51.100.1', asn })), 'IllegalParam.Asn', 400);
    }
    await expectSdkError(client.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: REGION })), 'MissingIpAddress', 400);
    for (const regionId of ['cn:hangzhou', 'acs:vpc:*', 'CN-HANGZHOU', 'cn-hangzhou/x']) {
      await expectSdkError(client.describeCustomerGateways(new $Vpc.DescribeCustomerGatewaysRequest({ regionId })), 'IllegalParam.RegionId', 400);
    }
    await expectSdkError(client.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: REGION, ipAddress: '198.51.100.1', name: 'http://x' })), 'IllegalParam.Name', 400);
    await expectSdkError(client.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({
      regionId: REGION, ipAddress: '198.51.100.1', tags: [new $Vpc.CreateCustomerGatewayRequestTags({ key: 'aliyun-x', value: 'v' })],
    })), 'IllegalParam.Tags', 400);

    const id = await createGateway(client, '198.51.100.7', '123.456');
    const one = (await client.describeCustomerGateway(new $Vpc.DescribeCustomerGatewayRequest({ regionId: REGION, customerGatewayId: id }))).body!;
    assert.equal(one.asn, 123 * 65536 + 456, 'a.b form');
    assert.equal(one.ipAddress, '198.51.100.7');
    assert.equal(typeof one.createTime, 'number');
    const page = (await client.describeCustomerGateways(new $Vpc.DescribeCustomerGatewaysRequest({ regionId: REGION, customerGatewayId: id }))).body!;
    assert.equal(page.totalCount, 1);
    assert.equal(page.customerGateways!.customerGateway![0]!.customerGatewayId, id);
    const other = (await client.describeCustomerGateways(new $Vpc.DescribeCustomerGatewaysRequest({ regionId: 'cn-shanghai' }))).body!;
    assert.equal(other.totalCount, 0, 'regions are separate');
  });

  test('CreateVpnAttachment: validation and DryRun change nothing', async () => {
    const cgw1 = await createGateway(client, '192.0.2.1', '65010');
    const cgw2 = await createGateway(client, '192.0.2.2');
    const before = (await client.describeVpnConnections(new $Vpc.DescribeVpnConnectionsRequest({ regionId: REGION }))).body!.totalCount;
    await expectSdkError(client.createVpnAttachment(dualTunnelRequest(cgw1, cgw2, { dryRun: true })), 'IllegalParam.CustomerGatewayId', 400);
    const cgw3 = await createGateway(client, '192.0.2.3', '65011');
    await expectSdkError(client.createVpnAttachment(dualTunnelRequest(cgw1, cgw3, { dryRun: true })), 'DryRunOperation', 400);
    await expectSdkError(client.createVpnAttachment(dualTunnelRequest(cgw1, 'cgw-doesnotexist')), 'InvalidCustomerGatewayInstanceId.NotFound', 404);
    await expectSdkError(client.createVpnAttachment(dualTunnelRequest(cgw1, cgw3, { localSubnet: '10.0.0.1/8' })), 'IllegalParam.LocalSubnet', 400);
    await expectSdkError(client.createVpnAttachment(new $Vpc.CreateVpnAttachmentRequest({ regionId: REGION, localSubnet: '0.0.0.0/0' })), 'MissingRemoteSubnet', 400);

    const badCidr = (tunnelCidr: string) => {
      const req = dualTunnelRequest(cgw1, cgw3);
      req.tunnelOptionsSpecification![1]!.tunnelBgpConfig!.tunnelCidr = tunnelCidr;
      return req;
    };
    for (const cidr of ['169.254.11.0/30', '169.254.1.0/30', '169.254.169.252/30', '10.0.0.0/30', '169.254.20.0/29']) {
      await expectSdkError(client.createVpnAttachment(badCidr(cidr)), 'IllegalParam.TunnelCidr', 400);
    }
    const badIp = dualTunnelRequest(cgw1, cgw3);
    badIp.tunnelOptionsSpecification![0]!.tunnelBgpConfig!.localBgpIp = '169.254.11.3';
    await expectSdkError(client.createVpnAttachment(badIp), 'IllegalParam.LocalBgpIp', 400);
    const badPsk = dualTunnelRequest(cgw1, cgw3);
    badPsk.tunnelOptionsSpecification![0]!.tunnelIkeConfig!.psk = 'has space';
    await expectSdkError(client.createVpnAttachment(badPsk), 'IllegalParam.Psk', 400);
    const oneTunnel = dualTunnelRequest(cgw1, cgw3);
    oneTunnel.tunnelOptionsSpecification = oneTunnel.tunnelOptionsSpecification!.slice(0, 1);
    await expectSdkError(client.createVpnAttachment(oneTunnel), 'IllegalParam.TunnelOptionsSpecification', 400);

    const after = (await client.describeVpnConnections(new $Vpc.DescribeVpnConnectionsRequest({ regionId: REGION }))).body!.totalCount;
    assert.equal(after, before, 'failed and dry-run calls created nothing');
  });

  test('single-tunnel attachment with JSON-string configs; ClientToken retry returns the same connection', async () => {
    const cgw = await createGateway(client, '192.0.2.50', '65020');
    const request = () => new $Vpc.CreateVpnAttachmentRequest({
      regionId: REGION, localSubnet: '10.1.0.0/16,10.2.0.0/16', remoteSubnet: '172.16.0.0/12', customerGatewayId: cgw, clientToken: 'tok-single-1',
      // JSON-string parameters, as the SDK model types them
      ikeConfig: JSON.stringify({ IkeVersion: 'ikev2', Psk: 'secretPsk1' }),
      bgpConfig: JSON.stringify({ EnableBgp: 'true', TunnelCidr: '169.254.30.0/30' }),
    });
    const first = await client.createVpnAttachment(request());
    const second = await client.createVpnAttachment(request());
    assert.equal(second.body!.vpnConnectionId, first.body!.vpnConnectionId);
    const changed = request();
    changed.name = 'different';
    await expectSdkError(client.createVpnAttachment(changed), 'IdempotentParameterMismatch', 400);

    const id = first.body!.vpnConnectionId!;
    const list = (await client.describeVpnConnections(new $Vpc.DescribeVpnConnectionsRequest({ regionId: REGION, customerGatewayId: cgw }))).body!;
    assert.equal(list.totalCount, 1, 'the retry created nothing');
    const c = list.vpnConnections!.vpnConnection![0]!;
    assert.equal(c.vpnConnectionId, id);
    assert.equal(c.localSubnet, '10.1.0.0/16,10.2.0.0/16');
    assert.equal(c.ikeConfig!.ikeVersion, 'ikev2');
    assert.equal(c.ikeConfig!.ikeAuthAlg, 'md5', 'single-tunnel default');
    assert.equal(c.ikeConfig!.ikeLifetime, 86400);
    const one = (await client.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: id }))).body!;
    assert.equal(one.vpnBgpConfig!.enableBgp, 'true', 'a string in this model');
    assert.equal(c.vpnBgpConfig!.localBgpIp, '169.254.30.1');
    assert.equal(c.vpnBgpConfig!.peerAsn, 65020);
    assert.equal(c.tunnelOptionsSpecification, undefined);

    const modified = await client.modifyVpnAttachmentAttribute(new $Vpc.ModifyVpnAttachmentAttributeRequest({
      regionId: REGION, vpnConnectionId: id, name: 'renamed', ikeConfig: JSON.stringify({ IkeEncAlg: 'aes256' }),
    }));
    assert.equal(modified.body!.name, 'renamed');
    assert.equal(modified.body!.ikeConfig!.ikeEncAlg, 'aes256');
    const rebgp = await client.modifyVpnAttachmentAttribute(new $Vpc.ModifyVpnAttachmentAttributeRequest({
      regionId: REGION, vpnConnectionId: id, bgpConfig: JSON.stringify({ TunnelCidr: '169.254.31.0/30' }),
    }));
    assert.equal(rebgp.body!.vpnBgpConfig!.localBgpIp, '169.254.31.1', 'a new TunnelCidr takes its default LocalBgpIp');
    assert.equal(rebgp.body!.vpnBgpConfig!.enableBgp, 'true', 'EnableBgp kept when not given');
    await client.deleteVpnConnection(new $Vpc.DeleteVpnConnectionRequest({ regionId: REGION, vpnConnectionId: id }));
    await expectSdkError(client.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: id })),
      'InvalidVpnConnectionInstanceId.NotFound', 404);
  });

  test('ModifyVpnAttachmentAttribute on a dual-tunnel connection: typed plain-array tunnels, rules', async () => {
    const cgw1 = await createGateway(client, '192.0.2.60', '65030');
    const cgw2 = await createGateway(client, '192.0.2.61', '65031');
    const id = (await client.createVpnAttachment(dualTunnelRequest(cgw1, cgw2, { enableTunnelsBgp: false }))).body!.vpnConnectionId!;
    const tunnelId = (await client.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: id })))
      .body!.tunnelOptionsSpecification!.tunnelOptions![1]!.tunnelId!;
    await expectSdkError(client.modifyVpnAttachmentAttribute(new $Vpc.ModifyVpnAttachmentAttributeRequest({
      regionId: REGION, vpnConnectionId: id, networkType: 'private',
    })), 'IllegalParam.NetworkType', 400);
    const withBgp = (enable: boolean) => new $Vpc.ModifyVpnAttachmentAttributeRequest({
      regionId: REGION, vpnConnectionId: id, enableTunnelsBgp: enable,
      tunnelOptionsSpecification: [new $Vpc.ModifyVpnAttachmentAttributeRequestTunnelOptionsSpecification({
        tunnelId, tunnelBgpConfig: new $Vpc.ModifyVpnAttachmentAttributeRequestTunnelOptionsSpecificationTunnelBgpConfig({ tunnelCidr: '169.254.40.0/30' }),
        tunnelIpsecConfig: new $Vpc.ModifyVpnAttachmentAttributeRequestTunnelOptionsSpecificationTunnelIpsecConfig({ ipsecPfs: 'disabled' }),
      })],
    });
    await expectSdkError(client.modifyVpnAttachmentAttribute(withBgp(false)), 'IllegalParam.TunnelBgpConfig', 400);
    const res = (await client.modifyVpnAttachmentAttribute(withBgp(true))).body!;
    const t2 = res.tunnelOptionsSpecification!.find((t) => t.tunnelId === tunnelId)!;
    assert.equal(t2.tunnelBgpConfig!.tunnelCidr, '169.254.40.0/30');
    assert.equal(t2.tunnelBgpConfig!.localAsn, 45104);
    assert.equal(t2.enableDpd, true);
    assert.equal(t2.tunnelIpsecConfig!.ipsecPfs, 'disabled');
    assert.equal(res.enableTunnelsBgp, true);
  });

  test('Vco route rules', async () => {
    const cgw1 = await createGateway(client, '192.0.2.70', '65040');
    const cgw2 = await createGateway(client, '192.0.2.71', '65041');
    const id = (await client.createVpnAttachment(dualTunnelRequest(cgw1, cgw2))).body!.vpnConnectionId!;
    await server.admin('POST', `/_vcoroute/v1/vpn-connections/${id}/attach`, { transitRouterId: 'tr-rules1' });
    const create = (routeDest: string, extra: Record<string, unknown> = {}) => client.createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({
      regionId: REGION, vpnConnectionId: id, routeDest, nextHop: id, weight: 100, ...extra,
    }));
    await expectSdkError(create('0.0.0.0/0'), 'IllegalParam.RouteDest', 400);
    for (const dest of ['100.64.0.0/10', '100.100.0.0/16', '100.0.0.0/8', '10.0.0.1/8', 'nonsense']) await expectSdkError(create(dest), 'IllegalParam.RouteDest', 400);
    await expectSdkError(create('10.9.0.0/16', { weight: 50 }), 'IllegalParam.Weight', 400);
    await expectSdkError(create('10.9.0.0/16', { overlayMode: 'Gre' }), 'IllegalParam.OverlayMode', 400);
    await expectSdkError(create('10.9.0.0/16', { nextHop: 'vco-other' }), 'IllegalParam.NextHop', 400);
    await expectSdkError(create('10.9.0.0/16', { vpnConnectionId: 'vco-nothere', nextHop: 'vco-nothere' }), 'InvalidVpnConnectionInstanceId.NotFound', 404);
    await expectSdkError(create('10.9.0.0/16', { dryRun: true }), 'DryRunOperation', 400);
    await create('10.9.0.0/16');
    await expectSdkError(create('10.9.0.0/16'), 'VcoRouteEntry.AlreadyExists', 400);
    await expectSdkError(create('10.9.0.0/16', { weight: 0 }), 'VcoRouteEntry.AlreadyExists', 400);
    const addr = { regionId: REGION, vpnConnectionId: id, routeDest: '10.9.0.0/16', nextHop: id };
    await expectSdkError(client.deleteVcoRouteEntry(new $Vpc.DeleteVcoRouteEntryRequest({ ...addr, weight: 0 })), 'InvalidVcoRouteEntry.NotFound', 404);
    await expectSdkError(client.modifyVcoRouteEntryWeight(new $Vpc.ModifyVcoRouteEntryWeightRequest({ ...addr, weight: 100, newWeight: 7 })), 'IllegalParam.NewWeight', 400);
    await expectSdkError(client.modifyVcoRouteEntryWeight(new $Vpc.ModifyVcoRouteEntryWeightRequest({ ...addr, routeDest: '10.10.0.0/16', weight: 100, newWeight: 0 })),
      'InvalidVcoRouteEntry.NotFound', 404);
    const list = (await client.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: id }))).body!;
    assert.deepEqual(list.vcoRouteEntries!.map((r) => r.routeDest), ['10.9.0.0/16'], 'failed and dry-run calls created nothing');
  });

  test('admin lifecycle endpoints: state rules, tunnel status drives NextHopTunnelIdList; more than 20 tags refused', async () => {
    const cgw1 = await createGateway(client, '192.0.2.90', '65060');
    const cgw2 = await createGateway(client, '192.0.2.91', '65061');
    const tags = Array.from({ length: 21 }, (_, i) => new $Vpc.CreateVpnAttachmentRequestTags({ key: `k${i}`, value: 'v' }));
    await expectSdkError(client.createVpnAttachment(dualTunnelRequest(cgw1, cgw2, { tags })), 'IllegalParam.Tags', 400);
    const id = (await client.createVpnAttachment(dualTunnelRequest(cgw1, cgw2, { tags: tags.slice(0, 20) }))).body!.vpnConnectionId!;
    const path = `/_vcoroute/v1/vpn-connections/${id}`;
    assert.equal((await server.admin('POST', `${path}/detach`)).status, 409, 'not attached');
    assert.equal((await server.admin('POST', `${path}/attach`, { transitRouterId: 'bad' })).status, 400);
    assert.equal((await server.admin('POST', `${path}/attach`, { transitRouterId: 'tr-x1' })).status, 200);
    assert.equal((await server.admin('POST', `${path}/attach`, { transitRouterId: 'tr-x1' })).status, 409, 'already attached');
    const conn = (await client.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: id }))).body!;
    assert.equal(conn.tags!.tag!.length, 20);
    const [t1, t2] = conn.tunnelOptionsSpecification!.tunnelOptions!.map((t) => t.tunnelId!);
    const down = await server.admin('PUT', `${path}/tunnels/${t2}`, { status: 'ipsec_sa_not_established' });
    assert.equal(down.status, 200);
    assert.equal((await server.admin('PUT', `${path}/tunnels/${t2}`, { status: 'up' })).status, 400);
    assert.equal((await server.admin('PUT', `${path}/tunnels/tun-unknown`, { status: 'ipsec_sa_established' })).status, 404);
    await client.createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: id, routeDest: '10.30.0.0/16', nextHop: id, weight: 100 }));
    const listed = (await client.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: id }))).body!;
    assert.deepEqual(listed.vcoRouteEntries![0]!.nextHopTunnelIdList, [t1], 'only the tunnel whose phase 2 is up');
    assert.deepEqual(listed.vpnRouteCounts!.map((c) => c.routeCount), [1, 0, 0]);
  });

  test('no response was a 5xx', () => assertNoServerErrors());
});

describe('asynchronous states (change delay 400 ms, auto-attach)', () => {
  let server: TestServer;
  let client: VpcClient;

  before(async () => {
    server = await startTestServer(undefined, { VCOROUTE_CHANGE_DELAY_MS: '400', VCOROUTE_AUTO_ATTACH: 'tr-auto1' });
    client = vpcClient(server);
  });
  after(async () => server.close());

  const state = async (id: string) =>
    (await client.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: id }))).body!.state;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  test('auto-attach: attaching → attached; a route change: updating → attached; a second change while updating is refused', async () => {
    const cgw1 = await createGateway(client, '192.0.2.80', '65050');
    const cgw2 = await createGateway(client, '192.0.2.81', '65051');
    const id = (await client.createVpnAttachment(dualTunnelRequest(cgw1, cgw2))).body!.vpnConnectionId!;
    assert.equal(await state(id), 'attaching');
    const route = (dest: string) => client.createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({ regionId: REGION, vpnConnectionId: id, routeDest: dest, nextHop: id, weight: 100 }));
    await expectSdkError(route('10.20.0.0/16'), 'VpnConnection.Configuring', 400);
    await sleep(450);
    assert.equal(await state(id), 'attached');
    await route('10.20.0.0/16');
    assert.equal(await state(id), 'updating');
    await expectSdkError(route('10.21.0.0/16'), 'VpnConnection.Configuring', 400);
    const listed = (await client.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: id }))).body!;
    assert.equal(listed.totalCount, 1, 'routes can be listed while updating');
    await sleep(450);
    assert.equal(await state(id), 'attached');
    await route('10.21.0.0/16');

    // A second server on the same store sees the same derived state (timestamps, not timers).
    await sleep(450);
    const dataDir = server.dataDir;
    await server.close();
    server = await startTestServer(dataDir, { VCOROUTE_CHANGE_DELAY_MS: '400' });
    client = vpcClient(server);
    assert.equal(await state(id), 'attached');
    assert.equal((await server.admin('POST', `/_vcoroute/v1/vpn-connections/${id}/detach`)).status, 200);
    assert.equal(await state(id), 'detaching');
    await sleep(450);
    assert.equal(await state(id), 'init');
  });

  test('no response was a 5xx', () => assertNoServerErrors());
});

describe('README example (examples/lifecycle.ts) against a default-delay, auto-attach server', () => {
  test('runs to the end and prints the routes left', async () => {
    const { execFile } = await import('node:child_process');
    const server = await startTestServer(undefined, { VCOROUTE_AUTO_ATTACH: '1' });
    try {
      const output = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, ['--import', 'tsx', 'examples/lifecycle.ts'], { env: { ...process.env, VCOROUTE_ENDPOINT: server.endpoint }, timeout: 60_000 },
          (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
      });
      assert.match(output, /routes: 192\.168\.10\.0\/24 w100, 192\.168\.20\.0\/24 w100, 10\.0\.0\.0\/16 w100/);
      assert.match(output, /after: 2 routes: 192\.168\.10\.0\/24 w100, 10\.0\.0\.0\/16 w0/);
    } finally {
      await server.close();
    }
  });
});
