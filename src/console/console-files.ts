/**
 * The web console's files, served at /console/ from the bundle `npm ci` builds (web/build.ts → dist/web).
 * Static files only: the console is a client of the public API like any SDK (it signs its own requests),
 * so nothing here reads credentials or the store. Every answer carries a Content-Security-Policy that allows
 * this origin only (no CDN, no inline script), and the hashed bundle files are cacheable forever.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';

export const CONSOLE_PREFIX = '/console';

/** dist/web beside dist/console (built), or the repository's dist/web when running from src/ (tsx). */
export const CONSOLE_BUNDLE_DIR = path.resolve(__dirname, '..', '..', 'dist', 'web');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Same origin only; no inline script or style; not frameable; forms and <base> disabled. */
export const CONSOLE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "font-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** esbuild's `[name]-[hash]` file names: their content never changes under that name. */
const HASHED_NAME = /-[A-Z0-9]{8}\.(js|css)$/;

interface ConsoleFile {
  body: Buffer;
  contentType: string;
  etag: string;
  cacheControl: string;
}

export function isConsolePath(url: string): boolean {
  return url === CONSOLE_PREFIX || url.startsWith(`${CONSOLE_PREFIX}/`) || url.startsWith(`${CONSOLE_PREFIX}?`);
}

/** Reads the bundle directory once: a handful of small files. Empty when the bundle is not built. */
export function loadConsoleFiles(dir: string = CONSOLE_BUNDLE_DIR): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  if (!fs.existsSync(dir)) return files;
  for (const name of fs.readdirSync(dir)) {
    const contentType = CONTENT_TYPES[path.extname(name)];
    if (contentType === undefined) continue; // source maps and anything else stay private
    const body = fs.readFileSync(path.join(dir, name));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    const cacheControl = HASHED_NAME.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache';
    files.set(name, { body, contentType, etag, cacheControl });
  }
  return files;
}

const NOT_BUILT = 'The console is not built. Run `npm run build` (npm ci does it) and restart the server.\n';

/** Answers a request under /console (isConsolePath) from the loaded files. */
export function serveConsole(files: ReadonlyMap<string, ConsoleFile>, req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = req.url ?? CONSOLE_PREFIX;
  const pathname = url.split('?')[0]!;
  const plain = (status: number, text: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { ...SECURITY_HEADERS, ...extra, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : text);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(405, 'Method not allowed.\n', { allow: 'GET, HEAD' });
  // The app's links are relative to /console/ (hash routes after it).
  if (pathname === CONSOLE_PREFIX) return plain(308, 'Moved to /console/\n', { location: `${CONSOLE_PREFIX}/` });
  const name = pathname === `${CONSOLE_PREFIX}/` ? 'index.html' : pathname.slice(CONSOLE_PREFIX.length + 1);
  if (files.size === 0) return plain(503, NOT_BUILT);
  const file = name.includes('/') ? undefined : files.get(name);
  if (file === undefined) return plain(404, 'Not found.\n');
  const headers = { ...SECURITY_HEADERS, 'content-type': file.contentType, 'cache-control': file.cacheControl, etag: file.etag };
  if (req.headers['if-none-match'] === file.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': file.body.length });
  res.end(req.method === 'HEAD' ? undefined : file.body);
}
