/** A folder that cannot be opened as a store as asked; the message names the folder and what to do. */
export class StoreFolderError extends Error {
  override name = 'StoreFolderError';
  /** The store folder, as errorFields reports where a fault lies. */
  readonly file: string;

  constructor(
    readonly dir: string,
    readonly reason: string,
  ) {
    super(`${dir}: ${reason}`);
    this.file = dir;
  }
}
