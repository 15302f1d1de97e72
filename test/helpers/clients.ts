/**
 * The official clients, pointed at a test server, behind one small interface:
 *   - V3 ACS3-HMAC-SHA256: @alicloud/vpc20160428 default client (openapi-core doRequest)
 *   - V3 ACS3-HMAC-SM3:    the same client with signatureAlgorithm 'ACS3-HMAC-SM3'
 *   - V1 POST:             the same client with signatureAlgorithm 'v2' (openapi-core doRPCRequest)
 *   - V1 GET / V1 POST:    @alicloud/pop-core RPCClient
 * `describe` returns the body as JSON on the wire (through the client's own request path, before any model
 * cast) so tests can check JSON types; `typed` goes through the generated, type-strict model cast.
 * Every status seen, success or failure, goes through noteStatus (no 5xx).
 */
import assert from 'node:assert/strict';
import Vpc, * as $Vpc from '@alicloud/vpc20160428';
import { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import { noteStatus } from './http';
import { ROOT } from './server';

const Pop = require('@alicloud/pop-core');

export type CallParams = Record<string, string | number | undefined>;

export interface ClientFailure {
  status: number;
  code: string;
  /** the error body as the client exposes it (RequestId, HostId, Code, Message, Recommend) */
  data: Record<string, any>;
  /** the request id the client itself extracted */
  requestId: string;
}

export interface DescribeClient {
  name: string;
  /** openapi-core based (status and typed model available through the SDK's own error/response objects) */
  typedModel: boolean;
  describe(params: CallParams): Promise<{ status: number; body: any }>;
  typed(params: CallParams): Promise<$Vpc.DescribeVcoRouteEntriesResponseBody>;
}

export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
}

/** `RegionId` → `regionId`, the model's field names. */
function modelFields(params: CallParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k[0]!.toLowerCase() + k.slice(1)] = v;
  return out;
}

function wireParams(params: CallParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k] = String(v);
  return out;
}

function openApiFailure(err: any, what: string): ClientFailure {
  if (typeof err?.statusCode !== 'number' || typeof err?.code !== 'string') throw err;
  noteStatus(err.statusCode, what);
  return { status: err.statusCode, code: err.code, data: err.data, requestId: err.requestId };
}

function openApiClient(name: string, endpoint: string, extra: Record<string, string>, creds: Credentials): DescribeClient {
  const client = new (Vpc as any)({ ...creds, endpoint, protocol: 'http', regionId: 'cn-hangzhou', ...extra });
  const apiParams = new $OpenApiUtil.Params({
    action: 'DescribeVcoRouteEntries',
    version: '2016-04-28',
    protocol: 'HTTPS',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
  return {
    name,
    typedModel: true,
    async describe(params) {
      try {
        const req = new $OpenApiUtil.OpenApiRequest({ query: OpenApiUtil.query(wireParams(params)) });
        const res = await client.callApi(apiParams, req, {});
        noteStatus(res.statusCode, `${name} describe`);
        return { status: res.statusCode, body: res.body };
      } catch (err) {
        throw openApiFailure(err, `${name} describe`);
      }
    },
    async typed(params) {
      try {
        const res: $Vpc.DescribeVcoRouteEntriesResponse = await client.describeVcoRouteEntries(
          new $Vpc.DescribeVcoRouteEntriesRequest(modelFields(params)),
        );
        noteStatus(res.statusCode, `${name} typed`);
        assert.ok(res.body instanceof $Vpc.DescribeVcoRouteEntriesResponseBody);
        return res.body;
      } catch (err) {
        throw openApiFailure(err, `${name} typed`);
      }
    },
  };
}

function popClient(name: string, baseUrl: string, method: 'GET' | 'POST', creds: Credentials): DescribeClient {
  const client = new Pop({ ...creds, endpoint: baseUrl, apiVersion: '2016-04-28' }, true);
  return {
    name,
    typedModel: false,
    async describe(params) {
      try {
        const [body, entry] = await client.request('DescribeVcoRouteEntries', wireParams(params), { method });
        noteStatus(entry.response.statusCode, `${name} describe`);
        // json-bigint builds null-prototype objects; a JSON round trip gives plain ones (and keeps the JSON types).
        return { status: entry.response.statusCode, body: JSON.parse(JSON.stringify(body)) };
      } catch (err: any) {
        if (!err?.entry?.response || typeof err.code !== 'string') throw err;
        noteStatus(err.entry.response.statusCode, `${name} describe`);
        throw { status: err.entry.response.statusCode, code: err.code, data: err.data, requestId: err.data.RequestId } satisfies ClientFailure;
      }
    },
    typed() {
      throw new Error('pop-core has no typed models');
    },
  };
}

export interface ServerAddress {
  endpoint: string;
  baseUrl: string;
}

export const CLIENT_NAMES = ['V3 ACS3-HMAC-SHA256', 'V3 ACS3-HMAC-SM3', 'V1 POST (openapi-core v2)', 'V1 GET (pop-core)', 'V1 POST (pop-core)'] as const;

/** All five ways of calling, in CLIENT_NAMES order. */
export function allClients(server: ServerAddress, creds: Credentials = ROOT): DescribeClient[] {
  return [
    openApiClient(CLIENT_NAMES[0], server.endpoint, {}, creds),
    openApiClient(CLIENT_NAMES[1], server.endpoint, { signatureAlgorithm: 'ACS3-HMAC-SM3' }, creds),
    openApiClient(CLIENT_NAMES[2], server.endpoint, { signatureAlgorithm: 'v2' }, creds),
    popClient(CLIENT_NAMES[3], server.baseUrl, 'GET', creds),
    popClient(CLIENT_NAMES[4], server.baseUrl, 'POST', creds),
  ];
}

/** The default V3 client only. */
export function v3Client(server: ServerAddress, creds: Credentials = ROOT): DescribeClient {
  return openApiClient(CLIENT_NAMES[0], server.endpoint, {}, creds);
}

/** Runs a call that must fail and returns the normalised failure. */
export async function failure(call: Promise<unknown>): Promise<ClientFailure> {
  try {
    await call;
  } catch (err: any) {
    if (err instanceof Error) throw err;
    return err as ClientFailure;
  }
  assert.fail('the call succeeded but an error was expected');
}
