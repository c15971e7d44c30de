import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatInventory, parseInventory, type InventoryModule } from '../../shared/roundtrip/inventory';

const H1 = `h1:${Buffer.alloc(32, 1).toString('base64')}`;

test('an inventory names versions held without a checksum-database proof, with their h1, and stays format 1', () => {
  const modules: InventoryModule[] = [
    { path: 'example.com/a', version: 'v1.0.0', files: ['info', 'mod', 'zip'] },
    { path: 'example.com/b', version: 'v1.0.0', files: ['info', 'mod'], noProof: { mod: H1 } },
  ];
  const text = formatInventory(modules, { createdAt: '2026-12-03T00:00:00Z', tool: 'test' });
  const parsed = parseInventory(text, 'inv.json');
  assert.equal(parsed.formatVersion, 1);
  assert.deepEqual(parsed.modules, modules);
  assert.ok(!text.split('\n').find((line) => line.includes('example.com/a'))?.includes('noProof'));
});

test('a malformed noProof is refused naming the module entry', () => {
  for (const noProof of ['yes', { mod: 'h1:short' }, { info: H1 }, [H1]]) {
    const text = JSON.stringify({ format: 'modferry-inventory', formatVersion: 1, modules: [{ path: 'example.com/a', version: 'v1.0.0', files: ['mod'], noProof }] });
    assert.throws(() => parseInventory(text, 'inv.json'), /^InventoryError: inv\.json: modules\[0\]\.noProof: expected \{"mod": "h1:…", "zip": "h1:…"\}/, JSON.stringify(noProof));
  }
});
