/**
 * Model conformance of every operation: each response body, as JSON on the wire (captured inside the
 * official clients before the model cast), is walked against the SDK's response body model
 * (`${Action}ResponseBody` of @alicloud/vpc20160428, ram20150501, sts20150401): no unknown field, exact
 * JSON types, plain arrays vs wrapper objects (test/helpers/model-conformance.ts). Error bodies are
 * checked against the common error shape (RequestId, HostId, Code, Message, Recommend and, for denials,
 * AccessDeniedDetail with its six fields). The operation list comes from the operation table, so a new
 * operation without a case here fails the coverage test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import * as $Vpc from '@alicloud/vpc20160428';
import * as $Ram from '@alicloud/ram20150501';
import * as $Sts from '@alicloud/sts20150401';
import { ALL_OPERATIONS } from '../../src/operations';
import { assertNoServerErrors, noteStatus } from '../helpers/http';
import { ROOT, startTestServer, type TestServer } from '../helpers/server';
import { doc, ramClient, stsClient, vpcClientFor, type Creds } from '../helpers/ram';
import {
  captureRawBodies, formatMismatch, isModelClass, modelMismatches, modelPaths, presentPaths, type ModelClass, type RawExchange,
} from '../helpers/model-conformance';

const REGION = 'cn-hangzhou';

// ---------- the error body shape (no SDK model: openapi-core reads it as a plain map) ----------

const DENIAL_FIELDS = ['AuthAction', 'AuthPrincipalType', 'AuthPrincipalOwnerId', 'AuthPrincipalDisplayName', 'PolicyType', 'NoPermissionType'] as const;

class AccessDeniedDetail {
  static names(): Record<string, string> {
    // EncodedDiagnosticMessage: sent by Alibaba in some denials; allowed, not required.
    return Object.fromEntries([...DENIAL_FIELDS, 'EncodedDiagnosticMessage'].map((f) => [f, f]));
  }
  static types(): Record<string, unknown> {
    return Object.fromEntries([...DENIAL_FIELDS, 'EncodedDiagnosticMessage'].map((f) => [f, 'string']));
  }
}

class ErrorBody {
  static names(): Record<string, string> {
    return { RequestId: 'RequestId', HostId: 'HostId', Code: 'Code', Message: 'Message', Recommend: 'Recommend', AccessDeniedDetail: 'AccessDeniedDetail' };
  }
  static types(): Record<string, unknown> {
    return { RequestId: 'string', HostId: 'string', Code: 'string', Message: 'string', Recommend: 'string', AccessDeniedDetail: AccessDeniedDetail };
  }
}

// ---------- recording every exchange ----------

const MODULES: Record<string, Record<string, unknown>> = { '2016-04-28': $Vpc, '2015-05-01': $Ram, '2015-04-01': $Sts };
/**
 * vcoroute's own actions (docs/compatibility.md, "Route-change history"): no official SDK has a model for them,
 * so their JSON types are asserted in test/sdk/route-changes.test.ts. The coverage test checks that the SDKs
 * still have no such model, so a model published later is not skipped silently.
 */
const VCOROUTE_EXTENSIONS = new Set(['2016-04-28/ListVcoRouteChanges', '2016-04-28/WatchVcoRouteChanges']);
const ALL_MODELLED_OPERATIONS = ALL_OPERATIONS.filter((op) => op.product.version in MODULES && !VCOROUTE_EXTENSIONS.has(`${op.product.version}/${op.action}`));

function responseModel(version: string, action: string): ModelClass {
  const model = MODULES[version]?.[`${action}ResponseBody`];
  assert.ok(isModelClass(model), `no SDK model ${action}ResponseBody for version ${version}`);
  return model;
}

let currentCase = '(setup)';
/** mismatches not yet asserted by a test */
const pending: string[] = [];
/** operation → case labels of checked successes / error codes of checked failures */
const successCases = new Map<string, string[]>();
const errorCases = new Map<string, string[]>();
/** operation → model paths present in at least one success body */
const seenPaths = new Map<string, Set<string>>();

function record(x: RawExchange): void {
  noteStatus(x.status, x.operation);
  if (x.error) {
    for (const m of modelMismatches(ErrorBody as ModelClass, x.body)) pending.push(`${x.operation} [${currentCase}] error body: ${formatMismatch(m)}`);
    const body = x.body as Record<string, unknown>;
    for (const f of ['RequestId', 'HostId', 'Code', 'Message']) {
      if (typeof body[f] !== 'string' || body[f] === '') pending.push(`${x.operation} [${currentCase}] error body: ${f} missing or empty`);
    }
    const list = errorCases.get(x.operation) ?? [];
    list.push(String(body.Code));
    errorCases.set(x.operation, list);
    return;
  }
  const model = responseModel(x.version, x.action);
  for (const m of modelMismatches(model, x.body)) pending.push(`${x.operation} [${currentCase}]: ${formatMismatch(m)}`);
  const list = successCases.get(x.operation) ?? [];
  list.push(currentCase);
  successCases.set(x.operation, list);
  const seen = seenPaths.get(x.operation) ?? new Set<string>();
  presentPaths(model, x.body, '$', seen);
  seenPaths.set(x.operation, seen);
}

/** Every mismatch recorded since the last call fails the calling test (all of them listed). */
function expectConformant(): void {
  const found = pending.splice(0);
  assert.deepEqual(found, [], `model mismatches:\n${found.join('\n')}`);
}

