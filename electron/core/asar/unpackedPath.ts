/**
 * Where a file of the packaged app is as a real file. Inside the app's asar archive only Electron's
 * patched fs can read a file; a native addon must be loaded from disk, and the files a worker thread
 * or a forked process starts from are kept off the archive (electron-builder.yml's asarUnpack) so
 * they load the way they do under plain Node. electron-builder puts the files it unpacks beside the
 * archive, under the same relative paths, in `app.asar.unpacked`.
 *
 * A path outside an archive is returned unchanged, so under plain Node this is the identity.
 */
export function unpackedPath(file: string): string {
  return file.replace(/([\\/])app\.asar(?=[\\/]|$)/, '$1app.asar.unpacked');
}
