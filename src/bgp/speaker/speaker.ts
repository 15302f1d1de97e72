/**
 * The BGP speaker service: one listener per BGP tunnel of every attached connection, one session per
 * tunnel (the session layer behind session-api.ts), the connection's Adj-RIB-In (rib.ts) written to the
 * store as VPN_BGP rows, and CLOUD export (cloud-export.ts). The thin I/O shell around the pure modules.
 *
 * Reconciling: after every change made through this server (changed()) and every POLL_MS (changes made
 * through other servers), the listeners and sessions are brought in line with the store.
 * Several servers: the sessions of a connection are held by one server at a time (a lease in the store,
 * renewed every RENEW_MS, void after LEASE_MS); learned rows are written only under the lease, and any
 * server drops the rows of an expired lease (expireBgpSessions), so a killed holder's routes leave every
 * listing within LEASE_MS + RENEW_MS.
 * Fault injection (faults.ts): drop and flap rules close sessions this server holds, delay rules hold UPDATEs.
 */
import { propagateFromConnection } from '../../routing';
import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import type { Logger } from 'pino';
import { StoreConflictError, type BgpSessionRecord, type ConnectionRecord, type RouteRecord, type Store } from '../../store/store';
import type {
  AcceptTunnelSession, PeerInfo, Prefix, RouteUpdate, SessionCloseCause, SessionDownReason, SessionObserver, TunnelSession,
} from '../session-api';
import { cloudAdvertisement, exportDiff } from './cloud-export';
import type { BgpMode, BgpSpeakerConfig } from './config';
import { closeListener, isLocalAddress, listen, type ListenAddress } from './listener';
import { DelayQueue } from './delay-queue';
import { SpeakerFaults, type BgpFaultHooks } from './faults';
import { ConnectionRib, sessionDownCause, type ImportLimits } from './rib';
import { bgpTunnels, sessionIdentity, type TunnelPlan } from './tunnel-plan';
import { describeTunnels, type LocalTunnelState, type TunnelBgpView } from './view';

/** Poll for changes made through other servers. */
export const POLL_MS = 2000;
/** Lease renewal and expiry housekeeping. */
export const RENEW_MS = 3000;
/** A lease not renewed for this long is void: routes of a killed holder leave listings within LEASE_MS + RENEW_MS (12 s). */
export const LEASE_MS = 9000;
/**
 * Without a hint (a write through this server) or a changed CLOUD count, a moved routes version — mostly this
 * server's own learned-route writes — re-reads the CLOUD routes at most this often (a CLOUD route whose
 * attributes changed through another server reaches the peer within this bound).
 */
const CLOUD_REREAD_MS = 30_000;
/** Learned-route rows written per store transaction. */
const WRITE_BATCH = 1000;
/** Above this many unwritten changes an UPDATE waits for the store (back-pressure through TCP). */
const HIGH_WATER = 20_000;
const RETRY_MS = 1000;
/** Received UPDATEs held by a delay fault before the session stops reading from the peer. */
const MAX_DELAYED_UPDATES = 10_000;

interface TunnelRuntime {
  plan: TunnelPlan;
  identity: string;
  listen: ListenAddress | null;
  bindError?: string;
  server?: net.Server;
  /** claiming the lease or running */
  busy: boolean;
  session?: TunnelSession;
  peer?: PeerInfo;
  establishedAt?: number;
  /** when this server accepted the session (a fault rule drops sessions started before its drop time) */
  startedAt?: number;
  /** a fault rule is closing the session */
  faultClosing?: boolean;
  /** received UPDATEs held by a delay fault */
  inbound?: DelayQueue<RouteUpdate>;
  /** CLOUD routes the peer was sent: prefix → attributes signature */
  sent: Map<Prefix, string>;
  exportChain: Promise<void>;
  /** an export waiting in exportChain: later requests join it (`full` if any of them was) */
  exportQueued?: { full: boolean };
}

