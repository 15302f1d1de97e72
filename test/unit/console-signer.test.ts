/**
 * The web console's V3 signer (web/src/signer.ts, WebCrypto) against the reference vectors of
 * pop-protocol.md §6 (V3-a, V3-c), and against the server's own signer for parameters that need encoding.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMPTY_BODY_SHA256, acsDate, authorization, canonicalQuery, canonicalRequest, newNonce, percentEncode, sha256Hex } from '../../web/src/signer';
import { v3CanonicalQuery } from '../../src/pop/signature';
import { percentEncode as serverPercentEncode } from '../../src/pop/encoding';

const KEY = { accessKeyId: 'testid', accessKeySecret: 'testsecret' };
const COMMON = { host: 'vpc.aliyuncs.com', 'x-acs-version': '2016-04-28', 'x-acs-date': '2024-01-01T00:00:00Z' };

test('V3-a: DescribeVcoRouteEntries, no body', async () => {
  const req = {
    method: 'POST' as const,
    query: { RegionId: 'cn-hangzhou', VpnConnectionId: 'vco-abc123', PageSize: '10', RouteEntryType: 'custom' },
    headers: { ...COMMON, 'x-acs-action': 'DescribeVcoRouteEntries', 'x-acs-signature-nonce': 'nonce-0001', 'x-acs-content-sha256': EMPTY_BODY_SHA256 },
    payloadHash: EMPTY_BODY_SHA256,
  };
  assert.equal(await sha256Hex(''), EMPTY_BODY_SHA256);
  assert.equal(await sha256Hex(canonicalRequest(req)), 'df95227a928565951fa927ffecc80ec78d929ce0b89a1e07372b89c1b09b5989');
  assert.equal(await authorization(KEY, req),
    'ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,' +
    'Signature=03e680164761ac8658f4ae26aaeacf785a15be9df863fcd55f46b21abd73fdf8');
});

test('V3-c: a form body, content-type signed', async () => {
  const body = 'TunnelOptionsSpecification.1.CustomerGatewayId=cgw-1&TunnelOptionsSpecification.1.TunnelIndex=1';
  const payloadHash = await sha256Hex(body);
  assert.equal(payloadHash, '58bb99e2ee91ec08234a01e675f061a6703502e31c79d5c750b6b6503c229a27');
  const req = {
    method: 'POST' as const,
    query: { RegionId: 'cn-hangzhou', LocalSubnet: '0.0.0.0/0', RemoteSubnet: '0.0.0.0/0' },
    headers: { ...COMMON, 'content-type': 'application/x-www-form-urlencoded', 'x-acs-action': 'CreateVpnAttachment', 'x-acs-signature-nonce': 'nonce-0002',
      'x-acs-content-sha256': payloadHash },
    payloadHash,
  };
  assert.equal(canonicalQuery(req.query), 'LocalSubnet=0.0.0.0%2F0&RegionId=cn-hangzhou&RemoteSubnet=0.0.0.0%2F0');
  assert.equal(await sha256Hex(canonicalRequest(req)), 'b9223f61d94b573ba46fdbbc0d08c49ba00bef929dbbc19fc89df211e8a8cf79');
  assert.match(await authorization(KEY, req), /,Signature=b731cb1c8c720144f66e5d6ad1956f145fbcdd235c4876b674e0530914defa64$/);
});

test('encodes exactly as the server canonicalises (space, *, ~, !, quotes, UTF-8)', () => {
  const query = { 'Description': "a b*c~d!e'f(g)h/é", RouteDest: '10.0.0.0/24', Empty: '' };
  assert.equal(canonicalQuery(query), v3CanonicalQuery(query));
  for (const s of ["a b", '*', '~', "!'()", 'é/ü', '%20']) assert.equal(percentEncode(s), serverPercentEncode(s));
});

test('date without milliseconds, 64-hex nonces that differ', () => {
  assert.equal(acsDate(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678))), '2024-01-02T03:04:05Z');
  const [a, b] = [newNonce(), newNonce()];
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.notEqual(a, b);
});
