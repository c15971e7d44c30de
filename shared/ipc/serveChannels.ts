import { z } from 'zod';
import type { StoreFactsAnswer } from './storeChannels';

export const serveRunRequest = z.strictObject({
  /** Where to listen; default 127.0.0.1:3000. 0.0.0.0 lets developers' machines in. */
  listen: z
    .strictObject({
      host: z.string().min(1, 'is empty').max(253, 'is too long'),
      port: z.number().int('must be a whole number').min(0, 'must be 0 to 65535').max(65535, 'must be 0 to 65535'),
    })
    .optional(),
});

export const serveStopRequest = z.strictObject({});
export const serveStatusRequest = z.strictObject({});

export interface ServeFactsAnswer {
  proxyUrl: string;
  urls: string[];
  allInterfaces: boolean;
  settings: Array<{ name: string; value: string; why: string }>;
  envLines: { posix: string[]; powershell: string[]; goEnvWrite: string };
  /** The Go toolchains the store holds (each with its goos/goarch pairs), and the line saying so or recommending GOTOOLCHAIN=local. */
  toolchains: { held: Array<{ name: string; platforms: string[] }>; line: string };
  /** The checksum database the go command checks against (null: GOSUMDB=off), and whether the store's proofs cover all it serves: GOPROXY alone is pasted then. */
  proofs: { database: string | null; proven: boolean; toolchainsProven: boolean };
}

export interface ServeCounts {
  requests: number;
  misses: number;
  inFlight: number;
}

/** One answered request, for the live log. */
export interface ServedRequestAnswer {
  at: string;
  method: string;
  target: string;
  status: number;
  bytes: number;
  ms: number;
  module?: string;
  version?: string;
  note?: string;
}

export interface ServeStarted {
  url: string;
  facts: ServeFactsAnswer;
  storeDir: string;
  readOnly: boolean;
  startedAt: string;
}

/** What serve:run reports: `listening` once, then each request. */
export type ServeEvent = ({ type: 'listening' } & ServeStarted) | ({ type: 'request' } & ServedRequestAnswer);

export interface ServeStatus extends ServeStarted {
  counts: ServeCounts;
  store: StoreFactsAnswer;
}
