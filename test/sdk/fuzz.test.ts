/**
 * Bad input never crashes the server nor produces a 5xx: thousands of generated requests — correctly signed
 * ones with hostile parameter values for every operation in the table, and malformed requests of every kind
 * — each must get a 2xx or a 4xx with an Alibaba error body, and the server must keep answering.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ALL_OPERATIONS } from '../../src/operations';
import { tableName } from '../../src/products/params';
import type { Operation } from '../../src/products/product';
import { MAX_PARAMETER_VALUE } from '../../src/pop/request';
import { assertNoServerErrors, send, v1Post, v3Send } from '../helpers/http';
import { sdkRequestParameters } from '../helpers/sdk-request-params';
import { rng, type Rng } from '../helpers/random';
import { startTestServer, type TestServer } from '../helpers/server';

const NAMES = [
  'RegionId', 'VpnConnectionId', 'CustomerGatewayId', 'RouteEntryType', 'PageNumber', 'PageSize', 'RouteDest', 'NextHop', 'Weight',
  'NewWeight', 'OverlayMode', 'DryRun', 'ClientToken', 'IpAddress', 'Asn', 'AuthKey', 'Name', 'Description', 'LocalSubnet', 'RemoteSubnet',
  'NetworkType', 'EffectImmediately', 'EnableTunnelsBgp', 'TunnelBandwidth', 'IkeConfig', 'IpsecConfig', 'BgpConfig', 'HealthCheckConfig',
  'Tags.1.Key', 'Tags.1.Value', 'Tags.21.Key', 'TunnelOptionsSpecification.1.CustomerGatewayId', 'TunnelOptionsSpecification.1.TunnelIndex',
  'TunnelOptionsSpecification.2.TunnelIndex', 'TunnelOptionsSpecification.1.TunnelBgpConfig.TunnelCidr',
  'TunnelOptionsSpecification.1.TunnelBgpConfig.LocalBgpIp', 'TunnelOptionsSpecification.1.TunnelIkeConfig.Psk',
  'TunnelOptionsSpecification.3.TunnelId', 'UserName', 'NewUserName', 'DisplayName', 'PolicyName', 'PolicyType', 'PolicyDocument',
  'VersionId', 'SetAsDefault', 'RotateStrategy', 'GroupName', 'RoleName', 'AssumeRolePolicyDocument', 'MaxSessionDuration', 'RoleArn',
  'RoleSessionName', 'DurationSeconds', 'Policy', 'ExternalId', 'Marker', 'MaxItems', 'UserAccessKeyId', 'Status', 'CascadingDelete',
];

const VALUES = [
  '', ' ', 'cn-hangzhou', 'cn-shanghai', 'vco-fuzz1', 'vco-FUZZ', 'cgw-fuzz', 'custom', 'bgp', 'BGP', '0', '1', '50', '51', '100', '-1',
  '1.5', '1e309', '9'.repeat(400), 'true', 'false', 'TRUE', 'null', '[]', '{}', '{"a":', '{"EnableBgp":"true","TunnelCidr":"169.254.9.0/30"}',
  '[{"Key":"k"}]', '10.0.0.0/16', '10.0.0.1/33', '0.0.0.0/0', '100.64.0.0/10', '169.254.11.0/30', '169.254.11.1', '203.0.113.9',
  '256.1.1.1', '65001', '4294967296', '1.65536', 'Ipsec', 'ikev9', 'a b', '%', '%%41', 'é', '日本語', '\u0000', '<x>&"\'',
  'acs:ram::1000000000000001:role/fuzz', 'Active', 'Inactive', 'System', 'Custom', 'x'.repeat(5000),
  '{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
  '{"Version":"1","Statement":[{"Effect":"Allow","Action":"vpc:*","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":"x"}}}]}',
];

function pick<T>(r: Rng, list: readonly T[]): T {
  return list[r.int(0, list.length - 1)]!;
}

function randomParams(r: Rng): Record<string, string> {
  const params: Record<string, string> = {};
  const n = r.int(0, 8);
  for (let i = 0; i < n; i++) params[pick(r, NAMES)] = pick(r, VALUES);
  if (r.next() < 0.8) params.RegionId = 'cn-hangzhou';
  return params;
}

function isErrorBody(text: string): boolean {
  const body = JSON.parse(text) as Record<string, unknown>;
  return ['RequestId', 'HostId', 'Code', 'Message'].every((k) => typeof body[k] === 'string');
}

/** The documented error for an over-long value, by product (written out here, not taken from the tables). */
function tooLongCode(op: Operation, name: string): string {
  if (op.product.name === 'Vpc') return `IllegalParam.${name.split('.')[0]}`;
  if (op.product.name === 'Ram') return `InvalidParameter.${name}.Length`;
  return name === 'Policy' ? 'InvalidParameter.PolicySize' : `InvalidParameter.${name}`;
}

