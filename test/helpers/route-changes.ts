/** ListVcoRouteChanges (a vcoroute extension) through the official VPC SDK's generic callApi, every page. */
import { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import type { VpcClient } from './vpc-client';

const PARAMS = { action: 'ListVcoRouteChanges', version: '2016-04-28', protocol: 'HTTPS', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC',
  reqBodyType: 'formData', bodyType: 'json' };

/** Every change matching `query` (newest first unless AfterEventId), following NextToken to the last page. */
export async function allRouteChanges(client: VpcClient, query: Record<string, string>): Promise<any[]> {
  const out: any[] = [];
  let token = '';
  do {
    const q = OpenApiUtil.query({ MaxResults: '100', ...query, ...(token ? { NextToken: token } : {}) });
    const res = await (client as any).callApi(new $OpenApiUtil.Params(PARAMS), new $OpenApiUtil.OpenApiRequest({ query: q }), {});
    out.push(...res.body.RouteChanges);
    token = res.body.NextToken;
  } while (token !== '');
  return out;
}
