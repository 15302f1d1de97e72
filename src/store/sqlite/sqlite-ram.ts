/**
 * SQLite tables of RAM & STS (migration 3 in migrations.ts): entities (users, groups, roles, custom policies), links
 * (memberships, attachments), RAM users' AccessKeys and STS sessions. Plain, portable SQL; no rules here.
 */
import type Database from 'better-sqlite3';
import type { RamEntityKind, RamEntityRecord, RamLinkKind, RamLinkRecord, StsSessionRecord, UserAccessKeyRecord } from '../ram-records';
import { type EntityRow, type KeyRow, type LinkRow, type SessionRow, toEntity, toKey, toLink, toSession, ENTITY_COLUMNS, ENTITY_READ_COLUMNS, SESSION_COLUMNS } from '../sql-rows';

export const RAM_TABLES = ['ram_entities', 'ram_links', 'ram_access_keys', 'sts_sessions'] as const;

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && String((err as { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT');
}


export class SqliteRamTables {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    this.s = {
      createEntity: db.prepare(`INSERT INTO ram_entities (${ENTITY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
      entityByName: db.prepare(`SELECT ${ENTITY_READ_COLUMNS} FROM ram_entities WHERE account_id = ? AND kind = ? AND name = ?`),
      entityById: db.prepare(`SELECT ${ENTITY_READ_COLUMNS} FROM ram_entities WHERE account_id = ? AND kind = ? AND entity_id = ?`),
      listEntities: db.prepare(`SELECT ${ENTITY_READ_COLUMNS} FROM ram_entities WHERE account_id = ? AND kind = ? AND name > ? ORDER BY name LIMIT ?`),
      countEntities: db.prepare('SELECT COUNT(*) FROM ram_entities WHERE account_id = ? AND kind = ?').pluck(),
      updateEntity: db.prepare(`UPDATE ram_entities SET name = ?, data = ?, update_date = ?, revision = revision + 1
        WHERE account_id = ? AND kind = ? AND entity_id = ? AND (? IS NULL OR revision = ?)`),
      deleteEntity: db.prepare('DELETE FROM ram_entities WHERE account_id = ? AND kind = ? AND entity_id = ?'),
      deleteEntityAt: db.prepare('DELETE FROM ram_entities WHERE account_id = ? AND kind = ? AND entity_id = ? AND (? IS NULL OR revision = ?)'),
      entityExists: db.prepare('SELECT 1 FROM ram_entities WHERE account_id = ? AND kind = ? AND name = ?').pluck(),
      linkedTo: db.prepare('SELECT 1 FROM ram_links WHERE account_id = ? AND kind = ? AND to_id = ? LIMIT 1').pluck(),
      addLink: db.prepare('INSERT INTO ram_links (account_id, kind, from_id, to_id, create_date) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      removeLink: db.prepare('DELETE FROM ram_links WHERE account_id = ? AND kind = ? AND from_id = ? AND to_id = ?'),
      linksFrom: db.prepare('SELECT * FROM ram_links WHERE account_id = ? AND kind = ? AND from_id = ? ORDER BY create_date, to_id'),
      linksTo: db.prepare('SELECT * FROM ram_links WHERE account_id = ? AND kind = ? AND to_id = ? ORDER BY create_date, from_id'),
      putKey: db.prepare(`INSERT INTO ram_access_keys (access_key_id, account_id, user_id, secret, status, create_date) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (access_key_id) DO UPDATE SET status = excluded.status`),
      setKeyStatus: db.prepare('UPDATE ram_access_keys SET status = ? WHERE access_key_id = ?'),
      getKey: db.prepare('SELECT * FROM ram_access_keys WHERE access_key_id = ?'),
      listKeys: db.prepare('SELECT * FROM ram_access_keys WHERE account_id = ? AND user_id = ? ORDER BY create_date, access_key_id'),
      deleteKey: db.prepare('DELETE FROM ram_access_keys WHERE access_key_id = ?'),
      putSession: db.prepare(`INSERT INTO sts_sessions (${SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      getSession: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sts_sessions WHERE access_key_id = ?`),
      pruneSessions: db.prepare('DELETE FROM sts_sessions WHERE expires_at < ?'),
    };
  }

  createEntity(e: RamEntityRecord): boolean {
    return this.s.createEntity.run(e.accountId, e.kind, e.id, e.name, JSON.stringify(e.data), e.createDate, e.updateDate).changes === 1;
  }

  getEntity(accountId: string, kind: RamEntityKind, name: string): RamEntityRecord | undefined {
    const row = this.s.entityByName.get(accountId, kind, name) as EntityRow | undefined;
    return row && toEntity(row);
  }

  getEntityById(accountId: string, kind: RamEntityKind, id: string): RamEntityRecord | undefined {
    const row = this.s.entityById.get(accountId, kind, id) as EntityRow | undefined;
    return row && toEntity(row);
  }

  listEntities(accountId: string, kind: RamEntityKind, after: string | undefined, limit: number): RamEntityRecord[] {
    return (this.s.listEntities.all(accountId, kind, after ?? '', limit) as EntityRow[]).map(toEntity);
  }

  countEntities(accountId: string, kind: RamEntityKind): number {
    return this.s.countEntities.get(accountId, kind) as number;
  }

  updateEntity(e: RamEntityRecord, expectedRevision?: number): boolean {
    const rev = expectedRevision ?? null;
    try {
      return this.s.updateEntity.run(e.name, JSON.stringify(e.data), e.updateDate, e.accountId, e.kind, e.id, rev, rev).changes === 1;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  deleteEntity(accountId: string, kind: RamEntityKind, id: string): boolean {
    return this.s.deleteEntity.run(accountId, kind, id).changes === 1;
  }

  deleteEntityUnlinked(
    accountId: string, kind: RamEntityKind, id: string, linkKinds: readonly RamLinkKind[], linkedTo: string, expectedRevision?: number,
  ): 'deleted' | 'linked' | 'missing' {
    const rev = expectedRevision ?? null;
    return this.db.transaction(() => {
      if (linkKinds.some((k) => this.s.linkedTo.get(accountId, k, linkedTo) !== undefined)) return 'linked';
      return this.s.deleteEntityAt.run(accountId, kind, id, rev, rev).changes === 1 ? 'deleted' : 'missing';
    }).immediate();
  }

  addLink(l: RamLinkRecord): boolean {
    return this.s.addLink.run(l.accountId, l.kind, l.fromId, l.toId, l.createDate).changes === 1;
  }

  addLinkToEntity(l: RamLinkRecord, kind: RamEntityKind, name: string): 'added' | 'exists' | 'missing' {
    return this.db.transaction(() => {
      if (this.s.entityExists.get(l.accountId, kind, name) === undefined) return 'missing';
      return this.addLink(l) ? 'added' : 'exists';
    }).immediate();
  }

  removeLink(accountId: string, kind: RamLinkKind, fromId: string, toId: string): boolean {
    return this.s.removeLink.run(accountId, kind, fromId, toId).changes === 1;
  }

  linksFrom(accountId: string, kind: RamLinkKind, fromId: string): RamLinkRecord[] {
    return (this.s.linksFrom.all(accountId, kind, fromId) as LinkRow[]).map(toLink);
  }

  linksTo(accountId: string, kind: RamLinkKind, toId: string): RamLinkRecord[] {
    return (this.s.linksTo.all(accountId, kind, toId) as LinkRow[]).map(toLink);
  }

  putKey(k: UserAccessKeyRecord): void {
    this.s.putKey.run(k.accessKeyId, k.accountId, k.userId, k.secret, k.status, k.createDate);
  }

  setKeyStatus(accessKeyId: string, status: UserAccessKeyRecord['status']): boolean {
    return this.s.setKeyStatus.run(status, accessKeyId).changes === 1;
  }

  getKey(accessKeyId: string): UserAccessKeyRecord | undefined {
    const row = this.s.getKey.get(accessKeyId) as KeyRow | undefined;
    return row && toKey(row);
  }

  listKeys(accountId: string, userId: string): UserAccessKeyRecord[] {
    return (this.s.listKeys.all(accountId, userId) as KeyRow[]).map(toKey);
  }

  deleteKey(accessKeyId: string): boolean {
    return this.s.deleteKey.run(accessKeyId).changes === 1;
  }

  putSession(x: StsSessionRecord): void {
    this.s.putSession.run(x.accessKeyId, x.accountId, x.secret, x.token, x.roleId, x.roleName, x.sessionName, x.sessionPolicy,
      x.sourceIdentity, x.expiresAt, x.createDate, x.originAccountId, x.originUserId);
  }

  getSession(accessKeyId: string): StsSessionRecord | undefined {
    const row = this.s.getSession.get(accessKeyId) as SessionRow | undefined;
    return row && toSession(row);
  }

  pruneSessions(expiredBefore: number): number {
    return this.s.pruneSessions.run(expiredBefore).changes;
  }
}
