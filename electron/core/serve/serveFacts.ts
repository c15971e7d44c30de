/**
 * What an operator needs once the proxy listens: the URLs developers' machines reach it at, and
 * the environment to paste into the shell that runs the go command, in each shell's syntax: less of
 * it when the store's checksum-database proofs (`proofs`) cover every module it serves.
 */
import os from 'node:os';
import { goClientEnvironment, proofCoverage, shellAssignment, type GoEnvSetting, type ProofCoverage } from './goClientEnvironment';
import { isWildcardHost, urlHost } from './listenAddress';
import type { ProofFacts } from '../../../shared/store/storeFacts';
import { toolchainFacts, type ToolchainFacts } from './toolchainFacts';

export interface ServeFacts {
  /** The URL to use as GOPROXY: the first LAN address when listening on every interface, else the one listened on. */
  proxyUrl: string;
  /** Every URL the proxy answers at: LAN addresses first, then loopback, when listening on every interface. */
  urls: string[];
  /** Listening on every interface (0.0.0.0 or ::), so other machines can reach it. */
  allInterfaces: boolean;
  settings: GoEnvSetting[];
  envLines: {
    /** `export NAME=value` lines for sh, bash and zsh. */
    posix: string[];
    /** `$env:NAME = "value"` lines for PowerShell. */
    powershell: string[];
    /** One `go env -w` command that keeps the settings in the go command's own configuration, for any shell. */
    goEnvWrite: string;
  };
  /** The Go toolchains the store holds for GOTOOLCHAIN=auto, or that it holds none and GOTOOLCHAIN=local is the better setting. */
  toolchains: ToolchainFacts;
  /** The checksum database the go command checks against, and whether the store's proofs cover all it serves (GOPROXY alone then). */
  proofs: ProofCoverage;
}

export type NetworkInterfaces = ReturnType<typeof os.networkInterfaces>;

/**
 * The facts for a proxy listening at `url`. `env` is the environment of the shell the user will
 * paste into (see goClientEnvironment); `interfaces` default to this machine's; `heldToolchains` are
 * the `golang.org/toolchain` versions the store holds zips of, `toolchainDatabases` the databases
 * it holds a record of each of them from (provingDatabases).
 */
export function serveFacts(
  url: string,
  env: NodeJS.ProcessEnv,
  interfaces: NetworkInterfaces = os.networkInterfaces(),
  proofs?: ProofFacts,
  heldToolchains: readonly string[] = [],
  toolchainDatabases: readonly string[] = [],
): ServeFacts {
  const listening = new URL(url);
  const host = listening.hostname.replace(/^\[|\]$/g, '');
  const allInterfaces = isWildcardHost(host);
  let urls = [url];
  if (allInterfaces) {
    const path = listening.pathname === '/' ? '' : listening.pathname;
    const loopback = `http://127.0.0.1:${listening.port}${path}`;
    urls = [...lanAddresses(interfaces, host === '::').map((address) => `http://${urlHost(address)}:${listening.port}${path}`), loopback];
  }
  const proxyUrl = urls[0]!;
  const settings = goClientEnvironment(proxyUrl, env, proofs, toolchainDatabases);
  return {
    proxyUrl,
    urls,
    allInterfaces,
    settings,
    envLines: {
      posix: settings.map((s) => shellAssignment(s, 'linux')),
      powershell: settings.map((s) => shellAssignment(s, 'win32')),
      goEnvWrite: ['go env -w', ...settings.map((s) => goEnvArgument(s))].join(' '),
    },
    toolchains: toolchainFacts(heldToolchains),
    proofs: proofCoverage(env, proofs, toolchainDatabases),
  };
}

/** Addresses other machines can reach this one at, IPv4 first; IPv6 ones only when listening on `::` (0.0.0.0 is IPv4 alone). */
export function lanAddresses(interfaces: NetworkInterfaces, withIpv6: boolean): string[] {
  const addresses = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal && (a.family === 'IPv4' || (withIpv6 && !a.address.startsWith('fe80:'))));
  return [...addresses.filter((a) => a.family === 'IPv4'), ...addresses.filter((a) => a.family === 'IPv6')].map((a) => a.address);
}

/** `NAME=value`, double-quoted when it has a space: the one quoting sh, PowerShell and cmd read alike. */
function goEnvArgument(setting: GoEnvSetting): string {
  const argument = `${setting.name}=${setting.value}`;
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(argument) ? argument : `"${argument}"`;
}
