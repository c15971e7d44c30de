import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { moduleNotices, shortRationale } from '../../electron/core/export/moduleNotices';

const OLD = { path: 'example.com/old', version: 'v1.0.1' };

describe('what a module author says of a version', () => {
  test('a version inside a retracted interval, bounds included, is retracted, with the first reason given', () => {
    const retract = [
      { low: 'v0.9.0', high: 'v1.0.0', rationale: 'too early' },
      { low: 'v1.0.1', high: 'v1.0.1', rationale: '' },
      { low: 'v1.0.0', high: 'v1.0.5', rationale: 'loses data\nsee issue 12' },
    ];
    assert.deepEqual(moduleNotices(OLD, { retract, latest: 'v1.1.0' }), [
      { kind: 'retracted', module: 'example.com/old', version: 'v1.0.1', rationale: 'loses data', latest: 'v1.1.0' },
    ]);
    assert.deepEqual(moduleNotices({ ...OLD, version: 'v1.0.6' }, { retract, latest: 'v1.1.0' }), []);
    assert.deepEqual(moduleNotices({ ...OLD, version: 'v0.9.0' }, { retract }), [{ kind: 'retracted', module: 'example.com/old', version: 'v0.9.0', rationale: 'too early' }]);
  });

  test('bounds compare by precedence: retracting v2.0.0 retracts v2.0.0+incompatible', () => {
    const notices = moduleNotices({ path: 'example.com/old', version: 'v2.0.0+incompatible' }, { retract: [{ low: 'v2.0.0', high: 'v2.0.0', rationale: '' }] });
    assert.deepEqual(notices, [{ kind: 'retracted', module: 'example.com/old', version: 'v2.0.0+incompatible' }]);
  });

  test('a deprecation speaks of the module, so every version that ships is warned about, after its retraction', () => {
    const word = { retract: [{ low: 'v1.0.1', high: 'v1.0.1', rationale: 'broken' }], deprecated: 'use example.com/new.', latest: 'v1.2.0' };
    assert.deepEqual(moduleNotices(OLD, word).map((w) => w.kind), ['retracted', 'deprecated']);
    assert.deepEqual(moduleNotices({ ...OLD, version: 'v1.2.0' }, word), [{ kind: 'deprecated', module: 'example.com/old', version: 'v1.2.0', notice: 'use example.com/new.' }]);
    assert.deepEqual(moduleNotices(OLD, { retract: [] }), []);
  });

  test('a rationale is shown as its first line, and left out when empty, too long or not printable', () => {
    assert.equal(shortRationale('  broken build \nmore words'), 'broken build');
    assert.equal(shortRationale('tab\tinside'), 'tab\tinside');
    assert.equal(shortRationale('   \nsecond line'), undefined);
    assert.equal(shortRationale('x'.repeat(500)), 'x'.repeat(500));
    assert.equal(shortRationale('x'.repeat(501)), undefined);
    assert.equal(shortRationale('é'.repeat(251)), undefined);
    assert.equal(shortRationale('bell\u0007'), undefined);
    assert.equal(shortRationale('right-to-left \u202e override'), undefined);
  });
});
