/**
 * UPDATE decoding (RFC 4271 §4.3, §6.3) with RFC 7606 error handling. Order: delimit the withdrawn
 * routes, the attribute block and the NLRI first (failure: session reset), then validate each attribute
 * (failure: treat-as-withdraw or attribute discard), then decide. Never throws; reads the Buffer by
 * offset and builds strings only for the final prefixes and next hop.
 */
import type { AsPathSegment, PathAttributes, Prefix, RouteUpdate } from '../session-api';
import { mergeAs4Path, decodeAsPath } from './as-path';
import { AttrFlag, AttrType, ErrorCode, UpdateSubcode } from './constants';
import { notification, type Notification } from './notification';
import { ipv4Text, readNlri } from './prefix';

export interface UpdateDecodeContext {
  /** both sides sent capability 65: AS_PATH carries 4-octet ASNs and AS4_PATH is ignored */
  fourOctetAs: boolean;
  /** peer in another AS: LOCAL_PREF is discarded (RFC 7606 §7.5) */
  ebgp: boolean;
}

export type UpdateDecode =
  | {
    ok: true;
    update: RouteUpdate;
    /** why the announced NLRI were moved to `withdrawn` (RFC 7606 treat-as-withdraw), if they were */
    treatAsWithdraw: string | undefined;
    /** attribute type codes dropped by RFC 7606 attribute discard */
    discarded: number[];
  }
  | { ok: false; notification: Notification };

// Local copies: the hot loop reads plain numbers, not properties of an imported object.
const { ORIGIN, AS_PATH, NEXT_HOP, MED, LOCAL_PREF, ATOMIC_AGGREGATE, AGGREGATOR, COMMUNITIES, MP_REACH_NLRI, MP_UNREACH_NLRI, AS4_PATH, AS4_AGGREGATOR, LARGE_COMMUNITY } = AttrType;
const OPTIONAL = AttrFlag.OPTIONAL;
const EXTENDED_LENGTH = AttrFlag.EXTENDED_LENGTH;
const OPTIONAL_AND_TRANSITIVE_BITS = AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE;
const WELL_KNOWN = AttrFlag.TRANSITIVE;
const OPTIONAL_TRANSITIVE = AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE;
const OPTIONAL_NON_TRANSITIVE = AttrFlag.OPTIONAL;

function reset(subcode: number, data?: Uint8Array): UpdateDecode {
  return { ok: false, notification: notification(ErrorCode.UPDATE, subcode, data) };
}

function flagsAre(flags: number, expected: number): boolean {
  return (flags & OPTIONAL_AND_TRANSITIVE_BITS) === expected;
}

