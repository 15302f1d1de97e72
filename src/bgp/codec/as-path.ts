/** AS_PATH and AS4_PATH segments (RFC 4271 §4.3, RFC 6793): decoding, the AS4_PATH merge, encoding. */
import type { AsPathSegment } from '../session-api';
import { AS_TRANS, SegmentType } from './constants';

const SEGMENT_NAMES: ReadonlyArray<AsPathSegment['type'] | undefined> = [undefined, 'set', 'sequence', 'confed-sequence', 'confed-set'];
const SEGMENT_CODES: Record<AsPathSegment['type'], number> = {
  set: SegmentType.SET, sequence: SegmentType.SEQUENCE, 'confed-sequence': SegmentType.CONFED_SEQUENCE, 'confed-set': SegmentType.CONFED_SET,
};

/**
 * Segments in [start, end) with `asnSize`-byte ASNs; undefined when malformed (unknown segment type,
 * empty segment, overrun: RFC 7606 §7.2). `allowConfed` false rejects confederation segments (AS4_PATH).
 */
export function decodeAsPath(buf: Buffer, start: number, end: number, asnSize: 2 | 4, allowConfed = true): AsPathSegment[] | undefined {
  const segments: AsPathSegment[] = [];
  let p = start;
  while (p < end) {
    if (p + 2 > end) return undefined;
    const type = SEGMENT_NAMES[buf[p]!];
    const count = buf[p + 1]!;
    if (type === undefined || count === 0) return undefined;
    if (!allowConfed && (type === 'confed-sequence' || type === 'confed-set')) return undefined;
    p += 2;
    if (p + count * asnSize > end) return undefined;
    const asns = new Array<number>(count);
    for (let i = 0; i < count; i++, p += asnSize) asns[i] = asnSize === 4 ? buf.readUInt32BE(p) : buf.readUInt16BE(p);
    segments.push({ type, asns });
  }
  return segments;
}

/** Path length for the RFC 6793 merge: a set counts 1, confederation segments 0. */
export function pathLength(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) n += s.type === 'sequence' ? s.asns.length : s.type === 'set' ? 1 : 0;
  return n;
}

/**
 * RFC 6793 §4.2.3 for a 2-octet peer: when AS_PATH is at least as long as AS4_PATH, the leading
 * (n − m) ASNs of AS_PATH followed by AS4_PATH; otherwise AS4_PATH is ignored. Adjacent sequences
 * are joined so that the result reads as one path.
 */
export function mergeAs4Path(asPath: readonly AsPathSegment[], as4Path: readonly AsPathSegment[]): AsPathSegment[] {
  let need = pathLength(asPath) - pathLength(as4Path);
  if (need < 0) return asPath.map(copySegment);
  const merged: AsPathSegment[] = [];
  for (const s of asPath) {
    const confed = s.type === 'confed-sequence' || s.type === 'confed-set';
    // leading confederation segments count zero, so they precede even an empty take
    if (need <= 0 && !(confed && merged.every((m) => m.type !== 'sequence' && m.type !== 'set'))) break;
    if (s.type === 'sequence') {
      const take = Math.min(need, s.asns.length);
      merged.push({ type: 'sequence', asns: s.asns.slice(0, take) });
      need -= take;
    } else {
      merged.push(copySegment(s));
      if (s.type === 'set') need -= 1;
    }
  }
  for (const s of as4Path) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last.type === 'sequence' && s.type === 'sequence') last.asns.push(...s.asns);
    else merged.push(copySegment(s));
  }
  return merged;
}

function copySegment(s: AsPathSegment): AsPathSegment {
  return { type: s.type, asns: s.asns.slice() };
}

export function hasFourOctetAsn(segments: readonly AsPathSegment[]): boolean {
  return segments.some((s) => s.asns.some((asn) => asn > 0xffff));
}

/** Encodes segments with `asnSize`-byte ASNs (4-octet ASNs become AS_TRANS when 2); long segments are split at 255. */
export function encodeAsPath(segments: readonly AsPathSegment[], asnSize: 2 | 4): Buffer {
  const parts: Buffer[] = [];
  for (const s of segments) {
    for (let from = 0; from < s.asns.length; from += 255) {
      const chunk = s.asns.slice(from, from + 255);
      const part = Buffer.alloc(2 + chunk.length * asnSize);
      part[0] = SEGMENT_CODES[s.type];
      part[1] = chunk.length;
      chunk.forEach((asn, i) => {
        if (asnSize === 4) part.writeUInt32BE(asn >>> 0, 2 + 4 * i);
        else part.writeUInt16BE(asn > 0xffff ? AS_TRANS : asn, 2 + 2 * i);
      });
      parts.push(part);
    }
  }
  return Buffer.concat(parts);
}
