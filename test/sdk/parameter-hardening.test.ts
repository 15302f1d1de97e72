/**
 * Issue 14, findings 3 and 9, through the official SDKs:
 *   - a RAM user allowed only sts:AssumeRole, holding a session policy built to make wildcard matching
 *     expensive (`acs:*aaaa…ab`, 2 KB), sends huge and limit-sized VpnConnectionIds: another client's
 *     requests stay fast meanwhile;
 *   - control characters are refused at input (VPC, RAM, STS) and nothing is stored; data stored before
 *     that check still renders as well-formed XML (strict check).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as $Ram from '@alicloud/ram20150501';
import * as $Sts from '@alicloud/sts20150401';
import * as $Vpc from '@alicloud/vpc20160428';
import { renderSuccess } from '../../src/pop/render';
import { v3Client } from '../helpers/clients';
import { noteStatus, v3Send } from '../helpers/http';
import { assumeRole, createPolicy, doc, ramClient, sdkError, stsClient, userWithKey, vpcClientFor, type Creds } from '../helpers/ram';
import { ROOT, openTestStore, startTestServer, tempDataDir, type TestServer } from '../helpers/server';
import { assertWellFormedXml } from '../helpers/xml';

const Pop = require('@alicloud/pop-core');

const REGION = 'cn-hangzhou';
const VICTIM_CONN = 'vco-victim1';
const TRUST_ACCOUNT = doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: [`acs:ram::${ROOT.accountId}:root`] } });

/** The largest session policy (2,048 characters) whose Resource is `acs:*aaaa…ab`. */
function hostileSessionPolicy(): string {
  const withRun = (n: number) => doc({ Effect: 'Allow', Action: '*', Resource: `acs:*${'a'.repeat(n)}b` });
  const policy = withRun(2048 - withRun(0).length);
  assert.equal(policy.length, 2048);
  return policy;
}

/** A V1 POST client (pop-core, parameters in a form body, as large as the server takes) with STS credentials. */
function popVpcClient(server: TestServer, creds: Creds) {
  return new Pop({ ...creds, endpoint: server.baseUrl, apiVersion: '2016-04-28' }, true);
}

/** The error code of a pop-core call that must fail. */
async function popFailure(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err: any) {
    if (!err?.entry?.response || typeof err.code !== 'string') throw err;
    noteStatus(err.entry.response.statusCode, 'hostile request');
    return err.code as string;
  }
  assert.fail('the hostile request succeeded');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