interface ConnectionRuntime {
  connectionId: string;
  rib: ConnectionRib;
  tunnels: Map<string, TunnelRuntime>;
  flushing?: Promise<void>;
  /** the store no longer lets this server write the connection's learned routes */
  lost: boolean;
  /** the tunnel IDs the RIB was built for, in tunnel order */
  tunnelOrder: string;
  cloudRoutes: RouteRecord[];
  cloudVersion?: number;
  cloudReadAt: number;
}

export interface BgpStats {
  sessions: Record<string, number>;
  received: number;
  accepted: number;
  advertised: number;
}

export class BgpSpeaker {
  readonly serverId = `srv-${randomBytes(6).toString('hex')}`;
  private readonly connections = new Map<string, ConnectionRuntime>();
  private readonly timers: NodeJS.Timeout[] = [];
  private pendingTimer?: NodeJS.Timeout;
  private reconciling?: Promise<void>;
  private again = false;
  /** a write went through this server since the last reconcile: CLOUD routes may have changed */
  private hinted = false;
  private closed = false;
  private readonly limits: ImportLimits;
  private readonly faults?: SpeakerFaults;

  constructor(
    private readonly config: BgpSpeakerConfig,
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly acceptSession: AcceptTunnelSession,
    faultHooks?: BgpFaultHooks,
  ) {
    this.limits = { maxPrefixes: config.maxPrefixes, rejectDefaultRoute: config.rejectDefaultRoute, rejectSharedAddressSpace: config.rejectSharedAddressSpace };
    if (faultHooks) this.faults = new SpeakerFaults(faultHooks, logger);
  }

  async start(): Promise<void> {
    // Nothing here may stop the server: a failed first reconcile is retried by the poll.
    await this.reconcile().catch((err: unknown) => this.logger.warn({ err }, 'BGP: reconciling with the store failed'));
    const poll = setInterval(() => this.changed(), POLL_MS);
    const renew = setInterval(() => void this.renewLeases(), RENEW_MS);
    poll.unref();
    renew.unref();
    this.timers.push(poll, renew);
    this.faults?.start(() => this.applyFaultDrops());
  }

  /** Closes the sessions a drop or flap fault rule has due now (Cease 6/2 or 6/4, routes withdrawn as on any loss). */
  private applyFaultDrops(): void {
    if (this.closed || !this.faults) return;
    const now = Date.now();
    for (const rt of this.connections.values()) {
      for (const t of rt.tunnels.values()) {
        if (!t.session || t.startedAt === undefined || t.faultClosing) continue;
        const rule = this.faults.drop({ connectionId: rt.connectionId, tunnelId: t.plan.tunnelId }, t.startedAt, now);
        if (!rule) continue;
        t.faultClosing = true;
        const flap = rule.action === 'flap';
        void t.session.close(flap ? 'fault-flap' : 'fault-drop', `vcoroute fault rule ${rule.id}: session ${flap ? 'reset' : 'dropped'}`);
      }
    }
  }

  /** A write went through this server: reconcile now (bursts coalesce), re-reading CLOUD routes that moved. */
  hint(): void {
    this.hinted = true;
    this.changed();
  }

  /** Reconcile soon, coalescing bursts. */
  changed(): void {
    if (this.closed) return;
    if (this.reconciling) {
      this.again = true;
      return;
    }
    this.reconciling = this.reconcile()
      .catch((err: unknown) => this.logger.warn({ err }, 'BGP: reconciling with the store failed'))
      .finally(() => {
        this.reconciling = undefined;
        if (this.again) {
          this.again = false;
          this.changed();
        }
      });
  }

  // ---------- reconciling listeners and sessions with the store ----------

