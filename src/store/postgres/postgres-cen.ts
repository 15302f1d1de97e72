/**
 * PostgreSQL storage of CEN resources and links: mirrors sqlite/sqlite-cen.ts. Atomicity across servers: a
 * create locks its parent rows FOR SHARE and a delete locks its row FOR UPDATE before checking blockers, so a
 * child created concurrently either lands first (and blocks the delete) or finds its parent being deleted;
 * partial unique indexes decide unique keys, pairs and the one association per attachment.
 */
import type { CenBlocker, CenDeleteOutcome, CenLinkKind, CenLinkRecord, CenResourceKind, CenResourceRecord, ConnectionTransition, TokenCompletion } from '../store';
import { completeTokenStep } from './client-tokens';
import type { PgDatabase, Sql } from './db';
import { CEN_LINK_COLUMNS, CEN_RESOURCE_COLUMNS, toCenLink, toCenResource, type CenLinkRow, type CenResourceRow } from '../sql-rows';

export const PG_CEN_TABLES = ['cen_resources', 'cen_links'] as const;

type Transition = (sql: Sql, id: string, from: readonly string[], t: ConnectionTransition, now: number) => Promise<boolean>;

/** Rolls a transaction back when the connection refuses its transition. */
class ConnectionBusy extends Error {}

/** The WHERE clause of a list: the account's rows of the kind not gone at `now`, and each given column equal to its value. */
function liveOf(accountId: string, kind: string, now: number, equal: Record<string, string | undefined>): { where: string; args: unknown[] } {
  const args: unknown[] = [accountId, kind, now];
  const where = ['account_id = $1', 'kind = $2', '(gone_at IS NULL OR gone_at > $3)'];
  for (const [column, value] of Object.entries(equal)) {
    if (value === undefined) continue;
    args.push(value);
    where.push(`${column} = $${args.length}`);
  }
  return { where: where.join(' AND '), args };
}

export class PgCenTables {
  constructor(private readonly db: PgDatabase, private readonly transitionConnection: Transition) {}

  private async purge(sql: Sql, now: number): Promise<void> {
    await sql.query('DELETE FROM cen_resources WHERE gone_at IS NOT NULL AND gone_at <= $1', [now]);
    await sql.query('DELETE FROM cen_links WHERE gone_at IS NOT NULL AND gone_at <= $1', [now]);
  }

  /** Locks the row FOR SHARE and tells whether it exists, is not being deleted and (with `readyBy`) is no longer being created. */
  private async live(sql: Sql, id: string, readyBy?: number): Promise<boolean> {
    const row = (await sql.query<{ ready_at: string | null; gone_at: string | null }>('SELECT ready_at, gone_at FROM cen_resources WHERE id = $1 FOR SHARE', [id])).rows[0];
    if (!row || row.gone_at !== null) return false;
    return readyBy === undefined || row.ready_at === null || Number(row.ready_at) <= readyBy;
  }

