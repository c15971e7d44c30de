import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';

/**
 * Writes module versions whose zips hold incompressible random bytes of the given sizes into a
 * GOPROXY tree: the worst case for memory (nothing shrinks) and a fixed size for throughput numbers.
 */
export async function writeSyntheticModules(tree: string, modules: ReadonlyArray<{ path: string; bytes: number }>): Promise<void> {
  for (const mod of modules) {
    const dir = path.join(tree, mod.path, '@v');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'list'), 'v1.0.0\n');
    await writeFile(path.join(dir, 'v1.0.0.info'), JSON.stringify({ Version: 'v1.0.0', Time: '2024-01-01T00:00:00Z' }));
    await writeFile(path.join(dir, 'v1.0.0.mod'), `module ${mod.path}\n`);
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from(`module ${mod.path}\n`), `${mod.path}@v1.0.0/go.mod`);
    const partBytes = 120 * 1024 * 1024;
    for (let part = 0, left = mod.bytes; left > 0; part++, left -= partBytes) {
      zip.addReadStream(randomStream(Math.min(left, partBytes)), `${mod.path}@v1.0.0/data${part}.bin`, { compress: false });
    }
    zip.end();
    await pipeline(zip.outputStream, createWriteStream(path.join(dir, 'v1.0.0.zip')));
  }
}

function randomStream(bytes: number): Readable {
  let left = bytes;
  return new Readable({
    read() {
      const n = Math.min(left, 1 << 20);
      left -= n;
      this.push(n > 0 ? randomBytes(n) : null);
    },
  });
}
