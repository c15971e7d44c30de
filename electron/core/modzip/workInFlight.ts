/**
 * Work started in order, several jobs at a time, holding at most about `limitBytes`
 * between them. Its failures are reported in the order the jobs were started, so what
 * runs alongside never changes which fault is reported first.
 */
export class WorkInFlight {
  private readonly jobs: Array<{ done: Promise<void>; bytes: number }> = [];
  private bytes = 0;

  constructor(private readonly limitBytes: number) {}

  /** Starts a job; when too much is in flight, first waits for the oldest jobs to finish. */
  async start(bytes: number, job: () => Promise<void>): Promise<void> {
    while (this.jobs.length > 0 && this.bytes + bytes > this.limitBytes) await this.finishOldest();
    const done = job();
    // Awaited in order by finishOldest or finishAll; until then a failure must not count as unhandled.
    done.catch(() => {});
    this.jobs.push({ done, bytes });
    this.bytes += bytes;
  }

  /** Waits for every job; the first to fail, in starting order, is the error. */
  async finishAll(): Promise<void> {
    while (this.jobs.length > 0) await this.finishOldest();
  }

  private async finishOldest(): Promise<void> {
    const oldest = this.jobs.shift()!;
    this.bytes -= oldest.bytes;
    await oldest.done;
  }
}
