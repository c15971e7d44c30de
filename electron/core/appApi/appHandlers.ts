import type { IpcChannel, IpcResponse, ParsedRequest } from '../../../shared/ipc/contract';
import type { ProgressListener } from '../../../shared/work/progress';
import { trustedKeysDir } from '../appDirs/appDirs';
import { verifyBundle } from '../bundle/verifyBundle';
import { exportBundle } from '../export/exportBundle';
import { signerPolicy, trustStore } from '../keys/trustStore';
import { openStore } from '../store/diskStore';
import { importBundle } from '../store/importBundle';
import type { AppContext } from './appContext';

export interface HandlerContext {
  app: AppContext;
  /** Aborted when the job is cancelled or its window or socket goes away; never for a call. */
  signal: AbortSignal;
  onProgress: ProgressListener;
  /** Cancels a job of the same window or socket; false when it has none by that id. */
  cancelJob(jobId: string): boolean;
}

type Handler<C extends IpcChannel> = (request: ParsedRequest<C>, context: HandlerContext) => Promise<IpcResponse<C>>;

/** One handler per channel of the contract (a missing one is a compile error); main and `modferry ui` dispatch to these. */
export const appHandlers: { [C in IpcChannel]: Handler<C> } = {
  'app:info': async (_request, { app }) => ({ name: 'ModFerry', version: app.toolVersion, platform: process.platform }),

  'job:cancel': async ({ jobId }, { cancelJob }) => ({ cancelled: cancelJob(jobId) }),

  'export:run': async (request, { app, signal, onProgress }) => {
    const result = await exportBundle({ ...request, dirs: app.dirs, toolVersion: app.toolVersion, signal, onProgress });
    return {
      bundleDir: result.bundleDir,
      bundleId: result.bundleId,
      createdAt: result.createdAt,
      volumes: result.volumes,
      files: result.files,
      bytes: result.bytes,
      moduleVersions: result.modules.length,
      leftOut: result.leftOut,
      warnings: result.warnings,
      unmet: result.unmet,
      check: result.check,
      signer: { fingerprint: result.signer.fingerprint, created: result.signer.created },
    };
  },

  'verify:run': async ({ bundleDir, trustNewKey }, { app, signal, onProgress }) => {
    const trust = signerPolicy(trustStore(trustedKeysDir(app.dirs)), { acceptNewSigner: trustNewKey ?? false });
    const { manifest, signer } = await verifyBundle(bundleDir, { trust, signal, onProgress });
    return {
      bundleId: manifest.bundleId,
      createdAt: manifest.createdAt,
      files: manifest.entries.length,
      volumes: manifest.volumes.length,
      bytes: manifest.volumes.reduce((sum, volume) => sum + volume.size, 0),
      signer: signer.fingerprint,
      signerTrusted: !signer.newlyTrusted,
    };
  },

  'import:run': async ({ bundleDir, trustNewKey }, { app, signal, onProgress }) => {
    const trusted = trustStore(trustedKeysDir(app.dirs));
    const store = openStore(app.storeDir, { mode: 'write' });
    try {
      const result = await importBundle(bundleDir, {
        store,
        trust: signerPolicy(trusted, { acceptNewSigner: trustNewKey ?? false }),
        trustStore: trusted,
        signal,
        onProgress,
      });
      return { storeDir: store.dir, ...result };
    } finally {
      store.close();
    }
  },
};