  private async insertIn(sql: Sql, r: CenResourceRecord): Promise<'created' | 'exists' | 'no-parent'> {
    await this.purge(sql, r.createTime);
    if (r.parentId !== null && !(await this.live(sql, r.parentId))) return 'no-parent';
    const inserted = await sql.query(
      `INSERT INTO cen_resources (${CEN_RESOURCE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
      [r.id, r.kind, r.accountId, r.parentId, r.regionId, r.uniqueKey, r.refId, r.createTime, r.readyAt, r.goneAt, JSON.stringify(r.doc)],
    );
    return inserted.rowCount === 1 ? 'created' : 'exists';
  }

  create(r: CenResourceRecord, completion?: TokenCompletion): Promise<'created' | 'exists' | 'no-parent'> {
    return this.db.tx((sql) => this.insertIn(sql, r), 'BEGIN', completeTokenStep(completion, (x: string) => x === 'created'));
  }

  async createVpnAttachment(r: CenResourceRecord, transition: ConnectionTransition | null, now: number, completion?: TokenCompletion) {
    try {
      return await this.db.tx(async (sql) => {
        const outcome = await this.insertIn(sql, r);
        if (outcome === 'created' && transition !== null && !(await this.transitionConnection(sql, r.refId!, ['init'], transition, now))) throw new ConnectionBusy();
        return outcome;
      }, 'BEGIN', completeTokenStep(completion, (x: string) => x === 'created'));
    } catch (err) {
      if (err instanceof ConnectionBusy) return 'connection-busy' as const;
      throw err;
    }
  }

  private async getIn(sql: Sql, accountId: string, kind: CenResourceKind, id: string, now: number, lock = ''): Promise<CenResourceRecord | undefined> {
    const row = (await sql.query<CenResourceRow>(
      `SELECT ${CEN_RESOURCE_COLUMNS} FROM cen_resources WHERE id = $1 AND account_id = $2 AND kind = $3 AND (gone_at IS NULL OR gone_at > $4) ${lock}`,
      [id, accountId, kind, now],
    )).rows[0];
    return row && toCenResource(row);
  }

  get(accountId: string, kind: CenResourceKind, id: string, now: number): Promise<CenResourceRecord | undefined> {
    return this.getIn(this.db, accountId, kind, id, now);
  }

  async findByUniqueKey(kind: CenResourceKind, uniqueKey: string, now: number): Promise<CenResourceRecord | undefined> {
    const row = (await this.db.query<CenResourceRow>(
      `SELECT ${CEN_RESOURCE_COLUMNS} FROM cen_resources WHERE kind = $1 AND unique_key = $2 AND (gone_at IS NULL OR gone_at > $3)`, [kind, uniqueKey, now],
    )).rows[0];
    return row && toCenResource(row);
  }

  async list(accountId: string, kind: CenResourceKind, filter: { parentId?: string; regionId?: string; refId?: string }, now: number): Promise<CenResourceRecord[]> {
    const { where, args } = liveOf(accountId, kind, now, { parent_id: filter.parentId, region_id: filter.regionId, ref_id: filter.refId });
    const rows = (await this.db.query<CenResourceRow>(`SELECT ${CEN_RESOURCE_COLUMNS} FROM cen_resources WHERE ${where} ORDER BY create_time, id COLLATE "C"`, args)).rows;
    return rows.map(toCenResource);
  }

  async update(accountId: string, kind: CenResourceKind, id: string, doc: Record<string, unknown>, completion?: TokenCompletion): Promise<boolean> {
    return this.db.tx(async (sql) => (await sql.query(
      'UPDATE cen_resources SET doc = $1 WHERE id = $2 AND account_id = $3 AND kind = $4 AND gone_at IS NULL', [JSON.stringify(doc), id, accountId, kind],
    )).rowCount === 1, 'BEGIN', completeTokenStep(completion, (ok: boolean) => ok));
  }

  private async blocking(sql: Sql, blockers: readonly CenBlocker[], now: number): Promise<number | undefined> {
    for (let i = 0; i < blockers.length; i++) {
      const b = blockers[i]!;
      const args: unknown[] = [];
      const where: string[] = [];
      const add = (column: string, value: string | undefined, op = '=') => {
        if (value === undefined) return;
        args.push(value);
        where.push(`${column} ${op} $${args.length}`);
      };
      let table: string;
      if ('link' in b) {
        table = 'cen_links';
        add('kind', b.link);
        add('attachment_id', b.attachmentId);
        add('route_table_id', b.routeTableId);
      } else {
        table = 'cen_resources';
        add('kind', b.kind);
        add('parent_id', b.parentId);
        add('ref_id', b.refId);
        add('id', b.exceptId, '<>');
      }
      args.push(now);
      where.push(`(gone_at IS NULL OR gone_at > $${args.length})`);
      if ((await sql.query(`SELECT 1 FROM ${table} WHERE ${where.join(' AND ')} LIMIT 1`, args)).rows.length > 0) return i;
    }
    return undefined;
  }

  private async deleteIn(sql: Sql, accountId: string, kind: CenResourceKind, id: string, goneAt: number, now: number, blockers: readonly CenBlocker[]): Promise<CenDeleteOutcome & { current?: CenResourceRecord }> {
    await this.purge(sql, now);
    const current = await this.getIn(sql, accountId, kind, id, now, 'FOR UPDATE');
    if (!current) return { outcome: 'missing' };
    if (current.goneAt !== null || (current.readyAt !== null && current.readyAt > now)) return { outcome: 'busy' };
    const blocker = await this.blocking(sql, blockers, now);
    if (blocker !== undefined) return { outcome: 'blocked', blocker };
    await sql.query('UPDATE cen_resources SET gone_at = $1, unique_key = NULL WHERE id = $2', [goneAt, id]);
    return { outcome: 'deleted', current };
  }

  async delete(accountId: string, kind: CenResourceKind, id: string, goneAt: number, now: number, blockers: readonly CenBlocker[], completion?: TokenCompletion): Promise<CenDeleteOutcome> {
    const r = await this.db.tx((sql) => this.deleteIn(sql, accountId, kind, id, goneAt, now, blockers), 'BEGIN',
      completeTokenStep(completion, (x: CenDeleteOutcome) => x.outcome === 'deleted'));
    return r.blocker === undefined ? { outcome: r.outcome } : { outcome: r.outcome, blocker: r.blocker };
  }

  async deleteVpnAttachment(accountId: string, id: string, goneAt: number, transition: ConnectionTransition, now: number, force: boolean, completion?: TokenCompletion) {
    const blockers: CenBlocker[] = force ? [] : [
      { link: 'association', attachmentId: id }, { link: 'propagation', attachmentId: id }, { kind: 'routeEntry', refId: id },
    ];
    try {
      const r = await this.db.tx(async (sql) => {
        const outcome = await this.deleteIn(sql, accountId, 'vpnAttachment', id, goneAt, now, blockers);
        if (outcome.outcome !== 'deleted') return outcome;
        await sql.query('UPDATE cen_links SET gone_at = $1 WHERE attachment_id = $2 AND gone_at IS NULL', [now, id]);
        await sql.query(`UPDATE cen_resources SET gone_at = $1, unique_key = NULL WHERE ref_id = $2 AND kind = 'routeEntry' AND gone_at IS NULL`, [now, id]);
        const connectionId = outcome.current!.refId!;
        const exists = (await sql.query('SELECT 1 FROM vpn_connections WHERE connection_id = $1', [connectionId])).rows.length > 0;
        if (exists && !(await this.transitionConnection(sql, connectionId, ['attached'], transition, now))) throw new ConnectionBusy();
        return outcome;
      }, 'BEGIN', completeTokenStep(completion, (x: CenDeleteOutcome) => x.outcome === 'deleted'));
      return r.blocker === undefined ? { outcome: r.outcome } : { outcome: r.outcome, blocker: r.blocker };
    } catch (err) {
      if (err instanceof ConnectionBusy) return { outcome: 'connection-busy' as const };
      throw err;
    }
  }

  createLink(l: CenLinkRecord, completion?: TokenCompletion): Promise<'created' | 'exists' | 'associated' | 'no-parent'> {
    return this.db.tx(async (sql) => {
      await this.purge(sql, l.createTime);
      if (!(await this.live(sql, l.attachmentId, l.createTime)) || !(await this.live(sql, l.routeTableId, l.createTime))) return 'no-parent' as const;
      const same = await sql.query('SELECT 1 FROM cen_links WHERE kind = $1 AND attachment_id = $2 AND route_table_id = $3 AND gone_at IS NULL', [
        l.kind, l.attachmentId, l.routeTableId,
      ]);
      if (same.rows.length > 0) return 'exists' as const;
      const inserted = await sql.query(`INSERT INTO cen_links (${CEN_LINK_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`, [
        l.kind, l.accountId, l.attachmentId, l.routeTableId, l.transitRouterId, l.createTime, l.readyAt, l.goneAt,
      ]);
      return inserted.rowCount === 1 ? 'created' as const : 'associated' as const;
    }, 'BEGIN', completeTokenStep(completion, (x: string) => x === 'created'));
  }

  deleteLink(accountId: string, kind: CenLinkKind, attachmentId: string, routeTableId: string, goneAt: number, now: number, completion?: TokenCompletion) {
    return this.db.tx(async (sql) => {
      await this.purge(sql, now);
      const row = (await sql.query<CenLinkRow>(
        `SELECT ${CEN_LINK_COLUMNS} FROM cen_links WHERE account_id = $1 AND kind = $2 AND attachment_id = $3 AND route_table_id = $4 AND gone_at IS NULL FOR UPDATE`,
        [accountId, kind, attachmentId, routeTableId],
      )).rows[0];
      if (!row) return 'missing' as const;
      if (row.ready_at !== null && Number(row.ready_at) > now) return 'busy' as const;
      await sql.query('UPDATE cen_links SET gone_at = $1 WHERE kind = $2 AND attachment_id = $3 AND route_table_id = $4 AND gone_at IS NULL', [
        goneAt, kind, attachmentId, routeTableId,
      ]);
      return 'deleted' as const;
    }, 'BEGIN', completeTokenStep(completion, (x: string) => x === 'deleted'));
  }

  async listLinks(accountId: string, kind: CenLinkKind, filter: { attachmentId?: string; routeTableId?: string; transitRouterId?: string }, now: number): Promise<CenLinkRecord[]> {
    const { where, args } = liveOf(accountId, kind, now, { attachment_id: filter.attachmentId, route_table_id: filter.routeTableId, transit_router_id: filter.transitRouterId });
    const rows = (await this.db.query<CenLinkRow>(`SELECT ${CEN_LINK_COLUMNS} FROM cen_links WHERE ${where} ORDER BY create_time, seq`, args)).rows;
    return rows.map(toCenLink);
  }
}
