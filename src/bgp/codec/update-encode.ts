/**
 * UPDATE building (RFC 4271 §4.3, RFC 6793 §4.2.2): routes sharing one attributes object are packed
 * into as few messages as fit 4096 bytes; withdrawals likewise. Attributes are sent as given (the
 * speaker service puts its own ASN first in AS_PATH and its tunnel address in NEXT_HOP).
 */
import { parseIpv4 } from '../../domain/cidr';
import type { AnnouncedRoute, PathAttributes, Prefix } from '../session-api';
import { encodeAsPath, hasFourOctetAsn } from './as-path';
import { AttrFlag, AttrType, HEADER_LENGTH, MAX_MESSAGE_LENGTH, MessageType } from './constants';
import { encodeMessage } from './header';
import { nlriSize, parsePrefixOrThrow, writeNlri, type ParsedPrefix } from './prefix';

export interface UpdateEncodeContext {
  /** the peer sent capability 65: AS_PATH with 4-octet ASNs; else 2-octet with AS_TRANS plus AS4_PATH */
  fourOctetAs: boolean;
  /** LOCAL_PREF is sent only inside one AS */
  ibgp: boolean;
}

/** Room for NLRI (or withdrawn routes) in one UPDATE after the header and both 2-byte length fields. */
const BODY_ROOM = MAX_MESSAGE_LENGTH - HEADER_LENGTH - 4;

function attribute(flags: number, type: number, value: Buffer): Buffer {
  const extended = value.length > 255;
  const head = Buffer.from(extended ? [flags | AttrFlag.EXTENDED_LENGTH, type, value.length >>> 8, value.length & 255] : [flags, type, value.length]);
  return Buffer.concat([head, value]);
}

function uint32s(values: readonly number[]): Buffer {
  const buf = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => buf.writeUInt32BE(v >>> 0, i * 4));
  return buf;
}

export function encodeAttributes(attrs: PathAttributes, ctx: UpdateEncodeContext): Buffer {
  const wellKnown = AttrFlag.TRANSITIVE;
  const optionalTransitive = AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE;
  const nextHop = parseIpv4(attrs.nextHop);
  if (nextHop === undefined) throw new RangeError(`next hop is not an IPv4 address: ${JSON.stringify(attrs.nextHop)}`);
  const parts = [
    attribute(wellKnown, AttrType.ORIGIN, Buffer.from([attrs.origin])),
    attribute(wellKnown, AttrType.AS_PATH, encodeAsPath(attrs.asPath, ctx.fourOctetAs ? 4 : 2)),
    attribute(wellKnown, AttrType.NEXT_HOP, uint32s([nextHop])),
  ];
  if (attrs.med !== undefined) parts.push(attribute(AttrFlag.OPTIONAL, AttrType.MED, uint32s([attrs.med])));
  if (attrs.localPref !== undefined && ctx.ibgp) parts.push(attribute(wellKnown, AttrType.LOCAL_PREF, uint32s([attrs.localPref])));
  if (attrs.communities.length > 0) parts.push(attribute(optionalTransitive, AttrType.COMMUNITIES, uint32s(attrs.communities)));
  if (!ctx.fourOctetAs && hasFourOctetAsn(attrs.asPath)) {
    const as4Path = attrs.asPath.filter((s) => s.type === 'sequence' || s.type === 'set');
    parts.push(attribute(optionalTransitive, AttrType.AS4_PATH, encodeAsPath(as4Path, 4)));
  }
  if (attrs.largeCommunities.length > 0) {
    parts.push(attribute(optionalTransitive, AttrType.LARGE_COMMUNITY, uint32s(attrs.largeCommunities.flat())));
  }
  return Buffer.concat(parts);
}

function updateMessage(withdrawn: Buffer, attributes: Buffer, nlri: Buffer): Buffer {
  const body = Buffer.allocUnsafe(4 + withdrawn.length + attributes.length + nlri.length);
  body.writeUInt16BE(withdrawn.length, 0);
  withdrawn.copy(body, 2);
  body.writeUInt16BE(attributes.length, 2 + withdrawn.length);
  attributes.copy(body, 4 + withdrawn.length);
  nlri.copy(body, 4 + withdrawn.length + attributes.length);
  return encodeMessage(MessageType.UPDATE, body);
}

/** Packs prefixes into as few fields of at most `room` bytes as possible. */
function packPrefixes(prefixes: readonly ParsedPrefix[], room: number): Buffer[] {
  const fields: Buffer[] = [];
  let field = Buffer.allocUnsafe(room);
  let used = 0;
  for (const prefix of prefixes) {
    if (used + nlriSize(prefix.length) > room) {
      fields.push(field.subarray(0, used));
      field = Buffer.allocUnsafe(room);
      used = 0;
    }
    used = writeNlri(field, used, prefix);
  }
  if (used > 0) fields.push(field.subarray(0, used));
  return fields;
}

/** Withdrawals first, then announcements grouped by attributes object (so a re-announced prefix ends announced). */
export function encodeUpdates(routes: readonly AnnouncedRoute[], withdrawn: readonly Prefix[], ctx: UpdateEncodeContext): Buffer[] {
  const empty = Buffer.alloc(0);
  const messages = packPrefixes(withdrawn.map(parsePrefixOrThrow), BODY_ROOM).map((field) => updateMessage(field, empty, empty));
  const groups = new Map<PathAttributes, ParsedPrefix[]>();
  for (const route of routes) {
    const group = groups.get(route.attributes);
    if (group === undefined) groups.set(route.attributes, [parsePrefixOrThrow(route.prefix)]);
    else group.push(parsePrefixOrThrow(route.prefix));
  }
  for (const [attrs, prefixes] of groups) {
    const encoded = encodeAttributes(attrs, ctx);
    if (BODY_ROOM - encoded.length < 5) throw new RangeError('path attributes leave no room for NLRI in a 4096-byte UPDATE');
    for (const nlri of packPrefixes(prefixes, BODY_ROOM - encoded.length)) messages.push(updateMessage(empty, encoded, nlri));
  }
  return messages;
}

export function encodeEndOfRib(): Buffer {
  return updateMessage(Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0));
}
