/**
 * The routes a connection learns over its tunnels: one Adj-RIB-In per tunnel (after import policy) and the
 * VPN_BGP rows DescribeVcoRouteEntries lists, computed from them. Pure and synchronous: the speaker feeds it
 * UPDATEs and session losses and writes the changed rows (takeChanges) to the store in batches.
 */
import { routeKey } from '../../domain/routes';
import type { KeyedRoute, RouteChangeCause, RouteChangeOrigin, RouteRecord } from '../../store/store';
import type { PathAttributes, Prefix, RouteUpdate, SessionDownReason } from '../session-api';
import { asPathAsns, formatCommunities } from './attributes';
import { refusal, type PrefixPolicy } from './policy';

export interface ImportLimits extends PrefixPolicy {
  maxPrefixes: number;
}

export interface TunnelRibCounts {
  /** distinct prefixes the peer announces now (accepted + refused) */
  received: number;
  accepted: number;
}

export interface UpdateOutcome {
  /** prefixes refused by policy in this UPDATE */
  refused: number;
  /** new prefixes dropped because the tunnel holds maxPrefixes already */
  overLimit: number;
}

/** A batch of row changes to write, with why each row changed (by route key) for the history. */
export interface RibChanges {
  upserts: KeyedRoute[];
  deleteKeys: string[];
  prefixes: ReadonlyMap<Prefix, RouteChangeOrigin>;
  origins: ReadonlyMap<string, RouteChangeOrigin>;
}

/** Why a session's learned routes go when it ends (history causes): vcoroute's own tunnel-down or detach, else session-down. */
export function sessionDownCause(reason: SessionDownReason): RouteChangeCause {
  if (reason.kind !== 'closed-locally') return 'session-down';
  if (reason.cause === 'tunnel-down') return 'tunnel-down';
  if (reason.cause === 'deconfigured') return 'detached';
  return 'session-down';
}

/** Decided: learned routes show Weight 100, like the documented example. */
export const LEARNED_WEIGHT = 100;

export class ConnectionRib {
  /** tunnel ID → prefix → attributes (accepted routes only), in tunnel order */
  private readonly accepted = new Map<string, Map<Prefix, PathAttributes>>();
  /** tunnel ID → prefixes announced but refused (policy or limit); counted in `received` */
  private readonly refused = new Map<string, Set<Prefix>>();
  private readonly firstLearned = new Map<Prefix, number>();
  /** prefixes changed since the last takeChanges, with why and over which tunnel (the history records it) */
  private dirty = new Map<Prefix, RouteChangeOrigin>();

  /**
   * `tunnelIds` in tunnel order (index 1 first): the row shows the attributes of the first tunnel holding a
   * prefix. `dual`: rows carry NextHopTunnelIdList (single-tunnel connections have no tunnel IDs).
   */
  constructor(readonly connectionId: string, private readonly tunnelIds: readonly string[], private readonly dual: boolean) {
    for (const id of tunnelIds) {
      this.accepted.set(id, new Map());
      this.refused.set(id, new Set());
    }
  }

  /** Applies one UPDATE received over a tunnel (re-announcement replaces, RFC 4271 §3.1). */
  apply(tunnelId: string, update: RouteUpdate, limits: ImportLimits): UpdateOutcome {
    const rib = this.accepted.get(tunnelId);
    const refused = this.refused.get(tunnelId);
    const outcome = { refused: 0, overLimit: 0 };
    if (!rib || !refused) return outcome;
    const withdrawn: RouteChangeOrigin = { cause: 'bgp-withdraw', tunnelId };
    const announced: RouteChangeOrigin = { cause: 'bgp-update', tunnelId };
    for (const prefix of update.withdrawn) {
      if (rib.delete(prefix)) this.dirty.set(prefix, withdrawn);
      refused.delete(prefix);
    }
    for (const { prefix, attributes } of update.announced) {
      if (refusal(prefix, limits) !== undefined) {
        if (rib.delete(prefix)) this.dirty.set(prefix, withdrawn);
        refused.add(prefix);
        outcome.refused++;
        continue;
      }
      if (!rib.has(prefix) && rib.size >= limits.maxPrefixes) {
        refused.add(prefix);
        outcome.overLimit++;
        continue;
      }
      refused.delete(prefix);
      rib.set(prefix, attributes);
      this.dirty.set(prefix, announced);
    }
    return outcome;
  }

