/** A mistake in how the CLI was called: reported with a pointer to --help rather than as a failure of the work. */
export class UsageError extends Error {
  override name = 'UsageError';
}