describe('parameter limits and bounded policy matching', () => {
  let server: TestServer;
  let ram: ReturnType<typeof ramClient>;

  before(async () => {
    server = await startTestServer(undefined, { VCOROUTE_CHANGE_DELAY_MS: '0' });
    ram = ramClient(server, ROOT);
    await server.admin('PUT', `/_vcoroute/v1/vpn-connections/${VICTIM_CONN}`, { regionId: REGION, state: 'attached' });
    await server.admin('POST', `/_vcoroute/v1/vpn-connections/${VICTIM_CONN}/routes`, { routes: [{ routeEntryType: 'custom', routeDest: '10.9.0.0/16' }] });
  });
  after(() => server.close());

  it('a hostile session policy and huge VpnConnectionIds do not slow other clients (p99 < 200 ms over 50 requests)', async () => {
    await createPolicy(ram, 'AssumeOnly', doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }));
    const mallory = await userWithKey(ram, 'mallory', [{ type: 'Custom', name: 'AssumeOnly' }]);
    await ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'Anything', assumeRolePolicyDocument: TRUST_ACCOUNT }));
    const session = await assumeRole(stsClient(server, mallory), `acs:ram::${ROOT.accountId}:role/Anything`, 'hostile', { policy: hostileSessionPolicy() });
    const hostile = popVpcClient(server, session);
    const describeAs = (id: string) => hostile.request('DescribeVcoRouteEntries', { RegionId: REGION, VpnConnectionId: id }, { method: 'POST', timeout: 60_000 });
    const huge = `vco-${'a'.repeat(100_000)}`;
    const overLimit = `vco-${'a'.repeat(125)}`;
    const atLimit = `vco-${'a'.repeat(124)}`;

    const victim = v3Client(server);
    const victimCall = async () => {
      const res = await victim.describe({ RegionId: REGION, VpnConnectionId: VICTIM_CONN });
      assert.equal(res.status, 200);
      assert.equal(res.body.TotalCount, 1);
    };
    for (let i = 0; i < 10; i++) await victimCall(); // warm-up: first calls pay for compilation and connections

    // Hostile requests back to back, always one in flight, while another client works.
    let done = false;
    let hostileSent = 0;
    const hostileLoop = async (ids: string[]) => {
      for (let i = 0; !done; i++) {
        await popFailure(describeAs(ids[i % ids.length]!));
        hostileSent++;
      }
    };
    const loop = hostileLoop([huge, atLimit, overLimit]);
    const latencies: number[] = [];
    const deadline = Date.now() + 30_000; // on a stalling server, stop early rather than run for minutes
    try {
      for (let i = 0; i < 50 && Date.now() < deadline; i++) {
        const started = performance.now();
        await victimCall();
        latencies.push(performance.now() - started);
      }
    } finally {
      done = true;
      await loop;
    }
    latencies.sort((a, b) => a - b);
    const p99 = percentile(latencies, 0.99);
    assert.ok(p99 < 200, `p99 ${p99.toFixed(1)} ms (median ${percentile(latencies, 0.5).toFixed(1)} ms, ${latencies.length} requests) while ${hostileSent} hostile requests ran`);
    assert.equal(latencies.length, 50, 'all 50 requests finished within 30 s');
    assert.ok(hostileSent >= 10, `hostile requests were in flight (${hostileSent})`);

    // What each hostile size gets: the 100 KB ID and one over the ID limit are refused before any policy
    // work; the largest accepted ID reaches the matcher and is denied.
    assert.equal(await popFailure(describeAs(huge)), 'InvalidParameter');
    assert.equal(await popFailure(describeAs(overLimit)), 'IllegalParam.VpnConnectionId');
    assert.equal(await popFailure(describeAs(atLimit)), 'Forbbiden.SubUser');
  });

  it('control characters are refused at input with the documented errors, and nothing is stored', async () => {
    const vpc = vpcClientFor(server, ROOT);
    const gateways = async () => Number((await vpc.describeCustomerGateways(new $Vpc.DescribeCustomerGatewaysRequest({ regionId: REGION }))).body!.totalCount);
    const initially = await gateways();
    for (const name of ['gw\u0000', 'gw\u0001x', 'gw\uFFFE', 'gw\uFFFF', 'gw\u001B[31m']) {
      await sdkError(vpc.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: REGION, ipAddress: '203.0.113.7', name })), 'IllegalParam.Name', 400);
    }
    await sdkError(
      vpc.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: REGION, ipAddress: '203.0.113.7', description: 'a\u0007b' })),
      'IllegalParam.Description',
      400,
    );
    assert.equal(await gateways(), initially);
    // Tabs and line breaks are XML characters: still accepted.
    await vpc.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: REGION, ipAddress: '203.0.113.8', description: 'line\tone\nline two' }));
    assert.equal(await gateways(), initially + 1);

    await sdkError(ram.createUser(new $Ram.CreateUserRequest({ userName: 'ctl', displayName: 'x\u0000y' })), 'InvalidParameter.DisplayName.InvalidChars', 400);
    await sdkError(ram.createUser(new $Ram.CreateUserRequest({ userName: 'ctl', comments: '\u0002' })), 'InvalidParameter.Comments.InvalidChars', 400);
    await sdkError(ram.getUser(new $Ram.GetUserRequest({ userName: 'ctl' })), 'EntityNotExist.User', 404);

    const user = await userWithKey(ram, 'ctl-sts', [{ type: 'System', name: 'AliyunSTSAssumeRoleAccess' }]);
    await ram.createRole(new $Ram.CreateRoleRequest({ roleName: 'CtlRole', assumeRolePolicyDocument: TRUST_ACCOUNT }));
    await sdkError(
      stsClient(server, user).assumeRole(new $Sts.AssumeRoleRequest({ roleArn: `acs:ram::${ROOT.accountId}:role/CtlRole`, roleSessionName: 'ok-name', sourceIdentity: 'me\u0003' })),
      'InvalidParameter.SourceIdentity',
      400,
    );

    // A JSON-string configuration cannot smuggle one in through an escape either.
    const cgw = (await vpc.createCustomerGateway(new $Vpc.CreateCustomerGatewayRequest({ regionId: REGION, ipAddress: '203.0.113.9' }))).body!.customerGatewayId!;
    await sdkError(
      vpc.createVpnAttachment(new $Vpc.CreateVpnAttachmentRequest({
        regionId: REGION, customerGatewayId: cgw, localSubnet: '10.0.0.0/16', remoteSubnet: '192.168.0.0/16',
        ikeConfig: JSON.stringify({ Psk: 'secret\u0001' }),
      })),
      'IllegalParam.IkeConfig',
      400,
    );
  });

  it('Format=XML is well-formed even for names stored with control characters (strict parse), success and error bodies', async () => {
    const dataDir = tempDataDir();
    const store = await openTestStore(dataDir);
    await store.putCustomerGateway({
      customerGatewayId: 'cgw-ctl1', accountId: ROOT.accountId, regionId: REGION, ipAddress: '203.0.113.10', asn: null, authKey: '',
      // no U+0000 or lone surrogate: PostgreSQL text cannot hold them (the renderer check below covers them)
      name: 'bad\u0001\u0008\uFFFE\uFFFFname', description: 'desc\u001F<&>"\'', resourceGroupId: '', tags: [{ key: 'k\u0002', value: 'v\uFFFF' }],
      createTime: Date.now(),
    });
    await store.close();
    const seeded = await startTestServer(dataDir, { VCOROUTE_CHANGE_DELAY_MS: '0' });
    try {
      await seeded.admin('PUT', '/_vcoroute/v1/vpn-connections/vco-ctl1', { regionId: REGION, state: 'attached', tunnels: [{ tunnelId: 'tun-ctl1a' }, { tunnelId: 'tun-ctl1b' }] });
      await seeded.admin('POST', '/_vcoroute/v1/vpn-connections/vco-ctl1/routes', { routes: [{ routeEntryType: 'bgp', routeDest: '10.0.0.0/8', source: 'VPN_BGP', asPath: [65001], community: '65535:65510' }] });
      const xml = async (action: string, query: Record<string, string>) => {
        const res = await v3Send(seeded.baseUrl, { action, query: { RegionId: REGION, Format: 'XML', ...query } });
        noteStatus(res.status, action);
        assert.equal(res.headers['content-type'], 'text/xml;charset=utf-8');
        assertWellFormedXml(res.text, action);
        return res;
      };
      const list = await xml('DescribeCustomerGateways', {});
      assert.equal(list.status, 200);
      assert.ok(list.text.includes('bad\uFFFD\uFFFD\uFFFD\uFFFDname'), list.text);
      assert.ok(list.text.includes('desc\uFFFD&lt;&amp;&gt;&quot;&apos;'), list.text);
      assert.equal((await xml('DescribeCustomerGateway', { CustomerGatewayId: 'cgw-ctl1' })).status, 200);
      assert.equal((await xml('DescribeVcoRouteEntries', { VpnConnectionId: 'vco-ctl1', RouteEntryType: 'bgp' })).status, 200);
      // JSON keeps the stored text exactly (escaped), as before
      const json = await v3Send(seeded.baseUrl, { action: 'DescribeCustomerGateway', query: { RegionId: REGION, CustomerGatewayId: 'cgw-ctl1' } });
      assert.equal(json.json.Name, 'bad\u0001\u0008\uFFFE\uFFFFname');
      // errors about such input, in XML
      const refused = await xml('CreateCustomerGateway', { IpAddress: '203.0.113.11', Name: 'x\u0001' });
      assert.equal(refused.status, 400);
      assert.match(refused.text, /<Code>IllegalParam.Name<\/Code>/);
    } finally {
      await seeded.close();
    }
    // the renderer itself, for what no store can hold: U+0000 and unpaired surrogates
    const body = renderSuccess('Describe', 'ID', { Name: 'a\u0000b\uD800c\uDC00d\uD83D\uDE00' }, 'XML').body.toString();
    assertWellFormedXml(body, 'renderSuccess');
    assert.ok(body.includes('<Name>a\uFFFDb\uFFFDc\uFFFDd\uD83D\uDE00</Name>'), body);
  });
});