  private async reconcile(): Promise<void> {
    const now = Date.now();
    const hinted = this.hinted;
    this.hinted = false;
    const desired = new Map<string, { connection: ConnectionRecord; plans: TunnelPlan[] }>();
    let nextChange = Infinity;
    for (const id of await this.store.listAttachedConnectionIds()) {
      const c = await this.store.findConnection(id);
      if (!c) continue;
      if (c.pendingUntil !== null && c.pendingUntil > now) nextChange = Math.min(nextChange, c.pendingUntil);
      const plans = bgpTunnels(c, await this.gatewayAsns(c), now);
      if (plans.length > 0) desired.set(id, { connection: c, plans });
    }
    if (this.closed) return;
    for (const [id, rt] of this.connections) {
      if (!desired.has(id)) await this.teardown(rt, 'deconfigured');
    }
    for (const [id, { connection, plans }] of desired) {
      let rt = this.connections.get(id);
      const tunnelIds = plans.map((p) => p.tunnelId);
      if (rt && rt.tunnelOrder !== tunnelIds.join()) {
        await this.teardown(rt, 'config-change');
        rt = undefined;
      }
      if (!rt) {
        rt = { connectionId: id, rib: new ConnectionRib(id, tunnelIds, plans[0]!.dual), tunnels: new Map(), lost: false, tunnelOrder: tunnelIds.join(), cloudRoutes: [],
          cloudReadAt: 0 };
        this.connections.set(id, rt);
      }
      for (const plan of plans) await this.reconcileTunnel(rt, plan);
      if (connection.routesVersion !== rt.cloudVersion && (hinted || now - rt.cloudReadAt >= CLOUD_REREAD_MS || (await this.cloudCountMoved(rt)))) {
        await this.refreshCloud(rt, connection.routesVersion);
      }
    }
    this.scheduleAt(nextChange);
  }

  /** A connection leaving `attaching`/`updating`/`detaching` changes nothing in the store: wake up when it does. */
  private scheduleAt(when: number): void {
    if (this.pendingTimer) clearTimeout(this.pendingTimer);
    this.pendingTimer = undefined;
    if (when === Infinity) return;
    this.pendingTimer = setTimeout(() => this.changed(), Math.max(0, when - Date.now()) + 5);
    this.pendingTimer.unref();
  }

  private async gatewayAsns(c: ConnectionRecord): Promise<(id: string) => number | null> {
    const asns = new Map<string, number | null>();
    for (const id of new Set([c.customerGatewayId, ...c.tunnels.map((t) => t.customerGatewayId)])) {
      if (id) asns.set(id, (await this.store.getCustomerGateway(c.accountId, id))?.asn ?? null);
    }
    return (id) => asns.get(id) ?? null;
  }

  private async reconcileTunnel(rt: ConnectionRuntime, plan: TunnelPlan): Promise<void> {
    let t = rt.tunnels.get(plan.tunnelId);
    if (t && t.identity !== sessionIdentity(plan)) {
      await this.closeTunnel(rt, t, 'config-change');
      t = undefined;
    }
    if (!t) {
      t = { plan, identity: sessionIdentity(plan), listen: null, busy: false, sent: new Map(), exportChain: Promise.resolve() };
      rt.tunnels.set(plan.tunnelId, t);
    }
    t.plan = plan;
    if (!plan.up && t.session) await t.session.close('tunnel-down', 'the tunnel is down');
    if (!t.server) await this.bind(rt, t);
  }

  private async bind(rt: ConnectionRuntime, t: TunnelRuntime): Promise<void> {
    let at: ListenAddress;
    if (this.config.mode === 'tunnel') {
      at = { host: t.plan.localBgpIp, port: this.config.port };
      if (!isLocalAddress(at.host)) return this.bindFailed(t, `${at.host} (LocalBgpIp) is not an address of this host`);
    } else {
      try {
        at = { host: this.config.loopbackHost, port: await this.store.assignBgpPort(t.plan.tunnelId, this.config.loopbackFirstPort, this.config.loopbackLastPort) };
      } catch (err) {
        if (err instanceof StoreConflictError) return this.bindFailed(t, err.message);
        throw err;
      }
    }
    try {
      const server = await listen(at, (socket) => this.accept(rt, t, socket));
      server.on('error', (err) => this.logger.warn({ err, tunnelId: t.plan.tunnelId }, 'BGP: listener error'));
      if (this.closed || rt.tunnels.get(t.plan.tunnelId) !== t) {
        closeListener(server);
        return;
      }
      t.server = server;
      t.listen = at;
      t.bindError = undefined;
      this.logger.info({ connectionId: rt.connectionId, tunnelId: t.plan.tunnelId, ...at }, 'BGP: listening');
    } catch (err) {
      this.bindFailed(t, `cannot listen on ${at.host}:${at.port}: ${(err as Error).message}`);
    }
  }

