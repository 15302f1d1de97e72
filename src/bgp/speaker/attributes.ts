/**
 * How BGP path attributes appear in DescribeVcoRouteEntries (AsPath, Community) and how a CLOUD route's stored
 * fields become the attributes vcoroute advertises. Pure; the formats are decisions recorded in
 * docs/compatibility.md ("BGP"): Alibaba documents only single values ("[12000]", "65535:65510").
 */
import type { AsPathSegment, PathAttributes } from '../session-api';

/**
 * The ASNs of an AS_PATH in the order received, AS_SET members included in their received order (a set is
 * shown as its members: the stored AsPath is a list of ASNs). Confederation segments are left out: they
 * never leave a confederation, and a customer router outside it must not show them (RFC 5065 §5.3).
 */
export function asPathAsns(segments: readonly AsPathSegment[]): number[] {
  const out: number[] = [];
  for (const s of segments) if (s.type === 'sequence' || s.type === 'set') out.push(...s.asns);
  return out;
}

/**
 * `Community`: RFC 1997 values as `hi:lo` in the order received, then RFC 8092 large communities as `a:b:c`,
 * separated by single spaces; "" when there are none.
 */
export function formatCommunities(a: Pick<PathAttributes, 'communities' | 'largeCommunities'>): string {
  const parts: string[] = [];
  for (const c of a.communities) parts.push(`${c >>> 16}:${c & 0xffff}`);
  for (const [g, d1, d2] of a.largeCommunities) parts.push(`${g}:${d1}:${d2}`);
  return parts.join(' ');
}

const U16 = 0xffff;
const U32 = 0xffffffff;

/** The inverse of formatCommunities for a stored CLOUD route's `Community` text; unparseable parts are skipped. */
export function parseCommunities(text: string | null): Pick<PathAttributes, 'communities' | 'largeCommunities'> {
  const communities: number[] = [];
  const largeCommunities: Array<[number, number, number]> = [];
  for (const part of (text ?? '').split(/[\s,]+/)) {
    const n = part.split(':').map((x) => (/^\d{1,10}$/.test(x) ? Number(x) : NaN));
    if (n.length === 2 && n[0]! <= U16 && n[1]! <= U16) communities.push(((n[0]! << 16) >>> 0) + n[1]!);
    else if (n.length === 3 && n.every((x) => x <= U32)) largeCommunities.push([n[0]!, n[1]!, n[2]!]);
  }
  return { communities, largeCommunities };
}

/**
 * Decided: the AS_PATH of an advertised CLOUD route is the tunnel's LocalAsn followed by the route's stored
 * AsPath, unless that already starts with LocalAsn (seeded as the peer should see it). The first AS must be
 * ours: FRR's enforce-first-as drops the route otherwise.
 */
export function cloudAsPath(localAsn: number, stored: readonly number[] | null): AsPathSegment[] {
  const path = stored ?? [];
  return [{ type: 'sequence', asns: path[0] === localAsn ? [...path] : [localAsn, ...path] }];
}
