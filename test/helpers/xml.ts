/**
 * A strict XML 1.0 well-formedness check for response bodies: every character in the Char production (sax
 * does not check that), then a strict sax parse (balanced tags, valid entities, one root element).
 */
import assert from 'node:assert/strict';

// sax ships no types; the parser API used here is small
const sax = require('sax') as {
  parser(strict: boolean): { onerror: (e: Error) => void; onopentag: () => void; onclosetag: () => void; write(s: string): { close(): void } };
};

const NOT_XML_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Fails unless `text` is a well-formed XML document; `what` names it in the failure. */
export function assertWellFormedXml(text: string, what: string): void {
  const bad = NOT_XML_CHAR.exec(text);
  assert.equal(bad, null, `${what}: character U+${bad?.[0]?.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')} at ${bad?.index} is not allowed in XML`);
  const parser = sax.parser(true);
  const errors: string[] = [];
  let depth = 0;
  let roots = 0;
  parser.onerror = (e) => {
    errors.push(e.message.split('\n')[0]!);
    throw e;
  };
  parser.onopentag = () => {
    if (depth++ === 0) roots++;
  };
  parser.onclosetag = () => {
    depth--;
  };
  try {
    parser.write(text).close();
  } catch {
    // recorded by onerror
  }
  assert.deepEqual(errors, [], `${what}: not well-formed XML: ${text.slice(0, 300)}`);
  assert.equal(roots, 1, `${what}: one root element`);
  assert.equal(depth, 0, `${what}: every element closed`);
}
