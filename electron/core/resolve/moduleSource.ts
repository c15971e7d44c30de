/** Where the resolver reads module metadata: implemented by the caller over the upstream GOPROXY client. */
export interface ModuleSource {
  /** The go.mod text of path@version, as the proxy's `@v/<version>.mod` endpoint serves it. */
  goMod(path: string, version: string): Promise<string>;
  /**
   * The version `path@latest` resolves to. Resolving a build never needs it: requirements name concrete
   * versions, and retractions only steer `@latest` queries and upgrades. It is here for callers that
   * turn `path@latest` roots into concrete ones before resolving.
   */
  latest(path: string): Promise<string>;
}
