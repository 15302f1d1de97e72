/**
 * Builds the web console (web/src, Preact) into dist/web: one minified ES module and one stylesheet, both named
 * by content hash (served as immutable), and index.html naming them. Run by `npm run build` and by `npm ci`
 * (prepare); the server serves dist/web at /console/ (src/console/console-files.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const WEB_DIR = __dirname;
export const DEFAULT_OUT_DIR = path.resolve(WEB_DIR, '..', 'dist', 'web');

export interface BuiltConsole {
  outDir: string;
  files: string[];
  /** the JS bundle's size, raw and gzip (the budget is 150 KB gzip) */
  jsBytes: number;
  jsGzipBytes: number;
}

export async function buildConsole(outDir = DEFAULT_OUT_DIR): Promise<BuiltConsole> {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: { console: path.join(WEB_DIR, 'src', 'main.tsx') },
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: '[name]-[hash]',
    outdir: outDir,
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((f) => path.basename(f));
  const js = outputs.find((f) => f.endsWith('.js'));
  const css = outputs.find((f) => f.endsWith('.css'));
  if (!js || !css) throw new Error(`console build produced ${outputs.join(', ')}`);
  const html = fs.readFileSync(path.join(WEB_DIR, 'index.html'), 'utf8').replace('%JS%', js).replace('%CSS%', css);
  fs.writeFileSync(path.join(outDir, 'index.html'), html);
  const body = fs.readFileSync(path.join(outDir, js));
  return { outDir, files: [...outputs, 'index.html'], jsBytes: body.length, jsGzipBytes: gzipSync(body, { level: 9 }).length };
}

if (require.main === module) {
  buildConsole().then(
    (b) => process.stdout.write(`console: ${b.files.join(', ')} in ${path.relative(process.cwd(), b.outDir)} (JS ${(b.jsBytes / 1024).toFixed(1)} KB, ${(b.jsGzipBytes / 1024).toFixed(1)} KB gzip)\n`),
    (err: unknown) => {
      process.stderr.write(`console build failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
}
