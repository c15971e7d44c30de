import path from 'node:path';
import { signingKeysDir } from '../appDirs/appDirs';
import { recordExport } from '../catalog/exportHistory';
import { exportSigningKey } from '../keys/signingKey';
import type { ExportPlan } from './exportPlan';
import { planExport, type ExportPlanRequest } from './planExport';
import { runExport, type ExportResult, type RunExportOptions } from './runExport';

/** How to run a plan: runExport's options, with the signing key named by its file (or the default one). */
export interface ExportRunRequest extends Omit<RunExportOptions, 'signingKey'> {
  /** The signing key; the default one in the data folder is created on first use. */
  keyFile?: string;
}

/** Everything `modferry export` is given: what to plan and how to run it. */
export interface ExportRequest extends ExportPlanRequest, ExportRunRequest {}

type ExportSigner = Awaited<ReturnType<typeof exportSigningKey>>;

export interface ExportBundleResult extends ExportResult {
  signer: { fingerprint: string; keyFile: string; created: boolean };
}

/** Plans and runs in one go, as `modferry export` does: see exportPlannedBundle for a plan already reviewed. */
export async function exportBundle(request: ExportRequest): Promise<ExportBundleResult> {
  // A --key that cannot be read is told before the downloads, not after them. The default key is made
  // only once there is a bundle to sign, so the notice that it was made comes with that bundle.
  const given = request.keyFile === undefined ? undefined : await exportSigningKey(signingKeysDir(request.dirs), request.keyFile);
  const plan = await planExport(request, request);
  return runWithSigner(plan, request, given ?? (await exportSigningKey(signingKeysDir(request.dirs))));
}

/**
 * Runs a plan with this machine's signing key (or the one given) and records the bundle in the export
 * history, so later plans show what it carried and prove their tree heads extend its own.
 */
export async function exportPlannedBundle(plan: ExportPlan, options: ExportRunRequest): Promise<ExportBundleResult> {
  return runWithSigner(plan, options, await exportSigningKey(signingKeysDir(options.dirs), options.keyFile));
}

async function runWithSigner(plan: ExportPlan, options: ExportRunRequest, signer: ExportSigner): Promise<ExportBundleResult> {
  const result = await runExport(plan, { ...options, signingKey: signer.key });
  recordExport(
    options.dirs,
    {
      bundleId: result.bundleId,
      createdAt: result.createdAt,
      outDir: path.resolve(options.outDir),
      inputs: result.inputs,
      files: result.files,
      bytes: result.bytes,
      modules: result.modules.length,
    },
    plan.modules.flatMap((m) => m.files.filter((f) => !f.heldOffline).map((f) => ({ module: m.path, version: m.version, kind: f.kind }))),
    plan.proofs?.status === 'carried' && plan.proofs.treeSize !== undefined ? [{ database: plan.proofs.database, size: plan.proofs.treeSize }] : [],
  );
  return { ...result, signer: { fingerprint: signer.key.fingerprint, keyFile: signer.file, created: signer.created } };
}
