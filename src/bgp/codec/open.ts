/** OPEN messages (RFC 4271 §4.2) with capabilities (RFC 5492, 4760, 2918, 6793). */
import { AFI_IPV4, AS_TRANS, BGP_VERSION, Capability, ErrorCode, MessageType, OpenSubcode, SAFI_UNICAST } from './constants';
import { encodeMessage } from './header';
import { notification, type Notification } from './notification';

const CAPABILITIES_PARAMETER = 2;

export interface OpenMessage {
  version: number;
  /** the 2-octet My AS field (AS_TRANS for 4-octet ASNs) */
  myAs: number;
  holdTimeSec: number;
  /** BGP identifier as an unsigned 32-bit number */
  bgpId: number;
  /** the peer's real ASN: the 4-octet AS capability when present, else My AS */
  asn: number;
  capabilities: OpenCapabilities;
}

export interface OpenCapabilities {
  /** every capability code seen, in order (unknown ones included, for diagnostics) */
  codes: number[];
  /** AFI/SAFI pairs of Multiprotocol capabilities, as afi << 8 | safi */
  families: number[];
  routeRefresh: boolean;
  /** 4-octet ASN from capability 65, when present */
  fourOctetAsn: number | undefined;
}

export type OpenDecode = { ok: true; open: OpenMessage } | { ok: false; notification: Notification };

function openError(subcode: number, data?: Uint8Array): OpenDecode {
  return { ok: false, notification: notification(ErrorCode.OPEN, subcode, data) };
}

function parseCapabilities(buf: Buffer, start: number, end: number, into: OpenCapabilities): boolean {
  let p = start;
  while (p < end) {
    if (p + 2 > end) return false;
    const code = buf[p]!;
    const length = buf[p + 1]!;
    const value = p + 2;
    if (value + length > end) return false;
    into.codes.push(code);
    if (code === Capability.MULTIPROTOCOL && length === 4) into.families.push((buf.readUInt16BE(value) << 8) | buf[value + 3]!);
    else if (code === Capability.ROUTE_REFRESH) into.routeRefresh = true;
    else if (code === Capability.FOUR_OCTET_AS && length === 4) into.fourOctetAsn = buf.readUInt32BE(value);
    p = value + length;
  }
  return true;
}

/**
 * Decodes an OPEN body (after the header; at least 10 bytes, guaranteed by the header check). Only
 * structure is checked here; whether the peer is acceptable is `checkOpen`'s decision. Inconsistent
 * parameter lengths map to 2/0 (RFC 4271 names no subcode for them); parameters other than
 * capabilities to 2/4.
 */
export function decodeOpen(body: Buffer): OpenDecode {
  const version = body[0]!;
  if (version !== BGP_VERSION) return openError(OpenSubcode.UNSUPPORTED_VERSION, Buffer.from([0, BGP_VERSION]));
  const parametersLength = body[9]!;
  if (10 + parametersLength !== body.length) return openError(OpenSubcode.UNSPECIFIC);
  const capabilities: OpenCapabilities = { codes: [], families: [], routeRefresh: false, fourOctetAsn: undefined };
  let p = 10;
  while (p < body.length) {
    if (p + 2 > body.length) return openError(OpenSubcode.UNSPECIFIC);
    const type = body[p]!;
    const length = body[p + 1]!;
    if (p + 2 + length > body.length) return openError(OpenSubcode.UNSPECIFIC);
    if (type !== CAPABILITIES_PARAMETER) return openError(OpenSubcode.UNSUPPORTED_OPTIONAL_PARAMETER);
    if (!parseCapabilities(body, p + 2, p + 2 + length, capabilities)) return openError(OpenSubcode.UNSPECIFIC);
    p += 2 + length;
  }
  const myAs = body.readUInt16BE(1);
  return {
    ok: true,
    open: {
      version, myAs, holdTimeSec: body.readUInt16BE(3), bgpId: body.readUInt32BE(5),
      asn: capabilities.fourOctetAsn ?? myAs, capabilities,
    },
  };
}

export interface OpenExpectations {
  peerAsn: number;
  /** our BGP identifier as an unsigned 32-bit number */
  ourBgpId: number;
}

/** RFC 4271 §6.2 acceptance checks, in the RFC's order; undefined when the OPEN is acceptable. */
export function checkOpen(open: OpenMessage, expect: OpenExpectations): Notification | undefined {
  if (open.asn !== expect.peerAsn) return notification(ErrorCode.OPEN, OpenSubcode.BAD_PEER_AS);
  if (open.holdTimeSec === 1 || open.holdTimeSec === 2) return notification(ErrorCode.OPEN, OpenSubcode.UNACCEPTABLE_HOLD_TIME);
  if (open.bgpId === 0 || open.bgpId === expect.ourBgpId) return notification(ErrorCode.OPEN, OpenSubcode.BAD_BGP_ID);
  return undefined;
}

export interface OwnOpen {
  asn: number;
  holdTimeSec: number;
  bgpId: number;
}

/** Our OPEN: one capabilities parameter with MP IPv4/unicast, Route Refresh and 4-octet AS. */
export function encodeOpen(own: OwnOpen): Buffer {
  const caps = Buffer.from([
    Capability.MULTIPROTOCOL, 4, 0, AFI_IPV4, 0, SAFI_UNICAST,
    Capability.ROUTE_REFRESH, 0,
    Capability.FOUR_OCTET_AS, 4, 0, 0, 0, 0,
  ]);
  caps.writeUInt32BE(own.asn >>> 0, 10);
  const body = Buffer.alloc(10 + 2 + caps.length);
  body[0] = BGP_VERSION;
  body.writeUInt16BE(own.asn > 0xffff ? AS_TRANS : own.asn, 1);
  body.writeUInt16BE(own.holdTimeSec, 3);
  body.writeUInt32BE(own.bgpId >>> 0, 5);
  body[9] = 2 + caps.length;
  body[10] = CAPABILITIES_PARAMETER;
  body[11] = caps.length;
  caps.copy(body, 12);
  return encodeMessage(MessageType.OPEN, body);
}
