/**
 * The PostgreSQL connection layer of PostgresStore: one pg Pool with bounded timeouts, transactions with
 * retry on serialization failures and deadlocks, and the mapping of "the database is not there" to
 * StoreUnavailableError (answered 503 ServiceUnavailable above the store). Nothing here knows the schema.
 */
import { Pool, types as pgTypes, type CustomTypesConfig, type PoolClient } from 'pg';
import { StoreUnavailableError } from '../store';

export interface PostgresOptions {
  /** postgres://user:password@host:port/database (anything pg's connection string accepts) */
  connectionString: string;
  /** pool size per server process (default 10) */
  poolSize?: number;
  /** bound on obtaining a connection: connecting, or waiting for a free pooled one (default 3000 ms) */
  connectTimeoutMs?: number;
  /** bound on one statement: client-side query_timeout and server-side statement_timeout (default 5000 ms) */
  queryTimeoutMs?: number;
  /** background connection errors (an idle pooled connection dropped by the server); never thrown */
  onBackgroundError?: (err: Error) => void;
}

export const DEFAULT_POOL_SIZE = 10;
export const DEFAULT_CONNECT_TIMEOUT_MS = 3000;
export const DEFAULT_QUERY_TIMEOUT_MS = 5000;

export interface QueryResultLike<R> {
  rows: R[];
  rowCount: number | null;
}

/**
 * A statement prepared by name: the connection parses and plans it once, then only binds and executes. For
 * statements whose planning costs more than their execution (the history's recording CTE: ≈ 0.25 ms to plan,
 * 0.1 ms to run). `name` must be unique to `text`.
 */
export interface NamedStatement {
  name: string;
  text: string;
  values: readonly unknown[];
}

/** A pool or a client inside a transaction: the one method the store uses. */
export interface Sql {
  query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<QueryResultLike<R>>;
  query<R = Record<string, unknown>>(statement: NamedStatement): Promise<QueryResultLike<R>>;
}

/** Node socket errors that mean "the database is not reachable". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED',
]);

/**
 * SQLSTATEs that mean the same: class 08 (connection exception), server shutting down or starting
 * (57P01-57P03), statement_timeout / cancel (57014), idle-in-transaction timeout (25P03), too many
 * connections or out of resources (53300, 53400).
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '57014', '25P03', '53300', '53400']);

/** Messages of pg and pg-pool for lost connections and client-side timeouts (they carry no code). */
const UNAVAILABLE_MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|Query read timeout|not queryable|connection timeout|Client was closed/i;

export function isUnavailable(err: unknown): boolean {
  if (err instanceof AggregateError && err.errors.some(isUnavailable)) return true;
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code))) return true;
  return UNAVAILABLE_MESSAGES.test(err.message);
}

/** Serialization failure and deadlock: the transaction can be retried as a whole. */
function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01';
}

const MAX_ATTEMPTS = 5;

function unavailable(err: unknown): StoreUnavailableError {
  const reason = err instanceof Error ? err.message || (err as { code?: string }).code || err.name : String(err);
  return new StoreUnavailableError(`PostgreSQL is unavailable: ${reason}`, { cause: err });
}

/** BIGINT (int8) columns hold epoch milliseconds, counters and ASNs: all safe JavaScript integers. */
const typeParsers: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: any) =>
    oid === pgTypes.builtins.INT8 ? (value: string) => Number(value) : pgTypes.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};

export class PgDatabase {
  readonly pool: Pool;
  private closed = false;

