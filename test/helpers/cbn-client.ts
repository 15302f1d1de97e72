/**
 * A CEN (Cbn 2017-09-12) client shaped exactly like the generated @alicloud/cbn20170912 SDK (not in our registry):
 * the openapi-core Client with callApi over Params { action, version 2017-09-12, style RPC, POST, formData/json }
 * and every parameter in the query, as the SDK's methods build them. Returns the body as JSON on the wire so tests
 * assert the documented field names and JSON types themselves.
 */
import assert from 'node:assert/strict';
import OpenApiClient, { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import { noteStatus } from './http';
import { ROOT } from './server';
import { expectSdkError } from './vpc-client';

export type CenParams = Record<string, string | number | boolean | undefined>;

export interface CenCredentials { accessKeyId: string; accessKeySecret: string; securityToken?: string }

export class CbnClient {
  private readonly client: any;

  constructor(endpoint: string, creds: CenCredentials = ROOT, extra: Record<string, unknown> = {}) {
    this.client = new (OpenApiClient as any)(new $OpenApiUtil.Config({ ...creds, endpoint, protocol: 'http', regionId: 'cn-hangzhou', ...extra }));
  }

  async call(action: string, params: CenParams = {}): Promise<any> {
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(params)) if (v !== undefined) query[k] = String(v);
    const req = new $OpenApiUtil.OpenApiRequest({ query: OpenApiUtil.query(query) });
    const apiParams = new $OpenApiUtil.Params({
      action, version: '2017-09-12', protocol: 'HTTPS', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json',
    });
    const res = await this.client.callApi(apiParams, req, {});
    noteStatus(res.statusCode, `Cbn ${action}`);
    assert.equal(res.statusCode, 200);
    assert.equal(typeof res.body.RequestId, 'string', `${action} carries a RequestId`);
    return res.body;
  }
}

/** Runs a CEN call that must fail with `code` and `status`; the error body is a CEN one (HostId cbn.aliyuncs.com). */
export async function cenError(call: Promise<unknown>, code: string, status = 400): Promise<any> {
  const err = await expectSdkError(call, code, status);
  assert.equal(err.data.HostId, 'cbn.aliyuncs.com');
  return err;
}
