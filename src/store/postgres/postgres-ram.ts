/**
 * PostgreSQL tables of RAM & STS (migration 3): mirrors sqlite/sqlite-ram.ts. Names compare and sort as
 * plain strings (byte order, COLLATE "C"), as SQLite's BINARY collation does.
 */
import type { RamEntityKind, RamEntityRecord, RamLinkKind, RamLinkRecord, StsSessionRecord, UserAccessKeyRecord } from '../ram-records';
import { type EntityRow, type KeyRow, type LinkRow, type SessionRow, toEntity, toKey, toLink, toSession, ENTITY_COLUMNS, ENTITY_READ_COLUMNS, KEY_COLUMNS, LINK_COLUMNS, SESSION_COLUMNS } from '../sql-rows';
import { placeholders, type PgDatabase } from './db';

export const PG_RAM_TABLES = ['ram_entities', 'ram_links', 'ram_access_keys', 'sts_sessions'] as const;

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}


export class PgRamTables {
  constructor(private readonly db: PgDatabase) {}

  async createEntity(e: RamEntityRecord): Promise<boolean> {
    // DO NOTHING on either key (id or name): of two servers creating one name, one wins.
    const r = await this.db.query(`INSERT INTO ram_entities (${ENTITY_COLUMNS}) VALUES (${placeholders(1, 7)}) ON CONFLICT DO NOTHING`, [
      e.accountId, e.kind, e.id, e.name, JSON.stringify(e.data), e.createDate, e.updateDate,
    ]);
    return r.rowCount === 1;
  }

  async getEntity(accountId: string, kind: RamEntityKind, name: string): Promise<RamEntityRecord | undefined> {
    const row = (await this.db.query<EntityRow>(`SELECT ${ENTITY_READ_COLUMNS} FROM ram_entities WHERE account_id = $1 AND kind = $2 AND name = $3`, [
      accountId, kind, name,
    ])).rows[0];
    return row && toEntity(row);
  }

  async getEntityById(accountId: string, kind: RamEntityKind, id: string): Promise<RamEntityRecord | undefined> {
    const row = (await this.db.query<EntityRow>(`SELECT ${ENTITY_READ_COLUMNS} FROM ram_entities WHERE account_id = $1 AND kind = $2 AND entity_id = $3`, [
      accountId, kind, id,
    ])).rows[0];
    return row && toEntity(row);
  }

  async listEntities(accountId: string, kind: RamEntityKind, after: string | undefined, limit: number): Promise<RamEntityRecord[]> {
    const rows = (
      await this.db.query<EntityRow>(
        `SELECT ${ENTITY_READ_COLUMNS} FROM ram_entities WHERE account_id = $1 AND kind = $2 AND name COLLATE "C" > $3
         ORDER BY name COLLATE "C" LIMIT $4`,
        [accountId, kind, after ?? '', limit],
      )
    ).rows;
    return rows.map(toEntity);
  }