/** A wire name with list indexes: Tags.N.Key → Tags.1.Key. */
const wireName = (name: string) => name.replace(/\.N(?=\.|$)/g, '.1');

/** Everything an operation could have changed, as the root account sees it (RequestIds left out). */
async function snapshot(baseUrl: string): Promise<string> {
  const reads: [string, string, Record<string, string>][] = [
    ['2016-04-28', 'DescribeVpnConnections', { RegionId: 'cn-hangzhou', PageSize: '50' }],
    ['2016-04-28', 'DescribeCustomerGateways', { RegionId: 'cn-hangzhou', PageSize: '50' }],
    ['2016-04-28', 'DescribeVcoRouteEntries', { RegionId: 'cn-hangzhou', VpnConnectionId: 'vco-fuzz1', PageSize: '50' }],
    ['2015-05-01', 'ListUsers', {}], ['2015-05-01', 'ListGroups', {}], ['2015-05-01', 'ListRoles', {}],
    ['2015-05-01', 'ListPolicies', { PolicyType: 'Custom' }],
  ];
  const out: unknown[] = [];
  for (const [version, action, query] of reads) {
    const res = await v3Send(baseUrl, { query, action, version });
    assert.equal(res.status, 200, `${action}: ${res.text}`);
    const { RequestId: _ignored, ...body } = res.json as Record<string, unknown>;
    out.push(body);
  }
  return JSON.stringify(out);
}