  private bindFailed(t: TunnelRuntime, message: string): void {
    if (t.bindError !== message) this.logger.warn({ tunnelId: t.plan.tunnelId }, `BGP: ${message}`);
    t.bindError = message;
    t.listen = null;
  }

  private async closeTunnel(rt: ConnectionRuntime, t: TunnelRuntime, cause: SessionCloseCause): Promise<void> {
    rt.tunnels.delete(t.plan.tunnelId);
    if (t.server) closeListener(t.server);
    t.server = undefined;
    if (t.session) await t.session.close(cause);
  }

  private async teardown(rt: ConnectionRuntime, cause: SessionCloseCause): Promise<void> {
    this.connections.delete(rt.connectionId);
    for (const t of [...rt.tunnels.values()]) await this.closeTunnel(rt, t, cause);
  }

  // ---------- sessions ----------

  private accept(rt: ConnectionRuntime, t: TunnelRuntime, socket: net.Socket): void {
    const refuse = (cause: SessionCloseCause, message: string) => {
      this.logger.info({ tunnelId: t.plan.tunnelId, from: socket.remoteAddress, cause }, `BGP: connection refused: ${message}`);
      const s = this.acceptSession(socket, this.sessionSettings(t), IGNORING_OBSERVER);
      void s.close(cause, message);
    };
    if (this.closed) return refuse('shutdown', 'vcoroute is stopping');
    if (t.busy) return refuse('rejected', 'a session for this tunnel is already up');
    if (!t.plan.up) return refuse('tunnel-down', 'the tunnel is down');
    // Tunnel mode accepts only the tunnel's peer address: anyone else is refused before any lease is taken.
    if (this.config.mode === 'tunnel' && socket.remoteAddress?.replace(/^::ffff:/, '') !== t.plan.peerBgpIp) {
      return refuse('rejected', `only ${t.plan.peerBgpIp} may connect`);
    }
    const refusing = this.faults?.refusal({ connectionId: rt.connectionId, tunnelId: t.plan.tunnelId }, Date.now());
    if (refusing) return refuse('fault-drop', `vcoroute fault rule ${refusing.id}: session refused`);
    t.busy = true;
    socket.pause();
    const now = Date.now();
    this.store.claimBgpSession(this.record(rt, t, 'Active', now), now).then(
      (claimed) => {
        if (!claimed || this.closed || rt.tunnels.get(t.plan.tunnelId) !== t) {
          t.busy = false;
          return refuse('lease-lost', claimed ? 'the tunnel is being reconfigured' : 'another vcoroute server holds this connection');
        }
        rt.lost = false;
        t.startedAt = Date.now();
        t.faultClosing = false;
        socket.resume();
        t.session = this.acceptSession(socket, this.sessionSettings(t), this.observer(rt, t));
      },
      (err: unknown) => {
        t.busy = false;
        this.logger.warn({ err, tunnelId: t.plan.tunnelId }, 'BGP: could not take the session lease');
        socket.destroy();
      },
    );
  }

  private sessionSettings(t: TunnelRuntime) {
    return {
      localAsn: t.plan.localAsn, routerId: t.plan.localBgpIp, peerAsn: t.plan.peerAsn,
      peerAddress: this.config.mode === 'tunnel' ? t.plan.peerBgpIp : null, holdTimeSec: this.config.holdTimeSec,
    };
  }

