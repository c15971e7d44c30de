/**
 * Transfer rate over a sliding window (5 s, as Etcher does): steadier than the last sample and
 * honest after a stall, unlike an average since the start. ETA = what remains / that rate.
 */
export class RateWindow {
  private samples: Array<{ at: number; bytes: number }> = [];

  constructor(private readonly windowMs = 5000) {}

  add(at: number, bytes: number): void {
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && this.samples[0]!.at < at - this.windowMs) this.samples.shift();
  }

  /** Bytes per second, or undefined until two samples span some time. */
  rate(): number | undefined {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at <= first.at) return undefined;
    return ((last.bytes - first.bytes) * 1000) / (last.at - first.at);
  }

  etaSeconds(totalBytes: number | undefined): number | undefined {
    const rate = this.rate();
    const last = this.samples.at(-1);
    if (totalBytes === undefined || !rate || !last) return undefined;
    return Math.max(0, (totalBytes - last.bytes) / rate);
  }
}
