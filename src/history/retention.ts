/**
 * Retention of the route-change history: how long changes are kept and how many per connection, and what the
 * housekeeping prunes. Pure arithmetic; the configuration reads it (config.ts).
 */
export interface HistorySettings {
  /** record route changes (--route-history on|off); off also makes writes cheaper */
  record: boolean;
  /** changes older than this are pruned */
  maxAgeMs: number;
  /** only the newest this many changes of each connection are kept */
  maxEventsPerConnection: number;
  /** watch streams held at once by this server */
  maxWatchers: number;
}

export const DAY_MS = 24 * 60 * 60 * 1000;
/** Decided: a week of changes, at most 100,000 per connection (one full BGP table re-learned), 64 watchers per server. */
export const DEFAULT_HISTORY_SETTINGS: HistorySettings = { record: true, maxAgeMs: 7 * DAY_MS, maxEventsPerConnection: 100_000, maxWatchers: 64 };

/** What housekeeping at `now` prunes: changes before `olderThan`, all but the last `keep` of each connection. */
export function retentionCut(now: number, s: Pick<HistorySettings, 'maxAgeMs' | 'maxEventsPerConnection'>): { olderThan: number; keep: number } {
  return { olderThan: now - s.maxAgeMs, keep: s.maxEventsPerConnection };
}

