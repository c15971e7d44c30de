import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProgressMeter } from '../../shared/work/progressMeter';
import { ProgressThrottle } from '../../shared/work/progressThrottle';

/** Drives a throttle as jobProgress does: events at the given times, `due` on a 100 ms tick; returns when each event was sent. */
function simulate(eventTimes: readonly number[], until: number): Array<{ at: number; event: number }> {
  const throttle = new ProgressThrottle<number>();
  const sent: Array<{ at: number; event: number }> = [];
  const times = new Set(eventTimes);
  for (let at = 0; at <= until; at++) {
    if (times.has(at)) {
      const now = throttle.offer(at, at);
      if (now !== undefined) sent.push({ at, event: now });
    }
    if (at % 100 === 0) {
      const due = throttle.due(at);
      if (due !== undefined) sent.push({ at, event: due });
    }
  }
  return sent;
}

describe('ProgressThrottle', () => {
  test('sends the first event at once and holds the next ones back for 100 ms, sending the latest', () => {
    const throttle = new ProgressThrottle<string>();
    assert.equal(throttle.offer('a', 1000), 'a');
    assert.equal(throttle.offer('b', 1030), undefined);
    assert.equal(throttle.offer('c', 1060), undefined);
    assert.equal(throttle.due(1090), undefined);
    assert.equal(throttle.due(1100), 'c');
    assert.equal(throttle.due(1150), undefined);
    assert.equal(throttle.offer('d', 1200), 'd');
  });

  test('never sends more than 10 a second, however fast events come', () => {
    const everyMs = Array.from({ length: 5000 }, (_, i) => i);
    const sent = simulate(everyMs, 5000);
    for (let i = 1; i < sent.length; i++) assert.ok(sent[i]!.at - sent[i - 1]!.at >= 100, `sent at ${sent[i - 1]!.at} and ${sent[i]!.at}`);
    assert.ok(sent.length >= 45 && sent.length <= 51, `about 10 a second over 5 s, got ${sent.length}`);
    assert.equal(sent.at(-1)!.event >= 4900, true, 'what is sent stays current');
  });

  test('repeats the last event every 2 s while nothing happens, and is silent before the first', () => {
    const throttle = new ProgressThrottle<string>();
    assert.equal(throttle.due(5000), undefined);
    assert.equal(throttle.offer('a', 5000), 'a');
    assert.equal(throttle.due(6999), undefined);
    assert.equal(throttle.due(7000), 'a');
    assert.equal(throttle.due(8999), undefined);
    assert.equal(throttle.due(9000), 'a');
  });

  test('no gap longer than 2 s over a run with long stalls', () => {
    const sent = simulate([0, 10, 20, 3000, 3001, 9000], 12_000);
    for (let i = 1; i < sent.length; i++) assert.ok(sent[i]!.at - sent[i - 1]!.at <= 2000, `gap from ${sent[i - 1]!.at} to ${sent[i]!.at}`);
    assert.deepEqual(sent.slice(0, 3), [{ at: 0, event: 0 }, { at: 100, event: 20 }, { at: 2100, event: 20 }]);
    assert.ok(sent.some((s) => s.event === 3001), 'the held-back event after a stall is sent');
  });
});

describe('ProgressMeter', () => {
  test('adds the rate over its window, the time left and the time taken, per stage', () => {
    const meter = new ProgressMeter(1000);
    assert.deepEqual(meter.update({ stage: 'download', bytes: 0, totalBytes: 1000 }, 1000), { stage: 'download', bytes: 0, totalBytes: 1000, elapsedSeconds: 0 });
    const later = meter.update({ stage: 'download', bytes: 200, totalBytes: 1000 }, 3000);
    assert.equal(later.rateBytesPerSecond, 100);
    assert.equal(later.etaSeconds, 8);
    assert.equal(later.elapsedSeconds, 2);
    // A stall repeated by the throttle brings the rate down rather than freezing it.
    const stalled = meter.update({ stage: 'download', bytes: 200, totalBytes: 1000 }, 5000);
    assert.equal(stalled.rateBytesPerSecond, 50);
    assert.equal(meter.update({ stage: 'write', bytes: 10 }, 5000).rateBytesPerSecond, undefined);
  });
});
