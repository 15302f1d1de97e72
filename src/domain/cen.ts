/**
 * Business rules of CEN resources (product Cbn): IDs, the documents each kind keeps, statuses derived from
 * stored timestamps, and the time format. Pure. Source: ../shared/reference/cen-api.md §1, §2.
 */
import { randomBytes } from 'node:crypto';
import type { CenLinkRecord, CenResourceRecord, Tag } from '../store/store';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomTail(length: number): string {
  let tail = '';
  for (const b of randomBytes(length)) tail += ID_ALPHABET[b % ID_ALPHABET.length];
  return tail;
}

/** ID shapes of the SDK examples: cen- + 18, tr- + 21, tr-attach- + 18, vtb- + 21, rte- + 18, cidr- + 18 characters. */
export const CEN_ID_LENGTHS = { cen: 18, tr: 21, 'tr-attach': 18, vtb: 21, rte: 18, cidr: 18 } as const;
export type CenIdPrefix = keyof typeof CEN_ID_LENGTHS;

export function newCenId(prefix: CenIdPrefix): string {
  return `${prefix}-${randomTail(CEN_ID_LENGTHS[prefix])}`;
}

/** CEN times are strings YYYY-MM-DDThh:mmZ, UTC, minute precision (unlike VPC's epoch milliseconds). */
export function cenTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 16) + 'Z';
}

// ---------- documents (CenResourceRecord.doc) ----------

export interface CenDoc { name: string; description: string; protectionLevel: string; tags: Tag[] }
export interface TransitRouterCidr { id: string; cidr: string; name: string; description: string; publishCidrRoute: boolean }
export interface TransitRouterDoc { name: string; description: string; supportMulticast: boolean; tags: Tag[]; cidrs: TransitRouterCidr[]; systemTableId: string }
export interface RouteTableDoc { name: string; description: string; type: 'System' | 'Custom'; multiRegionEcmp: 'enable' | 'disable'; tags: Tag[] }
export interface VpnAttachmentDoc {
  name: string; description: string; autoPublish: boolean; tags: Tag[]; zones: string[]; cenId: string; chargeType: string; vpnOwnerId: number;
}
export interface RouteEntryDoc { name: string; description: string; dest: string; nextHopType: 'BlackHole' | 'Attachment' }

export const docOf = <D>(r: CenResourceRecord): D => r.doc as unknown as D;

// ---------- statuses (from timestamps) ----------

export interface StatusNames { creating: string; ready: string; deleting: string }

export const RESOURCE_STATUS: Record<CenResourceRecord['kind'], StatusNames> = {
  cen: { creating: 'Creating', ready: 'Active', deleting: 'Deleting' },
  transitRouter: { creating: 'Creating', ready: 'Active', deleting: 'Deleting' },
  routeTable: { creating: 'Creating', ready: 'Active', deleting: 'Deleting' },
  vpnAttachment: { creating: 'Attaching', ready: 'Attached', deleting: 'Detaching' },
  routeEntry: { creating: 'Creating', ready: 'Active', deleting: 'Deleting' },
};

export const LINK_STATUS: Record<CenLinkRecord['kind'], StatusNames> = {
  association: { creating: 'Associating', ready: 'Active', deleting: 'Dissociating' },
  propagation: { creating: 'Enabling', ready: 'Active', deleting: 'Disabling' },
};

/** The status a resource or link shows at `now`: leaving until goneAt, transient until readyAt, else ready. */
export function statusAt(r: Pick<CenResourceRecord, 'readyAt' | 'goneAt'>, names: StatusNames, now: number): string {
  if (r.goneAt !== null) return names.deleting;
  if (r.readyAt !== null && now < r.readyAt) return names.creating;
  return names.ready;
}

/** readyAt / goneAt of a change started at `now` (null: immediate). */
export function settlesAt(now: number, delayMs: number): number | null {
  return delayMs > 0 ? now + delayMs : null;
}

/** True while the resource is being created or deleted at `now`: only queries are allowed then. */
export function isTransient(r: Pick<CenResourceRecord, 'readyAt' | 'goneAt'>, now: number): boolean {
  return r.goneAt !== null || (r.readyAt !== null && now < r.readyAt);
}
