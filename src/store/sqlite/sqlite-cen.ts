/**
 * SQLite storage of CEN resources and links (store.ts CenResourceRecord, CenLinkRecord). Every write is one
 * IMMEDIATE transaction, which is what makes unique keys, parents and blockers atomic against each other.
 * Rows gone at or before a write's `now` are purged by it (states from timestamps: nothing else removes them).
 */
import type Database from 'better-sqlite3';
import type { CenBlocker, CenDeleteOutcome, CenLinkKind, CenLinkRecord, CenResourceKind, CenResourceRecord, ConnectionTransition } from '../store';
import { CEN_RESOURCE_COLUMNS, CEN_LINK_COLUMNS, toCenLink, toCenResource, type CenLinkRow, type CenResourceRow } from '../sql-rows';

export const CEN_TABLES = ['cen_resources', 'cen_links'] as const;

const LIVE = '(gone_at IS NULL OR gone_at > ?)';

export class SqliteCenTables {
  private readonly s;

  constructor(private readonly db: Database.Database, private readonly transitionConnection: (id: string, from: readonly string[], t: ConnectionTransition, now: number) => boolean) {
    this.s = {
      purgeResources: db.prepare('DELETE FROM cen_resources WHERE gone_at IS NOT NULL AND gone_at <= ?'),
      purgeLinks: db.prepare('DELETE FROM cen_links WHERE gone_at IS NOT NULL AND gone_at <= ?'),
      insert: db.prepare(`INSERT INTO cen_resources (${CEN_RESOURCE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT DO NOTHING`),
      parentLive: db.prepare('SELECT 1 FROM cen_resources WHERE id = ? AND gone_at IS NULL AND (ready_at IS NULL OR ready_at <= ?)').pluck(),
      parentExists: db.prepare('SELECT 1 FROM cen_resources WHERE id = ? AND gone_at IS NULL').pluck(),
      get: db.prepare(`SELECT ${CEN_RESOURCE_COLUMNS} FROM cen_resources WHERE id = ? AND account_id = ? AND kind = ? AND ${LIVE}`),
      byUniqueKey: db.prepare(`SELECT ${CEN_RESOURCE_COLUMNS} FROM cen_resources WHERE kind = ? AND unique_key = ?`),
      update: db.prepare(`UPDATE cen_resources SET doc = ? WHERE id = ? AND account_id = ? AND kind = ? AND gone_at IS NULL`),
      markGone: db.prepare('UPDATE cen_resources SET gone_at = ?, unique_key = NULL WHERE id = ?'),
      markRefsGone: db.prepare('UPDATE cen_resources SET gone_at = ?, unique_key = NULL WHERE ref_id = ? AND kind = ? AND gone_at IS NULL'),
      markLinksGone: db.prepare('UPDATE cen_links SET gone_at = ? WHERE attachment_id = ? AND gone_at IS NULL'),
      insertLink: db.prepare(`INSERT INTO cen_links (${CEN_LINK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
      samePair: db.prepare('SELECT 1 FROM cen_links WHERE kind = ? AND attachment_id = ? AND route_table_id = ? AND gone_at IS NULL').pluck(),
      getLink: db.prepare(`SELECT ${CEN_LINK_COLUMNS} FROM cen_links WHERE account_id = ? AND kind = ? AND attachment_id = ? AND route_table_id = ? AND gone_at IS NULL`),
      markLinkGone: db.prepare('UPDATE cen_links SET gone_at = ? WHERE kind = ? AND attachment_id = ? AND route_table_id = ? AND gone_at IS NULL'),
      connectionExists: db.prepare('SELECT 1 FROM vpn_connections WHERE connection_id = ?').pluck(),
    };
  }

  private purge(now: number): void {
    this.s.purgeResources.run(now);
    this.s.purgeLinks.run(now);
  }

  private insertNow(r: CenResourceRecord): 'created' | 'exists' | 'no-parent' {
    this.purge(r.createTime);
    if (r.parentId !== null && this.s.parentExists.get(r.parentId) === undefined) return 'no-parent';
    const inserted = this.s.insert.run(r.id, r.kind, r.accountId, r.parentId, r.regionId, r.uniqueKey, r.refId, r.createTime, r.readyAt, r.goneAt,
      JSON.stringify(r.doc)).changes === 1;
    return inserted ? 'created' : 'exists';
  }

  create(r: CenResourceRecord): 'created' | 'exists' | 'no-parent' {
    return this.db.transaction(() => this.insertNow(r)).immediate();
  }

  createVpnAttachment(r: CenResourceRecord, transition: ConnectionTransition | null, now: number): 'created' | 'exists' | 'no-parent' | 'connection-busy' {
    const tx = this.db.transaction(() => {
      const outcome = this.insertNow(r);
      if (outcome !== 'created') return outcome;
      if (transition !== null && !this.transitionConnection(r.refId!, ['init'], transition, now)) throw new ConnectionBusy();
      return outcome;
    });
    try {
      return tx.immediate();
    } catch (err) {
      if (err instanceof ConnectionBusy) return 'connection-busy';
      throw err;
    }
  }

  get(accountId: string, kind: CenResourceKind, id: string, now: number): CenResourceRecord | undefined {
    const row = this.s.get.get(id, accountId, kind, now) as CenResourceRow | undefined;
    return row && toCenResource(row);
  }

  findByUniqueKey(kind: CenResourceKind, uniqueKey: string, now: number): CenResourceRecord | undefined {
    const row = this.s.byUniqueKey.get(kind, uniqueKey) as CenResourceRow | undefined;
    return row && (row.gone_at === null || Number(row.gone_at) > now) ? toCenResource(row) : undefined;
  }

  list(accountId: string, kind: CenResourceKind, filter: { parentId?: string; regionId?: string; refId?: string }, now: number): CenResourceRecord[] {
    const { where, args } = liveOf(accountId, kind, now, { parent_id: filter.parentId, region_id: filter.regionId, ref_id: filter.refId });
    const rows = this.db.prepare(`SELECT ${CEN_RESOURCE_COLUMNS} FROM cen_resources WHERE ${where} ORDER BY create_time, id`).all(...args) as CenResourceRow[];
    return rows.map(toCenResource);
  }

  update(accountId: string, kind: CenResourceKind, id: string, doc: Record<string, unknown>): boolean {
    return this.s.update.run(JSON.stringify(doc), id, accountId, kind).changes === 1;
  }

  /** The first blocker that holds, inside the caller's transaction. */
  private blocking(blockers: readonly CenBlocker[], now: number): number | undefined {
    for (let i = 0; i < blockers.length; i++) {
      const b = blockers[i]!;
      const where: string[] = [];
      const args: (string | number)[] = [];
      let table: string;
      if ('link' in b) {
        table = 'cen_links';
        where.push('kind = ?'); args.push(b.link);
        if (b.attachmentId !== undefined) { where.push('attachment_id = ?'); args.push(b.attachmentId); }
        if (b.routeTableId !== undefined) { where.push('route_table_id = ?'); args.push(b.routeTableId); }
      } else {
        table = 'cen_resources';
        where.push('kind = ?'); args.push(b.kind);
        if (b.parentId !== undefined) { where.push('parent_id = ?'); args.push(b.parentId); }
        if (b.refId !== undefined) { where.push('ref_id = ?'); args.push(b.refId); }
        if (b.exceptId !== undefined) { where.push('id <> ?'); args.push(b.exceptId); }
      }
      where.push(LIVE); args.push(now);
      if (this.db.prepare(`SELECT 1 FROM ${table} WHERE ${where.join(' AND ')} LIMIT 1`).pluck().get(...args) !== undefined) return i;
    }
    return undefined;
  }

  private deleteNow(accountId: string, kind: CenResourceKind, id: string, goneAt: number, now: number, blockers: readonly CenBlocker[]): CenDeleteOutcome {
    this.purge(now);
    const current = this.get(accountId, kind, id, now);
    if (!current) return { outcome: 'missing' };
    if (current.goneAt !== null || (current.readyAt !== null && current.readyAt > now)) return { outcome: 'busy' };
    const blocker = this.blocking(blockers, now);
    if (blocker !== undefined) return { outcome: 'blocked', blocker };
    this.s.markGone.run(goneAt, id);
    return { outcome: 'deleted' };
  }

  delete(accountId: string, kind: CenResourceKind, id: string, goneAt: number, now: number, blockers: readonly CenBlocker[]): CenDeleteOutcome {
    return this.db.transaction(() => this.deleteNow(accountId, kind, id, goneAt, now, blockers)).immediate();
  }

  deleteVpnAttachment(accountId: string, id: string, goneAt: number, transition: ConnectionTransition, now: number, force: boolean): CenDeleteOutcome | { outcome: 'connection-busy' } {
    const blockers: CenBlocker[] = force ? [] : [
      { link: 'association', attachmentId: id }, { link: 'propagation', attachmentId: id }, { kind: 'routeEntry', refId: id },
    ];
    const tx = this.db.transaction(() => {
      const connectionId = this.get(accountId, 'vpnAttachment', id, now)?.refId;
      const outcome = this.deleteNow(accountId, 'vpnAttachment', id, goneAt, now, blockers);
      if (outcome.outcome !== 'deleted') return outcome;
      this.s.markLinksGone.run(now, id);
      this.s.markRefsGone.run(now, id, 'routeEntry');
      if (connectionId && this.s.connectionExists.get(connectionId) !== undefined && !this.transitionConnection(connectionId, ['attached'], transition, now)) {
        throw new ConnectionBusy();
      }
      return outcome;
    });
    try {
      return tx.immediate();
    } catch (err) {
      if (err instanceof ConnectionBusy) return { outcome: 'connection-busy' };
      throw err;
    }
  }

  createLink(l: CenLinkRecord): 'created' | 'exists' | 'associated' | 'no-parent' {
    return this.db.transaction(() => {
      this.purge(l.createTime);
      if (this.s.parentLive.get(l.attachmentId, l.createTime) === undefined || this.s.parentLive.get(l.routeTableId, l.createTime) === undefined) return 'no-parent';
      if (this.s.samePair.get(l.kind, l.attachmentId, l.routeTableId) !== undefined) return 'exists';
      const inserted = this.s.insertLink.run(l.kind, l.accountId, l.attachmentId, l.routeTableId, l.transitRouterId, l.createTime, l.readyAt, l.goneAt).changes === 1;
      return inserted ? 'created' : 'associated';
    }).immediate();
  }

  deleteLink(accountId: string, kind: CenLinkKind, attachmentId: string, routeTableId: string, goneAt: number, now: number): 'deleted' | 'missing' | 'busy' {
    return this.db.transaction(() => {
      this.purge(now);
      const row = this.s.getLink.get(accountId, kind, attachmentId, routeTableId) as CenLinkRow | undefined;
      if (!row) return 'missing';
      if (row.ready_at !== null && Number(row.ready_at) > now) return 'busy';
      this.s.markLinkGone.run(goneAt, kind, attachmentId, routeTableId);
      return 'deleted';
    }).immediate();
  }

  listLinks(accountId: string, kind: CenLinkKind, filter: { attachmentId?: string; routeTableId?: string; transitRouterId?: string }, now: number): CenLinkRecord[] {
    const { where, args } = liveOf(accountId, kind, now, { attachment_id: filter.attachmentId, route_table_id: filter.routeTableId, transit_router_id: filter.transitRouterId });
    const rows = this.db.prepare(`SELECT ${CEN_LINK_COLUMNS} FROM cen_links WHERE ${where} ORDER BY create_time, seq`).all(...args) as CenLinkRow[];
    return rows.map(toCenLink);
  }
}

/** Rolls a transaction back when the connection refuses its transition. */
class ConnectionBusy extends Error {}

/** The WHERE clause of a list: the account's rows of the kind not gone at `now`, and each given column equal to its value. */
function liveOf(accountId: string, kind: string, now: number, equal: Record<string, string | undefined>): { where: string; args: (string | number)[] } {
  const args: (string | number)[] = [accountId, kind, now];
  const where = ['account_id = ?', 'kind = ?', LIVE];
  for (const [column, value] of Object.entries(equal)) {
    if (value === undefined) continue;
    where.push(`${column} = ?`);
    args.push(value);
  }
  return { where: where.join(' AND '), args };
}
