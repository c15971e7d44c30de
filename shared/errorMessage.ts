/** The message of anything thrown: an Error's message, or the thrown value as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Anything thrown, as an Error: streams and `destroy()` accept nothing else. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
