import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** A file of the renderer build for a URL path (`/` is index.html), or undefined when there is none or the path leaves the folder. */
export async function rendererFile(rendererDir: string, urlPath: string): Promise<{ body: Buffer; contentType: string } | undefined> {
  const relative = urlPath === '/' ? 'index.html' : urlPath.replace(/^\/+/, '');
  const segments = relative.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\0'))) return undefined;
  const contentType = CONTENT_TYPES[path.extname(relative)];
  if (contentType === undefined) return undefined;
  const file = path.join(rendererDir, ...segments);
  if (!(await stat(file).catch(() => undefined))?.isFile()) return undefined;
  return { body: await readFile(file), contentType };
}
