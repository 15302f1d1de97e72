/**
 * DescribeVcoRouteEntries renders its members straight to JSON (renderPageMembers). Checked against the
 * object body it replaces, rendered with JSON.stringify, on random pages with hostile strings: byte for byte.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatAsPath, nextHopTunnelsUp, routeState } from '../../src/domain/routes';
import { renderPageMembers } from '../../src/products/vpc/describe-vco-route-entries';
import type { RouteCount, RouteEntryType, RouteRecord } from '../../src/store/store';
import { rng, type Rng } from '../helpers/random';

/** The body as the operation built it before (an object), for JSON.stringify. */
function referenceBody(p: Parameters<typeof renderPageMembers>[0]): Record<string, unknown> {
  const entries = p.routes.map((route) => {
    const out: Record<string, unknown> = {
      VpnConnectionId: p.connectionId, RouteDest: route.routeDest, NextHop: route.nextHop, Weight: route.weight,
      State: routeState(route.routeEntryType), RouteEntryType: route.routeEntryType, CreateTime: route.createTime,
    };
    if (route.routeEntryType === 'bgp') {
      out.AsPath = formatAsPath(route.asPath ?? []);
      out.Community = route.community ?? '';
      out.Source = route.source;
    }
    if (p.upTunnels !== null) {
      const tunnels = nextHopTunnelsUp(route, p.upTunnels);
      if (tunnels.length > 0) out.NextHopTunnelIdList = tunnels;
    }
    return out;
  });
  const find = (type: RouteEntryType, source: string | null) => p.counts.find((c) => c.routeEntryType === type && c.source === source)?.count ?? 0;
  const body: Record<string, unknown> = {
    TotalCount: p.counts.reduce((sum, c) => (c.routeEntryType === p.routeEntryType ? sum + c.count : sum), 0),
    PageNumber: p.pageNumber, PageSize: p.pageSize, VcoRouteEntries: entries,
  };
  if (p.upTunnels !== null) {
    body.VpnRouteCounts = [
      { RouteEntryType: 'custom', RouteCount: find('custom', null) },
      { RouteEntryType: 'bgp', RouteCount: find('bgp', 'VPN_BGP'), Source: 'VPN_BGP' },
      { RouteEntryType: 'bgp', RouteCount: find('bgp', 'CLOUD'), Source: 'CLOUD' },
    ];
  }
  return body;
}

/** CreateTime bases: around the small-integer limit, 10^9, epoch milliseconds, 2^53. */
const NUMBERS = [0, 2 ** 31 - 5e8, 2 ** 31, 999_999_000, 1e9, 1_700_000_000_000, 8_999_999_000_000_000, 2 ** 53 - 1e9 - 1];

const HOSTILE = ['', '"', '\\', '\n\t\r\b\f', '\u0000\u001f', '\u2028\u2029', 'é漢字', '\ud83d\ude00', '\ud800', '</x>&<', 'vco-1234'];

function text(r: Rng): string {
  return r.next() < 0.3 ? HOSTILE[r.int(0, HOSTILE.length - 1)]! : `10.${r.int(0, 255)}.${r.int(0, 255)}.0/24`;
}

function route(r: Rng, type: RouteEntryType): RouteRecord {
  const bgp = type === 'bgp';
  return {
    routeEntryType: type, routeDest: text(r), nextHop: text(r), weight: r.int(0, 100), createTime: NUMBERS[r.int(0, NUMBERS.length - 1)]! + r.int(0, 1e9),
    source: bgp ? (r.next() < 0.1 ? null : r.next() < 0.5 ? 'VPN_BGP' : 'CLOUD') : null,
    asPath: bgp && r.next() < 0.9 ? Array.from({ length: r.int(0, 4) }, () => r.int(1, 4294967295)) : null,
    community: bgp && r.next() < 0.8 ? text(r) : null,
    nextHopTunnelIds: r.next() < 0.5 ? null : ['tun-1', 'tun-2', text(r)].slice(0, r.int(0, 3)),
  };
}

describe('DescribeVcoRouteEntries JSON rendering', () => {
  test('is byte for byte JSON.stringify of the object body', () => {
    const r = rng(20240611);
    for (let i = 0; i < 500; i++) {
      const type: RouteEntryType = r.next() < 0.5 ? 'custom' : 'bgp';
      const counts: RouteCount[] = [];
      if (r.next() < 0.8) counts.push({ routeEntryType: 'custom', source: null, count: r.int(1, 100000) });
      if (r.next() < 0.5) counts.push({ routeEntryType: 'bgp', source: 'VPN_BGP', count: r.int(1, 1000) });
      if (r.next() < 0.5) counts.push({ routeEntryType: 'bgp', source: 'CLOUD', count: r.int(1, 1000) });
      const upChoices: (string[] | null)[] = [null, [], ['tun-1'], ['tun-2'], ['tun-1', 'tun-2']];
      const page = {
        connectionId: r.next() < 0.9 ? 'vco-bp1abc' : text(r), routeEntryType: type, pageNumber: r.int(1, 1_000_000_000), pageSize: r.int(1, 50),
        counts, routes: Array.from({ length: r.int(0, 50) }, () => route(r, type)), upTunnels: upChoices[r.int(0, upChoices.length - 1)]!,
      };
      const members = renderPageMembers(page);
      assert.equal(`{"RequestId":"X",${members}}`, JSON.stringify({ RequestId: 'X', ...referenceBody(page) }));
    }
  });
});