/** A test whose recorded mismatches fail it, even when the test itself fails first (both reported). */
function conformanceTest(name: string, fn: (t: TestContext) => Promise<void> | void): void {
  test(name, async (t) => {
    try {
      await fn(t);
    } catch (err) {
      const found = pending.splice(0);
      if (found.length > 0) throw new Error(`${String(err)}\nand model mismatches:\n${found.join('\n')}`, { cause: err });
      throw err;
    }
  });
}

function step(label: string): void {
  currentCase = label;
}

// ---------- clients ----------

interface Clients {
  vpc: ReturnType<typeof vpcClientFor>;
  ram: ReturnType<typeof ramClient>;
  sts: ReturnType<typeof stsClient>;
}

function clientsFor(server: TestServer, creds: Creds): Clients {
  return {
    vpc: captureRawBodies(vpcClientFor(server, creds), record),
    ram: captureRawBodies(ramClient(server, creds), record),
    sts: captureRawBodies(stsClient(server, creds), record),
  };
}

/** A call that must fail with `code` and `status`; returns the raw error body (err.data is JSON as received). */
async function failing(call: Promise<unknown>, code: string, status: number): Promise<Record<string, any>> {
  try {
    await call;
  } catch (err: any) {
    if (typeof err?.statusCode !== 'number') throw err;
    assert.equal(err.code, code, err.message);
    assert.equal(err.statusCode, status, err.message);
    return err.data;
  }
  assert.fail(`expected ${code}, but the call succeeded`);
}

/** A denial: 403 with AccessDeniedDetail carrying the six fields as non-empty strings. */
async function denial(call: Promise<unknown>, code: string, action: string): Promise<void> {
  const body = await failing(call, code, 403);
  const detail = body.AccessDeniedDetail;
  assert.equal(typeof detail, 'object', `AccessDeniedDetail in ${JSON.stringify(body)}`);
  for (const f of DENIAL_FIELDS) assert.ok(typeof detail[f] === 'string' && detail[f] !== '', `AccessDeniedDetail.${f}: ${JSON.stringify(detail)}`);
  assert.equal(detail.AuthAction, action);
}

// ---------- the cases ----------

describe('the conformance checker itself', () => {
  test('catches unknown fields, numeric strings, string booleans, wrapper/array confusion, bad items and nulls', () => {
    const found = (model: ModelClass, json: unknown) => modelMismatches(model, json).map((m) => `${m.path} ${m.problem}`);
    assert.deepEqual(found($Vpc.DescribeVcoRouteEntriesResponseBody, {
      RequestId: 'r', TotalCount: '3', PageNumber: 1, PageSize: 10,
      VcoRouteEntrie: [],
      VcoRouteEntries: [{ RouteDest: '10.0.0.0/8', Weight: 100, NextHopTunnelIdList: ['tun-1', 2], CreateTime: null }, 'x'],
      VpnRouteCounts: { VpnRouteCount: [] },
    }), [
      '$.TotalCount wrong type',
      '$.VcoRouteEntrie unknown field',
      '$.VcoRouteEntries[0].NextHopTunnelIdList[1] wrong type',
      '$.VcoRouteEntries[0].CreateTime null value',
      '$.VcoRouteEntries[1] wrong type',
      '$.VpnRouteCounts wrong type',
    ]);
    assert.deepEqual(found($Vpc.DescribeVpnConnectionResponseBody, {
      RequestId: 'r', EnableDpd: 'true', Tags: [{ Key: 'k', Value: 'v' }], TunnelOptionsSpecification: { TunnelOptions: [{ TunnelIndex: 1, EnableDpd: true }] },
    }), [
      '$.EnableDpd wrong type',
      '$.Tags wrong type',
      '$.TunnelOptionsSpecification.TunnelOptions[0].EnableDpd wrong type',
    ]);
    assert.deepEqual(found($Ram.GetUserResponseBody, { RequestId: 7, User: { UserName: 'u', Extra: 1 } }), ['$.RequestId wrong type', '$.User.Extra unknown field']);
    assert.deepEqual(found($Sts.GetCallerIdentityResponseBody, { RequestId: 'r', AccountId: '1', IdentityType: 'RAMUser' }), []);
  });
});

