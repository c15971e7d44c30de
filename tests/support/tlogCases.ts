/**
 * What golang.org/x/mod/sumdb/tlog computes for trees of many sizes (tests/support/tlogcases/main.go):
 * the tiles its TileHashReader reads for a record and for a tree proof, its index math, and every
 * hash tile of the largest tree, written into a folder. The TypeScript is tested against these.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { xmodGoEnv } from './testSumdb';

const GENERATOR = path.join(__dirname, 'tlogcases', 'main.go');

export interface TlogCases {
  vkey: string;
  sizes: Array<{
    size: number;
    hash: string;
    note: string;
    edge: string[];
    records: Array<{ id: number; text: string; tiles: string[] | null }>;
    trees: Array<{ old: number; hash: string; tiles: string[] | null; proof: string[] | null }>;
  }>;
  indexes: Array<{ index: number; level: number; n: number; tile: string; start: number; end: number }>;
  counts: Array<[number, number]>;
}

/** Writes every tile of the largest tree under `dir` (as `tile/8/...`) and returns the cases. */
export function writeTlogCases(dir: string, sizes: readonly number[]): Promise<TlogCases> {
  const args = ['run', GENERATOR, '-out', dir, '-sizes', sizes.join(',')];
  return new Promise((resolve, reject) => {
    execFile('go', args, { env: xmodGoEnv(), timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`tlogcases failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as TlogCases);
    });
  });
}
