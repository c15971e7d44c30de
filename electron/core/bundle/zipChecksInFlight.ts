/**
 * The zip checks of one volume, started in volume order as the volume is read. Starting one
 * waits for the oldest while too many, or too many bytes of zip, are in flight. Failures are
 * reported in volume order: the first faulty zip, whichever check finished first.
 */
export class ZipChecksInFlight {
  private readonly checks: Array<{ done: Promise<void>; bytes: number }> = [];
  private bytes = 0;
  private anyFailed = false;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly maxChecks: number,
    private readonly maxBytes: number,
  ) {}

  async start(bytes: number, check: () => Promise<void>): Promise<void> {
    while (this.checks.length >= this.maxChecks || (this.checks.length > 0 && this.bytes + bytes > this.maxBytes)) await this.finishOldest();
    const done = check();
    // Awaited in order by finishOldest; until then a failure only marks that there is one.
    done.catch(() => (this.anyFailed = true));
    this.checks.push({ done, bytes });
    this.bytes += bytes;
  }

  /** Once a check has failed, rejects with the first failure in volume order. */
  async failFast(): Promise<void> {
    if (this.anyFailed) await this.finishAll();
  }

  /** Waits for every check; the first to fail, in volume order, is the error, every time this is called. */
  async finishAll(): Promise<void> {
    while (this.checks.length > 0 && this.failure === undefined) await this.finishOldest();
    if (this.failure !== undefined) throw this.failure.error;
  }

  private async finishOldest(): Promise<void> {
    if (this.failure !== undefined) throw this.failure.error;
    const oldest = this.checks.shift()!;
    this.bytes -= oldest.bytes;
    try {
      await oldest.done;
    } catch (error) {
      this.failure = { error };
      throw error;
    }
  }
}
