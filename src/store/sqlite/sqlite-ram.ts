/**
 * SQLite tables of RAM & STS (migration 3 in migrations.ts): entities (users, groups, roles, custom policies), links
 * (memberships, attachments), RAM users' AccessKeys and STS sessions. Plain, portable SQL; no rules here.
 * Structural writes (see store.ts) are IMMEDIATE transactions: SQLite has one writer per database file, so
 * taking the write lock before the first read makes check and write one step for every process on the file.
 */
import type Database from 'better-sqlite3';
import {
  RAM_LINK_FROM, type RamDependents, type RamEntityKind, type RamEntityRecord, type RamEntityRef, type RamLinkKind, type RamLinkLimit, type RamLinkRecord,
  type StsSessionRecord, type UserAccessKeyRecord,
} from '../ram-records';
import type { ValidatedReadCache } from './read-cache';
import { type EntityRow, type KeyRow, type LinkRow, type SessionRow, toEntity, toKey, toLink, toSession, ENTITY_COLUMNS, ENTITY_READ_COLUMNS, SESSION_COLUMNS } from '../sql-rows';

export const RAM_TABLES = ['ram_entities', 'ram_links', 'ram_access_keys', 'sts_sessions'] as const;

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && String((err as { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT');
}


export class SqliteRamTables {
  private readonly s;

  constructor(private readonly db: Database.Database, private readonly cache: ValidatedReadCache) {
    this.s = {
      createEntity: db.prepare(`INSERT INTO ram_entities (${ENTITY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
      entityByName: db.prepare(`SELECT ${ENTITY_READ_COLUMNS} FROM ram_entities WHERE account_id = ? AND kind = ? AND name = ?`),
      entityById: db.prepare(`SELECT ${ENTITY_READ_COLUMNS} FROM ram_entities WHERE account_id = ? AND kind = ? AND entity_id = ?`),
      listEntities: db.prepare(`SELECT ${ENTITY_READ_COLUMNS} FROM ram_entities WHERE account_id = ? AND kind = ? AND name > ? ORDER BY name LIMIT ?`),
      countEntities: db.prepare('SELECT COUNT(*) FROM ram_entities WHERE account_id = ? AND kind = ?').pluck(),
      updateEntity: db.prepare(`UPDATE ram_entities SET name = ?, data = ?, update_date = ?, revision = revision + 1
        WHERE account_id = ? AND kind = ? AND entity_id = ? AND (? IS NULL OR revision = ?)`),
      deleteEntityAt: db.prepare('DELETE FROM ram_entities WHERE account_id = ? AND kind = ? AND entity_id = ? AND (? IS NULL OR revision = ?)'),
      entityExists: db.prepare('SELECT 1 FROM ram_entities WHERE account_id = ? AND kind = ? AND name = ?').pluck(),
      entityIdExists: db.prepare('SELECT 1 FROM ram_entities WHERE account_id = ? AND kind = ? AND entity_id = ?').pluck(),
      linkedFrom: db.prepare('SELECT 1 FROM ram_links WHERE account_id = ? AND kind = ? AND from_id = ? LIMIT 1').pluck(),
      linkedTo: db.prepare('SELECT 1 FROM ram_links WHERE account_id = ? AND kind = ? AND to_id = ? LIMIT 1').pluck(),
      linkExists: db.prepare('SELECT 1 FROM ram_links WHERE account_id = ? AND kind = ? AND from_id = ? AND to_id = ?').pluck(),
      countLinksFrom: db.prepare('SELECT COUNT(*) FROM ram_links WHERE account_id = ? AND kind = ? AND from_id = ? AND substr(to_id, 1, length(?)) = ?').pluck(),
      addLink: db.prepare('INSERT INTO ram_links (account_id, kind, from_id, to_id, create_date) VALUES (?, ?, ?, ?, ?)'),
      hasKeys: db.prepare('SELECT 1 FROM ram_access_keys WHERE account_id = ? AND user_id = ? LIMIT 1').pluck(),
      countKeys: db.prepare('SELECT COUNT(*) FROM ram_access_keys WHERE account_id = ? AND user_id = ?').pluck(),
      removeLink: db.prepare('DELETE FROM ram_links WHERE account_id = ? AND kind = ? AND from_id = ? AND to_id = ?'),
      linksFrom: db.prepare('SELECT * FROM ram_links WHERE account_id = ? AND kind = ? AND from_id = ? ORDER BY create_date, to_id'),
      linksTo: db.prepare('SELECT * FROM ram_links WHERE account_id = ? AND kind = ? AND to_id = ? ORDER BY create_date, from_id'),
      insertKey: db.prepare('INSERT INTO ram_access_keys (access_key_id, account_id, user_id, secret, status, create_date) VALUES (?, ?, ?, ?, ?, ?)'),
      setKeyStatus: db.prepare('UPDATE ram_access_keys SET status = ? WHERE access_key_id = ?'),
      getKey: db.prepare('SELECT * FROM ram_access_keys WHERE access_key_id = ?'),
      listKeys: db.prepare('SELECT * FROM ram_access_keys WHERE account_id = ? AND user_id = ? ORDER BY create_date, access_key_id'),
      deleteKey: db.prepare('DELETE FROM ram_access_keys WHERE access_key_id = ?'),
      putSession: db.prepare(`INSERT INTO sts_sessions (${SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      getSession: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sts_sessions WHERE access_key_id = ?`),
      pruneSessions: db.prepare('DELETE FROM sts_sessions WHERE expires_at < ?'),
    };
  }

  createEntity(e: RamEntityRecord, maxOfKind = Infinity): 'created' | 'exists' | 'limit' {
    return this.db.transaction(() => {
      if (maxOfKind !== Infinity && this.countEntities(e.accountId, e.kind) >= maxOfKind) return 'limit';
      const inserted = this.s.createEntity.run(e.accountId, e.kind, e.id, e.name, JSON.stringify(e.data), e.createDate, e.updateDate).changes === 1;
      return inserted ? 'created' : 'exists';
    }).immediate();
  }

  getEntity(accountId: string, kind: RamEntityKind, name: string): RamEntityRecord | undefined {
    const row = this.s.entityByName.get(accountId, kind, name) as EntityRow | undefined;
    return row && toEntity(row);
  }

  getEntityById(accountId: string, kind: RamEntityKind, id: string): RamEntityRecord | undefined {
    const row = this.cache.read(`e\0${accountId}\0${kind}\0${id}`, () => this.s.entityById.get(accountId, kind, id)) as EntityRow | undefined;
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

  deleteEntityUnlinked(
    accountId: string, kind: RamEntityKind, id: string, dependents: readonly RamDependents[], expectedRevision?: number,
  ): 'deleted' | 'missing' | RamDependents {
    const rev = expectedRevision ?? null;
    return this.db.transaction(() => {
      if (this.s.entityIdExists.get(accountId, kind, id) === undefined) return 'missing';
      const blocking = dependents.find((d) => this.dependentExists(accountId, d));
      if (blocking) return blocking;
      return this.s.deleteEntityAt.run(accountId, kind, id, rev, rev).changes === 1 ? 'deleted' : 'missing';
    }).immediate();
  }

  private dependentExists(accountId: string, d: RamDependents): boolean {
    if ('accessKeysOf' in d) return this.s.hasKeys.get(accountId, d.accessKeysOf) !== undefined;
    return ('from' in d ? this.s.linkedFrom.get(accountId, d.links, d.from) : this.s.linkedTo.get(accountId, d.links, d.to)) !== undefined;
  }

  private entityExists(accountId: string, ref: RamEntityRef): boolean {
    const found = 'id' in ref ? this.s.entityIdExists.get(accountId, ref.kind, ref.id) : this.s.entityExists.get(accountId, ref.kind, ref.name);
    return found !== undefined;
  }

  addLink(l: RamLinkRecord, to: RamEntityRef | undefined, limit?: RamLinkLimit): 'added' | 'missing-from' | 'missing-to' | 'exists' | 'limit' {
    return this.db.transaction(() => {
      if (!this.entityExists(l.accountId, { kind: RAM_LINK_FROM[l.kind], id: l.fromId })) return 'missing-from';
      if (to && !this.entityExists(l.accountId, to)) return 'missing-to';
      if (this.s.linkExists.get(l.accountId, l.kind, l.fromId, l.toId) !== undefined) return 'exists';
      if (limit && (this.s.countLinksFrom.get(l.accountId, l.kind, l.fromId, limit.toPrefix, limit.toPrefix) as number) >= limit.max) return 'limit';
      this.s.addLink.run(l.accountId, l.kind, l.fromId, l.toId, l.createDate);
      return 'added';
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

  createKey(k: UserAccessKeyRecord, maxPerUser: number): 'created' | 'missing' | 'limit' {
    return this.db.transaction(() => {
      if (!this.entityExists(k.accountId, { kind: 'user', id: k.userId })) return 'missing';
      if ((this.s.countKeys.get(k.accountId, k.userId) as number) >= maxPerUser) return 'limit';
      this.s.insertKey.run(k.accessKeyId, k.accountId, k.userId, k.secret, k.status, k.createDate);
      return 'created';
    }).immediate();
  }

  setKeyStatus(accessKeyId: string, status: UserAccessKeyRecord['status']): boolean {
    return this.s.setKeyStatus.run(status, accessKeyId).changes === 1;
  }

  getKey(accessKeyId: string): UserAccessKeyRecord | undefined {
    const row = this.cache.read(`u\0${accessKeyId}`, () => this.s.getKey.get(accessKeyId)) as KeyRow | undefined;
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
