/**
 * The wire protocol with raw HTTP and our own signing (src/pop/signature.ts), for the requests an SDK never
 * produces: dispatch errors, broken signatures, time and nonce checks, form and chunked bodies, XML,
 * parameter parsing, HTTP methods, ClientToken.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { v1Signature, v1StringToSign, v3CanonicalRequest, v3Signature, v3StringToSign } from '../../src/pop/signature';
import {
  assertNoServerErrors, encodeParams, expectJsonError, send, signV1, signV3, timestamp, v1Get, v1Post, v3Send,
} from '../helpers/http';
import { ROOT, startTestServer, type TestServer } from '../helpers/server';

const CONN = 'vco-wire01';
const BIZ = { RegionId: 'cn-hangzhou', VpnConnectionId: CONN };

let server: TestServer;
let base: string;

before(async () => {
  server = await startTestServer();
  base = server.baseUrl;
  await server.admin('PUT', `/_vcoroute/v1/vpn-connections/${CONN}`, { regionId: 'cn-hangzhou', state: 'attached' });
  await server.admin('POST', `/_vcoroute/v1/vpn-connections/${CONN}/routes`, {
    routes: [{ routeEntryType: 'custom', routeDest: '10.1.0.0/16' }, { routeEntryType: 'custom', routeDest: '10.2.0.0/16' }],
  });
});

after(async () => {
  await server?.close();
});

describe('dispatch', () => {
  test('unknown action → 404 InvalidApi.NotFound (V1 and V3)', async () => {
    expectJsonError(await v1Get(base, { ...BIZ, Action: 'DescribeNothing' }), 404, 'InvalidApi.NotFound');
    expectJsonError(await v3Send(base, { query: BIZ, action: 'DescribeNothing' }), 404, 'InvalidApi.NotFound');
  });

  test('unknown version → 400 InvalidVersion, HostId echoes the addressed host', async () => {
    const body = expectJsonError(await v1Get(base, { ...BIZ, Version: '2099-01-01' }), 400, 'InvalidVersion');
    assert.equal(body.HostId, server.endpoint);
    expectJsonError(await v3Send(base, { query: BIZ, version: '2014-05-26' }), 400, 'InvalidVersion');
  });

  test('a path other than / → 404 InvalidApi.NotFound', async () => {
    expectJsonError(await send(base, { path: `/vpc?${encodeParams(signV1(BIZ))}` }), 404, 'InvalidApi.NotFound');
  });

  test('no Action → 400 MissingAction; no Version → 400 MissingVersion', async () => {
    expectJsonError(await v1Get(base, BIZ, { common: { Action: undefined } }), 400, 'MissingAction');
    expectJsonError(await v1Get(base, BIZ, { common: { Version: undefined } }), 400, 'MissingVersion');
  });

  test('PUT and DELETE → 400 UnsupportedHTTPMethod', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      expectJsonError(await send(base, { method, path: `/?${encodeParams(signV1(BIZ, { method }))}` }), 400, 'UnsupportedHTTPMethod');
    }
  });
});

describe('signature V1', () => {
  test('a correctly signed GET and POST succeed', async () => {
    assert.equal((await v1Get(base, BIZ)).json.TotalCount, 2);
    assert.equal((await v1Post(base, BIZ)).json.TotalCount, 2);
  });

  test('no Signature → 400 MissingSignature; other missing common parameters → Missing{Name}', async () => {
    expectJsonError(await send(base, { path: `/?${encodeParams({ Action: 'DescribeVcoRouteEntries', Version: '2016-04-28', ...BIZ })}` }), 400, 'MissingSignature');
    for (const name of ['AccessKeyId', 'SignatureNonce', 'Timestamp', 'SignatureMethod']) {
      expectJsonError(await v1Get(base, BIZ, { common: { [name]: undefined } }), 400, `Missing${name}`);
    }
  });

  test('unsupported SignatureMethod / SignatureVersion', async () => {
    expectJsonError(await v1Get(base, BIZ, { common: { SignatureMethod: 'HMAC-SHA256' } }), 400, 'InvalidSignatureMethod');
    expectJsonError(await v1Get(base, BIZ, { common: { SignatureVersion: '2.0' } }), 400, 'InvalidSignatureVersion');
  });

  test('wrong secret → 400 SignatureDoesNotMatch with the server string to sign, never the expected signature', async () => {
    const params = signV1(BIZ, { secret: 'not-the-secret' });
    const res = await send(base, { path: `/?${encodeParams(params)}` });
    const body = expectJsonError(res, 400, 'SignatureDoesNotMatch');
    const stringToSign = v1StringToSign('GET', params);
    assert.equal(body.Message, `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`);
    const good = v1Signature(ROOT.accessKeySecret, stringToSign);
    assert.ok(!res.text.includes(good) && !res.text.includes(encodeURIComponent(good)) && !res.text.includes(ROOT.accessKeySecret));
  });

  test('a tampered parameter or the wrong method fails the signature', async () => {
    const params = signV1(BIZ);
    expectJsonError(await send(base, { path: `/?${encodeParams({ ...params, PageSize: '5' })}` }), 400, 'SignatureDoesNotMatch');
    expectJsonError(await send(base, { method: 'POST', path: `/?${encodeParams(signV1(BIZ, { method: 'GET' }))}` }), 400, 'SignatureDoesNotMatch');
  });

  test('unknown AccessKeyId → 404 InvalidAccessKeyId.NotFound', async () => {
    expectJsonError(await v1Get(base, BIZ, { accessKeyId: 'LTAInosuchkey' }), 404, 'InvalidAccessKeyId.NotFound');
  });

  test('timestamps: 16 minutes old or ahead → Expired; 14 minutes old → accepted; malformed → Format', async () => {
    const min = 60_000;
    expectJsonError(await v1Get(base, BIZ, { common: { Timestamp: timestamp(Date.now() - 16 * min) } }), 400, 'InvalidTimeStamp.Expired');
    expectJsonError(await v1Get(base, BIZ, { common: { Timestamp: timestamp(Date.now() + 16 * min) } }), 400, 'InvalidTimeStamp.Expired');
    assert.equal((await v1Get(base, BIZ, { common: { Timestamp: timestamp(Date.now() - 14 * min) } })).status, 200);
    for (const bad of ['2024-01-01 00:00:00', '2024-02-30T00:00:00Z', '1700000000', '2024-01-01T00:00:00', '2024-01-01T25:00:00Z']) {
      expectJsonError(await v1Get(base, BIZ, { common: { Timestamp: bad } }), 400, 'InvalidTimeStamp.Format');
    }
  });

  test('a replayed nonce → 400 SignatureNonceUsed; a request that failed its signature does not burn the nonce', async () => {
    const path = `/?${encodeParams(signV1(BIZ))}`;
    assert.equal((await send(base, { path })).status, 200);
    expectJsonError(await send(base, { path }), 400, 'SignatureNonceUsed');

    const nonce = `n-${Date.now()}`;
    expectJsonError(await v1Get(base, BIZ, { secret: 'wrong', common: { SignatureNonce: nonce } }), 400, 'SignatureDoesNotMatch');
    assert.equal((await v1Get(base, BIZ, { common: { SignatureNonce: nonce } })).status, 200);
    expectJsonError(await v1Get(base, BIZ, { common: { SignatureNonce: nonce } }), 400, 'SignatureNonceUsed');
  });
});

describe('signature V3', () => {
  test('ACS3-HMAC-SHA256 and ACS3-HMAC-SM3 succeed', async () => {
    assert.equal((await v3Send(base, { query: BIZ })).json.TotalCount, 2);
    assert.equal((await v3Send(base, { query: BIZ, algorithm: 'ACS3-HMAC-SM3' })).json.TotalCount, 2);
  });

  test('malformed or missing Authorization → 400 IncompleteSignature; unknown algorithm → InvalidSignatureMethod', async () => {
    const r = signV3({ host: server.endpoint, query: BIZ });
    for (const auth of ['ACS3-HMAC-SHA256 garbage', 'ACS3-HMAC-SHA256 Credential=x,SignedHeaders=host', 'ACS3-']) {
      expectJsonError(await send(base, { ...r, headers: { ...r.headers, authorization: auth } }), 400, 'IncompleteSignature');
    }
    const other = r.headers.authorization!.replace('ACS3-HMAC-SHA256', 'ACS3-HMAC-MD5');
    expectJsonError(await send(base, { ...r, headers: { ...r.headers, authorization: other } }), 400, 'InvalidSignatureMethod');
  });

  test('each required header must be signed → 400 IncompleteSignature naming it', async () => {
    for (const name of ['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version']) {
      const body = expectJsonError(await v3Send(base, { query: BIZ, unsigned: [name] }), 400, 'IncompleteSignature');
      assert.match(body.Message, new RegExp(`"${name}" must be signed`));
    }
  });

  test('SignedHeaders not sorted → IncompleteSignature; a signed header that is absent → IncompleteSignature', async () => {
    const r = signV3({ host: server.endpoint, query: BIZ });
    const unsorted = r.headers.authorization!.replace('host;x-acs-action', 'x-acs-action;host');
    expectJsonError(await send(base, { ...r, headers: { ...r.headers, authorization: unsorted } }), 400, 'IncompleteSignature');
    const withExtra = signV3({ host: server.endpoint, query: BIZ, headers: { 'x-acs-extra': 'v' } });
    const { 'x-acs-extra': _dropped, ...headers } = withExtra.headers;
    expectJsonError(await send(base, { ...withExtra, headers }), 400, 'IncompleteSignature');
  });

  test('canonical headers come from the client SignedHeaders: a new signed x-acs-* header works, changing it breaks the signature', async () => {
    const r = signV3({ host: server.endpoint, query: BIZ, headers: { 'x-acs-credentials-provider': 'static_ak' } });
    assert.match(r.headers.authorization!, /SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;/);
    assert.equal((await send(base, r)).status, 200);
    const r2 = signV3({ host: server.endpoint, query: BIZ, headers: { 'x-acs-credentials-provider': 'static_ak' } });
    expectJsonError(await send(base, { ...r2, headers: { ...r2.headers, 'x-acs-credentials-provider': 'ecs_ram_role' } }), 400, 'SignatureDoesNotMatch');
  });

  test('wrong secret → 400 SignatureDoesNotMatch without the expected signature', async () => {
    const r = signV3({ host: server.endpoint, query: BIZ, secret: 'wrong' });
    const res = await send(base, r);
    expectJsonError(res, 400, 'SignatureDoesNotMatch');
    const signed = /SignedHeaders=([^,]+)/.exec(r.headers.authorization!)![1]!.split(';');
    const canonical = v3CanonicalRequest('POST', '/', BIZ, r.headers, signed, r.headers['x-acs-content-sha256']!)!;
    const good = v3Signature('ACS3-HMAC-SHA256', ROOT.accessKeySecret, v3StringToSign('ACS3-HMAC-SHA256', canonical));
    assert.ok(!res.text.includes(good));
  });

  test('body hash mismatch → 400 SignatureDoesNotMatch (header vs body, and body changed after signing)', async () => {
    const form = 'application/x-www-form-urlencoded';
    const body = expectJsonError(
      await v3Send(base, { query: BIZ, body: 'PageSize=5', contentType: form, payloadHash: 'ab'.repeat(32) }), 400, 'SignatureDoesNotMatch',
    );
    assert.match(body.Message, /x-acs-content-sha256/);
    const r = signV3({ host: server.endpoint, query: BIZ, body: 'PageSize=5', contentType: form });
    expectJsonError(await send(base, { ...r, body: 'PageSize=6' }), 400, 'SignatureDoesNotMatch');
  });

  test('unknown AccessKeyId → 404; old, future and malformed x-acs-date', async () => {
    expectJsonError(await v3Send(base, { query: BIZ, accessKeyId: 'LTAInosuchkey' }), 404, 'InvalidAccessKeyId.NotFound');
    expectJsonError(await v3Send(base, { query: BIZ, date: timestamp(Date.now() - 16 * 60_000) }), 400, 'InvalidTimeStamp.Expired');
    expectJsonError(await v3Send(base, { query: BIZ, date: timestamp(Date.now() + 16 * 60_000) }), 400, 'InvalidTimeStamp.Expired');
    expectJsonError(await v3Send(base, { query: BIZ, date: 'Mon, 01 Jan 2024 00:00:00 GMT' }), 400, 'InvalidTimeStamp.Format');
  });

  test('a parameter name holding "=" and "&" cannot stand in for signed parameters (keys are encoded in the canonical query)', async () => {
    const conn = 'vco-wire02';
    await server.admin('PUT', `/_vcoroute/v1/vpn-connections/${conn}`, { regionId: 'cn-hangzhou', state: 'attached' });
    const query = { RegionId: 'cn-hangzhou', VpnConnectionId: conn, RouteDest: '10.9.0.0/16', NextHop: conn, Weight: '100', Description: 'x', DryRun: 'true' };
    const r = signV3({ host: server.endpoint, query, action: 'CreateVcoRouteEntry' });
    // The signer asked for a dry run. One parameter named `Description=x&DryRun` with value `true` would read the
    // same as Description=x and DryRun=true if keys were signed raw — and would hide DryRun from the operation.
    const forged = `/?${encodeURIComponent('Description=x&DryRun')}=true&NextHop=${conn}&RegionId=cn-hangzhou&RouteDest=${encodeURIComponent('10.9.0.0/16')}` +
      `&VpnConnectionId=${conn}&Weight=100`;
    expectJsonError(await send(base, { ...r, path: forged }), 400, 'SignatureDoesNotMatch');
    const routes = await v3Send(base, { query: { RegionId: 'cn-hangzhou', VpnConnectionId: conn } });
    assert.equal(routes.json.TotalCount, 0, 'nothing was created');
    expectJsonError(await send(base, r), 400, 'DryRunOperation');
  });

  test('a body needs a signed content-type → 400 IncompleteSignature (else removing it would hide the body parameters)', async () => {
    const conn = 'vco-wire03';
    await server.admin('PUT', `/_vcoroute/v1/vpn-connections/${conn}`, { regionId: 'cn-hangzhou', state: 'attached' });
    const query = { RegionId: 'cn-hangzhou', VpnConnectionId: conn, RouteDest: '10.8.0.0/16', NextHop: conn, Weight: '100' };
    const r = signV3({ host: server.endpoint, query, action: 'CreateVcoRouteEntry', body: 'DryRun=true', contentType: 'application/x-www-form-urlencoded', unsigned: ['content-type'] });
    const body = expectJsonError(await send(base, r), 400, 'IncompleteSignature');
    assert.match(body.Message, /"content-type" must be signed/);
    // The same request without its content-type: the body would no longer be parameters and the dry run a real change.
    const { 'content-type': _dropped, ...stripped } = r.headers;
    expectJsonError(await send(base, { ...r, headers: stripped }), 400, 'IncompleteSignature');
    assert.equal((await v3Send(base, { query: { RegionId: 'cn-hangzhou', VpnConnectionId: conn } })).json.TotalCount, 0, 'nothing was created');
  });

  test('a replayed request → 400 SignatureNonceUsed', async () => {
    const r = signV3({ host: server.endpoint, query: BIZ });
    assert.equal((await send(base, r)).status, 200);
    expectJsonError(await send(base, r), 400, 'SignatureNonceUsed');
  });
});

describe('parameters', () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };

  test('V1 POST: all parameters in a form body, or split between query and body, "+" as space', async () => {
    assert.equal((await v1Post(base, { ...BIZ, PageSize: '1' })).json.VcoRouteEntries.length, 1);
    const params = signV1({ ...BIZ, ClientToken: 'a b' }, { method: 'POST' });
    const { RegionId, VpnConnectionId, ClientToken, ...rest } = params;
    const res = await send(base, {
      method: 'POST',
      path: `/?${encodeParams(rest)}`,
      headers: form,
      body: `RegionId=${RegionId}&VpnConnectionId=${VpnConnectionId}&ClientToken=${ClientToken!.replace(' ', '+')}`,
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.TotalCount, 2);
  });

  test('V3 with a chunked form body (no content-length): body parameters reach the operation', async () => {
    const res = await v3Send(base, {
      query: { RegionId: 'cn-hangzhou' },
      body: `VpnConnectionId=${CONN}&PageSize=1&PageNumber=2`,
      contentType: 'application/x-www-form-urlencoded',
      chunked: true,
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.PageNumber, 2);
    assert.deepEqual(res.json.VcoRouteEntries.map((e: any) => e.RouteDest), ['10.2.0.0/16']);
  });

  test('a body without a form content-type is not read as parameters', async () => {
    const res = await v3Send(base, { query: { RegionId: 'cn-hangzhou' }, body: `VpnConnectionId=${CONN}`, contentType: 'text/plain' });
    expectJsonError(res, 400, 'MissingVpnConnectionId');
  });

  test('a repeated parameter → 400 InvalidParameter (in the query, and across query and body)', async () => {
    const body = expectJsonError(await send(base, { path: `/?${encodeParams(signV1(BIZ))}&RegionId=cn-shanghai` }), 400, 'InvalidParameter');
    assert.match(body.Message, /RegionId/);
    const params = signV1(BIZ, { method: 'POST' });
    expectJsonError(await send(base, { method: 'POST', path: `/?${encodeParams(params)}`, headers: form, body: 'RegionId=cn-hangzhou' }), 400, 'InvalidParameter');
  });

  test('malformed percent-encoding → 400 InvalidParameter.Format', async () => {
    for (const bad of ['%zz', '%E2%82', '%']) {
      expectJsonError(await send(base, { path: `/?${encodeParams(signV1(BIZ))}&X=${bad}` }), 400, 'InvalidParameter.Format');
    }
    expectJsonError(await send(base, { method: 'POST', path: '/', headers: form, body: `${encodeParams(signV1(BIZ, { method: 'POST' }))}&Y=%G0` }), 400, 'InvalidParameter.Format');
  });
});

describe('Format=XML', () => {
  test('success: root <DescribeVcoRouteEntriesResponse>, one element per array item', async () => {
    const res = await v1Get(base, { ...BIZ, Format: 'XML' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/xml;charset=utf-8');
    assert.match(res.text, /^<\?xml version="1\.0" encoding="UTF-8"\?><DescribeVcoRouteEntriesResponse><RequestId>[0-9A-F-]{36}<\/RequestId><TotalCount>2<\/TotalCount><PageNumber>1<\/PageNumber><PageSize>10<\/PageSize><VcoRouteEntries>/);
    assert.ok(res.text.endsWith('</DescribeVcoRouteEntriesResponse>'));
    assert.equal(res.text.match(/<VcoRouteEntries>/g)!.length, 2);
    assert.match(res.text, /<RouteDest>10\.1\.0\.0\/16<\/RouteDest>/);
    // lower case works too, and V3 honours Format in the query
    assert.match((await v1Get(base, { ...BIZ, Format: 'xml' })).text, /<DescribeVcoRouteEntriesResponse>/);
    assert.match((await v3Send(base, { query: { ...BIZ, Format: 'XML' } })).text, /<DescribeVcoRouteEntriesResponse>/);
  });

  test('errors: <Error> with content-type exactly text/xml;charset=utf-8, also before parsing succeeds', async () => {
    for (const res of [
      await v1Get(base, { ...BIZ, Format: 'XML', VpnConnectionId: 'vco-nosuch' }),
      await send(base, { path: '/?Format=XML&X=%zz' }),
    ]) {
      assert.ok(res.status === 404 || res.status === 400);
      assert.equal(res.headers['content-type'], 'text/xml;charset=utf-8');
      const m = /^<\?xml version="1\.0" encoding="UTF-8"\?><Error><RequestId>([0-9A-F-]{36})<\/RequestId><HostId>[^<]+<\/HostId><Code>([^<]+)<\/Code><Message>[^<]+<\/Message><Recommend>([^<]+)<\/Recommend><\/Error>$/.exec(res.text);
      assert.ok(m, res.text);
      assert.equal(m[2], res.status === 404 ? 'InvalidVpnConnectionInstanceId.NotFound' : 'InvalidParameter.Format');
      assert.ok(m[3]!.includes(`&amp;requestId=${m[1]}`), 'the & of Recommend is escaped');
    }
  });
});

describe('ClientToken', () => {
  test('same token and parameters → the first result; different parameters → 400 IdempotentParameterMismatch', async () => {
    const token = `tok-${Date.now()}`;
    const first = (await v1Get(base, { ...BIZ, ClientToken: token })).json;
    assert.equal(first.TotalCount, 2);
    await server.admin('POST', `/_vcoroute/v1/vpn-connections/${CONN}/routes`, { routes: [{ routeEntryType: 'custom', routeDest: '10.3.0.0/16' }] });
    const again = (await v1Post(base, { ...BIZ, ClientToken: token })).json;
    assert.notEqual(again.RequestId, first.RequestId);
    assert.deepEqual({ ...again, RequestId: undefined }, { ...first, RequestId: undefined });
    assert.equal((await v1Get(base, BIZ)).json.TotalCount, 3, 'without the token the new state shows');
    const viaV3 = await v3Send(base, { query: { ...BIZ, ClientToken: token } });
    assert.equal(viaV3.json.TotalCount, 2, 'the token is not tied to the signature version');
    expectJsonError(await v1Get(base, { ...BIZ, ClientToken: token, PageSize: '5' }), 400, 'IdempotentParameterMismatch');
  });

  test('tokens are case-sensitive and a failed call releases its token', async () => {
    const token = `case-${Date.now()}`;
    assert.equal((await v1Get(base, { ...BIZ, ClientToken: token })).status, 200);
    assert.equal((await v1Get(base, { ...BIZ, ClientToken: token.toUpperCase(), PageSize: '1' })).status, 200);
    const failing = `fail-${Date.now()}`;
    expectJsonError(await v1Get(base, { ...BIZ, VpnConnectionId: 'vco-nosuch', ClientToken: failing }), 404, 'InvalidVpnConnectionInstanceId.NotFound');
    assert.equal((await v1Get(base, { ...BIZ, ClientToken: failing })).status, 200);
  });

  test('64 ASCII characters are fine; 65 characters or non-ASCII → 400 IllegalParam.ClientToken', async () => {
    assert.equal((await v1Get(base, { ...BIZ, ClientToken: 'a'.repeat(64) })).status, 200);
    expectJsonError(await v1Get(base, { ...BIZ, ClientToken: 'b'.repeat(65) }), 400, 'IllegalParam.ClientToken');
    expectJsonError(await v1Get(base, { ...BIZ, ClientToken: 'tökén' }), 400, 'IllegalParam.ClientToken');
  });
});

test('no response in this file had a 5xx status', () => {
  assertNoServerErrors();
});
