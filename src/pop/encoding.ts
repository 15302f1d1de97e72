/**
 * RFC 3986 percent-encoding as both signature versions use it: keep A-Z a-z 0-9 - _ . ~, encode the rest
 * as upper-case %XY of the UTF-8 bytes (space → %20, * → %2A).
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/**
 * Decodes one `application/x-www-form-urlencoded` / query component (`+` is a space).
 * Returns undefined for malformed percent-escapes so the caller can answer with a 400.
 */
export function formDecode(component: string): string | undefined {
  const withSpaces = component.indexOf('+') === -1 ? component : component.replace(/\+/g, ' ');
  if (withSpaces.indexOf('%') === -1) return withSpaces;
  try {
    return decodeURIComponent(withSpaces);
  } catch {
    return undefined;
  }
}
