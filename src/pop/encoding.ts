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

/**
 * Characters outside the XML 1.0 Char production (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF;
 * unpaired surrogates): no XML document may contain them, not even as character references.
 */
const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const NOT_XML_CHARS = new RegExp(NOT_XML_CHAR.source, 'gu');

export function hasNonXmlChar(text: string): boolean {
  return NOT_XML_CHAR.test(text);
}

/** Each character XML cannot carry becomes U+FFFD (the replacement character). */
export function replaceNonXmlChars(text: string): string {
  return text.replace(NOT_XML_CHARS, '\uFFFD');
}