  async countEntities(accountId: string, kind: RamEntityKind): Promise<number> {
    return (await this.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM ram_entities WHERE account_id = $1 AND kind = $2', [accountId, kind])).rows[0]!.n;
  }

  async updateEntity(e: RamEntityRecord, expectedRevision?: number): Promise<boolean> {
    try {
      const r = await this.db.query(
        `UPDATE ram_entities SET name = $1, data = $2, update_date = $3, revision = revision + 1
         WHERE account_id = $4 AND kind = $5 AND entity_id = $6 AND ($7::bigint IS NULL OR revision = $7::bigint)`,
        [e.name, JSON.stringify(e.data), e.updateDate, e.accountId, e.kind, e.id, expectedRevision ?? null],
      );
      return r.rowCount === 1;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async deleteEntity(accountId: string, kind: RamEntityKind, id: string): Promise<boolean> {
    return (await this.db.query('DELETE FROM ram_entities WHERE account_id = $1 AND kind = $2 AND entity_id = $3', [accountId, kind, id])).rowCount === 1;
  }

  /**
   * The entity row first, locked FOR UPDATE: an addLinkToEntity holding its share lock commits first (and its
   * link is seen by the check below, a new statement under READ COMMITTED), or waits and then finds the row gone.
   */
  async deleteEntityUnlinked(
    accountId: string, kind: RamEntityKind, id: string, linkKinds: readonly RamLinkKind[], linkedTo: string, expectedRevision?: number,
  ): Promise<'deleted' | 'linked' | 'missing'> {
    return this.db.tx(async (sql) => {
      const locked = await sql.query<{ revision: number }>('SELECT revision FROM ram_entities WHERE account_id = $1 AND kind = $2 AND entity_id = $3 FOR UPDATE', [
        accountId, kind, id,
      ]);
      if (locked.rows.length === 0 || (expectedRevision !== undefined && Number(locked.rows[0]!.revision) !== expectedRevision)) return 'missing';
      const linked = await sql.query('SELECT 1 FROM ram_links WHERE account_id = $1 AND kind = ANY($2::text[]) AND to_id = $3 LIMIT 1', [
        accountId, [...linkKinds], linkedTo,
      ]);
      if (linked.rows.length > 0) return 'linked';
      await sql.query('DELETE FROM ram_entities WHERE account_id = $1 AND kind = $2 AND entity_id = $3', [accountId, kind, id]);
      return 'deleted';
    });
  }

  async addLink(l: RamLinkRecord): Promise<boolean> {
    const r = await this.db.query(`INSERT INTO ram_links (${LINK_COLUMNS}) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, [
      l.accountId, l.kind, l.fromId, l.toId, l.createDate,
    ]);
    return r.rowCount === 1;
  }

  /** Holds a share lock on the entity row while inserting: a racing deleteEntityUnlinked waits for this commit (see there). */
  async addLinkToEntity(l: RamLinkRecord, kind: RamEntityKind, name: string): Promise<'added' | 'exists' | 'missing'> {
    return this.db.tx(async (sql) => {
      const found = await sql.query('SELECT 1 FROM ram_entities WHERE account_id = $1 AND kind = $2 AND name = $3 FOR SHARE', [l.accountId, kind, name]);
      if (found.rows.length === 0) return 'missing';
      const r = await sql.query(`INSERT INTO ram_links (${LINK_COLUMNS}) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, [
        l.accountId, l.kind, l.fromId, l.toId, l.createDate,
      ]);
      return r.rowCount === 1 ? 'added' : 'exists';
    });
  }

  async removeLink(accountId: string, kind: RamLinkKind, fromId: string, toId: string): Promise<boolean> {
    const r = await this.db.query('DELETE FROM ram_links WHERE account_id = $1 AND kind = $2 AND from_id = $3 AND to_id = $4', [accountId, kind, fromId, toId]);
    return r.rowCount === 1;
  }

  async linksFrom(accountId: string, kind: RamLinkKind, fromId: string): Promise<RamLinkRecord[]> {
    const rows = (
      await this.db.query<LinkRow>(
        `SELECT ${LINK_COLUMNS} FROM ram_links WHERE account_id = $1 AND kind = $2 AND from_id = $3 ORDER BY create_date, to_id COLLATE "C"`,
        [accountId, kind, fromId],
      )
    ).rows;
    return rows.map(toLink);
  }

  async linksTo(accountId: string, kind: RamLinkKind, toId: string): Promise<RamLinkRecord[]> {
    const rows = (
      await this.db.query<LinkRow>(
        `SELECT ${LINK_COLUMNS} FROM ram_links WHERE account_id = $1 AND kind = $2 AND to_id = $3 ORDER BY create_date, from_id COLLATE "C"`,
        [accountId, kind, toId],
      )
    ).rows;
    return rows.map(toLink);
  }

  async putKey(k: UserAccessKeyRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO ram_access_keys (${KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (access_key_id) DO UPDATE SET status = EXCLUDED.status`,
      [k.accessKeyId, k.accountId, k.userId, k.secret, k.status, k.createDate],
    );
  }

  async setKeyStatus(accessKeyId: string, status: UserAccessKeyRecord['status']): Promise<boolean> {
    return (await this.db.query('UPDATE ram_access_keys SET status = $1 WHERE access_key_id = $2', [status, accessKeyId])).rowCount === 1;
  }

  async getKey(accessKeyId: string): Promise<UserAccessKeyRecord | undefined> {
    const row = (await this.db.query<KeyRow>(`SELECT ${KEY_COLUMNS} FROM ram_access_keys WHERE access_key_id = $1`, [accessKeyId])).rows[0];
    return row && toKey(row);
  }

  async listKeys(accountId: string, userId: string): Promise<UserAccessKeyRecord[]> {
    const rows = (
      await this.db.query<KeyRow>(
        `SELECT ${KEY_COLUMNS} FROM ram_access_keys WHERE account_id = $1 AND user_id = $2 ORDER BY create_date, access_key_id COLLATE "C"`,
        [accountId, userId],
      )
    ).rows;
    return rows.map(toKey);
  }

  async deleteKey(accessKeyId: string): Promise<boolean> {
    return (await this.db.query('DELETE FROM ram_access_keys WHERE access_key_id = $1', [accessKeyId])).rowCount === 1;
  }

  async putSession(x: StsSessionRecord): Promise<void> {
    await this.db.query(`INSERT INTO sts_sessions (${SESSION_COLUMNS}) VALUES (${placeholders(1, 13)})`, [
      x.accessKeyId, x.accountId, x.secret, x.token, x.roleId, x.roleName, x.sessionName, x.sessionPolicy, x.sourceIdentity, x.expiresAt, x.createDate,
      x.originAccountId, x.originUserId,
    ]);
  }

  async getSession(accessKeyId: string): Promise<StsSessionRecord | undefined> {
    const row = (await this.db.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sts_sessions WHERE access_key_id = $1`, [accessKeyId])).rows[0];
    return row && toSession(row);
  }

  async pruneSessions(expiredBefore: number): Promise<number> {
    return (await this.db.query('DELETE FROM sts_sessions WHERE expires_at < $1', [expiredBefore])).rowCount ?? 0;
  }
}
