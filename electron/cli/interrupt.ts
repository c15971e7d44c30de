/** An abort for Ctrl+C and SIGTERM while a long command runs, with the reason the command reports. */
export interface Interrupt {
  signal: AbortSignal;
  /** Removes the handlers, so a later Ctrl+C ends the process as usual. */
  release(): void;
}

export function interruptOnSignals(reason: string): Interrupt {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new Error(reason));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    release() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
