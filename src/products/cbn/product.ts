import type { Product } from '../product';
import { CBN_PARAMETERS } from './cbn-limits';

/** CEN, RPC style, one global endpoint; RAM service prefix `cen` (cen-api.md §1, §10). */
export const CBN: Product = { name: 'Cbn', version: '2017-09-12', host: 'cbn.aliyuncs.com', ramService: 'cen', parameters: CBN_PARAMETERS };

/** ARN resource segments of cen-api.md §10 (region always `*`; "routentry" as the documentation spells it). */
export const CEN_ARN_SEGMENTS = {
  cen: 'ceninstance',
  transitRouter: 'centransitrouter',
  vpnAttachment: 'centransitrouterattachment',
  routeTable: 'centransitrouterroutetable',
  routeEntry: 'centransitrouterroutentry',
} as const;

export function cenArn(accountId: string, kind: keyof typeof CEN_ARN_SEGMENTS, id: string | undefined): string {
  return `acs:cen:*:${accountId}:${CEN_ARN_SEGMENTS[kind]}/${id ?? '*'}`;
}
