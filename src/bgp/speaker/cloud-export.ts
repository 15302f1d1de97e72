/**
 * CLOUD export: the connection's CLOUD routes as the attributes a tunnel advertises, and the difference to
 * what the tunnel's peer already has. Pure.
 */
import type { RouteRecord } from '../../store/store';
import type { AnnouncedRoute, PathAttributes, Prefix } from '../session-api';
import { cloudAsPath, parseCommunities } from './attributes';

export interface TunnelExportSettings {
  localAsn: number;
  /** NEXT_HOP: the tunnel's LocalBgpIp */
  nextHop: string;
}

/** What a tunnel advertises for these CLOUD routes; routes with equal attributes share one attributes object (one UPDATE). */
export function cloudAdvertisement(routes: readonly RouteRecord[], t: TunnelExportSettings): AnnouncedRoute[] {
  const shared = new Map<string, PathAttributes>();
  const out: AnnouncedRoute[] = [];
  for (const r of routes) {
    if (r.routeEntryType !== 'bgp' || r.source !== 'CLOUD') continue;
    const signature = `${JSON.stringify(r.asPath)}|${r.community ?? ''}`;
    let attributes = shared.get(signature);
    if (!attributes) {
      attributes = { origin: 0, asPath: cloudAsPath(t.localAsn, r.asPath), nextHop: t.nextHop, ...parseCommunities(r.community) };
      shared.set(signature, attributes);
    }
    out.push({ prefix: r.routeDest, attributes });
  }
  return out;
}

/** A comparable fingerprint of advertised attributes. */
export function attributesSignature(a: PathAttributes): string {
  return JSON.stringify([a.origin, a.asPath, a.nextHop, a.med, a.communities, a.largeCommunities]);
}

/**
 * What to send so the peer holds exactly `next`, given what it was sent (prefix → signature): changed or new
 * routes, and prefixes to withdraw. Returns the new sent-map too.
 */
export function exportDiff(sent: ReadonlyMap<Prefix, string>, next: readonly AnnouncedRoute[]): {
  advertise: AnnouncedRoute[]; withdraw: Prefix[]; sent: Map<Prefix, string>;
} {
  const now = new Map<Prefix, string>();
  const advertise: AnnouncedRoute[] = [];
  for (const r of next) {
    const sig = attributesSignature(r.attributes);
    now.set(r.prefix, sig);
    if (sent.get(r.prefix) !== sig) advertise.push(r);
  }
  const withdraw = [...sent.keys()].filter((p) => !now.has(p));
  return { advertise, withdraw, sent: now };
}
