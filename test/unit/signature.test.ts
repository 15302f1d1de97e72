/**
 * Signature V1 and V3 against the published vectors (../shared/reference/pop-protocol.md §4–§6), and the
 * RFC 3986 encoder both versions rely on.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { formDecode, percentEncode } from '../../src/pop/encoding';
import {
  parseV3Authorization, safeEqual, v1CanonicalQuery, v1Signature, v1StringToSign, v3CanonicalRequest, v3Hash, v3Signature,
  v3StringToSign, type Params,
} from '../../src/pop/signature';

const SECRET = 'testsecret';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const EMPTY_SM3 = '1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b';

describe('signature V1 (HMAC-SHA1)', () => {
  test('V1-a: the official IMS CreateUser vector', () => {
    const params: Params = {
      AccessKeyId: 'testid',
      Action: 'CreateUser',
      DisplayName: 'test',
      Format: 'JSON',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '3f6b4e80-56f7-11eb-a256-a9f756ea7e85',
      SignatureVersion: '1.0',
      Timestamp: '2021-01-15T06:02:28Z',
      UserPrincipalName: 'test@example.onaliyun.com',
      Version: '2019-08-15',
    };
    const expected =
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DCreateUser%26DisplayName%3Dtest%26Format%3DJSON%26SignatureMethod%3DHMAC-SHA1' +
      '%26SignatureNonce%3D3f6b4e80-56f7-11eb-a256-a9f756ea7e85%26SignatureVersion%3D1.0%26Timestamp%3D2021-01-15T06%253A02%253A28Z' +
      '%26UserPrincipalName%3Dtest%2540example.onaliyun.com%26Version%3D2019-08-15';
    assert.equal(v1StringToSign('GET', params), expected);
    assert.equal(v1Signature(SECRET, expected), '02heLegtw4+BFamznl1Ltj+vJ4A=');
  });

  const v1b: Params = {
    AccessKeyId: 'testid',
    Action: 'DescribeVcoRouteEntries',
    Format: 'JSON',
    RegionId: 'cn-hangzhou',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: 'nonce-0001',
    SignatureVersion: '1.0',
    Timestamp: '2024-01-01T00:00:00Z',
    Version: '2016-04-28',
    VpnConnectionId: 'vco-abc123',
  };

  test('V1-b: DescribeVcoRouteEntries over GET', () => {
    assert.equal(v1Signature(SECRET, v1StringToSign('GET', v1b)), '7f8MT3dg4ajYDSiIokPs53o8xW4=');
  });

  test('V1-c: the same request over POST', () => {
    assert.equal(v1Signature(SECRET, v1StringToSign('POST', v1b)), 'UEptR40ANH15GddOy67rsp+YqIs=');
  });

  test('parameter order does not matter; Signature itself is never signed', () => {
    const shuffled: Params = {};
    for (const k of Object.keys(v1b).reverse()) shuffled[k] = v1b[k]!;
    shuffled.Signature = 'whatever';
    assert.equal(v1Signature(SECRET, v1StringToSign('GET', shuffled)), '7f8MT3dg4ajYDSiIokPs53o8xW4=');
    assert.equal(v1CanonicalQuery(shuffled), v1CanonicalQuery(v1b));
  });

  test('the key is the secret plus "&" (not the bare secret)', () => {
    const sts = v1StringToSign('GET', v1b);
    assert.notEqual(v1Signature(SECRET, sts), createHash('sha1').update(sts).digest('base64'));
    assert.equal(v1Signature(SECRET, sts), createHmac('sha1', `${SECRET}&`).update(sts).digest('base64'));
  });

  test('empty values are signed as key=; values are encoded once in the query and twice in the string to sign', () => {
    const params: Params = { B: '', A: 'a b*~/' };
    assert.equal(v1CanonicalQuery(params), 'A=a%20b%2A~%2F&B=');
    assert.equal(v1StringToSign('GET', params), 'GET&%2F&A%3Da%2520b%252A~%252F%26B%3D');
  });
});

describe('signature V3 (ACS3)', () => {
  const headersFor = (action: string, nonce: string, payload: string, contentType?: string) => ({
    host: 'vpc.aliyuncs.com',
    'x-acs-action': action,
    'x-acs-content-sha256': payload,
    'x-acs-date': '2024-01-01T00:00:00Z',
    'x-acs-signature-nonce': nonce,
    'x-acs-version': '2016-04-28',
    ...(contentType === undefined ? {} : { 'content-type': contentType }),
  });
  const SIGNED = ['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version'];
  const QUERY: Params = { RegionId: 'cn-hangzhou', VpnConnectionId: 'vco-abc123', PageSize: '10', RouteEntryType: 'custom' };

  test('V3-a: ACS3-HMAC-SHA256 without a body', () => {
    assert.equal(v3Hash('ACS3-HMAC-SHA256', Buffer.alloc(0)), EMPTY_SHA256);
    const canonical = v3CanonicalRequest('POST', '/', QUERY, headersFor('DescribeVcoRouteEntries', 'nonce-0001', EMPTY_SHA256), SIGNED, EMPTY_SHA256);
    assert.equal(
      canonical,
      [
        'POST',
        '/',
        'PageSize=10&RegionId=cn-hangzhou&RouteEntryType=custom&VpnConnectionId=vco-abc123',
        'host:vpc.aliyuncs.com',
        'x-acs-action:DescribeVcoRouteEntries',
        `x-acs-content-sha256:${EMPTY_SHA256}`,
        'x-acs-date:2024-01-01T00:00:00Z',
        'x-acs-signature-nonce:nonce-0001',
        'x-acs-version:2016-04-28',
        '',
        SIGNED.join(';'),
        EMPTY_SHA256,
      ].join('\n'),
    );
    assert.equal(v3Hash('ACS3-HMAC-SHA256', canonical!), 'df95227a928565951fa927ffecc80ec78d929ce0b89a1e07372b89c1b09b5989');
    const sts = v3StringToSign('ACS3-HMAC-SHA256', canonical!);
    assert.equal(sts, 'ACS3-HMAC-SHA256\ndf95227a928565951fa927ffecc80ec78d929ce0b89a1e07372b89c1b09b5989');
    assert.equal(v3Signature('ACS3-HMAC-SHA256', SECRET, sts), '03e680164761ac8658f4ae26aaeacf785a15be9df863fcd55f46b21abd73fdf8');
  });

  test('V3-b: ACS3-HMAC-SM3 (payload digest and HMAC with SM3)', () => {
    assert.equal(v3Hash('ACS3-HMAC-SM3', Buffer.alloc(0)), EMPTY_SM3);
    const canonical = v3CanonicalRequest('POST', '/', QUERY, headersFor('DescribeVcoRouteEntries', 'nonce-0001', EMPTY_SM3), SIGNED, EMPTY_SM3)!;
    assert.equal(v3Hash('ACS3-HMAC-SM3', canonical), '1774ebdeeba3638c00b5f50da8e316393564962774c5ed814828a8fa129154c1');
    assert.equal(
      v3Signature('ACS3-HMAC-SM3', SECRET, v3StringToSign('ACS3-HMAC-SM3', canonical)),
      '1cc2c1a9cf89b05c010775d246d16fd66e2dde2af1c4e06143457592207198b7',
    );
  });

  test('V3-c: ACS3-HMAC-SHA256 with a form body', () => {
    const body = 'TunnelOptionsSpecification.1.CustomerGatewayId=cgw-1&TunnelOptionsSpecification.1.TunnelIndex=1';
    const payload = v3Hash('ACS3-HMAC-SHA256', Buffer.from(body));
    assert.equal(payload, '58bb99e2ee91ec08234a01e675f061a6703502e31c79d5c750b6b6503c229a27');
    const query: Params = { RegionId: 'cn-hangzhou', LocalSubnet: '0.0.0.0/0', RemoteSubnet: '0.0.0.0/0' };
    const signed = ['content-type', ...SIGNED];
    const canonical = v3CanonicalRequest(
      'POST', '/', query, headersFor('CreateVpnAttachment', 'nonce-0002', payload, 'application/x-www-form-urlencoded'), signed, payload,
    )!;
    assert.equal(canonical.split('\n')[2], 'LocalSubnet=0.0.0.0%2F0&RegionId=cn-hangzhou&RemoteSubnet=0.0.0.0%2F0');
    assert.equal(canonical.split('\n').at(-2), 'content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version');
    assert.equal(v3Hash('ACS3-HMAC-SHA256', canonical), 'b9223f61d94b573ba46fdbbc0d08c49ba00bef929dbbc19fc89df211e8a8cf79');
    assert.equal(
      v3Signature('ACS3-HMAC-SHA256', SECRET, v3StringToSign('ACS3-HMAC-SHA256', canonical)),
      'b731cb1c8c720144f66e5d6ad1956f145fbcdd235c4876b674e0530914defa64',
    );
  });

  test('the key is the bare secret (no trailing "&", unlike V1)', () => {
    const sts = 'ACS3-HMAC-SHA256\nabc';
    assert.notEqual(v3Signature('ACS3-HMAC-SHA256', SECRET, sts), v3Signature('ACS3-HMAC-SHA256', `${SECRET}&`, sts));
  });

  test('canonical headers: trimmed, several values sorted and joined by ","; a missing signed header → undefined', () => {
    const c = v3CanonicalRequest('POST', '/', {}, { host: '  h  ', 'x-acs-z': ['b', ' a'] }, ['host', 'x-acs-z'], 'p')!;
    assert.equal(c, 'POST\n/\n\nhost:h\nx-acs-z:a,b\n\nhost;x-acs-z\np');
    assert.equal(v3CanonicalRequest('POST', '/', {}, { host: 'h' }, ['host', 'x-acs-date'], 'p'), undefined);
  });

  test('canonical query: empty values as key=, values RFC 3986-encoded', () => {
    assert.equal(v3CanonicalRequest('POST', '/', { b: '', a: 'x y*~' }, {}, [], 'p')!.split('\n')[2], 'a=x%20y%2A~&b=');
  });

  test('parseV3Authorization reads the three fields and refuses malformed headers', () => {
    assert.deepEqual(parseV3Authorization('ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host;x-acs-date,Signature=abc'), {
      algorithm: 'ACS3-HMAC-SHA256',
      accessKeyId: 'id',
      signedHeaders: ['host', 'x-acs-date'],
      signature: 'abc',
    });
    for (const bad of [
      '',
      'ACS3-HMAC-SHA256',
      'ACS3-HMAC-SHA256 garbage',
      'ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host',
      'ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=abc',
      ' Credential=id,SignedHeaders=host,Signature=abc',
    ]) {
      assert.equal(parseV3Authorization(bad), undefined, bad);
    }
  });

  test('safeEqual compares content and length', () => {
    assert.equal(safeEqual('abc', 'abc'), true);
    assert.equal(safeEqual('abc', 'abd'), false);
    assert.equal(safeEqual('abc', 'abcd'), false);
    assert.equal(safeEqual('', ''), true);
  });
});

describe('percent-encoding', () => {
  test('the edge cases of pop-protocol.md §5', () => {
    assert.equal(percentEncode(' '), '%20');
    assert.equal(percentEncode('*'), '%2A');
    assert.equal(percentEncode('~'), '~');
    assert.equal(percentEncode("!'()"), '%21%27%28%29');
    assert.equal(percentEncode('a+b=c&d/e:f'), 'a%2Bb%3Dc%26d%2Fe%3Af');
    assert.equal(percentEncode('vco-1 *~x'), 'vco-1%20%2A~x');
    assert.equal(percentEncode('%'), '%25');
  });

  test('UTF-8 bytes, upper-case hex', () => {
    assert.equal(percentEncode('é'), '%C3%A9');
    assert.equal(percentEncode('€'), '%E2%82%AC');
    assert.equal(percentEncode('中文'), '%E4%B8%AD%E6%96%87');
    assert.equal(percentEncode('😀'), '%F0%9F%98%80');
  });

  test('every ASCII character: unreserved kept, everything else %XY (the Java recipe of the docs)', () => {
    for (let c = 0; c < 128; c++) {
      const ch = String.fromCharCode(c);
      const expected = /[A-Za-z0-9\-_.~]/.test(ch) ? ch : `%${c.toString(16).toUpperCase().padStart(2, '0')}`;
      assert.equal(percentEncode(ch), expected, `char ${c}`);
    }
  });

  test('formDecode: "+" and %20 are spaces, UTF-8 decoded, malformed escapes → undefined', () => {
    assert.equal(formDecode('a+b'), 'a b');
    assert.equal(formDecode('a%20b'), 'a b');
    assert.equal(formDecode('%2B'), '+');
    assert.equal(formDecode('%E2%82%AC'), '€');
    assert.equal(formDecode('plain'), 'plain');
    assert.equal(formDecode(''), '');
    for (const bad of ['%', '%zz', '%4', 'a%G1', '%E2%82', '%C3']) assert.equal(formDecode(bad), undefined, bad);
  });

  test('decode then encode round-trips any string', () => {
    for (const s of ['', 'a b', '*~!\'()', '中文 😀', '100%', 'k=v&x=y', '+']) {
      assert.equal(formDecode(percentEncode(s)), s);
    }
  });
});
