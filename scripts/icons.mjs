// Renders build/icon.svg to the PNGs electron-builder packs: icon.png at 1024x1024 (from which it
// makes the macOS .icns and the Windows .ico) and icons/NxN.png for Linux. Run after changing the SVG
// (`npm run icons`); the PNGs are committed, so packaging needs no browser. Each PNG records the
// SVG's SHA-256 in a tEXt chunk, which tests/unit/packaging.test.ts compares with the SVG.
//
// node scripts/icons.mjs [--out DIR]   (default: build/)
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { crc32 } from 'node:zlib';
import { chromium } from 'playwright-core';

const ICON_SIZE = 1024;
const LINUX_ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];

const root = path.resolve(import.meta.dirname, '..');
const { values: flags } = parseArgs({ options: { out: { type: 'string' } } });
const outDir = path.resolve(root, flags.out ?? 'build');

const svg = await readFile(path.join(root, 'build', 'icon.svg'));
const source = `build/icon.svg sha256:${createHash('sha256').update(svg).digest('hex')}`;
const targets = [
  { file: path.join(outDir, 'icon.png'), size: ICON_SIZE },
  ...LINUX_ICON_SIZES.map((size) => ({ file: path.join(outDir, 'icons', `${size}x${size}.png`), size })),
];

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 });
  await mkdir(path.join(outDir, 'icons'), { recursive: true });
  for (const { file, size } of targets) {
    await page.setViewportSize({ width: size, height: size });
    // As an image, so Chromium rasterizes the whole SVG at exactly this size, as a file manager would.
    await page.setContent(
      `<!doctype html><body style="margin:0;background:transparent"><img style="display:block" width="${size}" height="${size}" src="data:image/svg+xml;base64,${svg.toString('base64')}"></body>`,
    );
    await page.locator('img').evaluate((img) => img.decode());
    const png = await page.screenshot({ type: 'png', omitBackground: true });
    await writeFile(file, withText(png, 'Source', source));
    console.log(`${path.relative(process.cwd(), file)} ${size}x${size}`);
  }
} finally {
  await browser.close();
}

/** The PNG with a tEXt chunk (keyword, NUL, text) after its IHDR chunk, which is always first and 25 bytes long. */
function withText(png, keyword, text) {
  const data = Buffer.from(`${keyword}\0${text}`, 'latin1');
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write('tEXt', 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  const ihdrEnd = 8 + 25;
  return Buffer.concat([png.subarray(0, ihdrEnd), chunk, png.subarray(ihdrEnd)]);
}
