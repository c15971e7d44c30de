/** The export was stopped (Ctrl-C); everything it had written is gone. */
export class ExportInterruptedError extends Error {
  override name = 'ExportInterruptedError';
  /** The unfinished bundle folder (when writing had begun) and the staging folder; none when only planning was stopped. */
  readonly removed: readonly string[];

  constructor(removed: readonly string[], options?: ErrorOptions) {
    super(removed.length === 0 ? 'interrupted; nothing was written' : `interrupted; removed ${removed.join(' and ')}`, options);
    this.removed = removed;
  }
}
