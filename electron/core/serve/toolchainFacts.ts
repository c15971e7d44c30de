/**
 * The Go toolchains a store serves (`golang.org/toolchain` versions with a zip), for the lines serve
 * starts with: a go command with GOTOOLCHAIN=auto downloads one through GOPROXY when a go.mod asks
 * for a newer Go than its own.
 */
import { formatToolchains, groupToolchains, TOOLCHAIN_MODULE } from '../../../shared/gomod/goToolchain';
import type { ProofStore } from '../store/store';

export interface ToolchainFacts {
  /** Each toolchain held, with the goos/goarch pairs it is held for. */
  held: Array<{ name: string; platforms: string[] }>;
  /** What to tell the operator: the toolchains held, or that there are none and what to set instead. */
  line: string;
}

export function toolchainFacts(heldVersions: readonly string[]): ToolchainFacts {
  const held = groupToolchains(heldVersions);
  const line = held.length === 0
    ? 'Go toolchains: this store holds none, so a go command whose go.mod asks for a newer Go than its own cannot switch (Go 1.21+ downloads toolchains through GOPROXY): set GOTOOLCHAIN=local there to get its own clear error, or carry the toolchain over with modferry export --toolchain'
    : `Go toolchains for GOTOOLCHAIN=auto: ${formatToolchains(held)}`;
  return { held, line };
}

/** The checksum databases the store holds a lookup record of every held toolchain from; none when it holds no toolchain. */
export function provingDatabases(proofs: ProofStore, heldVersions: readonly string[]): string[] {
  if (heldVersions.length === 0) return [];
  return proofs.databases().filter((db) => heldVersions.every((version) => proofs.lookup(db, TOOLCHAIN_MODULE, version) !== undefined));
}
