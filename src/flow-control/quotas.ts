/**
 * API flow-control quotas, as the cloud keys them: per (region, API, account UID) per 60 s window; RAM users
 * and roles share their account's quota (vpc-vco-api.md §13, cen-api.md §11.6). Pure: the table, the
 * configuration parser and the window arithmetic. The counting lives in the store (flow-control.ts).
 */
import fs from 'node:fs';

/** The cloud's window; a quota file may set another (`windowSeconds`, e.g. 1 for fast tests). */
export const QUOTA_WINDOW_MS = 60_000;

export interface QuotaTable {
  windowMs: number;
  /** limit per 60 s by action name */
  limits: Record<string, number>;
  /** limit for an action not in `limits`, by kind; undefined = unlimited */
  defaultRead?: number;
  defaultWrite?: number;
}

/**
 * The `alibaba` profile: the published figures. Where the cloud publishes none (VPC writes such as
 * CreateVcoRouteEntry, most CEN operations, RAM and STS), the siblings' figures are used — reads 600 (VPC) /
 * 300 (CEN), writes 60 (VPC) / 180 (CEN: "3 per second") — recorded in docs/compatibility.md.
 */
export const ALIBABA_PROFILE: QuotaTable = {
  windowMs: QUOTA_WINDOW_MS,
  limits: {
    // VPC (vpc-vco-api.md §13, documented)
    DescribeVcoRouteEntries: 600, DescribeVpnConnection: 600, DescribeVpnConnections: 600, DescribeVpnAttachments: 600,
    DescribeVpnGateway: 600, DescribeCustomerGateways: 600, DescribeVpnConnectionLogs: 600,
    ModifyVcoRouteEntryWeight: 120, ModifyTunnelAttribute: 120,
    DeleteVcoRouteEntry: 60, DeleteVpnRouteEntry: 60, CreateVpnPbrRouteEntry: 60,
    DownloadVpnConnectionConfig: 30,
    // VPC writes without a published figure: the documented siblings' 60
    CreateVcoRouteEntry: 60, CreateVpnAttachment: 60, ModifyVpnAttachmentAttribute: 60, DeleteVpnConnection: 60,
    DeleteVpnAttachment: 60, CreateCustomerGateway: 60,
    // CEN (cen-api.md §11.6)
    CreateTransitRouter: 180, DeleteTransitRouter: 180, CreateCen: 300, DescribeCens: 300, ListTransitRouters: 500,
    ListTransitRouterVpnAttachments: 500,
  },
  defaultRead: 600,
  defaultWrite: 60,
};

export type ThrottleSetting = { mode: 'off' } | { mode: 'on'; table: QuotaTable; source: string };

export class QuotaConfigError extends Error {}

const READ_ACTION = /^(Describe|List|Get|Download)/;

/** The limit for an action, or undefined when it is unlimited. */
export function limitFor(table: QuotaTable, action: string): number | undefined {
  if (Object.hasOwn(table.limits, action)) return table.limits[action];
  return READ_ACTION.test(action) ? table.defaultRead : table.defaultWrite;
}

/** The fixed window a moment falls in, and how long until it ends (the x-acs-retry-after value). */
export function quotaWindow(now: number, windowMs: number): { start: number; retryAfterMs: number } {
  const start = now - (now % windowMs);
  return { start, retryAfterMs: start + windowMs - now };
}

/**
 * `off` | `alibaba` | a JSON file: `{ "profile": "alibaba" | "none", "limits": { "Action": n, … },
 * "defaultRead": n, "defaultWrite": n, "windowSeconds": n }` — limits override the profile's; a limit of 0
 * refuses every call; the window is 60 s unless set.
 */
export function parseThrottleSetting(value: string | undefined, readFile: (path: string) => string = (p) => fs.readFileSync(p, 'utf8')): ThrottleSetting {
  if (value === undefined || value === '' || value === 'off') return { mode: 'off' };
  if (value === 'alibaba') return { mode: 'on', table: ALIBABA_PROFILE, source: 'alibaba' };
  let doc: unknown;
  try {
    doc = JSON.parse(readFile(value));
  } catch (err) {
    throw new QuotaConfigError(`--throttle ${value}: not off, alibaba or a readable JSON file (${(err as Error).message})`);
  }
  return { mode: 'on', table: parseQuotaDocument(doc, value), source: value };
}

function parseQuotaDocument(doc: unknown, where: string): QuotaTable {
  const fail = (why: string) => new QuotaConfigError(`${where}: ${why}`);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw fail('must be a JSON object');
  const d = doc as Record<string, unknown>;
  for (const key of Object.keys(d)) {
    if (!['profile', 'limits', 'defaultRead', 'defaultWrite', 'windowSeconds'].includes(key)) throw fail(`unknown key "${key}"`);
  }
  const profile = d.profile ?? 'alibaba';
  if (profile !== 'alibaba' && profile !== 'none') throw fail('"profile" must be "alibaba" or "none"');
  const base: QuotaTable = profile === 'alibaba' ? ALIBABA_PROFILE : { windowMs: QUOTA_WINDOW_MS, limits: {} };
  const limit = (v: unknown, name: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 1e9) throw fail(`${name} must be an integer from 0 to 1000000000`);
    return v;
  };
  const limits: Record<string, number> = { ...base.limits };
  if (d.limits !== undefined) {
    if (typeof d.limits !== 'object' || d.limits === null || Array.isArray(d.limits)) throw fail('"limits" must be an object of action → limit');
    for (const [action, v] of Object.entries(d.limits as Record<string, unknown>)) {
      if (!/^[A-Z][A-Za-z0-9]{0,99}$/.test(action)) throw fail(`"${action}" is not an action name`);
      limits[action] = limit(v, `limits.${action}`);
    }
  }
  const windowSeconds = d.windowSeconds === undefined ? base.windowMs / 1000 : limit(d.windowSeconds, 'windowSeconds');
  if (windowSeconds < 1 || windowSeconds > 3600) throw fail('windowSeconds must be from 1 to 3600');
  return {
    windowMs: windowSeconds * 1000,
    limits,
    defaultRead: d.defaultRead === undefined ? base.defaultRead : limit(d.defaultRead, 'defaultRead'),
    defaultWrite: d.defaultWrite === undefined ? base.defaultWrite : limit(d.defaultWrite, 'defaultWrite'),
  };
}
