// Bundles the React renderer into dist/renderer; tsc handles the Node side.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';

const outdir = 'dist/renderer';
await mkdir(outdir, { recursive: true });
await build({
  entryPoints: ['renderer/src/main.tsx'],
  bundle: true,
  outfile: `${outdir}/renderer.js`,
  platform: 'browser',
  format: 'iife',
  target: 'chrome130',
  jsx: 'automatic',
  sourcemap: true,
  minify: true,
  logLevel: 'warning',
});
await copyFile('renderer/index.html', `${outdir}/index.html`);
