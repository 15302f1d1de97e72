/**
 * PostgreSQL storage of operational state: API flow-control counters (one atomic upsert per call, so every
 * server on the database counts against one quota) and fault-injection rules. Mirrors sqlite/sqlite-operations.ts.
 */
import type { FaultRuleRecord } from '../store';
import { placeholders, type PgDatabase, type Sql } from './db';

interface FaultRuleRow {
  rule_id: string;
  kind: FaultRuleRecord['kind'];
  rule: string;
  expires_at: string | null;
  created_at: string;
}

const toRule = (r: FaultRuleRow): FaultRuleRecord => ({
  ruleId: r.rule_id, kind: r.kind, rule: r.rule, expiresAt: r.expires_at === null ? null : Number(r.expires_at), createdAt: Number(r.created_at),
});

export class PgOperationTables {
  constructor(private readonly db: PgDatabase) {}

  async countRequest(quotaKey: string, windowStart: number, expiresAt: number): Promise<number> {
    const r = await this.db.prepared<{ request_count: string }>(
      'count_request',
      `INSERT INTO request_counts (quota_key, window_start, request_count, expires_at) VALUES ($1, $2, 1, $3)
       ON CONFLICT (quota_key, window_start) DO UPDATE SET request_count = request_counts.request_count + 1 RETURNING request_count`,
      [quotaKey, windowStart, expiresAt],
    );
    return Number(r.rows[0]!.request_count);
  }

  async pruneRequestCounts(now: number): Promise<number> {
    return (await this.db.query('DELETE FROM request_counts WHERE expires_at < $1', [now])).rowCount ?? 0;
  }

  async listFaultRules(kind: FaultRuleRecord['kind'], now: number): Promise<FaultRuleRecord[]> {
    const r = await this.db.query<FaultRuleRow>(
      `SELECT rule_id, kind, rule, expires_at, created_at FROM fault_rules
       WHERE kind = $1 AND (expires_at IS NULL OR expires_at > $2) ORDER BY created_at, rule_id COLLATE "C"`,
      [kind, now],
    );
    return r.rows.map(toRule);
  }

  async replaceFaultRules(kind: FaultRuleRecord['kind'], rules: readonly FaultRuleRecord[]): Promise<void> {
    await this.db.tx(async (sql) => {
      await sql.query('DELETE FROM fault_rules WHERE kind = $1', [kind]);
      await this.insert(sql, rules);
    });
  }

  async addFaultRules(rules: readonly FaultRuleRecord[]): Promise<void> {
    await this.db.tx((sql) => this.insert(sql, rules));
  }

  async deleteFaultRules(ruleIds: readonly string[]): Promise<number> {
    if (ruleIds.length === 0) return 0;
    return (await this.db.query(`DELETE FROM fault_rules WHERE rule_id IN (${placeholders(1, ruleIds.length)})`, ruleIds)).rowCount ?? 0;
  }

  private async insert(sql: Sql, rules: readonly FaultRuleRecord[]): Promise<void> {
    for (const r of rules) {
      await sql.query('INSERT INTO fault_rules (rule_id, kind, rule, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)', [
        r.ruleId, r.kind, r.rule, r.expiresAt, r.createdAt,
      ]);
    }
  }
}
