/** The checksum-database proofs a store holds, and the module versions it holds without one. */
export interface ProofFacts {
  /** Each database the store holds proofs of, with its newest tree head's size. */
  databases: Array<{ name: string; size: number }>;
  /** Versions held (a .mod or .zip) with a lookup record, and without one. */
  withProof: number;
  withoutProof: number;
  /** The first few versions without one, `path@version`, by path. */
  firstWithout: string[];
}

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
      proofs: ProofFacts;
    };
