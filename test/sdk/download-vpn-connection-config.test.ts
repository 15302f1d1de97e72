/**
 * DownloadVpnConnectionConfig through the official client: the device-side mirror of DescribeVpnConnection
 * (subnets, IKE identities and BGP roles swapped), per-tunnel configs for dual-tunnel connections, the
 * connection-wide ones for single-tunnel connections, NotFound like DescribeVpnConnection, RAM action and
 * resource ARN.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as $Vpc from '@alicloud/vpc20160428';
import { assertNoServerErrors } from '../helpers/http';
import { createPolicy, denied, doc, ramClient, userWithKey, vpcClientFor } from '../helpers/ram';
import { ROOT, startTestServer, type TestServer } from '../helpers/server';
import { expectSdkError, vpcClient, type VpcClient } from '../helpers/vpc-client';

const REGION = 'cn-hangzhou';

describe('DownloadVpnConnectionConfig', () => {
  let server: TestServer;
  let vpc: VpcClient;
  let dual = '';
  let single = '';

  const download = (id: string, client: VpcClient = vpc, regionId = REGION) =>
    client.downloadVpnConnectionConfig(new $Vpc.DownloadVpnConnectionConfigRequest({ regionId, vpnConnectionId: id }));
  const describeConnection = async (id: string) =>
    (await vpc.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: id }))).body!;

  before(async () => {
    server = await startTestServer(undefined, { VCOROUTE_CHANGE_DELAY_MS: '0' });
    vpc = vpcClient(server);
    const gateway = async (ip: string, asn?: string) =>
      (await vpc.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: REGION, ipAddress: ip, asn }))).body!.customerGatewayId!;
    const cgw1 = await gateway('203.0.113.10', '65001');
    const cgw2 = await gateway('203.0.113.11', '4200000002');
    dual = (await vpc.createVpnAttachment(new $Vpc.CreateVpnAttachmentRequest({
      regionId: REGION, localSubnet: '172.16.0.0/16', remoteSubnet: '10.10.0.0/16,10.20.0.0/16', enableTunnelsBgp: true,
      tunnelOptionsSpecification: [1, 2].map((i) => new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecification({
        customerGatewayId: i === 1 ? cgw1 : cgw2,
        tunnelIndex: i,
        tunnelBgpConfig: new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecificationTunnelBgpConfig({ localAsn: '64512', tunnelCidr: `169.254.${i}0.0/30`, localBgpIp: `169.254.${i}0.1` }),
        tunnelIkeConfig: new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecificationTunnelIkeConfig({
          ikeEncAlg: 'aes256', ikeLifetime: 28800, psk: `psk${i}secret`, ...(i === 1 ? { localId: 'cloud.example', remoteId: 'idc.example' } : {}),
        }),
        tunnelIpsecConfig: new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecificationTunnelIpsecConfig({ ipsecPfs: 'disabled', ipsecLifetime: 3600 }),
      })),
    }))).body!.vpnConnectionId!;
    single = (await vpc.createVpnAttachment(new $Vpc.CreateVpnAttachmentRequest({
      regionId: REGION, localSubnet: '172.17.0.0/16', remoteSubnet: '192.168.0.0/16', customerGatewayId: cgw1,
      ikeConfig: JSON.stringify({ Psk: 'singlePsk1', LocalId: 'vpc-side' }),
      bgpConfig: JSON.stringify({ EnableBgp: 'true', TunnelCidr: '169.254.30.0/30', LocalBgpIp: '169.254.30.2' }),
    }))).body!.vpnConnectionId!;
  });
  after(async () => server.close());

  test('dual-tunnel: device-side subnets, each tunnel\'s endpoints and IKE/IPsec, BGP from the device\'s side', async () => {
    assert.equal((await server.admin('POST', `/_vcoroute/v1/vpn-connections/${dual}/attach`, { transitRouterId: 'tr-download1' })).status, 200);
    const conn = await describeConnection(dual);
    const tunnels = conn.tunnelOptionsSpecification!.tunnelOptions!;
    const config = (await download(dual)).body!.vpnConnectionConfig!;
    assert.equal(config.localSubnet, '10.10.0.0/16,10.20.0.0/16', 'the data center side: the connection\'s RemoteSubnet');
    assert.equal(config.remoteSubnet, '172.16.0.0/16', 'the VPC side: the connection\'s LocalSubnet');
    assert.equal(config.local, undefined, 'no connection-wide endpoints on a dual-tunnel connection');
    assert.equal(config.ikeConfig, undefined);

    const items = config.tunnelsConfig!.tunnelConfig!;
    assert.deepEqual(items.map((t) => t.tunnelId), tunnels.map((t) => t.tunnelId));
    assert.deepEqual(items.map((t) => t.local), ['203.0.113.10', '203.0.113.11'], 'each tunnel\'s customer gateway IP');
    assert.deepEqual(items.map((t) => t.remote), tunnels.map((t) => t.internetIp), 'each tunnel\'s public IP');
    assert.match(items[0]!.remote!, /^47\./);
    assert.deepEqual(
      [items[0]!.ikeConfig!.localId, items[0]!.ikeConfig!.remoteId, items[0]!.ikeConfig!.psk, items[0]!.ikeConfig!.ikeEncAlg, items[0]!.ikeConfig!.ikeLifetime],
      ['idc.example', 'cloud.example', 'psk1secret', 'aes256', 28800],
    );
    assert.equal(items[1]!.ikeConfig!.localId, '203.0.113.11', 'default device identity: its gateway IP');
    assert.equal(items[1]!.ikeConfig!.remoteId, items[1]!.remote, 'default cloud identity: the tunnel\'s public IP');
    assert.deepEqual([items[1]!.ipsecConfig!.ipsecPfs, items[1]!.ipsecConfig!.ipsecLifetime, items[1]!.ipsecConfig!.ipsecEncAlg], ['disabled', 3600, 'aes']);

    assert.deepEqual(config.bgpConfigs!.bgpConfig!.map((b) => ({ ...b })), [
      { tunnelId: tunnels[0]!.tunnelId, localAsn: '65001', localBgpIp: '169.254.10.2', peerAsn: '64512', peerBgpIp: '169.254.10.1', tunnelCidr: '169.254.10.0/30' },
      { tunnelId: tunnels[1]!.tunnelId, localAsn: '4200000002', localBgpIp: '169.254.20.2', peerAsn: '64512', peerBgpIp: '169.254.20.1', tunnelCidr: '169.254.20.0/30' },
    ]);
    // the mirror of DescribeVpnConnection's TunnelBgpConfig
    assert.equal(tunnels[0]!.tunnelBgpConfig!.peerAsn, config.bgpConfigs!.bgpConfig![0]!.localAsn);
    assert.equal(tunnels[0]!.tunnelBgpConfig!.peerBgpIp, config.bgpConfigs!.bgpConfig![0]!.localBgpIp);
  });

  test('dual-tunnel without BGP: no BgpConfigs; not attached: no public IPs yet', async () => {
    await vpc.modifyVpnAttachmentAttribute(new $Vpc.ModifyVpnAttachmentAttributeRequest({ regionId: REGION, vpnConnectionId: dual, enableTunnelsBgp: false }));
    assert.equal((await download(dual)).body!.vpnConnectionConfig!.bgpConfigs, undefined);
    assert.equal((await server.admin('POST', `/_vcoroute/v1/vpn-connections/${dual}/detach`)).status, 200);
    const items = (await download(dual)).body!.vpnConnectionConfig!.tunnelsConfig!.tunnelConfig!;
    assert.deepEqual(items.map((t) => t.remote), ['', '']);
  });

  test('single-tunnel: connection-wide endpoints and IKE, one BgpConfig without TunnelId', async () => {
    const config = (await download(single)).body!.vpnConnectionConfig!;
    assert.deepEqual([config.local, config.remote, config.localSubnet, config.remoteSubnet], ['203.0.113.10', '', '192.168.0.0/16', '172.17.0.0/16']);
    assert.deepEqual([config.ikeConfig!.localId, config.ikeConfig!.remoteId, config.ikeConfig!.psk, config.ikeConfig!.ikeVersion], ['203.0.113.10', 'vpc-side', 'singlePsk1', 'ikev1']);
    assert.equal(config.ipsecConfig!.ipsecAuthAlg, 'md5', 'single-tunnel default');
    assert.equal(config.tunnelsConfig, undefined);
    assert.deepEqual(config.bgpConfigs!.bgpConfig!.map((b) => ({ ...b })), [
      { localAsn: '65001', localBgpIp: '169.254.30.1', peerAsn: '45104', peerBgpIp: '169.254.30.2', tunnelCidr: '169.254.30.0/30' },
    ]);
  });

  test('errors as DescribeVpnConnection: unknown, other region, missing ID', async () => {
    await expectSdkError(download('vco-doesnotexist0000000'), 'InvalidVpnConnectionInstanceId.NotFound', 404);
    await expectSdkError(download(dual, vpc, 'cn-shanghai'), 'InvalidVpnConnectionInstanceId.NotFound', 404);
    await expectSdkError(download(''), 'MissingVpnConnectionId', 400);
  });

  test('RAM: action vpc:DownloadVpnConnectionConfig on acs:vpc:{region}:{account}:vpnconnection/{id}', async () => {
    const ram = ramClient(server, ROOT);
    await createPolicy(ram, 'DownloadOne', doc({ Effect: 'Allow', Action: 'vpc:DownloadVpnConnectionConfig', Resource: `acs:vpc:${REGION}:${ROOT.accountId}:vpnconnection/${single}` }));
    const creds = await userWithKey(ram, 'downloader', [{ type: 'Custom', name: 'DownloadOne' }]);
    const user = vpcClientFor(server, creds);
    assert.equal((await download(single, user)).body!.vpnConnectionConfig!.localSubnet, '192.168.0.0/16');
    await denied(download(dual, user), 'Forbbiden.SubUser', { AuthAction: 'vpc:DownloadVpnConnectionConfig', NoPermissionType: 'ImplicitDeny' });
  });

  test('no response was a 5xx', () => assertNoServerErrors());
});
