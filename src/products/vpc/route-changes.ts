/**
 * ListVcoRouteChanges and WatchVcoRouteChanges (vcoroute extensions, docs/compatibility.md): a connection's
 * route-change history (src/history), read in pages or watched as Server-Sent Events. Authorized exactly as
 * DescribeVcoRouteEntries on the connection (same RAM action and resource).
 */
import { E, illegalParam, PopError } from '../../pop/errors';
import type { Params } from '../../pop/signature';
import {
  HistoryParamError, parseFilter, parseListRequest, parseResumePoint, readRouteChanges, TooManyWatchersError, type ListRequest, type RouteChangeFilter,
} from '../../history';
import { defineOperation, type OperationContext } from '../product';
import { regionIdParam, requiredString } from '../params';
import { VPC, vpnConnectionArn } from './product';

interface Target {
  regionId: string;
  vpnConnectionId: string;
}

/** History parameters in the API's words: IllegalParam.{Param}. */
function historyParams<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof HistoryParamError) throw illegalParam(err.param, err.message);
    throw err;
  }
}

function target(params: Params): Target {
  return { regionId: regionIdParam(params), vpnConnectionId: requiredString(params, 'VpnConnectionId') };
}

/** The connection must be the caller's account's, in the region (as DescribeVcoRouteEntries). */
async function connectionOf(input: Target, { store, principal }: OperationContext): Promise<string> {
  const connection = await store.getConnection(principal.accountId, input.vpnConnectionId);
  if (!connection || connection.regionId !== input.regionId) throw new PopError(E.VpnConnectionNotFound);
  return connection.connectionId;
}

const SHARED = {
  product: VPC,
  ramAction: 'vpc:DescribeVcoRouteEntries',
  resource: (input: Target, principal: OperationContext['principal']) => vpnConnectionArn(input.regionId, principal.accountId, input.vpnConnectionId),
  clientToken: false,
};

export const listVcoRouteChanges = defineOperation<Target & { request: ListRequest }>({
  ...SHARED,
  action: 'ListVcoRouteChanges',
  parse: (params) => ({ ...target(params), request: historyParams(() => parseListRequest(params)) }),

  async run(input, ctx) {
    const connectionId = await connectionOf(input, ctx);
    const page = await readRouteChanges(ctx.store, connectionId, input.request);
    return { VpnConnectionId: connectionId, RouteChanges: page.events, NextToken: page.nextToken, MaxResults: input.request.maxResults };
  },
});

export const watchVcoRouteChanges = defineOperation<Target & { filter: RouteChangeFilter; params: Params }>({
  ...SHARED,
  action: 'WatchVcoRouteChanges',
  parse: (params) => ({ ...target(params), filter: historyParams(() => parseFilter(params)), params }),

  run: () => Promise.reject(new PopError(E.WatchNeedsEventStream)),

  async stream(input, ctx) {
    const connectionId = await connectionOf(input, ctx);
    const resumeAfter = historyParams(() => parseResumePoint(input.params, ctx.lastEventId));
    if (!ctx.routeChanges) throw new PopError(E.InternalError);
    try {
      return await ctx.routeChanges.open(connectionId, input.filter, resumeAfter);
    } catch (err) {
      if (err instanceof TooManyWatchersError) throw new PopError(E.ServiceUnavailable, err.message);
      throw err;
    }
  },
});