  private observer(rt: ConnectionRuntime, t: TunnelRuntime): SessionObserver {
    const log = this.logger.child({ connectionId: rt.connectionId, tunnelId: t.plan.tunnelId });
    const learn = (update: RouteUpdate): void | Promise<void> => {
      if (rt.lost) return undefined;
      const outcome = rt.rib.apply(t.plan.tunnelId, update, this.limits);
      if (outcome.overLimit > 0) {
        log.warn({ maxPrefixes: this.limits.maxPrefixes, dropped: outcome.overLimit }, 'BGP: prefix limit reached');
        if (this.config.maxPrefixAction === 'cease' && t.session) void t.session.close('max-prefixes', `more than ${this.limits.maxPrefixes} prefixes`);
      }
      if (outcome.refused > 0) log.info({ refused: outcome.refused }, 'BGP: prefixes refused by import policy');
      const flushed = this.flush(rt);
      return rt.rib.pendingChanges > HIGH_WATER ? flushed : undefined;
    };
    return {
      established: (peer) => {
        t.peer = peer;
        t.establishedAt = Date.now();
        log.info({ peer: `${peer.address}:${peer.port}`, asn: peer.asn, holdTimeSec: peer.holdTimeSec }, 'BGP: session established');
        void this.putStatus(rt, t);
        this.exportTo(rt, t, true);
      },
      update: (update: RouteUpdate) => {
        if (rt.lost) return undefined;
        // A delay fault holds received UPDATEs in a bounded queue (in order); the session keeps reading KEEPALIVEs.
        const delayMs = this.faults?.delay({ connectionId: rt.connectionId, tunnelId: t.plan.tunnelId }, 'in', Date.now()) ?? 0;
        if (delayMs === 0 && !t.inbound) return learn(update);
        t.inbound ??= new DelayQueue(learn, (err) => log.warn({ err }, 'BGP: applying a delayed UPDATE failed'));
        t.inbound.push(update, Date.now() + delayMs);
        return t.inbound.size >= MAX_DELAYED_UPDATES ? t.inbound.whenBelow(MAX_DELAYED_UPDATES) : undefined;
      },
      refreshRequested: () => this.exportTo(rt, t, true),
      down: (reason: SessionDownReason) => {
        log.info({ reason }, 'BGP: session down');
        t.inbound?.clear();
        t.inbound = undefined;
        t.startedAt = undefined;
        t.session = undefined;
        t.peer = undefined;
        t.establishedAt = undefined;
        t.sent = new Map();
        if (!rt.lost) rt.rib.dropTunnel(t.plan.tunnelId, sessionDownCause(reason));
        // The session's record says it is down before its routes go (a flush and its propagation can take a
        // while): no server shows BgpStatus success for a tunnel whose learned routes are already withdrawn.
        const markDown = rt.lost ? Promise.resolve() : this.store.putBgpSessionStatus(this.record(rt, t, 'Idle', Date.now()), Date.now())
          .then(async (held) => { if (!held) await this.leaseLost(rt); });
        void markDown.then(() => this.flush(rt)).then(async () => {
          t.busy = false;
          // Not when a new session for the tunnel (a new runtime after reconfiguration) holds the lease now.
          const current = this.connections.get(rt.connectionId)?.tunnels.get(t.plan.tunnelId);
          if (!t.session && !current?.busy) await this.store.releaseBgpSession(t.plan.tunnelId, this.serverId);
        }).catch((err: unknown) => log.warn({ err }, 'BGP: releasing the session lease failed'));
      },
    };
  }

  /** Writes the connection's changed rows under its lease; resolves when nothing is left to write. */
  private flush(rt: ConnectionRuntime): Promise<void> {
    if (rt.flushing) return rt.flushing;
    rt.flushing = (async () => {
      await null; // the body (and its `finally`) runs after rt.flushing is set, even when there is nothing to write
      let wrote = false;
      try {
        while (rt.rib.pendingChanges > 0 && !rt.lost) {
          const changes = rt.rib.takeChanges(Date.now(), WRITE_BATCH);
          let written: boolean;
          try {
            written = await this.store.writeBgpRoutes(rt.connectionId, this.serverId, changes.upserts, changes.deleteKeys, Date.now(), changes.origins);
          } catch (err) {
            rt.rib.requeue(changes.prefixes);
            this.logger.warn({ err, connectionId: rt.connectionId }, 'BGP: writing learned routes failed; retrying');
            await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
            continue;
          }
          if (!written) await this.leaseLost(rt);
          else wrote = true;
          // Yield to I/O and timers between batches (an awaited store call may resolve without leaving the
          // microtask queue, e.g. on SQLite): API requests and lease renewals keep flowing during a burst.
          await new Promise((resolve) => setImmediate(resolve));
        }
      } finally {
        rt.flushing = undefined;
      }
      if (wrote) await this.propagate(rt.connectionId);
    })();
    return rt.flushing;
  }

