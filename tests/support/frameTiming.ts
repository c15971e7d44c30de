import assert from 'node:assert/strict';
import os from 'node:os';
import type { Page } from 'playwright-core';

/** The length the issue allows a frame while the renderer is busy. */
export const FRAME_BUDGET_MS = 50;
/** A renderer task this long is the page frozen, whatever else the machine runs. */
const FREEZE_MS = 1000;

export interface FrameFigures {
  frames: number;
  median: number;
  p90: number;
  p95: number;
  longest: number;
  /** Frames of FRAME_BUDGET_MS or more. */
  slow: number;
  /** The renderer's main-thread tasks of 50 ms or more (the browser's long tasks), in ms. */
  longTasks: number[];
  text: string;
}

// Installed in the page: every requestAnimationFrame delta and every long task, until window.stopWatchingFrames().
const WATCH_FRAMES = `(() => {
  const frames = [];
  const tasks = [];
  const observer = new PerformanceObserver((list) => list.getEntries().forEach((entry) => tasks.push(entry.duration)));
  observer.observe({ type: 'longtask' });
  let last;
  let watching = true;
  const tick = (now) => {
    if (last !== undefined) frames.push(now - last);
    last = now;
    if (watching) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  window.stopWatchingFrames = () => {
    watching = false;
    observer.disconnect();
    return { frames, tasks };
  };
})()`;

/** Starts timing the page's frames; the function returned stops and sums them up. */
export async function watchFrames(page: Page): Promise<() => Promise<FrameFigures>> {
  await page.evaluate(WATCH_FRAMES);
  return async () => {
    const { frames, tasks } = (await page.evaluate('window.stopWatchingFrames()')) as { frames: number[]; tasks: number[] };
    return frameFigures(frames, tasks);
  };
}

/** The figures of a run of frames: percentiles from requestAnimationFrame deltas, the long tasks as they came, and the machine's load beside them. */
export function frameFigures(deltas: readonly number[], longTasks: readonly number[] = []): FrameFigures {
  const sorted = [...deltas].sort((a, b) => a - b);
  const at = (share: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] ?? 0;
  const figures = { frames: sorted.length, median: at(0.5), p90: at(0.9), p95: at(0.95), longest: sorted.at(-1) ?? 0, slow: sorted.filter((d) => d >= FRAME_BUDGET_MS).length, longTasks: [...longTasks] };
  const ms = (n: number): string => `${n.toFixed(1)} ms`;
  const text =
    `${figures.frames} frames: median ${ms(figures.median)}, p90 ${ms(figures.p90)}, p95 ${ms(figures.p95)}, longest ${ms(figures.longest)}, ` +
    `${figures.slow} of ${FRAME_BUDGET_MS} ms or more; renderer tasks of 50 ms or more: ${longTasks.length === 0 ? 'none' : longTasks.map((d) => d.toFixed(0)).join(', ')}; ` +
    `machine load ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`;
  return { ...figures, text };
}

/**
 * Frames were kept under the budget. The typical frame (the median) must be under it. The tail is
 * printed, not asserted: on two cores shared with other work, and with the test itself sending the
 * load, the slow frames measure the machine (a renderer task waits its turn for a core, and frame times
 * come in whole vsync intervals, so one missed turn makes a 50 ms frame), and their share moves with
 * what else runs. A page that does too much on each update misses the median, and a page that freezes
 * shows as a renderer task of a second: those are asserted.
 */
export function assertFramesShort(figures: FrameFigures, what: string): void {
  assert.ok(figures.frames > 10, `${what}: only ${figures.frames} frames were drawn`);
  assert.ok(figures.median < FRAME_BUDGET_MS, `${what}: median over ${FRAME_BUDGET_MS} ms: ${figures.text}`);
  assert.ok(figures.longTasks.every((d) => d < FREEZE_MS), `${what}: a renderer task of ${FREEZE_MS} ms or more: ${figures.text}`);
}
