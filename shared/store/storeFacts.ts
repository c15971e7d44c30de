/** A store as the app's dashboard shows it, from the catalog. */
export type StoreFacts =
  | { dir: string; exists: false }
  | {
      dir: string;
      exists: true;
      readOnly: boolean;
      modules: number;
      versions: number;
      /** Total size of the stored files. */
      bytes: number;
      bundles: number;
      /** Distinct module requests the store could not answer, and how many times they were asked. */
      misses: { distinct: number; requests: number };
      /** Requests answered but not recorded (junk, or past the cap on distinct misses). */
      dropped: number;
    };