describe('generated bad input', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer(undefined, { VCOROUTE_CHANGE_DELAY_MS: '0' });
    await server.admin('PUT', '/_vcoroute/v1/vpn-connections/vco-fuzz1', { regionId: 'cn-hangzhou', state: 'attached', tunnels: [{ tunnelId: 'tun-fuzza' }, { tunnelId: 'tun-fuzzb' }] });
  });
  after(() => server.close());

  test('signed requests with hostile parameters, for every operation, over V1 and V3', async () => {
    const r = rng(20261126);
    let errors = 0;
    for (const op of ALL_OPERATIONS) {
      for (let i = 0; i < 40; i++) {
        const params = randomParams(r);
        const res = i % 2 === 0
          ? await v1Post(server.baseUrl, params, { common: { Action: op.action, Version: op.product.version } })
          : await v3Send(server.baseUrl, { query: params, action: op.action, version: op.product.version });
        assert.ok(res.status < 500, `${op.action} ${JSON.stringify(params)} → ${res.status}`);
        if (res.status >= 400) {
          errors++;
          assert.ok(isErrorBody(res.text), `${op.action}: error body ${res.text.slice(0, 200)}`);
        }
      }
    }
    assert.ok(errors > 0, 'hostile input was refused somewhere');
  });

  test('malformed requests: methods, paths, encodings, headers, bodies', async () => {
    const r = rng(7);
    const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
    const paths = ['/', '/?', '/?&&=', '/?Action', '/?%', '/?%zz=1', '/?a=%E0%A4%A', '/x', '//', '/?Format=XML&%=1', '/_vcoroute', '/_vcoroute/v1/x',
      `/?${'a'.repeat(6000)}=1`, '/?Action=DescribeVcoRouteEntries&Version=2016-04-28&Signature=x&AccessKeyId=LTAIvcorouteDevKeyId0001'];
    const auths = ['ACS3-HMAC-SHA256', 'ACS3-HMAC-SHA256 ', 'ACS3-HMAC-SHA256 Credential=,SignedHeaders=,Signature=', 'ACS3-RSA-SHA256 Credential=a,SignedHeaders=host,Signature=b',
      'ACS3-HMAC-SM3 Credential=LTAIvcorouteDevKeyId0001,SignedHeaders=host;x-acs-date,Signature=00', 'Bearer x', 'ACS3-' + 'x'.repeat(3000)];
    const contentTypes = ['application/x-www-form-urlencoded', 'application/json', 'text/plain', 'application/x-www-form-urlencoded; charset=utf-8'];
    const bodies = ['', 'a=1&a=2', '%', 'Action=DescribeVcoRouteEntries', '{"a":1}', Buffer.from([0xff, 0xfe, 0x00]).toString('latin1'), 'x'.repeat(2 * 1024 * 1024)];
    for (let i = 0; i < 1000; i++) {
      const headers: Record<string, string> = { 'content-type': pick(r, contentTypes) };
      if (r.next() < 0.6) headers.authorization = pick(r, auths);
      if (r.next() < 0.5) headers['x-acs-action'] = pick(r, ['DescribeVcoRouteEntries', 'Nope', '']);
      if (r.next() < 0.5) headers['x-acs-version'] = pick(r, ['2016-04-28', '2015-05-01', '1999-01-01']);
      if (r.next() < 0.3) headers['x-acs-date'] = pick(r, ['2024-01-01T00:00:00Z', 'yesterday', '2024-02-30T00:00:00Z']);
      const method = pick(r, methods);
      const body = method === 'GET' || r.next() < 0.3 ? undefined : pick(r, bodies);
      const res = await send(server.baseUrl, { method, path: pick(r, paths), headers, body, chunked: body !== undefined && r.next() < 0.5 });
      assert.ok(res.status < 500, `${method} → ${res.status}`);
    }
    // still serving
    assert.equal((await send(server.baseUrl, { path: '/_vcoroute/health' })).status, 200);
  });

  test('every parameter of every operation has a length limit: one character over → the documented error and nothing changed', async () => {
    const before = await snapshot(server.baseUrl);
    let checked = 0;
    for (const op of ALL_OPERATIONS) {
      for (const name of sdkRequestParameters(op)) {
        const max = op.product.parameters.maxLength[tableName(name)];
        assert.ok(max !== undefined, `${op.product.name} ${op.action}: ${name} has a length limit`);
        assert.ok(max < MAX_PARAMETER_VALUE, `${name}: the product limit ${max} lies under the request-wide cap`);
        const params = { RegionId: 'cn-hangzhou', [wireName(name)]: 'x'.repeat(max + 1) };
        const res = await v3Send(server.baseUrl, { query: params, action: op.action, version: op.product.version });
        assert.equal(res.status, 400, `${op.action} ${name} (${max + 1} characters): ${res.text.slice(0, 200)}`);
        assert.equal(res.json.Code, tooLongCode(op, name), `${op.action} ${name}: ${res.text.slice(0, 200)}`);
        checked++;
      }
    }
    assert.ok(checked > 250, `${checked} parameters checked`);
    assert.equal(await snapshot(server.baseUrl), before, 'refused requests changed nothing');
    // At the limit the length is accepted: whatever else is wrong, it is not refused for its length.
    for (const op of ALL_OPERATIONS) {
      for (const name of sdkRequestParameters(op)) {
        const max = op.product.parameters.maxLength[tableName(name)]!;
        const params = { RegionId: 'cn-hangzhou', [wireName(name)]: 'x'.repeat(max) };
        const res = await v3Send(server.baseUrl, { query: params, action: op.action, version: op.product.version });
        assert.ok(res.status < 500, `${op.action} ${name}: ${res.status}`);
        if (res.status >= 400) assert.doesNotMatch(res.json.Message as string, /too long|longer than/, `${op.action} ${name} at ${max} characters`);
      }
    }
  });

  test('documented limits: VPC names and descriptions 100, tags 64/128, RAM names 64/128, documents 6,144, STS session policy 2,048', () => {
    const limit = (action: string, name: string) => ALL_OPERATIONS.find((o) => o.action === action)!.product.parameters.maxLength[name];
    const documented: [string, string, number][] = [
      ['CreateCustomerGateway', 'Name', 100], ['CreateCustomerGateway', 'Description', 100], ['CreateVcoRouteEntry', 'Description', 100],
      ['CreateCustomerGateway', 'Tags.N.Key', 64], ['CreateCustomerGateway', 'Tags.N.Value', 128], ['CreateCustomerGateway', 'AuthKey', 64],
      ['CreateCustomerGateway', 'ClientToken', 64], ['CreateVpnAttachment', 'TunnelOptionsSpecification.N.TunnelIkeConfig.Psk', 100],
      ['CreateUser', 'UserName', 64], ['CreateUser', 'DisplayName', 128], ['CreateUser', 'Comments', 128], ['CreatePolicy', 'PolicyName', 128],
      ['CreatePolicy', 'PolicyDocument', 6144], ['CreatePolicy', 'Description', 1024], ['CreateRole', 'RoleName', 64],
      ['CreateGroup', 'GroupName', 64], ['AssumeRole', 'RoleSessionName', 64], ['AssumeRole', 'Policy', 2048], ['AssumeRole', 'ExternalId', 1224],
    ];
    for (const [action, name, max] of documented) assert.equal(limit(action, name), max, `${action} ${name}`);
  });

  test('oversized values and names are refused before anything else, whatever the parameter', async () => {
    const huge = await v3Send(server.baseUrl, { query: { RegionId: 'cn-hangzhou', VpnConnectionId: 'v'.repeat(MAX_PARAMETER_VALUE + 1) } });
    assert.equal(huge.status, 400);
    assert.equal(huge.json.Code, 'InvalidParameter');
    const unknown = await v1Post(server.baseUrl, { RegionId: 'cn-hangzhou', VpnConnectionId: 'vco-fuzz1', Unknown: 'u'.repeat(100_000) });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.Code, 'InvalidParameter');
    const longName = await v1Post(server.baseUrl, { RegionId: 'cn-hangzhou', VpnConnectionId: 'vco-fuzz1', ['N'.repeat(129)]: '1' });
    assert.equal(longName.status, 400);
    assert.equal(longName.json.Code, 'InvalidParameter');
  });

  test('no response was a 5xx', () => assertNoServerErrors());
});