  /**
   * Learned routes changed: the transit router's tables and the other attached connections' CLOUD routes follow
   * (routing/propagation.ts), once per flushed burst; then this server re-advertises what changed to its peers.
   */
  private async propagate(connectionId: string): Promise<void> {
    try {
      await propagateFromConnection(this.store, connectionId, Date.now());
    } catch (err) {
      this.logger.warn({ err, connectionId }, 'BGP: propagating learned routes to the transit router failed');
    }
    this.changed();
  }

  /** The store refused this server's lease: whatever it learned is no longer its to show. */
  private async leaseLost(rt: ConnectionRuntime): Promise<void> {
    if (rt.lost) return;
    rt.lost = true;
    rt.rib.discard();
    this.logger.warn({ connectionId: rt.connectionId }, 'BGP: lost the session lease of the connection; closing its sessions');
    for (const t of rt.tunnels.values()) if (t.session) await t.session.close('lease-lost', 'another vcoroute server holds this connection now');
  }

  private record(rt: ConnectionRuntime, t: TunnelRuntime, state: string, now: number): BgpSessionRecord {
    const counts = rt.rib.counts(t.plan.tunnelId);
    return {
      connectionId: rt.connectionId, tunnelId: t.plan.tunnelId, holder: this.serverId, leaseExpiresAt: now + LEASE_MS, state,
      peerAsn: t.peer?.asn ?? null, peerAddress: t.peer?.address ?? null, establishedAt: t.establishedAt ?? null,
      prefixesReceived: counts.received, prefixesAccepted: counts.accepted, prefixesAdvertised: t.sent.size,
    };
  }

  private async putStatus(rt: ConnectionRuntime, t: TunnelRuntime): Promise<void> {
    if (!t.session) return;
    const now = Date.now();
    try {
      if (!(await this.store.putBgpSessionStatus(this.record(rt, t, t.session.state, now), now))) await this.leaseLost(rt);
    } catch (err) {
      this.logger.warn({ err, tunnelId: t.plan.tunnelId }, 'BGP: renewing the session lease failed');
    }
  }

  private async renewLeases(): Promise<void> {
    if (this.closed) return;
    for (const rt of this.connections.values()) {
      for (const t of rt.tunnels.values()) await this.putStatus(rt, t);
    }
    try {
      const cleared = await this.store.expireBgpSessions(Date.now());
      if (cleared.length > 0) this.logger.info({ connections: cleared }, 'BGP: dropped the learned routes of expired session leases');
    } catch (err) {
      this.logger.warn({ err }, 'BGP: expiring session leases failed');
    }
  }

  // ---------- CLOUD export ----------

  private async refreshCloud(rt: ConnectionRuntime, version: number | undefined): Promise<void> {
    const routes: RouteRecord[] = [];
    const page = 5000;
    for (let offset = 0; ; offset += page) {
      const batch = await this.store.listRoutes(rt.connectionId, 'bgp', offset, page);
      for (const r of batch) if (r.source === 'CLOUD') routes.push(r);
      if (batch.length < page) break;
    }
    rt.cloudRoutes = routes;
    rt.cloudVersion = version;
    rt.cloudReadAt = Date.now();
    for (const t of rt.tunnels.values()) if (t.session?.state === 'Established') this.exportTo(rt, t, false);
  }

  private async cloudCountMoved(rt: ConnectionRuntime): Promise<boolean> {
    const counted = (await this.store.countRoutes(rt.connectionId)).find((c) => c.routeEntryType === 'bgp' && c.source === 'CLOUD')?.count ?? 0;
    return counted !== rt.cloudRoutes.length;
  }

