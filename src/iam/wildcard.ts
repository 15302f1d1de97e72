/**
 * Wildcard patterns of the RAM policy language (ram.md §2): `*` matches any run of characters (including
 * none, and including `:` and `/`), `?` exactly one character; the whole string is matched, anchored at
 * both ends. Patterns compile once to a matcher; patterns without wildcards compare directly.
 *
 * Cost is bounded whatever the input (issue 14, finding 3). A glob matcher that backtracks to its last `*`
 * costs text × pattern: `acs:*aaaa…ab` (2 KB) against a 100 KB ARN took seconds per request. Here the
 * pattern is split on `*` into pieces; the first piece must match at the start, the last at the end, and
 * each middle piece is found leftmost after the previous one (leftmost is always right: an earlier end
 * leaves the following pieces the most room). A piece without `?` is found with indexOf (Boyer-Moore in V8,
 * linear for a first occurrence); a piece with `?` with a bit-parallel Shift-And scan, text × ⌈piece/32⌉
 * word operations. The text is scanned once overall, so a match costs O(text × ⌈piece/32⌉ + pattern).
 */

export type Matcher = (text: string) => boolean;

/** One `*`-free piece of a pattern; `?` stands for any one character. */
class Piece {
  readonly length: number;
  private readonly hasAny: boolean;
  /** Shift-And tables, built on first use: char code → positions it may occupy (bit i = position i) */
  private masks?: Map<number, Uint32Array>;
  private anyMask?: Uint32Array;

  constructor(readonly text: string) {
    this.length = text.length;
    this.hasAny = text.includes('?');
  }

  /** Whether the piece matches `t` at offset `at` (the caller checks that it fits). */
  matchesAt(t: string, at: number): boolean {
    if (!this.hasAny) return t.startsWith(this.text, at);
    for (let i = 0; i < this.length; i++) {
      const c = this.text.charCodeAt(i);
      if (c !== 63 && c !== t.charCodeAt(at + i)) return false;
    }
    return true;
  }

  /** The leftmost offset ≥ from where the piece matches and ends at or before `end`; -1 if none. */
  find(t: string, from: number, end: number): number {
    if (this.length === 0) return from <= end ? from : -1;
    if (!this.hasAny) {
      const at = t.indexOf(this.text, from);
      return at >= 0 && at + this.length <= end ? at : -1;
    }
    return this.shiftAnd(t, from, end);
  }

  private shiftAnd(t: string, from: number, end: number): number {
    const words = (this.length + 31) >>> 5;
    if (!this.masks) this.buildMasks(words);
    const masks = this.masks!;
    const anyMask = this.anyMask!;
    const state = new Uint32Array(words);
    const last = words - 1;
    const finalBit = 1 << ((this.length - 1) & 31);
    for (let j = from; j < end; j++) {
      const mask = masks.get(t.charCodeAt(j)) ?? anyMask;
      // state = ((state << 1) | 1) & mask, over `words` 32-bit words: bit i set ⇔ piece[0..i] ends at j
      let carry = 1;
      for (let w = 0; w < words; w++) {
        const s = state[w]!;
        state[w] = ((s << 1) | carry) & mask[w]!;
        carry = s >>> 31;
      }
      if ((state[last]! & finalBit) !== 0) return j - this.length + 1;
    }
    return -1;
  }

  private buildMasks(words: number): void {
    const anyMask = new Uint32Array(words);
    for (let i = 0; i < this.length; i++) if (this.text.charCodeAt(i) === 63) anyMask[i >>> 5]! |= 1 << (i & 31);
    const masks = new Map<number, Uint32Array>();
    for (let i = 0; i < this.length; i++) {
      const c = this.text.charCodeAt(i);
      if (c === 63) continue;
      let m = masks.get(c);
      if (!m) masks.set(c, (m = Uint32Array.from(anyMask)));
      m[i >>> 5]! |= 1 << (i & 31);
    }
    this.masks = masks;
    this.anyMask = anyMask;
  }
}

/** Anchored glob match of a pattern that contains at least one `*`, split into its pieces. */
function starMatcher(pieces: readonly Piece[]): Matcher {
  const first = pieces[0]!;
  const lastPiece = pieces[pieces.length - 1]!;
  const middle = pieces.slice(1, -1);
  const minLength = pieces.reduce((n, p) => n + p.length, 0);
  return (t) => {
    if (t.length < minLength) return false;
    if (!first.matchesAt(t, 0)) return false;
    const tailStart = t.length - lastPiece.length;
    if (!lastPiece.matchesAt(t, tailStart)) return false;
    let pos = first.length;
    for (const piece of middle) {
      const at = piece.find(t, pos, tailStart);
      if (at < 0) return false;
      pos = at + piece.length;
    }
    return pos <= tailStart;
  };
}

export function compileWildcard(pattern: string, ignoreCase: boolean): Matcher {
  if (pattern === '*') return () => true;
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  let match: Matcher;
  if (!p.includes('*')) {
    const whole = new Piece(p);
    match = (t) => t.length === whole.length && whole.matchesAt(t, 0);
  } else {
    match = starMatcher(p.split('*').map((text) => new Piece(text)));
  }
  return ignoreCase ? (text) => match(text.toLowerCase()) : match;
}

/** One matcher for a list of patterns: true when any pattern matches. */
export function compileWildcards(patterns: readonly string[], ignoreCase: boolean): Matcher {
  if (patterns.includes('*')) return () => true;
  const matchers = patterns.map((p) => compileWildcard(p, ignoreCase));
  if (matchers.length === 1) return matchers[0]!;
  return (text) => matchers.some((m) => m(text));
}
