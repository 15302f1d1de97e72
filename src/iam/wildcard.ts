/**
 * Wildcard patterns of the RAM policy language (ram.md §2): `*` matches any run of characters (including
 * none, and including `:` and `/`), `?` exactly one character; the whole string is matched, anchored at
 * both ends. Patterns compile once to a matcher; patterns without wildcards compare directly.
 */

export type Matcher = (text: string) => boolean;

export function compileWildcard(pattern: string, ignoreCase: boolean): Matcher {
  if (pattern === '*') return () => true;
  if (!/[*?]/.test(pattern)) {
    if (!ignoreCase) return (text) => text === pattern;
    const lower = pattern.toLowerCase();
    return (text) => text.length === lower.length && text.toLowerCase() === lower;
  }
  // Not a RegExp: a backtracking `^a.*b.*c$` takes time polynomial in the text, and request parameters (RegionId,
  // VpnConnectionId) reach resource ARNs unchecked — a long hostile value would stall the event loop.
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  return ignoreCase ? (text) => globMatch(p, text.toLowerCase()) : (text) => globMatch(p, text);
}

/**
 * Anchored glob match in O(text × pattern) at worst: on a mismatch after a `*`, only the last `*` is moved on
 * (an earlier `*` never needs to be, since the last one can absorb anything the earlier one would).
 */
function globMatch(p: string, t: string): boolean {
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    const c = p.charCodeAt(pi);
    if (pi < p.length && c !== 42 && (c === 63 || c === t.charCodeAt(ti))) {
      pi++;
      ti++;
    } else if (pi < p.length && c === 42) {
      star = pi++;
      mark = ti;
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p.charCodeAt(pi) === 42) pi++;
  return pi === p.length;
}

/** One matcher for a list of patterns: true when any pattern matches. */
export function compileWildcards(patterns: readonly string[], ignoreCase: boolean): Matcher {
  if (patterns.includes('*')) return () => true;
  const matchers = patterns.map((p) => compileWildcard(p, ignoreCase));
  if (matchers.length === 1) return matchers[0]!;
  return (text) => matchers.some((m) => m(text));
}