  /**
   * Sends the CLOUD routes: everything then End-of-RIB (`full`: Established, ROUTE-REFRESH), else the difference.
   * One export runs and at most one waits (requests join it: it reads the routes when it runs), so a delay
   * fault holding each export back never queues more.
   */
  private exportTo(rt: ConnectionRuntime, t: TunnelRuntime, full: boolean): void {
    if (t.exportQueued) {
      t.exportQueued.full ||= full;
      return;
    }
    const queued = { full };
    t.exportQueued = queued;
    t.exportChain = t.exportChain.then(async () => {
      t.exportQueued = undefined;
      const session = t.session;
      if (!session || session.state !== 'Established') return;
      const delayMs = this.faults?.delay({ connectionId: rt.connectionId, tunnelId: t.plan.tunnelId }, 'out', Date.now()) ?? 0;
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
      // A session that ended during the delay gets nothing; its successor has its own full export queued.
      if (t.session !== session || session.state !== 'Established') return;
      const next = cloudAdvertisement(rt.cloudRoutes, { localAsn: t.plan.localAsn, nextHop: t.plan.localBgpIp });
      const diff = exportDiff(queued.full ? new Map() : t.sent, next);
      await session.advertise(diff.advertise, diff.withdraw);
      t.sent = diff.sent;
      if (queued.full) await session.sendEndOfRib();
    }).catch((err: unknown) => this.logger.warn({ err, tunnelId: t.plan.tunnelId }, 'BGP: advertising CLOUD routes failed'));
  }

  // ---------- views ----------

  /** The admin view of a connection's BGP tunnels (GET /_vcoroute/v1/vpn-connections/{id}/bgp). */
  /** This server's sessions by FSM state and the prefixes they hold (Prometheus, read at scrape time). */
  stats(): BgpStats {
    const stats: BgpStats = { sessions: {}, received: 0, accepted: 0, advertised: 0 };
    for (const rt of this.connections.values()) {
      for (const [tunnelId, t] of rt.tunnels) {
        const state = t.session?.state ?? 'Idle';
        stats.sessions[state] = (stats.sessions[state] ?? 0) + 1;
        const counts = rt.rib.counts(tunnelId);
        stats.received += counts.received;
        stats.accepted += counts.accepted;
        stats.advertised += t.sent.size;
      }
    }
    return stats;
  }

  async describe(c: ConnectionRecord, now: number): Promise<{ mode: BgpMode; tunnels: TunnelBgpView[] }> {
    return { mode: this.config.mode, tunnels: await describeTunnels(this.store, c, now, (id) => this.local(c.connectionId, id)) };
  }

  private local(connectionId: string, tunnelId: string): LocalTunnelState | undefined {
    const rt = this.connections.get(connectionId);
    const t = rt?.tunnels.get(tunnelId);
    if (!rt || !t) return undefined;
    const counts = rt.rib.counts(tunnelId);
    return {
      listen: t.listen, bindError: t.bindError,
      session: t.session ? {
        state: t.session.state, peerAddress: t.peer?.address, prefixesReceived: counts.received, prefixesAccepted: counts.accepted,
        prefixesAdvertised: t.sent.size, establishedAt: t.establishedAt, holder: this.serverId,
      } : undefined,
    };
  }

  // ---------- shutdown ----------

  /** Cease 6/2 to every session, routes withdrawn from the store, leases released, listeners closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.faults?.stop();
    for (const timer of this.timers) clearInterval(timer);
    if (this.pendingTimer) clearTimeout(this.pendingTimer);
    await this.reconciling;
    const all = [...this.connections.values()];
    await Promise.all(all.flatMap((rt) => [...rt.tunnels.values()].map(async (t) => {
      if (t.server) closeListener(t.server);
      if (t.session) await t.session.close('shutdown', 'vcoroute is shutting down');
    })));
    for (const rt of all) {
      await this.flush(rt).catch(() => undefined);
      for (const t of rt.tunnels.values()) await this.store.releaseBgpSession(t.plan.tunnelId, this.serverId).catch(() => undefined);
    }
    this.connections.clear();
  }
}

const IGNORING_OBSERVER: SessionObserver = { established: () => undefined, update: () => undefined, refreshRequested: () => undefined, down: () => undefined };
