/**
 * PostgreSQL tables of RAM & STS (migration 3): mirrors sqlite/sqlite-ram.ts. Names compare and sort as
 * plain strings (byte order, COLLATE "C"), as SQLite's BINARY collation does. Structural writes (see
 * store.ts) run under the account's RAM lock (`underAccountLock`).
 */
import {
  RAM_LINK_FROM, type RamDependents, type RamEntityKind, type RamEntityRecord, type RamEntityRef, type RamLinkKind, type RamLinkLimit, type RamLinkRecord,
  type StsSessionRecord, type UserAccessKeyRecord,
} from '../ram-records';
import { type EntityRow, type KeyRow, type LinkRow, type SessionRow, toEntity, toKey, toLink, toSession, ENTITY_COLUMNS, ENTITY_READ_COLUMNS, KEY_COLUMNS, LINK_COLUMNS, SESSION_COLUMNS } from '../sql-rows';
import { placeholders, type PgDatabase, type Sql } from './db';

export const PG_RAM_TABLES = ['ram_entities', 'ram_links', 'ram_access_keys', 'sts_sessions'] as const;

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}


/**
 * First key of the per-account RAM advisory locks ("RAM" in ASCII); the second is hashtext(account_id). The
 * two-key advisory lock space never meets the single-key one of the migration lock.
 */
const RAM_LOCK_CLASS = 0x52414d;

export class PgRamTables {
  constructor(private readonly db: PgDatabase) {}

  /**
   * Runs `fn` in a transaction holding the account's RAM lock until commit. Every statement after the lock
   * sees what earlier holders committed (READ COMMITTED takes a snapshot per statement), so the checks in
   * `fn` still hold when it writes. Two accounts whose hashes collide only wait for each other.
   */
  private underAccountLock<T>(accountId: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.db.tx(async (sql) => {
      await sql.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [RAM_LOCK_CLASS, accountId]);
      return fn(sql);
    });
  }

  private static async exists(sql: Sql, text: string, values: readonly unknown[]): Promise<boolean> {
    return (await sql.query(text, values)).rows.length > 0;
  }

  private static entityExists(sql: Sql, accountId: string, ref: RamEntityRef): Promise<boolean> {
    return 'id' in ref
      ? PgRamTables.exists(sql, 'SELECT 1 FROM ram_entities WHERE account_id = $1 AND kind = $2 AND entity_id = $3', [accountId, ref.kind, ref.id])
      : PgRamTables.exists(sql, 'SELECT 1 FROM ram_entities WHERE account_id = $1 AND kind = $2 AND name = $3', [accountId, ref.kind, ref.name]);
  }

  private static dependentExists(sql: Sql, accountId: string, d: RamDependents): Promise<boolean> {
    if ('accessKeysOf' in d) return PgRamTables.exists(sql, 'SELECT 1 FROM ram_access_keys WHERE account_id = $1 AND user_id = $2 LIMIT 1', [accountId, d.accessKeysOf]);
    return 'from' in d
      ? PgRamTables.exists(sql, 'SELECT 1 FROM ram_links WHERE account_id = $1 AND kind = $2 AND from_id = $3 LIMIT 1', [accountId, d.links, d.from])
      : PgRamTables.exists(sql, 'SELECT 1 FROM ram_links WHERE account_id = $1 AND kind = $2 AND to_id = $3 LIMIT 1', [accountId, d.links, d.to]);
  }

  async createEntity(e: RamEntityRecord, maxOfKind = Infinity): Promise<'created' | 'exists' | 'limit'> {
    return this.underAccountLock(e.accountId, async (sql) => {
      if (maxOfKind !== Infinity) {
        const n = (await sql.query<{ n: number }>('SELECT COUNT(*) AS n FROM ram_entities WHERE account_id = $1 AND kind = $2', [e.accountId, e.kind])).rows[0]!.n;
        if (n >= maxOfKind) return 'limit';
      }
      // DO NOTHING on either key (id or name): of two servers creating one name, one wins.
      const r = await sql.query(`INSERT INTO ram_entities (${ENTITY_COLUMNS}) VALUES (${placeholders(1, 7)}) ON CONFLICT DO NOTHING`, [
        e.accountId, e.kind, e.id, e.name, JSON.stringify(e.data), e.createDate, e.updateDate,
      ]);
      return r.rowCount === 1 ? 'created' : 'exists';
    });
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

  async deleteEntityUnlinked(
    accountId: string, kind: RamEntityKind, id: string, dependents: readonly RamDependents[], expectedRevision?: number,
  ): Promise<'deleted' | 'missing' | RamDependents> {
    return this.underAccountLock(accountId, async (sql) => {
      if (!(await PgRamTables.entityExists(sql, accountId, { kind, id }))) return 'missing';
      for (const d of dependents) if (await PgRamTables.dependentExists(sql, accountId, d)) return d;
      // The revision is compared by the delete itself: updateRamEntity does not take the lock.
      const r = await sql.query('DELETE FROM ram_entities WHERE account_id = $1 AND kind = $2 AND entity_id = $3 AND ($4::bigint IS NULL OR revision = $4::bigint)', [
        accountId, kind, id, expectedRevision ?? null,
      ]);
      return r.rowCount === 1 ? 'deleted' : 'missing';
    });
  }

  async addLink(l: RamLinkRecord, to: RamEntityRef | undefined, limit?: RamLinkLimit): Promise<'added' | 'missing-from' | 'missing-to' | 'exists' | 'limit'> {
    return this.underAccountLock(l.accountId, async (sql) => {
      if (!(await PgRamTables.entityExists(sql, l.accountId, { kind: RAM_LINK_FROM[l.kind], id: l.fromId }))) return 'missing-from';
      if (to && !(await PgRamTables.entityExists(sql, l.accountId, to))) return 'missing-to';
      const exists = 'SELECT 1 FROM ram_links WHERE account_id = $1 AND kind = $2 AND from_id = $3 AND to_id = $4';
      if (await PgRamTables.exists(sql, exists, [l.accountId, l.kind, l.fromId, l.toId])) return 'exists';
      if (limit) {
        const n = (await sql.query<{ n: number }>(
          'SELECT COUNT(*) AS n FROM ram_links WHERE account_id = $1 AND kind = $2 AND from_id = $3 AND substr(to_id, 1, length($4)) = $4',
          [l.accountId, l.kind, l.fromId, limit.toPrefix],
        )).rows[0]!.n;
        if (n >= limit.max) return 'limit';
      }
      await sql.query(`INSERT INTO ram_links (${LINK_COLUMNS}) VALUES ($1, $2, $3, $4, $5)`, [l.accountId, l.kind, l.fromId, l.toId, l.createDate]);
      return 'added';
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

  async createKey(k: UserAccessKeyRecord, maxPerUser: number): Promise<'created' | 'missing' | 'limit'> {
    return this.underAccountLock(k.accountId, async (sql) => {
      if (!(await PgRamTables.entityExists(sql, k.accountId, { kind: 'user', id: k.userId }))) return 'missing';
      const n = (await sql.query<{ n: number }>('SELECT COUNT(*) AS n FROM ram_access_keys WHERE account_id = $1 AND user_id = $2', [k.accountId, k.userId])).rows[0]!.n;
      if (n >= maxPerUser) return 'limit';
      await sql.query(`INSERT INTO ram_access_keys (${KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`, [
        k.accessKeyId, k.accountId, k.userId, k.secret, k.status, k.createDate,
      ]);
      return 'created';
    });
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