describe('model conformance of every operation (raw JSON vs SDK response models)', () => {
  let server: TestServer;
  let root: Clients;

  before(async () => {
    server = await startTestServer(undefined, { VCOROUTE_CHANGE_DELAY_MS: '0' });
    root = clientsFor(server, ROOT);
  });
  after(async () => server.close());

  // shared between the VPC cases
  const cgw: Record<'a' | 'b' | 'noAsn' | 'dotted', string> = { a: '', b: '', noAsn: '', dotted: '' };
  let dual = '';
  let single = '';

  conformanceTest('VPC: customer gateways with and without ASN, with and without tags', async () => {
    const { vpc } = root;
    step('CreateCustomerGateway with ASN, tags, AuthKey');
    cgw.a = (await vpc.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({
      regionId: REGION, ipAddress: '203.0.113.10', asn: '65001', name: 'idc-a', description: 'primary IDC', authKey: 'k3y!bgp',
      tags: [new $Vpc.CreateCustomerGatewayRequestTags({ key: 'env', value: 'prod' }), new $Vpc.CreateCustomerGatewayRequestTags({ key: 'team', value: 'net' })],
    }))).body!.customerGatewayId!;
    cgw.b = (await vpc.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: REGION, ipAddress: '203.0.113.11', asn: '65002', name: 'idc-b' }))).body!.customerGatewayId!;
    step('CreateCustomerGateway without ASN or tags');
    cgw.noAsn = (await vpc.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: REGION, ipAddress: '203.0.113.12' }))).body!.customerGatewayId!;
    step('CreateCustomerGateway with an a.b ASN');
    cgw.dotted = (await vpc.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: REGION, ipAddress: '203.0.113.13', asn: '123.456' }))).body!.customerGatewayId!;

    step('DescribeCustomerGateway with ASN and tags');
    await vpc.describeCustomerGateway(new $Vpc.DescribeCustomerGatewayRequest({ regionId: REGION, customerGatewayId: cgw.a }));
    step('DescribeCustomerGateway without ASN');
    await vpc.describeCustomerGateway(new $Vpc.DescribeCustomerGatewayRequest({ regionId: REGION, customerGatewayId: cgw.noAsn }));
    step('DescribeCustomerGateways: all');
    const page = (await vpc.describeCustomerGateways(new $Vpc.DescribeCustomerGatewaysRequest({ regionId: REGION, pageSize: 10 }))).body!;
    assert.equal(page.totalCount, 4);
    step('DescribeCustomerGateways: one by ID');
    await vpc.describeCustomerGateways(new $Vpc.DescribeCustomerGatewaysRequest({ regionId: REGION, customerGatewayId: cgw.a }));
    step('DescribeCustomerGateways: empty region');
    await vpc.describeCustomerGateways(new $Vpc.DescribeCustomerGatewaysRequest({ regionId: 'cn-shanghai' }));
  });

  conformanceTest('VPC: dual- and single-tunnel attachments with BGP, attached; describe, list, modify', async () => {
    const { vpc } = root;
    step('CreateVpnAttachment dual-tunnel with BGP, IKE, IPsec and tags');
    dual = (await vpc.createVpnAttachment(new $Vpc.CreateVpnAttachmentRequest({
      regionId: REGION, name: 'to-idc', localSubnet: '10.0.0.0/8', remoteSubnet: '192.168.0.0/16', enableTunnelsBgp: true, effectImmediately: true,
      tunnelBandwidth: 'Large',
      tags: [new $Vpc.CreateVpnAttachmentRequestTags({ key: 'env', value: 'prod' })],
      tunnelOptionsSpecification: [1, 2].map((i) => new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecification({
        customerGatewayId: i === 1 ? cgw.a : cgw.b,
        tunnelIndex: i,
        enableDpd: true,
        enableNatTraversal: i === 1,
        tunnelBgpConfig: new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecificationTunnelBgpConfig({ tunnelCidr: `169.254.1${i}.0/30`, localBgpIp: `169.254.1${i}.1` }),
        tunnelIkeConfig: new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecificationTunnelIkeConfig({
          ikeVersion: 'ikev2', ikeMode: 'main', ikeEncAlg: 'aes256', ikeAuthAlg: 'sha256', ikePfs: 'group14', ikeLifetime: 28800,
          localId: `local-${i}`, remoteId: `remote-${i}`, psk: `psk-${i}-secret`,
        }),
        tunnelIpsecConfig: new $Vpc.CreateVpnAttachmentRequestTunnelOptionsSpecificationTunnelIpsecConfig({
          ipsecEncAlg: 'aes256', ipsecAuthAlg: 'sha256', ipsecPfs: 'group14', ipsecLifetime: 3600,
        }),
      })),
    }))).body!.vpnConnectionId!;
    step('CreateVpnAttachment single-tunnel with BGP, IKE, IPsec and health check (JSON strings)');
    single = (await vpc.createVpnAttachment(new $Vpc.CreateVpnAttachmentRequest({
      regionId: REGION, name: 'single', localSubnet: '10.1.0.0/16,10.2.0.0/16', remoteSubnet: '172.16.0.0/12', customerGatewayId: cgw.dotted,
      remoteCaCert: 'ca-cert-pem', tags: [new $Vpc.CreateVpnAttachmentRequestTags({ key: 'k', value: 'v' })],
      ikeConfig: JSON.stringify({ IkeVersion: 'ikev1', IkeMode: 'aggressive', IkeEncAlg: 'aes', IkeAuthAlg: 'sha1', IkePfs: 'group2', IkeLifetime: 86400, LocalId: 'me', RemoteId: 'you', Psk: 'secretPsk1' }),
      ipsecConfig: JSON.stringify({ IpsecEncAlg: 'aes', IpsecAuthAlg: 'sha1', IpsecPfs: 'group2', IpsecLifetime: 86400 }),
      bgpConfig: JSON.stringify({ EnableBgp: 'true', TunnelCidr: '169.254.30.0/30', LocalBgpIp: '169.254.30.1' }),
      healthCheckConfig: JSON.stringify({ enable: 'true', dip: '192.168.0.1', sip: '10.0.0.1', interval: '5', retry: '4', Policy: 'reserve_route' }),
    }))).body!.vpnConnectionId!;
    step('CreateVpnAttachment single-tunnel, gateway without ASN, no BGP');
    const plain = (await vpc.createVpnAttachment(new $Vpc.CreateVpnAttachmentRequest({
      regionId: REGION, localSubnet: '10.3.0.0/16', remoteSubnet: '172.20.0.0/16', customerGatewayId: cgw.noAsn,
    }))).body!.vpnConnectionId!;

    step('DescribeVpnConnection dual-tunnel, not attached');
    await vpc.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: dual }));
    step('DescribeVpnConnection single-tunnel without BGP, not attached');
    await vpc.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: plain }));
    step('DescribeVpnAttachments: none attached');
    await vpc.describeVpnAttachments(new $Vpc.DescribeVpnAttachmentsRequest({ regionId: REGION }));

    for (const [id, tr] of [[dual, 'tr-conform1'], [single, 'tr-conform2']] as const) {
      assert.equal((await server.admin('POST', `/_vcoroute/v1/vpn-connections/${id}/attach`, { transitRouterId: tr })).status, 200);
    }
    step('DescribeVpnConnection dual-tunnel, attached');
    const conn = (await vpc.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: dual }))).body!;
    assert.equal(conn.state, 'attached');
    step('DescribeVpnConnection single-tunnel with BGP and health check, attached');
    await vpc.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: single }));
    step('DescribeVpnConnections: all three');
    assert.equal((await vpc.describeVpnConnections(new $Vpc.DescribeVpnConnectionsRequest({ regionId: REGION }))).body!.totalCount, 3);
    step('DescribeVpnConnections: by customer gateway');
    const listed = (await vpc.describeVpnConnections(new $Vpc.DescribeVpnConnectionsRequest({ regionId: REGION, customerGatewayId: cgw.dotted }))).body!;
    assert.deepEqual(listed.vpnConnections!.vpnConnection![0]!.tag!.tag!.map((t) => [t.key, t.value]), [['k', 'v']], 'tags reach the typed model (wrapper Tag)');
    step('DescribeVpnConnections: VpnGatewayId filter (none)');
    await vpc.describeVpnConnections(new $Vpc.DescribeVpnConnectionsRequest({ regionId: REGION, vpnGatewayId: 'vpn-xyz' }));
    step('DescribeVpnAttachments: two attached');
    assert.equal((await vpc.describeVpnAttachments(new $Vpc.DescribeVpnAttachmentsRequest({ regionId: REGION }))).body!.totalCount, 2);
    step('DescribeVpnAttachments: one by ID');
    await vpc.describeVpnAttachments(new $Vpc.DescribeVpnAttachmentsRequest({ regionId: REGION, vpnConnectionId: dual }));

    step('ModifyVpnAttachmentAttribute dual-tunnel: tunnel BGP, IKE and IPsec');
    const tunnelId = conn.tunnelOptionsSpecification!.tunnelOptions![1]!.tunnelId!;
    await vpc.modifyVpnAttachmentAttribute(new $Vpc.ModifyVpnAttachmentAttributeRequest({
      regionId: REGION, vpnConnectionId: dual, name: 'to-idc-2', enableTunnelsBgp: true,
      tunnelOptionsSpecification: [new $Vpc.ModifyVpnAttachmentAttributeRequestTunnelOptionsSpecification({
        tunnelId,
        tunnelBgpConfig: new $Vpc.ModifyVpnAttachmentAttributeRequestTunnelOptionsSpecificationTunnelBgpConfig({ tunnelCidr: '169.254.40.0/30' }),
        tunnelIkeConfig: new $Vpc.ModifyVpnAttachmentAttributeRequestTunnelOptionsSpecificationTunnelIkeConfig({ ikeEncAlg: 'aes192' }),
        tunnelIpsecConfig: new $Vpc.ModifyVpnAttachmentAttributeRequestTunnelOptionsSpecificationTunnelIpsecConfig({ ipsecPfs: 'disabled' }),
      })],
    }));
    step('ModifyVpnAttachmentAttribute single-tunnel: IKE, BGP, health check');
    await vpc.modifyVpnAttachmentAttribute(new $Vpc.ModifyVpnAttachmentAttributeRequest({
      regionId: REGION, vpnConnectionId: single, localSubnet: '10.1.0.0/16', ikeConfig: JSON.stringify({ IkeEncAlg: 'aes256' }),
      bgpConfig: JSON.stringify({ EnableBgp: 'true', TunnelCidr: '169.254.31.0/30', LocalBgpIp: '169.254.31.1' }),
      healthCheckConfig: JSON.stringify({ enable: 'true', dip: '192.168.0.2', sip: '10.0.0.2', interval: '3', retry: '3' }),
    }));
    step('ModifyVpnAttachmentAttribute single-tunnel without BGP, not attached');
    await vpc.modifyVpnAttachmentAttribute(new $Vpc.ModifyVpnAttachmentAttributeRequest({ regionId: REGION, vpnConnectionId: plain, name: 'plain' }));
    step('DescribeVpnConnection dual-tunnel after modify');
    await vpc.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: dual }));
    step('DownloadVpnConnectionConfig dual-tunnel with BGP, attached');
    await vpc.downloadVpnConnectionConfig(new $Vpc.DownloadVpnConnectionConfigRequest({ regionId: REGION, vpnConnectionId: dual }));
    step('DownloadVpnConnectionConfig single-tunnel with BGP, attached');
    await vpc.downloadVpnConnectionConfig(new $Vpc.DownloadVpnConnectionConfigRequest({ regionId: REGION, vpnConnectionId: single }));
    step('DownloadVpnConnectionConfig single-tunnel without BGP, not attached');
    await vpc.downloadVpnConnectionConfig(new $Vpc.DownloadVpnConnectionConfigRequest({ regionId: REGION, vpnConnectionId: plain }));
  });

  conformanceTest('VPC: Vco routes (custom and BGP, dual- and single-tunnel)', async () => {
    const { vpc } = root;
    const addr = (id: string, routeDest: string, weight: number) => ({ regionId: REGION, vpnConnectionId: id, routeDest, nextHop: id, weight });
    step('CreateVcoRouteEntry with description');
    for (const [dest, weight] of [['192.168.1.0/24', 100], ['192.168.2.0/24', 0], ['10.8.0.0/16', 100]] as const) {
      await vpc.createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({ ...addr(dual, dest, weight), description: `route ${dest}`, overlayMode: 'Ipsec' }));
    }
    step('CreateVcoRouteEntry on a single-tunnel connection');
    await vpc.createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest(addr(single, '192.168.9.0/24', 100)));
    const routes = await server.admin('POST', `/_vcoroute/v1/vpn-connections/${dual}/routes`, { routes: [
      { routeEntryType: 'bgp', routeDest: '10.10.0.0/16', source: 'VPN_BGP', asPath: [65001, 65002], community: '65535:65510' },
      { routeEntryType: 'bgp', routeDest: '10.20.0.0/16', source: 'CLOUD', weight: 50 },
    ] });
    assert.equal(routes.status, 200);
    step('DescribeVcoRouteEntries dual-tunnel custom');
    const custom = (await vpc.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: dual }))).body!;
    assert.equal(custom.totalCount, 3);
    step('DescribeVcoRouteEntries dual-tunnel BGP');
    assert.equal((await vpc.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({
      regionId: REGION, vpnConnectionId: dual, routeEntryType: 'bgp',
    }))).body!.totalCount, 2);
    step('DescribeVcoRouteEntries dual-tunnel, a page past the end');
    await vpc.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: dual, pageNumber: 5, pageSize: 2 }));
    step('DescribeVcoRouteEntries single-tunnel');
    await vpc.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: single }));
    step('ModifyVcoRouteEntryWeight');
    await vpc.modifyVcoRouteEntryWeight(new $Vpc.ModifyVcoRouteEntryWeightRequest({ ...addr(dual, '192.168.2.0/24', 0), newWeight: 100 }));
    step('DeleteVcoRouteEntry');
    await vpc.deleteVcoRouteEntry(new $Vpc.DeleteVcoRouteEntryRequest(addr(dual, '192.168.1.0/24', 100)));
  });

  conformanceTest('VPC: deletions', async () => {
    const { vpc } = root;
    step('DeleteVpnConnection of a detached connection');
    const extra = (await vpc.createVpnAttachment(new $Vpc.CreateVpnAttachmentRequest({
      regionId: REGION, localSubnet: '10.5.0.0/16', remoteSubnet: '172.21.0.0/16', customerGatewayId: cgw.noAsn,
    }))).body!.vpnConnectionId!;
    await vpc.deleteVpnConnection(new $Vpc.DeleteVpnConnectionRequest({ regionId: REGION, vpnConnectionId: extra }));
    step('DeleteVpnAttachment after detaching');
    assert.equal((await server.admin('POST', `/_vcoroute/v1/vpn-connections/${single}/detach`)).status, 200);
    await vpc.deleteVpnAttachment(new $Vpc.DeleteVpnAttachmentRequest({ regionId: REGION, vpnConnectionId: single }));
    step('DeleteCustomerGateway');
    await vpc.deleteCustomerGateway(new $Vpc.DeleteCustomerGatewayRequest({ regionId: REGION, customerGatewayId: cgw.dotted }));
  });

  conformanceTest('VPC: error bodies (not found, invalid, dry run, in use, status)', async () => {
    const { vpc } = root;
    step('VPC errors');
    await failing(vpc.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: 'vco-nothere' })),
      'InvalidVpnConnectionInstanceId.NotFound', 404);
    await failing(vpc.downloadVpnConnectionConfig(new $Vpc.DownloadVpnConnectionConfigRequest({ regionId: REGION, vpnConnectionId: 'vco-nothere' })),
      'InvalidVpnConnectionInstanceId.NotFound', 404);
    await failing(vpc.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: REGION, ipAddress: '300.1.1.1' })), 'IllegalParam.IpAddress', 400);
    await failing(vpc.createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({
      regionId: REGION, vpnConnectionId: dual, routeDest: '10.99.0.0/16', nextHop: dual, weight: 100, dryRun: true,
    })), 'DryRunOperation', 400);
    await failing(vpc.deleteCustomerGateway(new $Vpc.DeleteCustomerGatewayRequest({ regionId: REGION, customerGatewayId: cgw.a })),
      'DependencyViolation.VpnConnection', 400);
    await failing(vpc.deleteVpnAttachment(new $Vpc.DeleteVpnAttachmentRequest({ regionId: REGION, vpnConnectionId: dual })), 'Vco.StatusNotSupport', 400);
    await failing(vpc.describeVcoRouteEntries(new $Vpc.DescribeVcoRouteEntriesRequest({ regionId: REGION, vpnConnectionId: dual, routeEntryType: 'static' })),
      'IllegalParam.RouteEntryType', 400);
  });

  // RAM names shared with STS
  let operatorCreds: Creds;

  conformanceTest('RAM: users, access keys, groups, roles, policies and versions, attachments', async () => {
    const { ram } = root;
    step('CreateUser with every optional field');
    await ram.createUser(new $Ram.CreateUserRequest({
      userName: 'alice', displayName: 'Alice A', mobilePhone: '86-18600008888', email: 'alice@example.com', comments: 'network admin',
    }));
    step('CreateUser with a name only');
    await ram.createUser(new $Ram.CreateUserRequest({ userName: 'bob' }));
    await ram.createUser(new $Ram.CreateUserRequest({ userName: 'operator' }));
    step('GetUser with every optional field');
    await ram.getUser(new $Ram.GetUserRequest({ userName: 'alice' }));
    step('GetUser with a name only');
    await ram.getUser(new $Ram.GetUserRequest({ userName: 'bob' }));
    step('ListUsers truncated (Marker)');
    const first = (await ram.listUsers(new $Ram.ListUsersRequest({ maxItems: 2 }))).body!;
    assert.equal(first.isTruncated, true);
    step('ListUsers last page');
    await ram.listUsers(new $Ram.ListUsersRequest({ marker: first.marker, maxItems: 2 }));
    step('UpdateUser');
    await ram.updateUser(new $Ram.UpdateUserRequest({
      userName: 'bob', newUserName: 'bobby', newDisplayName: 'Bob B', newMobilePhone: '1-5550100', newEmail: 'bob@example.com', newComments: 'ops',
    }));

    step('CreateAccessKey');
    const key = (await ram.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: 'operator' }))).body!.accessKey!;
    operatorCreds = { accessKeyId: key.accessKeyId!, accessKeySecret: key.accessKeySecret! };
    const second = (await ram.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: 'bobby' }))).body!.accessKey!;
    step('UpdateAccessKey');
    await ram.updateAccessKey(new $Ram.UpdateAccessKeyRequest({ userName: 'bobby', userAccessKeyId: second.accessKeyId, status: 'Inactive' }));
    step('ListAccessKeys');
    await ram.listAccessKeys(new $Ram.ListAccessKeysRequest({ userName: 'bobby' }));
    step('DeleteAccessKey');
    await ram.deleteAccessKey(new $Ram.DeleteAccessKeyRequest({ userName: 'bobby', userAccessKeyId: second.accessKeyId }));

    const allow = (action: string) => doc({ Effect: 'Allow', Action: action, Resource: '*' });
    step('CreatePolicy with description');
    await ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName: 'VpcRead', policyDocument: allow('vpc:Describe*'), description: 'read VPC' }));
    step('CreatePolicy without description');
    await ram.createPolicy(new $Ram.CreatePolicyRequest({ policyName: 'Scratch', policyDocument: allow('vpc:DescribeVpnConnection') }));
    step('CreatePolicyVersion as default');
    await ram.createPolicyVersion(new $Ram.CreatePolicyVersionRequest({ policyName: 'VpcRead', policyDocument: allow('vpc:Describe*'), setAsDefault: true }));
    step('CreatePolicyVersion not default');
    await ram.createPolicyVersion(new $Ram.CreatePolicyVersionRequest({ policyName: 'VpcRead', policyDocument: allow('vpc:DescribeVpn*'), rotateStrategy: 'None' }));
    step('GetPolicyVersion');
    await ram.getPolicyVersion(new $Ram.GetPolicyVersionRequest({ policyName: 'VpcRead', policyType: 'Custom', versionId: 'v1' }));
    step('GetPolicyVersion of a system policy');
    await ram.getPolicyVersion(new $Ram.GetPolicyVersionRequest({ policyName: 'AliyunVPCReadOnlyAccess', policyType: 'System', versionId: 'v1' }));
    step('ListPolicyVersions');
    await ram.listPolicyVersions(new $Ram.ListPolicyVersionsRequest({ policyName: 'VpcRead', policyType: 'Custom' }));
    step('SetDefaultPolicyVersion');
    await ram.setDefaultPolicyVersion(new $Ram.SetDefaultPolicyVersionRequest({ policyName: 'VpcRead', versionId: 'v3' }));
    step('DeletePolicyVersion');
    await ram.deletePolicyVersion(new $Ram.DeletePolicyVersionRequest({ policyName: 'VpcRead', versionId: 'v1' }));
    step('GetPolicy custom');
    await ram.getPolicy(new $Ram.GetPolicyRequest({ policyName: 'VpcRead', policyType: 'Custom' }));
    step('GetPolicy system');
    await ram.getPolicy(new $Ram.GetPolicyRequest({ policyName: 'AliyunVPCReadOnlyAccess', policyType: 'System' }));
    step('ListPolicies truncated (Marker)');
    const policies = (await ram.listPolicies(new $Ram.ListPoliciesRequest({ maxItems: 2 }))).body!;
    assert.equal(policies.isTruncated, true);
    step('ListPolicies custom');
    await ram.listPolicies(new $Ram.ListPoliciesRequest({ policyType: 'Custom' }));

    step('CreateGroup with comments');
    await ram.createGroup(new $Ram.CreateGroupRequest({ groupName: 'netops', comments: 'network operators' }));
    step('CreateGroup without comments');
    await ram.createGroup(new $Ram.CreateGroupRequest({ groupName: 'empty' }));
    step('GetGroup');
    await ram.getGroup(new $Ram.GetGroupRequest({ groupName: 'netops' }));
    step('UpdateGroup');
    await ram.updateGroup(new $Ram.UpdateGroupRequest({ groupName: 'empty', newGroupName: 'empty2', newComments: 'renamed' }));
    step('ListGroups');
    await ram.listGroups(new $Ram.ListGroupsRequest({}));
    step('ListGroups truncated (Marker)');
    await ram.listGroups(new $Ram.ListGroupsRequest({ maxItems: 1 }));
    step('AddUserToGroup');
    await ram.addUserToGroup(new $Ram.AddUserToGroupRequest({ groupName: 'netops', userName: 'alice' }));
    await ram.addUserToGroup(new $Ram.AddUserToGroupRequest({ groupName: 'netops', userName: 'bobby' }));
    step('ListGroupsForUser');
    await ram.listGroupsForUser(new $Ram.ListGroupsForUserRequest({ userName: 'alice' }));
    step('ListUsersForGroup');
    await ram.listUsersForGroup(new $Ram.ListUsersForGroupRequest({ groupName: 'netops' }));
    step('RemoveUserFromGroup');
    await ram.removeUserFromGroup(new $Ram.RemoveUserFromGroupRequest({ groupName: 'netops', userName: 'bobby' }));

    const trust = doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ROOT.accountId}:root`] } });
    step('CreateRole with description and duration');
    await ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'VpcReader', assumeRolePolicyDocument: trust, description: 'reads VPC', maxSessionDuration: 7200 }));
    step('CreateRole minimal');
    await ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'Temp', assumeRolePolicyDocument: trust }));
    step('GetRole');
    await ram.getRole(new $Ram.GetRoleRequest({ roleName: 'VpcReader' }));
    step('UpdateRole');
    await ram.updateRole(new $Ram.UpdateRoleRequest({ roleName: 'Temp', newDescription: 'temporary', newMaxSessionDuration: 3600, newAssumeRolePolicyDocument: trust }));
    step('ListRoles');
    await ram.listRoles(new $Ram.ListRolesRequest({}));
    step('ListRoles truncated (Marker)');
    await ram.listRoles(new $Ram.ListRolesRequest({ maxItems: 1 }));

    step('AttachPolicyToUser / Group / Role');
    await ram.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ userName: 'operator', policyType: 'System', policyName: 'AliyunSTSAssumeRoleAccess' }));
    await ram.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ userName: 'alice', policyType: 'Custom', policyName: 'VpcRead' }));
    await ram.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ userName: 'alice', policyType: 'Custom', policyName: 'Scratch' }));
    await ram.attachPolicyToGroup(new $Ram.AttachPolicyToGroupRequest({ groupName: 'netops', policyType: 'System', policyName: 'AliyunVPCReadOnlyAccess' }));
    await ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ roleName: 'VpcReader', policyType: 'System', policyName: 'AliyunVPCReadOnlyAccess' }));
    await ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ roleName: 'VpcReader', policyType: 'Custom', policyName: 'VpcRead' }));
    await ram.attachPolicyToGroup(new $Ram.AttachPolicyToGroupRequest({ groupName: 'empty2', policyType: 'Custom', policyName: 'Scratch' }));
    await ram.attachPolicyToRole(new $Ram.AttachPolicyToRoleRequest({ roleName: 'Temp', policyType: 'Custom', policyName: 'Scratch' }));
    step('ListPoliciesForUser');
    await ram.listPoliciesForUser(new $Ram.ListPoliciesForUserRequest({ userName: 'alice' }));
    step('ListPoliciesForGroup');
    await ram.listPoliciesForGroup(new $Ram.ListPoliciesForGroupRequest({ groupName: 'netops' }));
    step('ListPoliciesForRole');
    await ram.listPoliciesForRole(new $Ram.ListPoliciesForRoleRequest({ roleName: 'VpcReader' }));
    step('GetPolicy with attachments');
    await ram.getPolicy(new $Ram.GetPolicyRequest({ policyName: 'Scratch', policyType: 'Custom' }));
    step('DetachPolicyFromUser / Group / Role');
    await ram.detachPolicyFromUser(new $Ram.DetachPolicyFromUserRequest({ userName: 'alice', policyType: 'Custom', policyName: 'Scratch' }));
    await ram.detachPolicyFromGroup(new $Ram.DetachPolicyFromGroupRequest({ groupName: 'empty2', policyType: 'Custom', policyName: 'Scratch' }));
    await ram.detachPolicyFromRole(new $Ram.DetachPolicyFromRoleRequest({ roleName: 'Temp', policyType: 'Custom', policyName: 'Scratch' }));

    step('DeletePolicy (cascading)');
    await ram.createPolicyVersion(new $Ram.CreatePolicyVersionRequest({ policyName: 'Scratch', policyDocument: allow('vpc:DescribeVpnAttachments') }));
    await ram.deletePolicy(new $Ram.DeletePolicyRequest({ policyName: 'Scratch', cascadingDelete: true }));
    step('DeleteGroup');
    await ram.deleteGroup(new $Ram.DeleteGroupRequest({ groupName: 'empty2' }));
    step('DeleteRole');
    await ram.deleteRole(new $Ram.DeleteRoleRequest({ roleName: 'Temp' }));
    step('DeleteUser');
    await ram.removeUserFromGroup(new $Ram.RemoveUserFromGroupRequest({ groupName: 'netops', userName: 'alice' }));
    await ram.createUser(new $Ram.CreateUserRequest({ userName: 'leaving' }));
    await ram.deleteUser(new $Ram.DeleteUserRequest({ userName: 'leaving' }));
  });

  conformanceTest('STS: AssumeRole and GetCallerIdentity as a RAM user, as a role session, as root', async () => {
    const operator = clientsFor(server, operatorCreds);
    step('GetCallerIdentity as a RAM user');
    assert.equal((await operator.sts.getCallerIdentity()).body!.identityType, 'RAMUser');
    step('GetCallerIdentity as root');
    await root.sts.getCallerIdentity();
    step('AssumeRole as a RAM user');
    await operator.sts.assumeRole(new $Sts.AssumeRoleRequest({ roleArn: `acs:ram::${ROOT.accountId}:role/VpcReader`, roleSessionName: 'ci-job' }));
    step('AssumeRole with session policy, duration and SourceIdentity');
    const assumed = (await operator.sts.assumeRole(new $Sts.AssumeRoleRequest({
      roleArn: `acs:ram::${ROOT.accountId}:role/VpcReader`, roleSessionName: 'ci-job-2', durationSeconds: 900, sourceIdentity: 'alice',
      policy: doc({ Effect: 'Allow', Action: 'vpc:Describe*', Resource: '*' }),
    }))).body!.credentials!;
    const session = clientsFor(server, { accessKeyId: assumed.accessKeyId!, accessKeySecret: assumed.accessKeySecret!, securityToken: assumed.securityToken! });
    step('GetCallerIdentity as a role session');
    assert.equal((await session.sts.getCallerIdentity()).body!.identityType, 'AssumedRoleUser');
    step('DescribeVpnConnection as a role session');
    await session.vpc.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: dual }));
  });

  conformanceTest('error bodies of denials (AccessDeniedDetail) and of RAM/STS failures', async () => {
    const operator = clientsFor(server, operatorCreds);
    step('denials');
    await denial(operator.vpc.createVcoRouteEntry(new $Vpc.CreateVcoRouteEntryRequest({
      regionId: REGION, vpnConnectionId: dual, routeDest: '10.77.0.0/16', nextHop: dual, weight: 100,
    })), 'Forbbiden.SubUser', 'vpc:CreateVcoRouteEntry');
    await denial(operator.ram.listUsers(new $Ram.ListUsersRequest({})), 'NoPermission', 'ram:ListUsers');
    await root.ram.createRole(new $Ram.CreateRoleRequest({
      roleName: 'Untrusting', assumeRolePolicyDocument: doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['ecs.aliyuncs.com'] } }),
    }));
    await denial(operator.sts.assumeRole(new $Sts.AssumeRoleRequest({ roleArn: `acs:ram::${ROOT.accountId}:role/Untrusting`, roleSessionName: 'nope' })),
      'NoPermission', 'sts:AssumeRole');
    await root.ram.createPolicy(new $Ram.CreatePolicyRequest({
      policyName: 'DenyDescribe', policyDocument: doc({ Effect: 'Deny', Action: 'vpc:DescribeVpnConnection', Resource: '*' }),
    }));
    await root.ram.attachPolicyToUser(new $Ram.AttachPolicyToUserRequest({ userName: 'operator', policyType: 'Custom', policyName: 'DenyDescribe' }));
    await denial(operator.vpc.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: dual })),
      'Forbidden', 'vpc:DescribeVpnConnection');

    step('RAM and STS errors');
    await failing(root.ram.getUser(new $Ram.GetUserRequest({ userName: 'nobody' })), 'EntityNotExist.User', 404);
    await failing(root.ram.createUser(new $Ram.CreateUserRequest({ userName: 'alice' })), 'EntityAlreadyExists.User', 409);
    await failing(root.ram.deleteUser(new $Ram.DeleteUserRequest({ userName: 'operator' })), 'DeleteConflict.User.AccessKey', 409);
    await failing(root.sts.assumeRole(new $Sts.AssumeRoleRequest({ roleArn: `acs:ram::${ROOT.accountId}:role/VpcReader`, roleSessionName: 'root' })),
      'NoPermission', 403);
    await failing(operator.sts.assumeRole(new $Sts.AssumeRoleRequest({ roleArn: 'not-an-arn', roleSessionName: 'x1' })), 'InvalidParameter.RoleArn', 400);
    step('authentication errors');
    const wrongSecret = clientsFor(server, { accessKeyId: operatorCreds.accessKeyId, accessKeySecret: 'wrong-secret' });
    await failing(wrongSecret.vpc.describeVpnConnection(new $Vpc.DescribeVpnConnectionRequest({ regionId: REGION, vpnConnectionId: dual })),
      'SignatureDoesNotMatch', 400);
  });

  test('coverage: every operation of the operation table has conformance cases', (t: TestContext) => {
    // Products whose SDK is not in our registry (Cbn: @alicloud/cbn20170912) assert their documented fields and
    // JSON types in their own suites (test/sdk/cen-api.test.ts).
    const missing = ALL_MODELLED_OPERATIONS.map((op) => `${op.product.version}/${op.action}`).filter((k) => !successCases.has(k));
    assert.deepEqual(missing, [], 'operations without a checked success response');
    for (const key of VCOROUTE_EXTENSIONS) {
      const [version, action] = key.split('/') as [string, string];
      assert.ok(ALL_OPERATIONS.some((op) => op.product.version === version && op.action === action), `${key} is an operation`);
      assert.equal(MODULES[version]?.[`${action}ResponseBody`], undefined, `${key} now has an SDK model: check it here`);
    }
    const lines = ALL_MODELLED_OPERATIONS.map((op) => {
      const k = `${op.product.version}/${op.action}`;
      const ok = successCases.get(k) ?? [];
      const failed = errorCases.get(k) ?? [];
      return `${k}: ${ok.length} responses (${new Set(ok).size} cases)${failed.length ? `, ${failed.length} errors (${[...new Set(failed)].join(', ')})` : ''}`;
    });
    t.diagnostic('coverage (operation: checked responses, error bodies):');
    for (const line of lines) t.diagnostic(`  ${line}`);
    t.diagnostic('model fields no response had:');
    for (const op of ALL_MODELLED_OPERATIONS) {
      const seen = seenPaths.get(`${op.product.version}/${op.action}`) ?? new Set<string>();
      const never = modelPaths(responseModel(op.product.version, op.action)).filter((p) => !seen.has(p));
      if (never.length > 0) t.diagnostic(`  ${op.product.version}/${op.action}: ${never.join(', ')}`);
    }
    expectConformant();
  });

  test('no response was a 5xx', () => assertNoServerErrors());
});
