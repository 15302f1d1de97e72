/** BGP-4 wire constants (RFC 4271, 4760, 5492, 6793, 2918, 1997, 8092, 4486). */

export const MARKER_LENGTH = 16;
export const HEADER_LENGTH = 19;
/** RFC 4271 maximum; we never advertise Extended Message (RFC 8654), so it stays the limit both ways. */
export const MAX_MESSAGE_LENGTH = 4096;
export const BGP_VERSION = 4;
/** RFC 6793 AS_TRANS: stands in for a 4-octet ASN in 2-octet fields. */
export const AS_TRANS = 23456;
/** RFC 4271 §8.2.2 suggests a large hold timer until the OPEN arrives. */
export const OPEN_SENT_HOLD_SEC = 240;

export const MessageType = { OPEN: 1, UPDATE: 2, NOTIFICATION: 3, KEEPALIVE: 4, ROUTE_REFRESH: 5 } as const;

export const Capability = { MULTIPROTOCOL: 1, ROUTE_REFRESH: 2, FOUR_OCTET_AS: 65 } as const;
export const AFI_IPV4 = 1;
export const SAFI_UNICAST = 1;

export const AttrFlag = { OPTIONAL: 0x80, TRANSITIVE: 0x40, PARTIAL: 0x20, EXTENDED_LENGTH: 0x10 } as const;

export const AttrType = {
  ORIGIN: 1, AS_PATH: 2, NEXT_HOP: 3, MED: 4, LOCAL_PREF: 5, ATOMIC_AGGREGATE: 6, AGGREGATOR: 7,
  COMMUNITIES: 8, MP_REACH_NLRI: 14, MP_UNREACH_NLRI: 15, AS4_PATH: 17, AS4_AGGREGATOR: 18, LARGE_COMMUNITY: 32,
} as const;

export const SegmentType = { SET: 1, SEQUENCE: 2, CONFED_SEQUENCE: 3, CONFED_SET: 4 } as const;

/** NOTIFICATION error codes and the subcodes we send or test for. */
export const ErrorCode = { HEADER: 1, OPEN: 2, UPDATE: 3, HOLD_TIMER_EXPIRED: 4, FSM: 5, CEASE: 6 } as const;
export const HeaderSubcode = { NOT_SYNCHRONIZED: 1, BAD_LENGTH: 2, BAD_TYPE: 3 } as const;
export const OpenSubcode = {
  UNSPECIFIC: 0, UNSUPPORTED_VERSION: 1, BAD_PEER_AS: 2, BAD_BGP_ID: 3, UNSUPPORTED_OPTIONAL_PARAMETER: 4, UNACCEPTABLE_HOLD_TIME: 6,
} as const;
export const UpdateSubcode = {
  MALFORMED_ATTRIBUTE_LIST: 1, UNRECOGNIZED_WELL_KNOWN: 2, MISSING_WELL_KNOWN: 3, ATTRIBUTE_FLAGS: 4, ATTRIBUTE_LENGTH: 5,
  INVALID_ORIGIN: 6, INVALID_NEXT_HOP: 8, OPTIONAL_ATTRIBUTE: 9, INVALID_NETWORK_FIELD: 10, MALFORMED_AS_PATH: 11,
} as const;
/** RFC 6608 subcodes: the state in which the unexpected message arrived. */
export const FsmSubcode = { UNSPECIFIC: 0, IN_OPEN_SENT: 1, IN_OPEN_CONFIRM: 2, IN_ESTABLISHED: 3 } as const;
export const CeaseSubcode = {
  MAX_PREFIXES: 1, ADMIN_SHUTDOWN: 2, PEER_DECONFIGURED: 3, ADMIN_RESET: 4, CONNECTION_REJECTED: 5,
  CONFIG_CHANGE: 6, COLLISION: 7, OUT_OF_RESOURCES: 8,
} as const;
