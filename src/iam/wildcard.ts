/**
 * Wildcard patterns of the RAM policy language (ram.md §2): `*` matches any run of characters (including
 * none, and including `:` and `/`), `?` exactly one character; the whole string is matched, anchored at
 * both ends. Patterns compile once to a matcher; patterns without wildcards compare directly.
 */

export type Matcher = (text: string) => boolean;

function escapeRegExp(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

export function compileWildcard(pattern: string, ignoreCase: boolean): Matcher {
  if (pattern === '*') return () => true;
  if (!/[*?]/.test(pattern)) {
    if (!ignoreCase) return (text) => text === pattern;
    const lower = pattern.toLowerCase();
    return (text) => text.length === lower.length && text.toLowerCase() === lower;
  }
  const source = escapeRegExp(pattern).replace(/\*+/g, '.*').replace(/\?/g, '.');
  const re = new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
  return (text) => re.test(text);
}

/** One matcher for a list of patterns: true when any pattern matches. */
export function compileWildcards(patterns: readonly string[], ignoreCase: boolean): Matcher {
  if (patterns.includes('*')) return () => true;
  const matchers = patterns.map((p) => compileWildcard(p, ignoreCase));
  if (matchers.length === 1) return matchers[0]!;
  return (text) => matchers.some((m) => m(text));
}