export function decodeUpdate(body: Buffer, ctx: UpdateDecodeContext): UpdateDecode {
  const length = body.length;
  if (length < 4) return reset(UpdateSubcode.MALFORMED_ATTRIBUTE_LIST);
  const withdrawnLength = body.readUInt16BE(0);
  if (4 + withdrawnLength > length) return reset(UpdateSubcode.MALFORMED_ATTRIBUTE_LIST);
  const attrStart = 4 + withdrawnLength;
  const attrEnd = attrStart + body.readUInt16BE(2 + withdrawnLength);
  if (attrEnd > length) return reset(UpdateSubcode.MALFORMED_ATTRIBUTE_LIST);
  const withdrawn: Prefix[] = [];
  if (!readNlri(body, 2, 2 + withdrawnLength, withdrawn)) return reset(UpdateSubcode.INVALID_NETWORK_FIELD);
  const announced: Prefix[] = [];
  if (!readNlri(body, attrEnd, length, announced)) return reset(UpdateSubcode.INVALID_NETWORK_FIELD);
  if (withdrawnLength === 0 && attrEnd === attrStart && attrEnd === length) {
    return { ok: true, update: { announced: [], withdrawn: [], endOfRib: true }, treatAsWithdraw: undefined, discarded: [] };
  }

  let treatAsWithdraw: string | undefined;
  const discarded: number[] = [];
  // attribute types seen: a bitmask for 0-31 (every type we decode but LARGE_COMMUNITY), a Set beyond
  let seenLow = 0;
  let seenHigh: Set<number> | undefined;
  let origin: 0 | 1 | 2 | undefined;
  let asPath: AsPathSegment[] | undefined;
  let as4Path: AsPathSegment[] | undefined;
  let nextHop: number | undefined;
  let med: number | undefined;
  let localPref: number | undefined;
  let communities: number[] = [];
  let largeCommunities: Array<[number, number, number]> = [];

  let p = attrStart;
  while (p < attrEnd) {
    // RFC 7606 §4: an attribute overrunning the block is treat-as-withdraw; the NLRI stay locatable.
    if (attrEnd - p < 3) { treatAsWithdraw = 'truncated attribute header'; break; }
    const flags = body[p]!;
    const type = body[p + 1]!;
    const extended = (flags & EXTENDED_LENGTH) !== 0;
    if (extended && attrEnd - p < 4) { treatAsWithdraw = 'truncated attribute header'; break; }
    const valueLength = extended ? body.readUInt16BE(p + 2) : body[p + 2]!;
    const v = p + (extended ? 4 : 3);
    const end = v + valueLength;
    if (end > attrEnd) { treatAsWithdraw = `attribute ${type} overruns the attribute block`; break; }
    p = end;
    const duplicate = type < 32 ? (seenLow & (1 << type)) !== 0 : seenHigh?.has(type) === true;
    if (duplicate) {
      if (type === MP_REACH_NLRI || type === MP_UNREACH_NLRI) return reset(UpdateSubcode.MALFORMED_ATTRIBUTE_LIST);
      continue; // RFC 7606 §3(g): keep the first occurrence
    }
    if (type < 32) seenLow |= 1 << type;
    else (seenHigh ??= new Set()).add(type);
    switch (type) {
      case ORIGIN:
        if (!flagsAre(flags, WELL_KNOWN) || valueLength !== 1 || body[v]! > 2) treatAsWithdraw ??= 'malformed ORIGIN';
        else origin = body[v] as 0 | 1 | 2;
        break;
      case AS_PATH:
        asPath = flagsAre(flags, WELL_KNOWN) ? decodeAsPath(body, v, end, ctx.fourOctetAs ? 4 : 2) : undefined;
        if (asPath === undefined) treatAsWithdraw ??= 'malformed AS_PATH';
        break;
      case NEXT_HOP:
        if (!flagsAre(flags, WELL_KNOWN) || valueLength !== 4) treatAsWithdraw ??= 'malformed NEXT_HOP';
        else nextHop = body.readUInt32BE(v);
        break;
      case MED:
        if (!flagsAre(flags, OPTIONAL_NON_TRANSITIVE) || valueLength !== 4) treatAsWithdraw ??= 'malformed MULTI_EXIT_DISC';
        else med = body.readUInt32BE(v);
        break;
      case LOCAL_PREF:
        if (ctx.ebgp) discarded.push(type);
        else if (!flagsAre(flags, WELL_KNOWN) || valueLength !== 4) treatAsWithdraw ??= 'malformed LOCAL_PREF';
        else localPref = body.readUInt32BE(v);
        break;
      case ATOMIC_AGGREGATE:
        if (!flagsAre(flags, WELL_KNOWN) || valueLength !== 0) discarded.push(type);
        break;
      case AGGREGATOR:
        if (!flagsAre(flags, OPTIONAL_TRANSITIVE) || valueLength !== (ctx.fourOctetAs ? 8 : 6)) discarded.push(type);
        break;
      case COMMUNITIES:
        if (!flagsAre(flags, OPTIONAL_TRANSITIVE) || valueLength === 0 || valueLength % 4 !== 0) treatAsWithdraw ??= 'malformed COMMUNITIES';
        else communities = readUint32s(body, v, end);
        break;
      case LARGE_COMMUNITY:
        if (!flagsAre(flags, OPTIONAL_TRANSITIVE) || valueLength === 0 || valueLength % 12 !== 0) treatAsWithdraw ??= 'malformed LARGE_COMMUNITY';
        else largeCommunities = readLargeCommunities(body, v, end);
        break;
      case AS4_PATH:
        // RFC 6793 §4.1: a 4-octet peer's AS4_PATH is ignored; from a 2-octet peer a malformed one is discarded.
        if (ctx.fourOctetAs) break;
        as4Path = flagsAre(flags, OPTIONAL_TRANSITIVE) ? decodeAsPath(body, v, end, 4, false) : undefined;
        if (as4Path === undefined) discarded.push(type);
        break;
      case AS4_AGGREGATOR:
        if (!ctx.fourOctetAs && (!flagsAre(flags, OPTIONAL_TRANSITIVE) || valueLength !== 8)) discarded.push(type);
        break;
      case MP_REACH_NLRI:
      case MP_UNREACH_NLRI:
        break; // only IPv4 unicast is negotiated, carried in the classic fields: skipped
      default:
        if ((flags & OPTIONAL) === 0) {
          return reset(UpdateSubcode.UNRECOGNIZED_WELL_KNOWN, body.subarray(v - (extended ? 4 : 3), end));
        }
      // unrecognised optional attributes are not needed by vcoroute and are dropped
    }
  }

  if (treatAsWithdraw === undefined && announced.length > 0) {
    if (origin === undefined) treatAsWithdraw = 'missing ORIGIN';
    else if (asPath === undefined) treatAsWithdraw = 'missing AS_PATH';
    else if (nextHop === undefined) treatAsWithdraw = 'missing NEXT_HOP';
  }
  if (treatAsWithdraw !== undefined || origin === undefined || asPath === undefined || nextHop === undefined) {
    for (const prefix of announced) withdrawn.push(prefix);
    return { ok: true, update: { announced: [], withdrawn, endOfRib: false }, treatAsWithdraw, discarded };
  }

  const attributes: PathAttributes = {
    origin,
    asPath: as4Path !== undefined ? mergeAs4Path(asPath, as4Path) : asPath,
    nextHop: ipv4Text(nextHop),
    communities,
    largeCommunities,
  };
  if (med !== undefined) attributes.med = med;
  if (localPref !== undefined) attributes.localPref = localPref;
  const routes = new Array<RouteUpdate['announced'][number]>(announced.length);
  for (let i = 0; i < announced.length; i++) routes[i] = { prefix: announced[i]!, attributes };
  return { ok: true, update: { announced: routes, withdrawn, endOfRib: false }, treatAsWithdraw, discarded };
}

function readUint32s(buf: Buffer, start: number, end: number): number[] {
  const values: number[] = [];
  for (let p = start; p < end; p += 4) values.push(buf.readUInt32BE(p));
  return values;
}

function readLargeCommunities(buf: Buffer, start: number, end: number): Array<[number, number, number]> {
  const values: Array<[number, number, number]> = [];
  for (let p = start; p < end; p += 12) values.push([buf.readUInt32BE(p), buf.readUInt32BE(p + 4), buf.readUInt32BE(p + 8)]);
  return values;
}