  /** The tunnel's session ended (or was never up): everything it taught is void; `cause` says why (history). */
  dropTunnel(tunnelId: string, cause: RouteChangeCause = 'session-down'): void {
    const rib = this.accepted.get(tunnelId);
    if (!rib) return;
    const origin: RouteChangeOrigin = { cause, tunnelId };
    for (const prefix of rib.keys()) this.dirty.set(prefix, origin);
    rib.clear();
    this.refused.get(tunnelId)?.clear();
  }

  counts(tunnelId: string): TunnelRibCounts {
    const accepted = this.accepted.get(tunnelId)?.size ?? 0;
    return { accepted, received: accepted + (this.refused.get(tunnelId)?.size ?? 0) };
  }

  get pendingChanges(): number {
    return this.dirty.size;
  }

  /** The row DescribeVcoRouteEntries lists for a prefix, or undefined when no tunnel holds it. */
  row(prefix: Prefix, now: number): RouteRecord | undefined {
    const holders: string[] = [];
    let attributes: PathAttributes | undefined;
    for (const id of this.tunnelIds) {
      const a = this.accepted.get(id)!.get(prefix);
      if (a === undefined) continue;
      holders.push(id);
      attributes ??= a;
    }
    if (!attributes) return undefined;
    let createTime = this.firstLearned.get(prefix);
    if (createTime === undefined) {
      createTime = now;
      this.firstLearned.set(prefix, now);
    }
    return {
      routeEntryType: 'bgp', routeDest: prefix, nextHop: this.connectionId, weight: LEARNED_WEIGHT, source: 'VPN_BGP',
      asPath: asPathAsns(attributes.asPath), community: formatCommunities(attributes), nextHopTunnelIds: this.dual ? holders : null, createTime,
    };
  }

  /**
   * The rows changed since the last call: upserts for prefixes still held, route keys to delete for prefixes
   * no tunnel holds any more. A prefix that leaves every tunnel is learned anew (new CreateTime) next time.
   */
  takeChanges(now: number, max = Infinity): RibChanges {
    const upserts: KeyedRoute[] = [];
    const deleteKeys: string[] = [];
    const prefixes = new Map<Prefix, RouteChangeOrigin>();
    const origins = new Map<string, RouteChangeOrigin>();
    for (const [prefix, origin] of this.dirty) {
      if (prefixes.size >= max) break;
      this.dirty.delete(prefix);
      prefixes.set(prefix, origin);
      const route = this.row(prefix, now);
      let key: string;
      if (route) {
        key = routeKey(route);
        upserts.push({ key, route });
      } else {
        this.firstLearned.delete(prefix);
        key = routeKey({ routeEntryType: 'bgp', routeDest: prefix, nextHop: this.connectionId, source: 'VPN_BGP' });
        deleteKeys.push(key);
      }
      origins.set(key, origin);
    }
    return { upserts, deleteKeys, prefixes, origins };
  }

  /** Marks prefixes changed again (their write failed), unless they changed again meanwhile. */
  requeue(prefixes: ReadonlyMap<Prefix, RouteChangeOrigin>): void {
    for (const [p, origin] of prefixes) if (!this.dirty.has(p)) this.dirty.set(p, origin);
  }

  /** Forgets everything without producing changes (the store dropped this server's rows: lease lost). */
  discard(): void {
    for (const rib of this.accepted.values()) rib.clear();
    for (const set of this.refused.values()) set.clear();
    this.firstLearned.clear();
    this.dirty = new Map();
  }
}