  constructor(options: PostgresOptions) {
    const queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    const onError = options.onBackgroundError ?? (() => undefined);
    this.pool = new Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? DEFAULT_POOL_SIZE,
      connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
      query_timeout: queryTimeoutMs,
      statement_timeout: queryTimeoutMs,
      // A server process that vanishes mid-transaction must not hold row locks for long.
      idle_in_transaction_session_timeout: Math.max(2 * queryTimeoutMs, 10_000),
      keepAlive: true,
      application_name: 'vcoroute',
      types: typeParsers,
    });
    // An idle pooled connection that the server drops emits 'error' on the pool: log, never crash.
    this.pool.on('error', (err) => onError(err));
    // A checked-out connection that drops between two queries emits 'error' on the client (pg-pool removes
    // its own listener while the client is lent out): the next query fails instead, mapped below.
    this.pool.on('connect', (client) => {
      client.on('error', (err) => onError(err));
    });
  }

  /** One statement outside a transaction. */
  async query<R = Record<string, unknown>>(text: string, values?: readonly unknown[]): Promise<QueryResultLike<R>>;
  async query<R = Record<string, unknown>>(statement: NamedStatement): Promise<QueryResultLike<R>>;
  async query<R = Record<string, unknown>>(text: string | NamedStatement, values?: readonly unknown[]): Promise<QueryResultLike<R>> {
    try {
      return typeof text === 'string' ? await this.pool.query<R & object>(text, values as unknown[])
        : await this.pool.query<R & object>({ name: text.name, text: text.text, values: text.values as unknown[] });
    } catch (err) {
      throw isUnavailable(err) ? unavailable(err) : err;
    }
  }

  /**
   * One statement outside a transaction, as a named prepared statement: each pooled connection parses and
   * plans it once, then only binds and executes (the per-request statements of the listing path).
   * `name` must be unique to `text`.
   */
  async prepared<R = Record<string, unknown>>(name: string, text: string, values: readonly unknown[]): Promise<QueryResultLike<R>> {
    try {
      return await this.pool.query<R & object>({ name, text, values: values as unknown[] });
    } catch (err) {
      throw isUnavailable(err) ? unavailable(err) : err;
    }
  }

  /**
   * Runs `fn` in one transaction (READ COMMITTED unless `begin` says otherwise) and commits. Serialization
   * failures and deadlocks retry the whole transaction; a lost connection is StoreUnavailableError (and the
   * connection is discarded, not returned to the pool). `beforeCommit` runs last inside the transaction, with
   * its result (e.g. to record a ClientToken's response with the write: see client-tokens.ts).
   */
  async tx<T>(fn: (sql: Sql) => Promise<T>, begin = 'BEGIN', beforeCommit?: (sql: Sql, result: T) => Promise<void>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: PoolClient;
      try {
        client = await this.pool.connect();
      } catch (err) {
        throw isUnavailable(err) ? unavailable(err) : err;
      }
      let broken: Error | undefined;
      try {
        await client.query(begin);
        const result = await fn(client as Sql);
        if (beforeCommit) await beforeCommit(client as Sql, result);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        if (isUnavailable(err)) {
          broken = err as Error;
          throw unavailable(err);
        }
        try {
          await client.query('ROLLBACK');
        } catch (rollbackErr) {
          broken = rollbackErr as Error;
        }
        if (broken || !isRetryable(err) || attempt >= MAX_ATTEMPTS) throw err;
      } finally {
        client.release(broken);
      }
      // Serialization failure or deadlock, rolled back: try the whole transaction again after a short jitter.
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt * Math.random()));
    }
  }

  /**
   * A dedicated connection for session-level work (advisory locks, SET): discarded afterwards, so no session
   * state leaks back into the pool.
   */
  async session<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw isUnavailable(err) ? unavailable(err) : err;
    }
    try {
      return await fn(client);
    } catch (err) {
      throw isUnavailable(err) ? unavailable(err) : err;
    } finally {
      client.release(true);
    }
  }

  /** A consistent read of several statements (one snapshot). */
  snapshot<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.tx(fn, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** `$n, $n+1, …` for `count` values starting at `first`. */
export function placeholders(first: number, count: number): string {
  return Array.from({ length: count }, (_, i) => `$${first + i}`).join(', ');
}

/** A multi-row VALUES list: `($1, $2), ($3, $4)` for rows of `width` values. */
export function valuesList(rows: number, width: number, first = 1): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) out.push(`(${placeholders(first + r * width, width)})`);
  return out.join(', ');
}

/** Splits `items` into chunks so that no statement carries more than `maxParams` bind parameters. */
export function chunks<T>(items: readonly T[], width: number, maxParams = 12_000): T[][] {
  const size = Math.max(1, Math.floor(maxParams / width));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
