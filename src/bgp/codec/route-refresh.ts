/** ROUTE-REFRESH (RFC 2918 §3): AFI (2), reserved (1), SAFI (1). The header check fixes the length at 23. */
import { MessageType } from './constants';
import { encodeMessage } from './header';

export interface RouteRefresh {
  afi: number;
  safi: number;
}

export function decodeRouteRefresh(body: Buffer): RouteRefresh {
  return { afi: body.readUInt16BE(0), safi: body[3]! };
}

export function encodeRouteRefresh(r: RouteRefresh): Buffer {
  const body = Buffer.alloc(4);
  body.writeUInt16BE(r.afi, 0);
  body[3] = r.safi;
  return encodeMessage(MessageType.ROUTE_REFRESH, body);
}
