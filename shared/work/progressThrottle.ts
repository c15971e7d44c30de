export interface ProgressThrottleOptions {
  /** At most one event per this many ms (100: ten a second, more than a screen can show). */
  minIntervalMs?: number;
  /** At least one event per this many ms while work runs: the last one again, so a stall shows as a stall, not a hang. */
  maxSilenceMs?: number;
}

/**
 * Decides which progress events reach a screen, given the time; it keeps no timer, so its rules are
 * plain to test. `offer` each event as it happens; call `due` on a timer (every minIntervalMs or so)
 * for an event held back, or for the repeat that keeps the screen alive.
 */
export class ProgressThrottle<T> {
  private readonly minIntervalMs: number;
  private readonly maxSilenceMs: number;
  private lastSentAt: number | undefined;
  private last: T | undefined;
  private held: T | undefined;

  constructor(options: ProgressThrottleOptions = {}) {
    this.minIntervalMs = options.minIntervalMs ?? 100;
    this.maxSilenceMs = options.maxSilenceMs ?? 2000;
  }

  /** The event to send now, or undefined when it is held back (a later one replaces it). */
  offer(event: T, now: number): T | undefined {
    if (this.lastSentAt === undefined || now - this.lastSentAt >= this.minIntervalMs) return this.send(event, now);
    this.held = event;
    return undefined;
  }

  /** The event to send now: one held back once the interval has passed, else the last again after maxSilenceMs; or undefined. */
  due(now: number): T | undefined {
    if (this.lastSentAt === undefined) return undefined;
    if (this.held !== undefined && now - this.lastSentAt >= this.minIntervalMs) return this.send(this.held, now);
    if (this.last !== undefined && now - this.lastSentAt >= this.maxSilenceMs) return this.send(this.last, now);
    return undefined;
  }

  private send(event: T, now: number): T {
    this.lastSentAt = now;
    this.last = event;
    this.held = undefined;
    return event;
  }
}
