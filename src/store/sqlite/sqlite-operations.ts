/**
 * SQLite storage of operational state: API flow-control counters and fault-injection rules. Used by
 * SqliteStore; mirrors postgres/postgres-operations.ts. Every statement is prepared once.
 */
import type Database from 'better-sqlite3';
import type { FaultRuleRecord } from '../store';

interface FaultRuleRow {
  rule_id: string;
  kind: FaultRuleRecord['kind'];
  rule: string;
  expires_at: number | null;
  created_at: number;
}

const toRule = (r: FaultRuleRow): FaultRuleRecord => ({ ruleId: r.rule_id, kind: r.kind, rule: r.rule, expiresAt: r.expires_at, createdAt: r.created_at });

export class SqliteOperationTables {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    this.s = {
      count: db.prepare(`INSERT INTO request_counts (quota_key, window_start, request_count, expires_at) VALUES (?, ?, 1, ?)
        ON CONFLICT (quota_key, window_start) DO UPDATE SET request_count = request_count + 1 RETURNING request_count`).pluck(),
      pruneCounts: db.prepare('DELETE FROM request_counts WHERE expires_at < ?'),
      listRules: db.prepare(`SELECT rule_id, kind, rule, expires_at, created_at FROM fault_rules
        WHERE kind = ? AND (expires_at IS NULL OR expires_at > ?) ORDER BY created_at, rule_id`),
      insertRule: db.prepare('INSERT INTO fault_rules (rule_id, kind, rule, expires_at, created_at) VALUES (?, ?, ?, ?, ?)'),
      deleteKind: db.prepare('DELETE FROM fault_rules WHERE kind = ?'),
      deleteRule: db.prepare('DELETE FROM fault_rules WHERE rule_id = ?'),
    };
  }

  countRequest(quotaKey: string, windowStart: number, expiresAt: number): number {
    return this.s.count.get(quotaKey, windowStart, expiresAt) as number;
  }

  pruneRequestCounts(now: number): number {
    return this.s.pruneCounts.run(now).changes;
  }

  listFaultRules(kind: FaultRuleRecord['kind'], now: number): FaultRuleRecord[] {
    return (this.s.listRules.all(kind, now) as FaultRuleRow[]).map(toRule);
  }

  replaceFaultRules(kind: FaultRuleRecord['kind'], rules: readonly FaultRuleRecord[]): void {
    this.db.transaction(() => {
      this.s.deleteKind.run(kind);
      this.insert(rules);
    }).immediate();
  }

  addFaultRules(rules: readonly FaultRuleRecord[]): void {
    this.db.transaction(() => this.insert(rules)).immediate();
  }

  deleteFaultRules(ruleIds: readonly string[]): number {
    return this.db.transaction(() => ruleIds.reduce((n, id) => n + this.s.deleteRule.run(id).changes, 0)).immediate();
  }

  private insert(rules: readonly FaultRuleRecord[]): void {
    for (const r of rules) this.s.insertRule.run(r.ruleId, r.kind, r.rule, r.expiresAt, r.createdAt);
  }
}
